"""Word documents (.docx) with python-docx: paragraphs and tables in document order (tracked insertions,
content controls, fields and text boxes included), then headers and footers, then footnotes.

A table row becomes one sentence that keeps its column headers ("Product: Atlas desk; Weight: 31 kg."), so a
quote of it says what each value is. Text under a heading is located by that heading ("Returns policy"); table
rows by table and row ("table 2, row 3"); footnotes by number.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, one_line, table_records

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The number of an item of a numbered list as Markdown writes it ("6.", "3)"), read as a list item's number.
_ITEM_NUMBER = re.compile(r"\d{1,3}[.)]")


def add_table(builder: TextBuilder, rows: list[list[str]], label: str) -> None:
    """A table's rows as records under its first row's headers (`table_records`), each located by row."""
    records = table_records(rows)
    for n, line in records:
        builder.add(line, label=f"{label}, row {n}")
        builder.add("\n")
    if records:
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


def _text(element: Any) -> str:
    """All the text inside an element as Word shows it: runs, tracked insertions, content controls, field
    results, hyperlinks and text boxes (deleted text is `w:delText`, not `w:t`, and stays out)."""
    parts = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}p"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    return one_line("".join(parts))


def _rows(table: Any) -> list[list[str]]:
    """A table's rows, one cell per grid column a cell spans only once (a merged cell is not repeated across
    the columns it spans; a cell merged down repeats the text above it, as each row's record needs it)."""
    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in table.iter(f"{_W}tr"):
        if tr.getparent() is not table and tr.getparent().getparent() is not table:
            continue  # a row of a table nested in a cell: read as part of that cell's text
        cells, column = [], 0
        for tc in tr.findall(f"{_W}tc"):
            properties = tc.find(f"{_W}tcPr")
            span = properties.find(f"{_W}gridSpan") if properties is not None else None
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            text = _text(tc)
            if merge is not None and merge.get(f"{_W}val") != "restart" and not text:
                text = above.get(column, "")
            above[column] = text
            cells.append(text)
            column += int(span.get(f"{_W}val", "1")) if span is not None else 1
        rows.append(cells)
    return rows


