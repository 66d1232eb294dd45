"""Add, update and remove documents: idempotent by content hash, with a progress bar and a summary."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, astuple, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from index.abbreviations import READ_CHARS, definitions
from index.chunk import Span, chunk, sentences
from index.embed import CHUNK_MAX_TOKENS, Embedder, pooled
from index.errors import LoadError
from index.lease import write_lock
from index.load import Document, RawFile, discover, extract, read_file
from index.manifest import Duplicate, Manifest, span_id
from index.store import Store

log = logging.getLogger(__name__)

_writes = 0


def store_write() -> None:
    """Count one write to the store; with `QA_TEST_KILL_AT_WRITE=N` set (the crash tests), the process kills
    itself at its Nth write, without any cleanup, as a power cut or an OOM kill would."""
    global _writes
    _writes += 1
    if os.environ.get("QA_TEST_KILL_AT_WRITE") == str(_writes):
        os.kill(os.getpid(), signal.SIGKILL)


# Chunks embedded and written together: bounds the memory a long document needs (vectors, token states) and
# how long the progress bar waits between moves.
EMBED_BATCH = 256


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class IndexReport:
    """What one run did (CONTRACT.md, `qa index --json`); `documents` and `chunks` count the store after it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}: not a file we read
    # {"path", "problem"}: indexed, but part of it could not be read ("page 3: OCR found no text")
    incomplete: list[dict[str, str]] = field(default_factory=list)
    ocr_pages: int = 0  # pages read by OCR in this run
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {"path", "same_as"}: not indexed twice
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
            f"removed {len(self.removed)}, failed {len(self.failed)}"
            + (f", skipped {len(self.skipped)}" if self.skipped else "")
            + (f", {self.ocr_pages} pages read by OCR" if self.ocr_pages else "")
            + "".join(f", {d['path']} has the same content as {d['same_as']}" for d in self.duplicates)
            + "; "
            f"the store holds {self.documents} documents in {self.chunks} chunks"
        )


class _Stored:
    """What the store holds, by document and by content hash, kept current as a run writes (a duplicate is
    found by one lookup, not by a scan of every document)."""

    def __init__(self, hashes: dict[str, str]) -> None:
        self.hash_of = dict(hashes)  # doc_id -> content hash
        self._holder = {h: doc_id for doc_id, h in hashes.items()}  # content hash -> a doc_id holding it
        self.source_of: dict[str, str] = {}  # doc_id -> source, of documents this run wrote

    def twin(self, doc: Document) -> str | None:
        """Another document that holds the same content, if any."""
        holder = self._holder.get(doc.content_hash)
        return holder if holder != doc.doc_id else None

    def put(self, doc_id: str, content_hash: str, source: str) -> None:
        self.pop(doc_id)
        self.hash_of[doc_id] = content_hash
        self._holder[content_hash] = doc_id
        self.source_of[doc_id] = source

    def source(self, manifest: Manifest, doc_id: str) -> str:
        """How to name a stored document in a report: its source (a document this run wrote may still be on
        its way to the manifest)."""
        if doc_id in self.source_of:
            return self.source_of[doc_id]
        info = manifest.document(doc_id)
        return info.source if info else doc_id

    def pop(self, doc_id: str) -> None:
        old = self.hash_of.pop(doc_id, None)
        if old is not None and self._holder.get(old) == doc_id:
            del self._holder[old]


def _read_again(path: Path, limit: int) -> Document:
    return extract(read_file(path, limit))


@dataclass(frozen=True)
class _Batch:
    """Chunks of one document embedded together, and the document's sentences.

    Attributes:
        starts: each sentence's start, to find a chunk's sentences by bisection.
        own: the indexes of the sentences this batch writes (a sentence shared with the next batch's first
            chunk is written by that batch).
    """

    text: str
    chunks: Sequence[Span]
    sents: Sequence[Span]
    counts: Sequence[int]
    starts: Sequence[int]
    own: range

    def texts(self, spans: Iterable[Span]) -> list[str]:
        return [self.text[s.start : s.end] for s in spans]


def _read_ahead(
    paths: Sequence[Path], read: Callable[[Path], tuple[RawFile, Document | None]]
) -> Iterator[Future[tuple[RawFile, Document | None]]]:
    """The future of `read(path)` for each path in turn, the next file being read on a thread of its own while the
    caller embeds the current one (onnxruntime releases the GIL while it embeds, so a parser's Python and OCR
    run meanwhile). `.result()` raises what reading raised (a `LoadError` for a bad file)."""
    if not paths:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-reader") as pool:
        ahead = pool.submit(read, paths[0])
        for n in range(len(paths)):
            current = ahead
            if n + 1 < len(paths):
                ahead = pool.submit(read, paths[n + 1])
            yield current


