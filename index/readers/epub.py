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
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except KeyError as exc:
        raise LoadError(source, f"damaged EPUB book: {exc.args[0] if exc.args else exc}") from None
    except (epub.EpubException, zipfile.BadZipFile, ValueError, AttributeError) as exc:
        raise LoadError(source, f"not a readable EPUB book ({type(exc).__name__}: {exc})") from None
    members = archive.namelist()
    builder = TextBuilder()
    titles = book.get_metadata("DC", "title")
    title = " ".join(str(titles[0][0]).split()) if titles else ""
    if title:  # the book's title leads, so that the document is known by it
        builder.add(title, label="title")
        builder.gap()
    documents = [
        item
        for item in (book.get_item_with_id(idref) for idref, _linear in book.spine)
        if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT and item.is_chapter()
    ]  # the table of contents (nav) is not a chapter
    if not documents:  # no usable spine: the book's documents in the order its manifest lists them
        documents = [i for i in book.get_items_of_type(ebooklib.ITEM_DOCUMENT) if i.is_chapter()]
    chapter = 0
    problems = []
    for item in documents:
        # The chapter's bytes as stored (ebooklib re-encodes what it parsed, losing a declared Latin-1).
        name = item.get_name()
        stored = next((m for m in members if m == name or m.endswith("/" + name)), None)
        if stored is None:
            problems.append(f"{name}: listed in the book, missing from its archive")
            continue
        content = archive.read(stored)
        text = as_read(html_blocks(content)).strip()
        if not text:
            continue
        chapter += 1
        builder.gap()
        builder.add(text, label=f"chapter {chapter}")
    if not chapter:
        raise LoadError(source, "no chapter text in the book" + (f" ({problems[0]})" if problems else ""))
    return builder.build(problems=problems)
