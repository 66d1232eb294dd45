"""The document manifest: each document's full text, content hash, chunks and sentences, in SQLite.

SQLite gives the transactions that keep ingestion from losing or duplicating text: a document and all its
spans are replaced in one commit, or not at all.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.chunk import Span
from index.load import Document
from index.readers.base import Location, Region, is_record, locate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT, content_hash TEXT NOT NULL,
    text TEXT NOT NULL, indexed_at REAL NOT NULL, file_hash TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, ord);
CREATE TABLE IF NOT EXISTS sentences (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences (doc_id, start);
CREATE TABLE IF NOT EXISTS chunk_terms (id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_terms_doc ON chunk_terms (doc_id);
CREATE TABLE IF NOT EXISTS regions (
    doc_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, page INTEGER, label TEXT NOT NULL,
    ocr INTEGER NOT NULL, box TEXT
);
CREATE INDEX IF NOT EXISTS regions_doc ON regions (doc_id, start);
CREATE TABLE IF NOT EXISTS duplicates (doc_id TEXT PRIMARY KEY, file_hash TEXT NOT NULL, same_as TEXT NOT NULL);
"""


def title_of(head: str, source: str) -> str:
    """A document's title: its first non-blank line (without Markdown heading marks) when it is short enough to be
    one (at most 150 characters); else the file name without its extension. A table row ("Product: Atlas desk;
    ...") names no document, nor does a heading right above one (a workbook's first sheet, "## Fares"): a
    spreadsheet is known by its file name."""
    lines = [" ".join(line.strip().lstrip("#").split()) for line in head.splitlines()]
    lines = [line for line in lines if line]
    if not lines or len(lines[0]) > 150 or is_record(lines[0]) or (len(lines) > 1 and is_record(lines[1])):
        return Path(source).stem
    return lines[0]


@dataclass(frozen=True)
class DocumentInfo:
    """What `documents()` lists: a document without its text."""

    doc_id: str
    source: str
    path: str | None
    content_hash: str
    chars: int
    chunks: int
    indexed_at: float
    title: str = ""
    pages: int = 0  # pages of a PDF (0 for other formats)
    ocr_pages: int = 0  # ... of which were read by OCR

    def to_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "content_hash": self.content_hash,
            "chars": self.chars,
            "chunks": self.chunks,
            "indexed_at": self.indexed_at,
            **({"pages": self.pages} if self.pages else {}),
            **({"ocr_pages": self.ocr_pages} if self.ocr_pages else {}),
        }


@dataclass(frozen=True)
class SpanRow:
    """A chunk or sentence as stored: its id and exact offsets in its document."""

    id: str
    doc_id: str
    start: int
    end: int


def _box(region: Region) -> str | None:
    return " ".join(f"{v:.1f}" for v in region.box) if region.box else None


@dataclass(frozen=True)
class Duplicate:
    """A file found to hold the text of another document (`same_as`) when that one's text had `content_hash`
    (None in stores of earlier builds): a duplicate only while both still hold."""

    file_hash: str
    same_as: str
    content_hash: str | None


def span_id(doc: Document, span: Span, kind: str = "") -> str:
    """Ids derive from the document (id and content hash) and the offsets: re-indexing makes no duplicates."""
    return f"{doc.doc_id}:{doc.content_hash[:12]}:{kind}{span.start}-{span.end}"