def _blocks(parent: Any) -> Any:
    """Paragraphs and tables in document order, content controls opened."""
    for child in parent:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _style(element: Any, styles: dict[str, str]) -> str:
    found = element.find(f"{_W}pPr/{_W}pStyle")
    return styles.get(found.get(f"{_W}val", ""), "") if found is not None else ""


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
    ):
        out, n = out + letters * (n // value), n % value
    for value, letters in ((40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        out, n = out + letters * (n // value), n % value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


class _Numbering:
    """The numbers Word shows before the items of its numbered lists ("6.", "2.1", "(b)"), counted in document
    order from the numbering part's definitions (python-docx has no API for them). A bulleted item has none."""

    def __init__(self, document: Any, styles: Any) -> None:
        self.levels: dict[
            tuple[str, int], tuple[str, str, int]
        ] = {}  # (numId, ilvl) -> (format, text, start)
        self.style_numbers: dict[str, tuple[str, int]] = {}  # style id -> (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            abstract = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
            for num in root.iter(f"{_W}num"):
                ref = num.find(f"{_W}abstractNumId")
                definition = abstract.get(ref.get(f"{_W}val")) if ref is not None else None
                if definition is None:
                    continue
                for level in definition.iter(f"{_W}lvl"):
                    fmt, text, start = (level.find(f"{_W}{tag}") for tag in ("numFmt", "lvlText", "start"))
                    self.levels[(num.get(f"{_W}numId", ""), int(level.get(f"{_W}ilvl", "0")))] = (
                        fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                        text.get(f"{_W}val", "") if text is not None else "",
                        int(start.get(f"{_W}val", "1")) if start is not None else 1,
                    )
        for style in styles:
            element = getattr(style, "element", None)
            found = element.find(f"{_W}pPr/{_W}numPr") if element is not None else None
            if found is not None:
                self.style_numbers[style.style_id] = self._ids(found)

    @staticmethod
    def _ids(num_pr: Any) -> tuple[str, int]:
        num_id, ilvl = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
        return (
            num_id.get(f"{_W}val", "") if num_id is not None else "",
            int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0,
        )

    def label(self, paragraph: Any) -> str | None:
        """The number Word shows before this paragraph ("6.", "(b)"), counting it; None for a bulleted item or
        a paragraph that is no item of a numbered list."""
        found = paragraph.find(f"{_W}pPr/{_W}numPr")
        if found is not None:
            num_id, ilvl = self._ids(found)
        else:
            style = paragraph.find(f"{_W}pPr/{_W}pStyle")
            ids = self.style_numbers.get(style.get(f"{_W}val", "")) if style is not None else None
            if ids is None:
                return None
            num_id, ilvl = ids
        if (num_id, ilvl) not in self.levels:
            return None
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, self.levels[(num_id, ilvl)][2] - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]  # a higher level's next item restarts the levels below it
        fmt, text, _ = self.levels[(num_id, ilvl)]
        if fmt not in _FORMATS or not text:
            return None  # a bullet, or no number shown
        for level in range(ilvl + 1):
            level_fmt = self.levels.get((num_id, level), ("decimal", "", 1))[0]
            value = counters.get(level, self.levels.get((num_id, level), ("", "", 1))[2])
            text = text.replace(f"%{level + 1}", _FORMATS.get(level_fmt, str)(value))
        return text.strip() or None


def _is_list_item(paragraph: Any, style: str) -> bool:
    """Is the paragraph an item of a bulleted or numbered list: numbered by Word (`w:numPr`), or in a list
    style ("List Bullet", "List Number 2"; not "List Paragraph" alone, which Word also gives indented text)?"""
    numbered = paragraph.find(f"{_W}pPr/{_W}numPr") is not None
    return numbered or (style.startswith("List ") and style != "List Paragraph")


def _add_blocks(
    builder: TextBuilder,
    parent: Any,
    styles: dict[str, str],
    label: str,
    tables: list[int],
    numbering: _Numbering | None = None,
) -> str:
    section = label
    line_break = False  # the block before ended with a line break, not a blank line
    for block in _blocks(parent):
        if block.tag == f"{_W}tbl":
            tables[0] += 1
            add_table(builder, _rows(block), f"table {tables[0]}")
            line_break = False
            continue
        text = _text(block)
        if not text:
            continue
        style = _style(block, styles)
        heading = style.startswith(("Heading", "Title"))
        if heading:
            section = text[:80]
            if line_break:  # a heading starts a block of its own, whatever the line above ends with
                builder.add("\n")
        elif _is_list_item(block, style):
            # as Markdown writes an item, so it is read with the sentence announcing its list; a numbered item
            # keeps the number Word shows ("6. The garden room shall ..."), which documents refer to
            number = numbering.label(block) if numbering is not None else None
            if number and _ITEM_NUMBER.fullmatch(number):
                text = f"{number} {text}"
            else:  # a bullet; or a number a list item does not start with as Markdown writes one: "(b)", "2.1"
                text = f"- {number} {text}" if number else f"- {text}"
        builder.add(text, label=section)
        line_break = not (heading or text.endswith((".", "!", "?", ":")))
        builder.gap("\n" if line_break else "\n\n")
    return section


def read_docx(raw: bytes, source: str) -> Extracted:
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # a zip that is not a Word document, a broken part
        raise LoadError(source, f"not a readable Word document ({type(exc).__name__}: {exc})") from None
    styles = {s.style_id: s.name or "" for s in document.styles if getattr(s, "style_id", None)}
    builder = TextBuilder()
    tables = [0]
    numbering = _Numbering(document, document.styles)
    _add_blocks(builder, document.element.body, styles, "", tables, numbering)
    seen: set[str] = set()
    for section in document.sections:  # headers and footers once each (a code in a header is content too)
        for name, part in (("header", section.header), ("footer", section.footer)):
            if part.is_linked_to_previous and seen:
                continue
            text = _text(part._element)
            if text and text not in seen:
                seen.add(text)
                builder.gap()
                _add_blocks(builder, part._element, styles, name, tables)
    for number, text in _footnotes(document):
        builder.gap()
        builder.add(text, label=f"footnote {number}")
    return builder.build()
