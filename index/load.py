"""Files -> Documents: the reader of the file's format (`index/readers/`) gives the exact text that offsets
index into, and where each part of it lies in the original (pages, slides, rows, chapters)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.errors import LoadError
from index.readers import READERS, ZIPPED
from index.readers.base import Region, decode

__all__ = ["READERS", "Document", "decode", "discover", "load_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """A document's full text and identity.

    Attributes:
        doc_id: stable id, derived from where the document comes from (not its content), so an edited file
            keeps its id and replaces its old chunks.
        source: where it came from, as shown to users (a path relative to the working directory when it can be).
        text: the text every offset indexes into.
        content_hash: SHA-256 of `text` (UTF-8): the version citations carry and `qa cite --version` checks;
            anyone can check `sha256(text) == content_hash`.
        path: absolute path of the file, or None for documents given in memory.
        file_hash: SHA-256 of the file's bytes: a file whose bytes are unchanged is not read again.
        regions: where stretches of the text come from (`index.readers.base.Region`), sorted by start.
        ocr_pages: pages of it read by OCR.
        problems: what of it could not be read, for the index report.
    """

    doc_id: str
    source: str
    text: str
    content_hash: str
    path: str | None = None
    regions: tuple[Region, ...] = ()
    ocr_pages: int = 0
    file_hash: str = ""  # SHA-256 of the file's bytes ("" for documents given in memory)
    problems: tuple[str, ...] = ()  # parts that could not be read ("page 3: OCR found no text")

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
    if not raw:
        raise LoadError(source, "empty file (0 bytes)")
    if suffix == ".pdf":
        if raw.lstrip()[:5] != b"%PDF-":
            raise LoadError(source, "not a PDF: the content does not start with %PDF-")
        return
    if suffix in ZIPPED:
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            old = {".docx": ".doc", ".pptx": ".ppt", ".xlsx": ".xls"}.get(suffix, "old Office")
            raise LoadError(
                source,
                f"an old binary Office file ({old}, Office 97-2003) named {suffix}: save it as {suffix}",
            )
        if not raw.startswith(b"PK\x03\x04"):
            raise LoadError(source, f"not a {suffix} file: the content is not the ZIP archive such files are")
        return
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            raise LoadError(source, f"the content is {kind}, not {suffix} text")


def supported_types() -> str:
    """The supported extensions, for messages: ".txt, .md, ..., .epub"."""
    return ", ".join(READERS)


@dataclass(frozen=True)
class RawFile:
    """A file's bytes and identity, before its text is extracted (an unchanged file is never extracted)."""

    doc_id: str
    source: str
    path: Path
    raw: bytes
    file_hash: str  # SHA-256 of `raw`


def read_file(path: Path, max_bytes: int | None = None) -> RawFile:
    """Read one file's bytes, checking its type, size and content signature.

    Raises:
        LoadError: unsupported type, missing, unreadable, too large, or content not of its type.
    """
    path = path.resolve()
    source = display_source(path)
    if path.suffix.lower() not in READERS:
        raise LoadError(source, f"unsupported file type {path.suffix!r} (supported: {supported_types()})")
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
    return RawFile(make_doc_id(path.name, str(path)), source, path, raw, hashlib.sha256(raw).hexdigest())


def extract(file: RawFile) -> Document:
    """The document in a file: its text, by the reader of its format, and the text's regions.

    Raises:
        LoadError: the content cannot be read, or holds no text (the message says why: needs a password, no
            text layer, ...).
    """
    suffix = file.path.suffix.lower()
    try:
        extracted = READERS[suffix](file.raw, file.source)
    except LoadError:
        raise
    except Exception as exc:  # a damaged file trips its library somewhere: it fails alone, the run goes on
        log.debug("cannot read %s", file.source, exc_info=True)
        message = " ".join(str(exc).split())[:200]
        raise LoadError(
            file.source, f"damaged or unreadable {suffix} file ({type(exc).__name__}: {message})"
        ) from None
    if not extracted.text.strip():
        raise LoadError(file.source, "no text in file")
    return Document(
        doc_id=file.doc_id,
        source=file.source,
        text=extracted.text,
        content_hash=hashlib.sha256(extracted.text.encode("utf-8")).hexdigest(),
        path=str(file.path),
        file_hash=file.file_hash,
        regions=extracted.regions,
        ocr_pages=extracted.ocr_pages,
        problems=extracted.problems,
    )


def load_file(path: Path, max_bytes: int | None = None) -> Document:
    """Read one file into a Document (`read_file`, then `extract`).

    Raises:
        LoadError: the file is missing, unreadable, binary, undecodable, too large or holds no text.
    """
    return extract(read_file(path, max_bytes))


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]], list[LoadError]]:
    """Expand files and folders into the files to index, sorted, without duplicates.

    Folders are walked recursively; hidden folders are not entered.

    Returns:
        The files; every other file given or found, with why it is skipped (unsupported type, hidden, an
        Office lock file, not a regular file); and an error for every named path that does not exist.
    """
    found: dict[Path, None] = {}
    skipped: dict[str, str] = {}
    errors: list[LoadError] = []

    def consider(path: Path, named: bool = False) -> None:
        name = path.name
        if path.is_symlink() and not path.exists():
            skipped[display_source(path.absolute())] = "a link to a file that does not exist"
        elif path.is_dir():
            skipped[display_source(path.absolute())] = "a link to a folder (links are not followed)"
        elif not path.is_file():  # a pipe, socket or device: reading it could wait for ever
            skipped[display_source(path.absolute())] = "not a regular file (a pipe, socket or device)"
        elif name.startswith("~$"):
            skipped[display_source(path.resolve())] = (
                "an Office lock file (the document is open in an editor)"
            )
        elif name.startswith(".") and not named:
            skipped[display_source(path.resolve())] = "hidden file"
        elif path.suffix.lower() not in READERS:
            kind = f"{path.suffix!r}" if path.suffix else "without an extension"
            skipped[display_source(path.resolve())] = (
                f"unsupported file type {kind} (supported: {supported_types()})"
            )
        else:
            found[path.resolve()] = None

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                for hidden in sorted(d for d in dirs if d.startswith(".")):
                    skipped[display_source((Path(root) / hidden).resolve())] = "hidden folder (not searched)"
                links = [d for d in dirs if not d.startswith(".") and (Path(root) / d).is_symlink()]
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
                for name in sorted([*files, *links]):
                    consider(Path(root) / name)
        elif path.exists():
            consider(path, named=True)
        else:
            errors.append(LoadError(str(path), "no such file or folder"))
    return sorted(found), sorted(skipped.items()), errors
