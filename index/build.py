"""Add, update and remove documents: idempotent by content hash, with a progress bar and a summary."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.chunk import chunk, sentences
from index.embed import CHUNK_MAX_TOKENS, Embedder
from index.errors import LoadError
from index.lease import write_lock
from index.load import Document, discover, load_file
from index.manifest import span_id
from index.store import Store

log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    """What one run did (CONTRACT.md, `qa index --json`); `documents` and `chunks` count the store after it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, failed {len(self.failed)}; "
            f"the store holds {self.documents} documents in {self.chunks} chunks"
        )


class Indexer:
    """Writes documents into a Store: chunks, sentences, their vectors, the manifest and BM25.

    Every write of a document goes vectors first, manifest last: a run cut short leaves the manifest saying
    the old version (or nothing), so the next run redoes that document; upserts by derived ids and the removal
    of the document's other ids keep the vectors free of duplicates and stale chunks.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        progress: bool = True,
        holder: str = "qa index",
        wait: bool = True,
    ) -> None:
        """Args:
        holder: how this writer is named to others that wait for the store.
        wait: wait for another writer to finish (saying who it is), or raise `StoreBusy` at once.
        """
        self.store = store
        self.embedder = embedder
        self.progress = progress
        self.holder = holder
        self.wait = wait

    def index_paths(self, paths: Sequence[Path], sync: bool = False) -> IndexReport:
        """Index files and folders; with `sync`, remove stored documents whose files are gone."""
        files, errors = discover(paths)
        report = IndexReport(failed=[{"path": e.path, "error": e.reason} for e in errors])
        with write_lock(self.store.folder, self.holder, self.wait):
            stored = self.store.manifest.hashes()
            for path in tqdm(files, desc="indexing", unit="file", disable=not self.progress or not files):
                try:
                    doc = load_file(path)
                except LoadError as exc:
                    log.warning("%s", exc)
                    report.failed.append({"path": exc.path, "error": exc.reason})
                    continue
                self._put(doc, stored.get(doc.doc_id), report)
            if sync:
                for info in self.store.manifest.documents():
                    if info.path and not Path(info.path).exists():
                        self._remove(info.doc_id)
                        report.removed.append(info.source)
            self._finish(report)
        return report

    def index_documents(self, docs: Iterable[Document]) -> IndexReport:
        """Index documents given in memory (uploads, benchmarks)."""
        report = IndexReport()
        with write_lock(self.store.folder, self.holder, self.wait):
            stored = self.store.manifest.hashes()
            for doc in tqdm(list(docs), desc="indexing", unit="doc", disable=not self.progress):
                self._put(doc, stored.get(doc.doc_id), report)
            self._finish(report)
        return report

    def remove(self, doc_ids: Sequence[str]) -> IndexReport:
        """Remove documents by id (unknown ids are ignored)."""
        report = IndexReport()
        with write_lock(self.store.folder, self.holder, self.wait):
            for doc_id in doc_ids:
                doc = self.store.manifest.document(doc_id)
                if doc is not None:
                    self._remove(doc_id)
                    report.removed.append(doc.source)
            self._finish(report)
        return report

    def _put(self, doc: Document, old_hash: str | None, report: IndexReport) -> None:
        if old_hash == doc.content_hash:
            report.unchanged.append(doc.source)
            return
        sents, counts = sentences(doc.text, self.embedder.count_tokens, CHUNK_MAX_TOKENS)
        chunks = chunk(doc.text, sents, counts, CHUNK_MAX_TOKENS)
        if not chunks:
            report.failed.append({"path": doc.source, "error": "no content left after removing boilerplate"})
            return
        for name, spans, kind, keep_text in (("chunks", chunks, "", True), ("sentences", sents, "s", False)):
            collection = getattr(self.store, name)
            texts = [doc.text[s.start : s.end] for s in spans]
            ids = [span_id(doc, s, kind) for s in spans]
            metas = [
                {"doc_id": doc.doc_id, "source": doc.source, "start": s.start, "end": s.end} for s in spans
            ]
            collection.add(ids, self.embedder.embed(texts), metas, texts if keep_text else None)
            stale = set(collection.ids_of(doc.doc_id)) - set(ids)
            collection.delete(sorted(stale))
        self.store.manifest.put(doc, chunks, sents)
        (report.updated if old_hash else report.added).append(doc.source)
        log.info("indexed %s: %d chunks, %d sentences", doc.source, len(chunks), len(sents))

    def _remove(self, doc_id: str) -> None:
        for collection in (self.store.chunks, self.store.sentences):
            collection.delete(collection.ids_of(doc_id))
        self.store.manifest.delete(doc_id)

    def _finish(self, report: IndexReport) -> None:
        if report.changed or not (self.store.folder / "bm25" / "ids.json").exists():
            self.store.rebuild_lexical()
        report.documents, report.chunks = self.store.manifest.counts()
