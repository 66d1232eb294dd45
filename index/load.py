"""Files -> Documents: one reader per format, each returning the exact text that offsets index into."""

from __future__ import annotations

import codecs
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


# Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode(raw: bytes, path: str) -> str:
    """Text from bytes: UTF-16 or UTF-32 when a byte-order mark says so (the mark dropped), else UTF-8 (a UTF-8
    mark is kept, as `open(path, encoding="utf-8").read()` keeps it, so that offsets match).

    Raises:
        LoadError: undecodable bytes, or a NUL character anywhere (binary data).
    """
    encoding, label = "utf-8", "UTF-8"
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            raw, encoding, label = raw[len(bom) :], codec, name
            break
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"not valid {label} text (undecodable byte at offset {exc.start})") from None
    if "\x00" in text:
        raise LoadError(path, f"binary file (NUL character at offset {text.index(chr(0))}), not text")
    return text


def _read_text(raw: bytes, path: str) -> str:
    # Universal newlines, as open(path, encoding="utf-8").read() gives (CONTRACT.md).
    return decode(raw, path).replace("\r\n", "\n").replace("\r", "\n")


def _read_html(raw: bytes, path: str) -> str:
    import trafilatura

    text = trafilatura.extract(
        decode(raw, path), include_comments=False, include_tables=True, favor_recall=True
    )
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


# Signatures of binary formats that are never text: a file is checked by its content, not by its extension.
_MAGIC = {
    b"%PDF-": "a PDF",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive (or an Office file)",
    b"\x7fELF": "a program (ELF)",
    b"MZ": "a Windows program",
    b"\x1f\x8b": "a gzip archive",
}


def check_content(raw: bytes, suffix: str, source: str) -> None:
    """Does the content match the type the extension claims?

    Raises:
        LoadError: a `.pdf` that is not a PDF, or a text or HTML file whose bytes are a known binary format.
    """
    if suffix == ".pdf":
        if raw.lstrip()[:5] != b"%PDF-":
            raise LoadError(source, "not a PDF: the content does not start with %PDF-")
        return
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            raise LoadError(source, f"the content is {kind}, not {suffix} text")


READERS: dict[str, Callable[[bytes, str], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
}


def load_file(path: Path, max_bytes: int | None = None) -> Document:
    """Read one file into a Document.

    Args:
        path: a file with a supported extension.
        max_bytes: refuse a larger file (checked before it is read).

    Returns:
        The document; its text is what citations' offsets index into.

    Raises:
        LoadError: the file is missing, unreadable, binary, undecodable, too large or holds no text.
    """
    path = path.resolve()
    source = display_source(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise LoadError(source, f"unsupported file type {path.suffix!r} (supported: {', '.join(READERS)})")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LoadError(
                source,
                f"file is {size / 1e6:,.1f} MB, above the {max_bytes / 1e6:,.0f} MB limit for one document "
                "(QA_MAX_DOC_MB): split it, or raise the limit",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(source, f"cannot read file ({exc.strerror or exc})") from None
    check_content(raw, path.suffix.lower(), source)
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