class Manifest:
    """Documents and their spans, in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
        if "file_hash" not in columns:  # a store written before files' bytes were hashed apart from the text
            self._db.execute("ALTER TABLE documents ADD COLUMN file_hash TEXT")
        if "abbreviations" not in columns:  # ... or before a document's abbreviations were kept
            self._db.execute("ALTER TABLE documents ADD COLUMN abbreviations TEXT")
        if "content_hash" not in {row[1] for row in self._db.execute("PRAGMA table_info(duplicates)")}:
            self._db.execute("ALTER TABLE duplicates ADD COLUMN content_hash TEXT")

    def close(self) -> None:
        self._db.close()

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def document(self, doc_id: str) -> Document | None:
        rows = self._rows(
            "SELECT doc_id, source, text, content_hash, path, file_hash FROM documents WHERE doc_id = ?",
            [doc_id],
        )
        if not rows:
            return None
        doc_id, source, text, content_hash, path, file_hash = rows[0]
        return Document(doc_id, source, text, content_hash, path, file_hash=file_hash or "")

    def file_hashes(self) -> dict[str, str]:
        """doc_id -> SHA-256 of the file's bytes when it was indexed (documents from files only)."""
        return dict(self._rows("SELECT doc_id, file_hash FROM documents WHERE file_hash IS NOT NULL"))

    def duplicates(self) -> dict[str, Duplicate]:
        """doc_id -> what it duplicates, for files found to hold another document's text: while their bytes
        and the original's text are unchanged, they are reported as duplicates again without being read (a
        scan is not OCR'd again)."""
        rows = self._rows("SELECT doc_id, file_hash, same_as, content_hash FROM duplicates")
        return {
            doc_id: Duplicate(file_hash, same_as, content_hash)
            for doc_id, file_hash, same_as, content_hash in rows
        }

    def set_duplicate(
        self, doc_id: str, file_hash: str | None, same_as: str = "", content_hash: str | None = None
    ) -> None:
        """Record that a file (its bytes' hash) duplicates `same_as`, whose text then had `content_hash`; with
        no file hash, forget it."""
        with self._lock:
            if file_hash:
                self._db.execute(
                    "INSERT OR REPLACE INTO duplicates (doc_id, file_hash, same_as, content_hash) "
                    "VALUES (?, ?, ?, ?)",
                    [doc_id, file_hash, same_as, content_hash],
                )
            else:
                self._db.execute("DELETE FROM duplicates WHERE doc_id = ?", [doc_id])

    def set_file_hash(self, doc_id: str, file_hash: str) -> None:
        """Record new bytes of a file whose text did not change (a PDF saved again): not read next time."""
        with self._lock:
            self._db.execute("UPDATE documents SET file_hash = ? WHERE doc_id = ?", [file_hash, doc_id])

    def documents(self) -> list[DocumentInfo]:
        rows = self._rows(
            "SELECT d.doc_id, d.source, d.path, d.content_hash, length(d.text), "
            "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id), d.indexed_at, substr(d.text, 1, 400), "
            "(SELECT count(DISTINCT page) FROM regions r WHERE r.doc_id = d.doc_id), "
            "(SELECT count(DISTINCT page) FROM regions r WHERE r.doc_id = d.doc_id AND r.ocr) "
            "FROM documents d ORDER BY d.source"
        )
        return [
            DocumentInfo(
                doc_id, source, path, digest, chars, chunks, indexed_at, title_of(head, source), pages, ocr
            )
            for doc_id, source, path, digest, chars, chunks, indexed_at, head, pages, ocr in rows
        ]

    def regions(self, doc_id: str) -> tuple[Region, ...]:
        """Where each stretch of a document's text comes from (pages, slides, rows), sorted by start."""
        rows = self._rows(
            'SELECT start, "end", page, label, ocr, box FROM regions WHERE doc_id = ? ORDER BY start',
            [doc_id],
        )
        return tuple(
            Region(start, end, page, label, bool(ocr), tuple(map(float, box.split())) if box else None)  # type: ignore[arg-type]
            for start, end, page, label, ocr, box in rows
        )

    def locations(self, spans: Sequence[tuple[str, int, int]]) -> list[Location]:
        """The location of each (doc_id, start, end): page, label and OCR mark (empty where none)."""
        regions: dict[str, tuple[Region, ...]] = {}
        found = []
        for doc_id, start, end in spans:
            if doc_id not in regions:
                regions[doc_id] = self.regions(doc_id)
            found.append(locate(regions[doc_id], start, end))
        return found

    def openings(self, doc_ids: Sequence[str], chars: int = 4000) -> dict[str, str]:
        """The first `chars` characters of each document's text (without reading whole texts)."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self._rows(
            f"SELECT doc_id, substr(text, 1, ?) FROM documents WHERE doc_id IN ({marks})", [chars, *doc_ids]
        )
        return dict(rows)

    def hashes(self, doc_ids: Sequence[str] | None = None) -> dict[str, str]:
        """doc_id -> content hash of every stored document (or of these ones)."""
        if doc_ids is None:
            return dict(self._rows("SELECT doc_id, content_hash FROM documents"))
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        return dict(
            self._rows(f"SELECT doc_id, content_hash FROM documents WHERE doc_id IN ({marks})", doc_ids)
        )

    def abbreviations(self, doc_id: str, content_hash: str) -> dict[str, str] | None:
        """Short form -> long form of the abbreviations this version of the document defines
        (`index.abbreviations`); None when they were not found at indexing (a store of an earlier build, a
        document another process wrote to a Chroma server)."""
        rows = self._rows(
            "SELECT abbreviations FROM documents WHERE doc_id = ? AND content_hash = ?",
            [doc_id, content_hash],
        )
        if not rows or rows[0][0] is None:
            return None
        return dict(json.loads(rows[0][0]))

    @staticmethod
    def _abbreviations_json(found: dict[str, str]) -> str:
        return json.dumps(sorted(found.items()))

    def set_abbreviations(self, doc_id: str, content_hash: str, found: dict[str, str]) -> None:
        """Keep a document's abbreviations (found at a question, where indexing did not)."""
        with self._lock:
            self._db.execute(
                "UPDATE documents SET abbreviations = ? WHERE doc_id = ? AND content_hash = ?",
                [self._abbreviations_json(found), doc_id, content_hash],
            )

    def is_empty(self) -> bool:
        """No document stored (without counting them)."""
        return not self._rows("SELECT 1 FROM documents LIMIT 1")

    def counts(self) -> tuple[int, int]:
        """(documents, chunks) stored."""
        docs = self._rows("SELECT count(*) FROM documents")[0][0]
        chunks = self._rows("SELECT count(*) FROM chunks")[0][0]
        return docs, chunks

    def ids(self, table: str) -> set[str]:
        """Every chunk (or sentence) id the manifest records."""
        assert table in ("chunks", "sentences")
        return {row[0] for row in self._rows(f"SELECT id FROM {table}")}

    def owners(self, table: str, ids: Sequence[str]) -> set[str]:
        """The doc_ids that own these chunk (or sentence) ids."""
        assert table in ("chunks", "sentences")
        owners: set[str] = set()
        for i in range(0, len(ids), 500):
            batch = list(ids[i : i + 500])
            marks = ",".join("?" * len(batch))
            owners |= {
                row[0]
                for row in self._rows(f"SELECT DISTINCT doc_id FROM {table} WHERE id IN ({marks})", batch)
            }
        return owners

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> set[str]:
        """The chunk ids of these documents."""
        found: set[str] = set()
        for i in range(0, len(doc_ids), 500):
            batch = list(doc_ids[i : i + 500])
            marks = ",".join("?" * len(batch))
            found |= {row[0] for row in self._rows(f"SELECT id FROM chunks WHERE doc_id IN ({marks})", batch)}
        return found

    def spans(self, table: str, doc_id: str) -> list[SpanRow]:
        assert table in ("chunks", "sentences")
        rows = self._rows(
            f'SELECT id, doc_id, start, "end" FROM {table} WHERE doc_id = ? ORDER BY start', [doc_id]
        )
        return [SpanRow(*row) for row in rows]

    def sentences_within(self, doc_id: str, start: int, end: int) -> list[SpanRow]:
        rows = self._rows(
            'SELECT id, doc_id, start, "end" FROM sentences WHERE doc_id = ? AND start >= ? AND "end" <= ? '
            "ORDER BY start",
            [doc_id, start, end],
        )
        return [SpanRow(*row) for row in rows]

    def sentences_by_id(self, ids: Sequence[str]) -> list[SpanRow]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._rows(f'SELECT id, doc_id, start, "end" FROM sentences WHERE id IN ({marks})', list(ids))
        return [SpanRow(*row) for row in rows]

    def chunks_holding(self, spans: Sequence[tuple[str, int]]) -> dict[tuple[str, int], list[str]]:
        """(doc_id, offset) -> the ids of the chunks whose text holds that offset (two where chunks overlap).

        One query per document, over the chunks from the first offset asked to the last."""
        wanted: dict[str, list[int]] = {}
        for doc_id, offset in spans:
            wanted.setdefault(doc_id, []).append(offset)
        found: dict[tuple[str, int], list[str]] = {}
        for doc_id, offsets in wanted.items():
            rows = self._rows(
                'SELECT id, start, "end" FROM chunks WHERE doc_id = ? AND start <= ? AND "end" > ?',
                [doc_id, max(offsets), min(offsets)],
            )
            for offset in offsets:
                found[(doc_id, offset)] = [id_ for id_, start, end in rows if start <= offset < end]
        return found

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, SpanRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(f'SELECT id, doc_id, start, "end" FROM chunks WHERE id IN ({marks})', list(ids))
        return {row[0]: SpanRow(*row) for row in rows}

    def iter_chunk_texts(self) -> Iterator[tuple[str, str]]:
        """(chunk id, chunk text) of every chunk, document by document, in a stable order."""
        for (doc_id,) in self._rows("SELECT doc_id FROM documents ORDER BY doc_id"):
            doc = self.document(doc_id)
            if doc is None:
                continue
            for row in self.spans("chunks", doc_id):
                yield row.id, doc.text[row.start : row.end]

    def chunk_terms(self, tokenize: Callable[[str], list[str]]) -> Iterator[tuple[str, list[str]]]:
        """(chunk id, its terms) of every chunk, document by document, in a stable order.

        A chunk's terms are computed once, when first asked for, and kept: rebuilding BM25 after a document
        was added tokenizes that document's chunks only, not the whole corpus again."""
        for (doc_id,) in self._rows("SELECT doc_id FROM documents ORDER BY doc_id"):
            rows = self._rows(
                'SELECT c.id, c.start, c."end", t.terms FROM chunks c LEFT JOIN chunk_terms t ON t.id = c.id '
                "WHERE c.doc_id = ? ORDER BY c.ord",
                [doc_id],
            )
            text: str | None = None
            new: list[tuple[str, str, str]] = []
            for chunk_id, start, end, terms in rows:
                if terms is None:
                    if text is None:
                        doc = self.document(doc_id)
                        text = doc.text if doc else ""
                    tokens = tokenize(text[start:end])
                    new.append((chunk_id, doc_id, " ".join(tokens)))
                else:
                    tokens = terms.split(" ") if terms else []
                yield chunk_id, tokens
            if new:  # one transaction per document, not one per chunk
                with self._lock:
                    self._db.execute("BEGIN")
                    self._db.executemany("INSERT OR REPLACE INTO chunk_terms VALUES (?, ?, ?)", new)
                    self._db.execute("COMMIT")

    def put(
        self,
        doc: Document,
        chunks: Sequence[Span],
        sentences: Sequence[Span],
        abbreviations: dict[str, str] | None = None,
    ) -> None:
        """Store a document with its spans (and the abbreviations it defines, when found), replacing any earlier
        version, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._delete(doc.doc_id)
                self._db.execute(
                    "INSERT INTO documents (doc_id, source, path, content_hash, text, indexed_at, file_hash, "
                    "abbreviations) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        doc.doc_id,
                        doc.source,
                        doc.path,
                        doc.content_hash,
                        doc.text,
                        time.time(),
                        doc.file_hash or None,
                        None if abbreviations is None else self._abbreviations_json(abbreviations),
                    ],
                )
                self._db.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                    [(span_id(doc, s), doc.doc_id, i, s.start, s.end) for i, s in enumerate(chunks)],
                )
                self._db.executemany(
                    "INSERT INTO sentences VALUES (?, ?, ?, ?, ?)",
                    [(span_id(doc, s, "s"), doc.doc_id, i, s.start, s.end) for i, s in enumerate(sentences)],
                )
                self._db.executemany(
                    "INSERT INTO regions VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(doc.doc_id, r.start, r.end, r.page, r.label, int(r.ocr), _box(r)) for r in doc.regions],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def delete(self, doc_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._delete(doc_id)
            self._db.execute("COMMIT")

    def _delete(self, doc_id: str) -> None:
        for table in ("documents", "chunks", "sentences", "chunk_terms", "regions", "duplicates"):
            self._db.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])
