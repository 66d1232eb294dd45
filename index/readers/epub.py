"""EPUB books with ebooklib: the title, then chapters in spine order (every block of each chapter's XHTML, tables as
rows with headers), located by chapter."""

from __future__ import annotations

import io
import logging
import zipfile

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, as_read
from index.readers.text import html_blocks

log = logging.getLogger(__name__)


def read_epub(raw: bytes, source: str) -> Extracted:
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(raw), options={"ignore_ncx": True})
    except (epub.EpubException, zipfile.BadZipFile, KeyError, ValueError, AttributeError) as exc:
        raise LoadError(source, f"not a readable EPUB book ({type(exc).__name__}: {exc})") from None
    builder = TextBuilder()
    titles = book.get_metadata("DC", "title")
    title = " ".join(str(titles[0][0]).split()) if titles else ""
    if title:  # the book's title leads, so that the document is known by it
        builder.add(title, label="title")
        builder.gap()
    chapter = 0
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or not item.is_chapter():
            continue  # the table of contents (nav) is not a chapter
        text = as_read(html_blocks(item.get_content().decode("utf-8", errors="replace"))).strip()
        if not text:
            continue
        chapter += 1
        builder.gap()
        builder.add(text, label=f"chapter {chapter}")
    return builder.build()
