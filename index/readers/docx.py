"""Word documents (.docx) with python-docx: paragraphs and tables in document order, then footnotes.

A table row becomes one sentence that keeps its column headers ("Product: Atlas desk; Weight: 31 kg."), so a
quote of it says what each value is. Text under a heading is located by that heading ("Returns policy"); table
rows by table and row ("table 2, row 3"); footnotes by number.
"""

from __future__ import annotations

import io
from typing import Any

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, one_line, record

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _is_heading(paragraph: Any) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return name.startswith(("Heading", "Title"))


def add_table(builder: TextBuilder, rows: list[list[str]], label: str) -> None:
    """A table's rows as records under its first row's headers (a one-row table is a record of its own)."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return
    header, body = (rows[0], rows[1:]) if len(rows) > 1 else ([""] * len(rows[0]), rows)
    for n, row in enumerate(body, 2 if len(rows) > 1 else 1):
        line = record(list(zip(header + [""] * (len(row) - len(header)), row, strict=False)))
        if line:
            builder.add(line, label=f"{label}, row {n}")
            builder.add("\n")
    builder.gap()


def _footnotes(document: Any) -> list[tuple[str, str]]:
    """(number, text) of each footnote, read from the footnotes part (python-docx has no API for them)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            from lxml import etree

            root = etree.fromstring(rel.target_part.blob)
            notes = []
            for note in root.iter(f"{_W}footnote"):
                number = note.get(f"{_W}id", "")
                if number.lstrip("-").isdigit() and int(number) > 0:
                    text = one_line("".join(t.text or "" for t in note.iter(f"{_W}t")))
                    if text:
                        notes.append((number, text))
            return notes
    return []


def read_docx(raw: bytes, source: str) -> Extracted:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # a zip that is not a Word document, a broken part
        raise LoadError(source, f"not a readable Word document ({type(exc).__name__}: {exc})") from None
    builder = TextBuilder()
    section = ""
    tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            add_table(builder, [[cell.text for cell in row.cells] for row in block.rows], f"table {tables}")
            continue
        text = one_line(block.text)
        if not text:
            continue
        if _is_heading(block):
            section = text[:80]
        builder.add(text, label=section)
        builder.gap("\n\n" if _is_heading(block) or text.endswith((".", "!", "?", ":")) else "\n")
    for number, text in _footnotes(document):
        builder.gap()
        builder.add(text, label=f"footnote {number}")
    return builder.build()
