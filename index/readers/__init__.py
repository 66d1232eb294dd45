"""One reader per file format, each returning the text that citations index into and where each part of it
comes from (`base.Extracted`). `READERS` maps a lower-case extension to its reader."""

from __future__ import annotations

from collections.abc import Callable

from index.readers.base import Extracted
from index.readers.docx import read_docx
from index.readers.epub import read_epub
from index.readers.pdf import read_pdf
from index.readers.pptx import read_pptx
from index.readers.sheets import read_csv, read_xlsx
from index.readers.text import read_html, read_text

Reader = Callable[[bytes, str], Extracted]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".pptx": read_pptx,
    ".xlsx": read_xlsx,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".epub": read_epub,
}
# Formats stored as ZIP archives: their content starts with the ZIP signature.
ZIPPED = frozenset({".docx", ".pptx", ".xlsx", ".epub"})