class _Skipped(Exception):
    """A queued write not run because an earlier one failed."""


class _WriteBehind:
    """Store writes run in order on one thread of their own, while the caller reads, chunks and embeds what
    comes next: a document's vectors go to Chroma while the next batch is embedded (onnxruntime and Chroma's
    Rust core release the GIL). A write that fails is raised to the caller at its next `submit` or `drain`, and
    no write queued after it runs: a document whose vectors were not all written is never recorded in the
    manifest (vectors first, manifest last, as when the writes ran one after the other).

    Chroma's upserts were 2.0 of 10.7 s of indexing the SQuAD dev half one after the other. On this project's
    2-core machine the overlap gains nothing measurable (10.4 s either way: both cores are busy embedding, and
    the writes take their share of them); it pays where cores are to spare.
    """

    # Writes queued at most: bounds the vectors held in memory when writing is slower than embedding.
    MAX_PENDING = 6

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()
        self._failed = False  # set by the writer thread: later writes are skipped

    def _run(self, job: Callable[[], None]) -> None:
        if self._failed:
            raise _Skipped
        try:
            job()
        except BaseException:
            self._failed = True
            raise

    def submit(self, job: Callable[[], None]) -> None:
        """Queue a write after those already queued (waits while `MAX_PENDING` are queued)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-store-writer")
        while self._pending and (self._pending[0].done() or len(self._pending) >= self.MAX_PENDING):
            self._pending.popleft().result()  # raises what the write raised
        self._pending.append(self._pool.submit(self._run, job))

    def drain(self) -> None:
        """Wait until every queued write is done; raise the first failure (the rest are still waited for)."""
        failure: BaseException | None = None
        while self._pending:
            try:
                self._pending.popleft().result()
            except _Skipped:
                pass
            except BaseException as exc:  # noqa: BLE001  # re-raised below, after the others finished
                failure = failure or exc
        self._failed = False  # the next run starts afresh
        if failure is not None:
            raise failure

    def close(self) -> None:
        """Drain, then stop the writer thread."""
        try:
            self.drain()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


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
        self._vectors = self._pooled if store.settings.chunk_vectors == "pooled" else self._embedded
        self._bar: Any = None  # the progress bar of the run in progress
        self._writes = _WriteBehind()
        # Files reported as copies in the run under way: (what they copy, their report entry, their text).
        self._copies: list[tuple[Duplicate, dict[str, str], Callable[[], Document]]] = []
        self._chunks, self._started = 0, 0.0

    def index_paths(self, paths: Sequence[Path], sync: bool = False) -> IndexReport:
        """Index files and folders; with `sync`, remove stored documents whose files are gone (first, so that
        a file whose content moved to another name is indexed under the new one)."""
        files, skipped, errors = discover(paths)
        report = IndexReport(
            failed=[{"path": e.path, "error": e.reason} for e in errors],
            skipped=[{"path": path, "reason": reason} for path, reason in skipped],
        )
        with write_lock(self.store.folder, self.holder, self.wait):
            self.reconcile()
            if sync:
                for info in self.store.manifest.documents():
                    if info.path and not Path(info.path).exists():
                        self._remove(info.doc_id)
                        report.removed.append(info.source)
            stored = _Stored(self.store.manifest.hashes())
            read_before = self.store.manifest.file_hashes()
            copies = self.store.manifest.duplicates()
            holders = {file_hash: doc_id for doc_id, file_hash in read_before.items()}
            bytes_of = dict(read_before)  # doc_id -> the file hash its stored text was read from
            sizes = [_size(path) for path in files]
            limit = int(self.store.settings.max_doc_mb * 1_000_000)
            known = frozenset(read_before.values()) | {copy.file_hash for copy in copies.values()}

            def read(path: Path) -> tuple[RawFile, Document | None]:
                """The file, and its text unless its bytes are known (then the loop decides, with what
                this run has indexed since)."""
                file = read_file(path, limit)
                return file, None if file.file_hash in known else extract(file)

            with self._progress(sum(sizes), bool(files)), self._writing():
                for reading, size in zip(_read_ahead(files, read), sizes, strict=True):
                    try:
                        file, doc = reading.result()
                        if read_before.get(file.doc_id) == file.file_hash and file.doc_id in stored.hash_of:
                            # the same bytes as when indexed: not read again
                            report.unchanged.append(file.source)
                            self._advance(size, 0)
                            continue
                        copy = copies.get(file.doc_id)
                        same_bytes = holders.get(file.file_hash)
                        if (
                            same_bytes
                            and same_bytes != file.doc_id
                            and same_bytes in stored.hash_of
                            and bytes_of.get(same_bytes) == file.file_hash  # not since read from other bytes
                        ):
                            # a byte-for-byte copy: not read at all
                            copy = Duplicate(file.file_hash, same_bytes, stored.hash_of[same_bytes])
                            self.store.manifest.set_duplicate(file.doc_id, *astuple(copy))
                        if (
                            copy is not None
                            and copy.file_hash == file.file_hash
                            and copy.content_hash is not None
                            and stored.hash_of.get(copy.same_as) == copy.content_hash
                        ):
                            self._duplicate(
                                file.doc_id,
                                file.source,
                                copy,
                                stored,
                                report,
                                partial(_read_again, file.path, limit),
                            )
                            self._advance(size, 0)
                            continue
                        doc = doc or extract(file)
                        report.ocr_pages += doc.ocr_pages
                        report.incomplete += [{"path": doc.source, "problem": p} for p in doc.problems]
                    except LoadError as exc:  # reported once, by whoever prints the report
                        log.info("%s", exc)
                        report.failed.append({"path": exc.path, "error": exc.reason})
                        self._advance(size, 0)
                        continue
                    self._put(doc, stored, report, size)
                    if stored.hash_of.get(doc.doc_id) == doc.content_hash:  # stored from these bytes
                        bytes_of[doc.doc_id] = file.file_hash
                        holders[file.file_hash] = doc.doc_id
                self._settle_duplicates(stored, report)
            self._finish(report)
        return report

    def index_documents(self, docs: Iterable[Document]) -> IndexReport:
        """Index documents given in memory (uploads, benchmarks)."""
        report = IndexReport()
        with write_lock(self.store.folder, self.holder, self.wait):
            self.reconcile()
            stored = _Stored(self.store.manifest.hashes())
            docs = list(docs)
            sizes = [len(doc.text.encode("utf-8")) for doc in docs]
            with self._progress(sum(sizes), bool(docs)), self._writing():
                for doc, size in zip(docs, sizes, strict=True):
                    self._put(doc, stored, report, size)
                self._settle_duplicates(stored, report)
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

    def repair(self) -> list[str]:
        """Take the write lock and `reconcile()`: what a server does when it opens a store."""
        with write_lock(self.store.folder, self.holder, self.wait):
            return self.reconcile()

    def reconcile(self) -> list[str]:
        """Make the vectors and BM25 agree with the manifest, the record of what was completely written (a
        run killed at any point leaves them ahead of it, or behind it on a removal). Call under the write lock.

        - vectors that no recorded document owns (a document cut short, whose file may since be gone) are
          deleted;
        - a recorded document with vectors missing (a removal cut short) is dropped from the manifest, so that
          this run indexes it again if its file is still given;
        - BM25 is rebuilt when its chunk ids differ from the manifest's, or it cannot be read.

        Returns:
            What was repaired, one line each (logged as warnings too).
        """
        manifest = self.store.manifest
        notes = []
        if self.store.catalog.shared:
            # With a Chroma server other processes write too: vectors this one does not know may be theirs,
            # half-written. The server's record is the truth; the local manifest and BM25 follow it.
            if self.store.sync():
                notes.append("brought the local manifest and BM25 up to date with the Chroma server")
            return notes
        for table in ("chunks", "sentences"):  # a manifest table and the vector collection of the same name
            collection = getattr(self.store, table)
            stored, expected = collection.all_ids(), manifest.ids(table)
            orphans = sorted(stored - expected)
            if orphans:
                collection.delete(orphans)
                notes.append(f"removed {len(orphans)} {table} vectors that no indexed document owns")
            missing = sorted(expected - stored)
            for doc_id in sorted(manifest.owners(table, missing)):
                self._remove(doc_id)
                notes.append(f"document {doc_id} had {table} vectors missing: it will be indexed again")
        try:
            lexical_ids = set(self.store.lexical.ids)
        except Exception:  # a BM25 folder a crash left half-written: rebuilt below
            lexical_ids = None
        if lexical_ids != manifest.ids("chunks"):
            self.store.rebuild_lexical()
            notes.append("rebuilt the BM25 index, which did not match the documents")
        for note in notes:
            log.warning("store repair: %s", note)
        return notes

    def _put(self, doc: Document, stored: _Stored, report: IndexReport, size: int) -> None:
        """Write one document, unless it is unchanged or another document already holds the same content.

        Args:
            stored: what the store holds; updated as documents are written.
            size: the document's size in bytes, for the progress bar.
        """
        old_hash = stored.hash_of.get(doc.doc_id)
        if old_hash == doc.content_hash:
            if doc.file_hash:  # new bytes, the same text (a PDF saved again): remember the bytes
                self.store.manifest.set_file_hash(doc.doc_id, doc.file_hash)
            report.unchanged.append(doc.source)
            self._advance(size, 0)
            return
        twin = stored.twin(doc)
        if twin is not None:
            copy = Duplicate(doc.file_hash, twin, doc.content_hash)
            self._duplicate(doc.doc_id, doc.source, copy, stored, report, lambda: doc)
            self.store.manifest.set_duplicate(doc.doc_id, *astuple(copy))
            self._advance(size, 0)
            return
        sents, counts = sentences(doc.text, self.embedder.count_tokens, CHUNK_MAX_TOKENS)
        chunks = chunk(doc.text, sents, counts, CHUNK_MAX_TOKENS)
        if not chunks:
            report.failed.append({"path": doc.source, "error": "no content left after removing boilerplate"})
            self._advance(size, 0)
            return
        # Embedded and written a batch of chunks (with their sentences) at a time: memory stays bounded by the
        # batch whatever the file's size, and the progress bar moves inside a long file.
        starts = [sent.start for sent in sents]
        written: dict[str, set[str]] = {"chunks": set(), "sentences": set()}
        done = 0.0
        for lo in range(0, len(chunks), EMBED_BATCH):
            part = chunks[lo : lo + EMBED_BATCH]
            begin = 0 if lo == 0 else part[0].start
            end = chunks[lo + EMBED_BATCH].start if lo + EMBED_BATCH < len(chunks) else len(doc.text) + 1
            # The sentences this batch writes: a sentence shared with the next batch's first chunk is its.
            own = range(bisect_left(starts, begin), bisect_left(starts, end))
            part_sents = sents[own.start : own.stop]
            chunk_vectors, sentence_vectors = self._vectors(
                _Batch(doc.text, part, sents, counts, starts, own)
            )
            for name, spans, kind, vectors in (
                ("chunks", part, "", chunk_vectors),
                ("sentences", part_sents, "s", sentence_vectors),
            ):
                ids = [span_id(doc, s, kind) for s in spans]
                written[name].update(ids)
                self._writes.submit(partial(self._add, name, doc, spans, ids, vectors))
            reached = min(end, len(doc.text)) / max(1, len(doc.text))
            self._advance(size * reached - done, len(part))
            done = size * reached
        found = definitions(doc.text[:READ_CHARS])
        self._writes.submit(partial(self._commit, doc, chunks, sents, written, found))
        stored.put(doc.doc_id, doc.content_hash, doc.source)
        (report.updated if old_hash else report.added).append(doc.source)
        log.info("indexed %s: %d chunks, %d sentences", doc.source, len(chunks), len(sents))

    def _duplicate(
        self,
        doc_id: str,
        source: str,
        copy: Duplicate,
        stored: _Stored,
        report: IndexReport,
        again: Callable[[], Document],
    ) -> None:
        """Report a file as holding the text of another document, remembering how to index it as itself should
        that one change later in this run (`_settle_duplicates`). Its own earlier text, if stored, goes: the file
        no longer holds it."""
        if doc_id in stored.hash_of:
            self._remove(doc_id)
            stored.pop(doc_id)
            report.removed.append(source)
        entry = {"path": source, "same_as": stored.source(self.store.manifest, copy.same_as)}
        report.duplicates.append(entry)
        self._copies.append((copy, entry, again))

    def _settle_duplicates(self, stored: _Stored, report: IndexReport) -> None:
        """Index as themselves the files reported as copies of a document whose text then changed in the same
        run (a copy of the old text would otherwise be lost with it)."""
        copies, self._copies = self._copies, []
        for copy, entry, again in copies:
            if stored.hash_of.get(copy.same_as) == copy.content_hash:
                continue
            report.duplicates.remove(entry)
            try:
                doc = again()
            except LoadError as exc:
                report.failed.append({"path": exc.path, "error": exc.reason})
                continue
            self._put(doc, stored, report, 0)

    def _add(
        self, name: str, doc: Document, spans: Sequence[Span], ids: list[str], vectors: np.ndarray
    ) -> None:
        """Write one batch's vectors to the `chunks` or `sentences` collection (on the writer thread)."""
        metas = [{"doc_id": doc.doc_id, "source": doc.source, "start": s.start, "end": s.end} for s in spans]
        texts = [doc.text[s.start : s.end] for s in spans] if name == "chunks" else None
        getattr(self.store, name).add(ids, vectors, metas, texts)
        store_write()

    def _commit(
        self,
        doc: Document,
        chunks: Sequence[Span],
        sents: Sequence[Span],
        written: dict[str, set[str]],
        abbreviations: dict[str, str],
    ) -> None:
        """After a document's vectors: drop what an earlier version left behind, then record it in the manifest,
        which makes it part of the store (on the writer thread, after the document's `_add`s)."""
        for name in ("chunks", "sentences"):
            collection = getattr(self.store, name)
            collection.delete(sorted(set(collection.ids_of(doc.doc_id)) - written[name]))
            store_write()
        self.store.manifest.put(doc, chunks, sents, abbreviations)
        self.store.manifest.set_duplicate(doc.doc_id, None)  # indexed as itself now
        store_write()
        self.store.catalog.published(doc)  # with a Chroma server: now other processes can take it

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Store writes run behind the embedding for the duration; all are done when this exits, even on an
        error (the write lock must not be released while a write is under way)."""
        try:
            yield
        finally:
            self._writes.close()

    @contextlib.contextmanager
    def _progress(self, total: int, shown: bool) -> Iterator[None]:
        """A progress bar over the bytes to index, with the chunks written so far, their rate and the time left."""
        self._bar = tqdm(
            total=total, desc="indexing", unit="B", unit_scale=True, disable=not self.progress or not shown
        )
        self._chunks, self._started = 0, time.monotonic()
        try:
            yield
        finally:
            self._bar.close()
            self._bar = None

    def _advance(self, size: float, chunks: int) -> None:
        if self._bar is None:
            return
        self._chunks += chunks
        rate = self._chunks / max(1e-6, time.monotonic() - self._started)
        self._bar.set_postfix_str(f"{self._chunks:,} chunks, {rate:,.0f} chunks/s", refresh=False)
        self._bar.update(size)

    def _embedded(self, batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """Chunk and sentence vectors, each text embedded on its own (`QA_CHUNK_VECTORS=embedded`).

        Sentence vectors pooled from their chunk's forward pass (no token embedded twice) were measured on the
        SQuAD dev half: indexing 1.8x faster, but recall@5 0.964 instead of 0.974, answer recall 0.846 instead
        of 0.853 and first-sentence 0.738 instead of 0.757, and refitting the answer weights did not recover it.
        """
        return (
            self.embedder.embed(batch.texts(batch.chunks)),
            self.embedder.embed(batch.texts(batch.sents[i] for i in batch.own)),
        )

    def _pooled(self, batch: _Batch) -> tuple[np.ndarray, np.ndarray]:
        """Sentence vectors embedded, each chunk's vector pooled from its sentences' (`QA_CHUNK_VECTORS=pooled`):
        every token is embedded once."""
        first = min(batch.own.start, bisect_left(batch.starts, batch.chunks[0].start))
        last = max(batch.own.stop, bisect_left(batch.starts, batch.chunks[-1].end))
        vectors = self.embedder.embed(batch.texts(batch.sents[first:last]))
        groups = [
            (bisect_left(batch.starts, c.start) - first, bisect_left(batch.starts, c.end) - first)
            for c in batch.chunks
        ]
        own = vectors[batch.own.start - first : batch.own.stop - first]
        return pooled(vectors, batch.counts[first:last], groups), own

    def _remove(self, doc_id: str) -> None:
        self._writes.drain()  # a queued write of the same document goes first
        self.store.catalog.withdrawn(doc_id)  # first: no other process takes it up while it goes
        for collection in (self.store.chunks, self.store.sentences):
            collection.delete(collection.ids_of(doc_id))
            store_write()
        self.store.manifest.delete(doc_id)
        store_write()

    def _finish(self, report: IndexReport) -> None:
        if report.changed or self.store.lexical_saved_at() is None:
            self.store.rebuild_lexical()
            store_write()
        if report.changed:
            self.store.catalog.changed()
        report.documents, report.chunks = self.store.manifest.counts()
