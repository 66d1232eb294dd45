"""A collection's record of documents in Chroma itself, so that app processes sharing a Chroma server share it.

With an embedded store the local manifest (SQLite) is the record, and `LocalCatalog` does nothing. With a
Chroma server (`--chroma-url`), `ServerCatalog` keeps every document's text, source and content hash in a third
collection, `<name>.documents`, beside the chunk and sentence vectors (whose metadata holds the spans), and a
generation stamp in that collection's metadata that every write changes. Each app process keeps its manifest
and BM25 index as a cache: when the stamp moves, `Store.refresh()` brings the cache up to date from the server.
Everything an app needs to answer therefore lives in the server or is derived from it.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Protocol

from index.errors import reachable
from index.load import Document
from index.readers.base import regions_from_json, regions_to_json

log = logging.getLogger(__name__)

PART_CHARS = 1_000_000  # a long document's text is stored in parts of this many characters


class Catalog(Protocol):
    """What the indexer tells the record, and what readers ask it."""

    shared: bool  # several processes write to it: nothing local is the whole truth

    def published(self, doc: Document) -> None: ...

    def withdrawn(self, doc_id: str) -> None: ...

    def changed(self) -> None: ...

    def generation(self) -> str | None: ...

    def hashes(self) -> dict[str, str]: ...

    def document(self, doc_id: str) -> Document | None: ...


class LocalCatalog:
    """The embedded store's: the manifest is the record; nothing to publish."""

    shared = False

    def published(self, doc: Document) -> None:
        pass

    def withdrawn(self, doc_id: str) -> None:
        pass

    def changed(self) -> None:
        pass

    def generation(self) -> str | None:
        return None

    def hashes(self) -> dict[str, str]:
        return {}

    def document(self, doc_id: str) -> Document | None:
        return None


class ServerCatalog:
    """The record on a Chroma server (see the module docstring); Chroma's failures become StoreUnavailable."""

    shared = True

    @reachable
    def __init__(self, client: Any, name: str, where: str = "Chroma server") -> None:
        self._client = client
        self.where = where
        self.name = f"{name}.documents"
        self._collection = client.get_or_create_collection(self.name, embedding_function=None)

    @reachable
    def published(self, doc: Document) -> None:
        """Record a document (replacing an earlier version): its text in parts, with its metadata."""
        text = doc.text
        parts = [text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
        meta = {
            "doc_id": doc.doc_id,
            "source": doc.source,
            "path": doc.path or "",
            "content_hash": doc.content_hash,
            "file_hash": doc.file_hash,
            "parts": len(parts),
            "indexed_at": time.time(),
        }
        self._collection.upsert(
            ids=[f"{doc.doc_id}#{i}" for i in range(len(parts))],
            embeddings=[[1.0]] * len(parts),
            documents=parts,
            # The regions (pages, slides, rows) ride on the first part.
            metadatas=[
                {**meta, "part": i, **({"regions": regions_to_json(doc.regions)} if i == 0 else {})}
                for i in range(len(parts))
            ],
        )
        stale = [
            i for i in self._collection.get(where={"doc_id": doc.doc_id}, include=[])["ids"]
            if int(i.rsplit("#", 1)[1]) >= len(parts)
        ]  # fmt: skip
        if stale:
            self._collection.delete(ids=stale)

    @reachable
    def withdrawn(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    @reachable
    def changed(self) -> None:
        """A new generation stamp: other processes see that the collection changed."""
        self._collection.modify(metadata={"generation": uuid.uuid4().hex})

    @reachable
    def generation(self) -> str | None:
        metadata = self._client.get_collection(self.name, embedding_function=None).metadata or {}
        stamp = metadata.get("generation")
        return str(stamp) if stamp is not None else None

    @reachable
    def hashes(self) -> dict[str, str]:
        """doc_id -> content hash of every recorded document."""
        got = self._collection.get(where={"part": 0}, include=["metadatas"])
        return {str(m["doc_id"]): str(m["content_hash"]) for m in got["metadatas"] if m}

    @reachable
    def document(self, doc_id: str) -> Document | None:
        got = self._collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        parts = sorted(zip(got["metadatas"], got["documents"], strict=True), key=lambda p: int(p[0]["part"]))
        if not parts or len(parts) != int(parts[0][0]["parts"]):
            return None  # absent, or being rewritten this instant
        meta = parts[0][0]
        return Document(
            doc_id=doc_id,
            source=str(meta["source"]),
            text="".join(str(text) for _, text in parts),
            content_hash=str(meta["content_hash"]),
            path=str(meta["path"]) or None,
            regions=regions_from_json(str(meta.get("regions") or "[]")),
            file_hash=str(meta.get("file_hash") or ""),
        )
