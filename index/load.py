"""Files -> Documents: one reader per format, each returning the exact text that offsets index into."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from index.errors import LoadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """A document's full text and identity.

    Attributes:
        doc_id: stable id, derived from where the document comes from (not its content), so an edited file
            keeps its id and replaces its old chunks.
        source: where it came from, as shown to users (a path relative to the working directory when it can be).
        text: the text every offset indexes into.
        content_hash: SHA-256 of the raw bytes; unchanged hash means nothing to re-index.
        path: absolute path of the file, or None for documents given in memory.
    """

    doc_id: str
    source: str
    text: str
    content_hash: str
    path: str | None = None

    @classmethod
    def from_text(cls, source: str, text: str) -> Document:
        """A document that does not come from a file (uploads already saved elsewhere, benchmarks)."""
        return cls(
            doc_id=make_doc_id(source, source),
            source=source,
            text=text,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )


def make_doc_id(name: str, identity: str) -> str:
    """A readable, stable id: the file's stem plus a short hash of its full identity (absolute path)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-")[:40] or "doc"
    return f"{stem}-{hashlib.sha1(identity.encode('utf-8')).hexdigest()[:8]}"


def display_source(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read_text(raw: bytes, path: str) -> str:
    if b"\x00" in raw[:8192]:
        raise LoadError(path, "binary file (contains NUL bytes), not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not valid UTF-8 text (undecodable byte at offset {exc.start})") from None
    # Universal newlines, as open(path, encoding="utf-8").read() gives (CONTRACT.md).
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_html(raw: bytes, path: str) -> str:
    import trafilatura

    if b"\x00" in raw[:8192]:
        raise LoadError(path, "binary file (contains NUL bytes), not HTML")
    text = trafilatura.extract(raw, include_comments=False, include_tables=True, favor_recall=True)
    if not text:
        raise LoadError(path, "no main text found in the HTML page")
    return text


def _read_pdf(raw: bytes, path: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(path, f"not a readable PDF ({exc})") from None
    return "\n\n".join(page.strip() for page in pages if page.strip())


READERS: dict[str, Callable[[bytes, str], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
}


def load_file(path: Path) -> Document:
    """Read one file into a Document.

    Args:
        path: a file with a supported extension.

    Returns:
        The document; its text is what citations' offsets index into.

    Raises:
        LoadError: the file is missing, unreadable, binary, undecodable or holds no text.
    """
    path = path.resolve()
    source = display_source(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise LoadError(source, f"unsupported file type {path.suffix!r} (supported: {', '.join(READERS)})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(source, f"cannot read file ({exc.strerror or exc})") from None
    text = reader(raw, source)
    if not text.strip():
        raise LoadError(source, "no text in file")
    return Document(
        doc_id=make_doc_id(path.name, str(path)),
        source=source,
        text=text,
        content_hash=hashlib.sha256(raw).hexdigest(),
        path=str(path),
    )


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[LoadError]]:
    """Expand files and folders into the files to index, sorted, without duplicates.

    Folders are walked recursively; hidden entries and files of unsupported types inside folders are
    passed over (logged), while a file named explicitly with an unsupported type is an error.

    Returns:
        The files, and an error for every named path that does not exist or cannot be indexed.
    """
    found: dict[Path, None] = {}
    errors: list[LoadError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    if name.startswith("."):
                        continue
                    if child.suffix.lower() in READERS:
                        found[child.resolve()] = None
                    else:
                        log.info("skipping %s: unsupported file type", child)
        elif path.is_file():
            if path.suffix.lower() in READERS:
                found[path.resolve()] = None
            else:
                errors.append(LoadError(str(path), f"unsupported file type {path.suffix!r}"))
        else:
            errors.append(LoadError(str(path), "no such file or folder"))
    return sorted(found), errors
