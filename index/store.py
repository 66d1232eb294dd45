"""Where an index lives: vectors in Chroma (embedded or a `chroma run` server), the manifest and BM25 beside.

Layout of `--store DIR`: Chroma's own files, and `qa-<collection>/` holding `manifest.sqlite3`, `bm25/` and the
write lock. Two collections per name: `<name>` for chunk vectors, `<name>.sentences` for sentence vectors.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.catalog import Catalog, LocalCatalog, ServerCatalog
from index.chunk import Span
from index.errors import QAError, StoreUnavailable, reachable
from index.lexical import LexicalIndex, tokenize
from index.manifest import Manifest
from index.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One vector-search result: the span's id, its document and offsets, and cosine similarity."""

    id: str
    doc_id: str
    start: int
    end: int
    similarity: float


def _chroma_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(
            settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}"
        )
        if not url.hostname:
            raise QAError(f"cannot read the Chroma server address {settings.chroma_url!r} (QA_CHROMA_URL)")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare exceptions for connection problems
            raise QAError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
    settings.store.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.store), settings=chroma_settings)


# How many candidates Chroma's HNSW search keeps while it walks the graph. Chroma's default, 100, made the
# nearest chunks of a question differ from one process to the next (the graph is rebuilt in another order at
# load) and missed some of the exact ones: on the COVID-QA store, one question's 60 nearest sentences held 0.77
# of the exact 60 at 100 and 0.97 at 400, for about 0.5 ms more a query (scratch check, 2026-12-07).
EF_SEARCH = 400


class VectorCollection:
    """One Chroma collection of spans whose metadata carries doc_id, start and end.

    Args:
        where: how the store is named in errors (the Chroma server's URL, or the embedded store's folder).
    """

    @reachable
    def __init__(self, client: Any, name: str, where: str = "embedded store") -> None:
        self._client = client
        self.name = name
        self.where = where
        # No embedding function: vectors always come from our embedder, and Chroma's default one downloads.
        # One HNSW thread: with several, the graph (and so the approximate neighbours) differs from build to
        # build; two builds of the SQuAD half answered 2 of 600 questions from other passages, one thread none.
        # (Set at creation only: an existing collection keeps its configuration.)
        self._collection = client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "num_threads": 1, "ef_search": EF_SEARCH}},
        )
        self._search_wide()

    def _search_wide(self) -> None:
        """Give a collection made with a narrower search (Chroma's default, 100) `EF_SEARCH`."""
        try:
            hnsw = (self._collection.configuration or {}).get("hnsw") or {}
            if int(hnsw.get("ef_search") or 0) < EF_SEARCH:
                self._collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
        except Exception as exc:  # an old server, a read-only store: the narrower search still answers
            log.warning("%s: cannot widen the vector search of %s: %s", self.where, self.name, exc)

    @reachable
    def count(self) -> int:
        return int(self._collection.count())

    @reachable
    def add(
        self, ids: Sequence[str], vectors: np.ndarray, metas: Sequence[dict], texts: Sequence[str] | None
    ) -> None:
        batch = max(1, min(5000, int(self._client.get_max_batch_size())))
        for i in range(0, len(ids), batch):
            self._collection.upsert(
                ids=list(ids[i : i + batch]),
                embeddings=vectors[i : i + batch],
                metadatas=list(metas[i : i + batch]),
                documents=None if texts is None else list(texts[i : i + batch]),
            )

    @reachable
    def all_ids(self) -> set[str]:
        """Every id in the collection."""
        return set(self._collection.get(include=[])["ids"])

    @reachable
    def ids_of(self, doc_id: str) -> list[str]:
        return list(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    @reachable
    def spans_of(self, doc_id: str, prefix: str) -> list[Span]:
        """The spans of one version of a document (ids starting with `prefix`), in text order."""
        got = self._collection.get(where={"doc_id": doc_id}, include=["metadatas"])
        spans = {
            Span(int(m["start"]), int(m["end"]))
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if m and i.startswith(prefix)
        }
        return sorted(spans, key=lambda s: (s.start, s.end))

    @reachable
    def delete(self, ids: Sequence[str]) -> None:
        batch = 5000
        for i in range(0, len(ids), batch):
            self._collection.delete(ids=list(ids[i : i + batch]))

    @reachable
    def query(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """The `k` nearest spans, nearest first; only spans of `doc_ids` when given."""
        if k <= 0:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["metadatas", "distances"]
        )
        hits = []
        for id_, meta, dist in zip(
            result["ids"][0], result["metadatas"][0], result["distances"][0], strict=True
        ):
            if not meta:  # a vector being deleted by a concurrent writer comes back without its metadata
                continue
            hits.append(
                Hit(id_, str(meta["doc_id"]), int(meta["start"]), int(meta["end"]), 1.0 - float(dist))
            )
        return hits

    @reachable
    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self._collection.get(ids=list(ids), include=["embeddings"])
        return {  # (ids deleted meanwhile by a concurrent writer are left out)
            id_: np.asarray(vec, dtype=np.float32)
            for id_, vec in zip(got["ids"], got["embeddings"], strict=True)
            if vec is not None
        }


def folder_of(settings: Settings) -> Path:
    """The folder of one collection's store: manifest, BM25, locks, and the embedded Chroma data's neighbours."""
    return Path(settings.store) / f"qa-{settings.collection}"


class Store:
    """The index of one collection: manifest, chunk and sentence vectors, BM25."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = folder_of(settings)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.manifest = Manifest(self.folder / "manifest.sqlite3")
        except (OSError, sqlite3.Error) as exc:  # a read-only or full disk, a folder that is a file
            raise StoreUnavailable(
                f"the store at {self.folder} cannot be opened for writing: {exc}"
            ) from None
        self._seen: str | None = None  # the server record's generation this cache reflects
        self._checked = 0.0
        self._syncing = threading.Lock()

    @cached_property
    @reachable  # Chroma that cannot start on its folder (a full disk, a damaged database) is named, not traced
    def _client(self) -> Any:
        return _chroma_client(self.settings)

    @property
    def where(self) -> str:
        """The vector store, as errors name it."""
        return (
            f"Chroma server {self.settings.chroma_url}"
            if self.settings.chroma_url
            else str(self.settings.store)
        )

    @cached_property
    def chunks(self) -> VectorCollection:
        return VectorCollection(self._client, self.settings.collection, self.where)

    @cached_property
    def sentences(self) -> VectorCollection:
        return VectorCollection(self._client, f"{self.settings.collection}.sentences", self.where)

    @cached_property
    def catalog(self) -> Catalog:
        """The collection's record of documents: the manifest itself (embedded), or on the Chroma server."""
        if not self.settings.chroma_url:
            return LocalCatalog()
        return ServerCatalog(self._client, self.settings.collection, self.where)

    def refresh(self, every: float = 1.0) -> bool:
        """With a Chroma server, bring the local manifest and BM25 up to date with what other processes wrote
        (checked at most once every `every` seconds: one small request). Returns whether anything changed."""
        if not self.catalog.shared or time.monotonic() - self._checked < every:
            return False
        with self._syncing:
            self._checked = time.monotonic()
            stamp = self.catalog.generation()
            if stamp == self._seen:
                return False
            changed = self.sync()
            self._seen = stamp
        return changed

    def sync(self) -> bool:
        """Make the local manifest hold exactly the server's documents (new, changed and removed ones), then
        rebuild BM25 if anything changed. A document being rewritten this instant is taken next time."""
        remote, local = self.catalog.hashes(), self.manifest.hashes()
        changed = False
        for doc_id in sorted(set(local) - set(remote)):
            self.manifest.delete(doc_id)
            changed = True
        for doc_id, digest in sorted(remote.items()):
            if local.get(doc_id) == digest:
                continue
            doc = self.catalog.document(doc_id)
            if doc is None or doc.content_hash != digest:
                continue
            prefix = f"{doc_id}:{digest[:12]}:"
            chunks = self.chunks.spans_of(doc_id, prefix)
            sentences = self.sentences.spans_of(doc_id, prefix + "s")
            if chunks:
                self.manifest.put(doc, chunks, sentences)
                changed = True
        if changed or self.lexical_saved_at() is None:
            self.rebuild_lexical()
        if changed:
            log.info("store: local cache brought up to date with %s", self.where)
        return changed

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex.load(self.folder / "bm25")

    def lexical_saved_at(self) -> float | None:
        """When BM25 was last written (every change of the collection rewrites it); None if it never was."""
        stamp = self.folder / "bm25" / "ids.json"
        return stamp.stat().st_mtime if stamp.exists() else None

    def rebuild_lexical(self) -> None:
        """Re-index BM25 over every stored chunk (after documents were added, changed or removed)."""
        index = LexicalIndex.build(self.manifest.chunk_terms(tokenize))
        index.save(self.folder / "bm25")
        self.__dict__["lexical"] = index

    def close(self) -> None:
        self.manifest.close()
