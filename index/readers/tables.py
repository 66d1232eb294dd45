"""Tables on a page found from the boxes of its lines, for PDF text layers and OCR output alike.

A table drawn without ruling lines is only text set out in rows and columns; read line by line, its cells come
out one per paragraph or in the wrong order ("4 to 5 years" after that row's dose). The method is the one
Tabula and Camelot call "stream": rows are bands of lines whose vertical middles coincide, and a run of bands
with two cells or more, whose cells leave the same white gutters down the page, is a table; its columns lie
between the gutters, so left-, right- and centre-aligned cells all find their column. Each row then reads as
the records of the other formats do ("Age: 4 to 5 years; Dose: 240 mg; Frequency: every 4 to 6 hours.").

What is not taken for a table: fewer than three rows (a header and two), prose set in columns (most cells of
seven words or more, or every column's lines wider than a quarter of the page), and a list whose markers stand
apart from their text ("•", "1.", "a)").

`make_table` reads any table's rows the same way, this module's and those `pdf.ruled_tables` finds between
ruling lines: under a header row (years and financial years count as names), as fields where names and values
stand side by side ("Site address | 12 Orchard Close", a form's "Booking ref | HHL-77419 | Property | ..."), or
cell by cell where the first row holds figures.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from index.readers.base import Box, Line, record, under

# Fewer rows than this (the header included) make no table.
MIN_ROWS = 3
# A cell of this many words or more reads as prose; a "table" whose cells mostly do is two columns of text.
PROSE_WORDS = 7
# A band further below the row above than this many line heights starts something else.
MAX_ROW_GAP = 3.0
# A band closer to the row above than this share of the table's usual gap between rows is that row's second
# line (a cell whose text wraps), not a row of its own.
CONTINUATION = 0.5

_MARKER = re.compile(r"^(?:[•·▪◦●○■□\-–—*>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])$")
_NUMBER = re.compile(r"^[\d\s.,:%/+\-–£$€¥()]+$")
# A column headed by a year or a financial year: "Region | 2023 | 2024", "2024/25", "2024-2025", "FY2025".
_YEAR = re.compile(r"(?:FY ?)?(?:19|20)\d\d(?:[/–-](?:(?:19|20)?\d\d))?|FY ?\d\d", re.IGNORECASE)


@dataclass(frozen=True)
class Table:
    """A table found on a page.

    Attributes:
        rows: each row's cells, one per column ("" for an empty cell), the header row first when there is one.
        boxes: each row's box (the union of its cells' boxes).
        header: whether the first row is a header (no cell of it is a number, but a year).
        keyed: a table of fields, names and values side by side (one pair a row, or two or more: a form),
            each value under its own name (`_keyed`).
        box: the whole table's box.
    """

    rows: tuple[tuple[str, ...], ...]
    boxes: tuple[Box, ...]
    header: bool
    keyed: bool
    box: Box

    def records(self) -> list[tuple[str, Box]]:
        """Each row as one sentence with its box: under the header's column names ("Age: 3 to 5 months; Dose:
        60 mg."), as a field ("Site address: 12 Orchard Close."), or its cells in order ("1. Introduction; 3.")
        for a table without a header. Empty rows are left out."""
        if self.keyed:
            found = [
                record([(row[i].rstrip(": "), row[i + 1]) for i in range(0, len(row) - 1, 2)])
                for row in self.rows
            ]
            pairs = zip(found, self.boxes, strict=True)
        elif self.header:
            pairs = zip([under(self.rows[0], row) for row in self.rows[1:]], self.boxes[1:], strict=True)
        else:
            pairs = zip([record([("", cell) for cell in row]) for row in self.rows], self.boxes, strict=True)
        return [(text, box) for text, box in pairs if text]


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def bands(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines grouped into bands, top to bottom (a line joins the band when its vertical middle falls within the
    band's height), each band left to right."""
    found: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: -(line.box[1] + line.box[3]) / 2):
        middle = (line.box[1] + line.box[3]) / 2
        if found and min(x.box[1] for x in found[-1]) <= middle <= max(x.box[3] for x in found[-1]):
            found[-1].append(line)
        else:
            found.append([line])
    return [sorted(band, key=lambda line: line.box[0]) for band in found]


def columns(cells: Sequence[Line], gutter: float) -> list[tuple[float, float]]:
    """The x-intervals that cells cover, merged where no gutter at least `gutter` wide separates them, left to
    right: the columns of the table these cells make."""
    spans: list[tuple[float, float]] = []
    for lo, hi in sorted((cell.box[0], cell.box[2]) for cell in cells):
        if spans and lo - spans[-1][1] < gutter:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def _prose(column: Sequence[Line], width: float) -> bool:
    """Does a column read as prose: most of its lines wider than a quarter of the page (`layout._prose`)?"""
    return sum(cell.width >= 0.25 * width for cell in column) >= 0.6 * len(column)


def _gap(above: Sequence[Line], below: Sequence[Line]) -> float:
    return min(line.box[1] for line in above) - max(line.box[3] for line in below)


def _table(run: list[list[Line]], height: float, width: float) -> Table | None:
    """The table a run of bands makes (continuation bands joined to their row), or None when it is no table."""
    gaps = [_gap(a, b) for a, b in zip(run, run[1:], strict=False)]
    widest = max(len(band) for band in run)
    row_gaps = [g for g, band in zip(gaps, run[1:], strict=True) if len(band) >= 2] or [height]
    usual = statistics.median(row_gaps)
    rows: list[list[Line]] = [list(run[0])]
    for gap, band in zip(gaps, run[1:], strict=True):
        wraps = len(band) == 1 or (len(band) < widest and gap < CONTINUATION * usual)
        if wraps:
            rows[-1].extend(band)
        else:
            rows.append(list(band))
    if len(rows) < MIN_ROWS:
        return None
    cells = [cell for row in rows for cell in row]
    spans = columns(cells, 0.5 * height)
    if len(spans) < 2:
        return None
    if sum(len(cell.text.split()) >= PROSE_WORDS for cell in cells) > 0.5 * len(cells):
        return None
    if all(_prose([c for c in cells if lo <= (c.box[0] + c.box[2]) / 2 <= hi], width) for lo, hi in spans):
        return None  # columns of text side by side (each read whole by the reading order)
    table: list[tuple[str, ...]] = []
    for row in rows:
        by_column: list[list[Line]] = [[] for _ in spans]
        for cell in row:
            middle = (cell.box[0] + cell.box[2]) / 2
            at = next(i for i, (lo, hi) in enumerate(spans) if lo <= middle <= hi)
            by_column[at].append(cell)
        table.append(
            tuple(
                " ".join(c.text for c in sorted(col, key=lambda c: (-round(c.box[3]), c.box[0])))
                for col in by_column
            )
        )
    boxes = [_union([cell.box for cell in row]) for row in rows]
    return make_table(table, boxes)


def make_table(rows: Sequence[Sequence[str]], boxes: Sequence[Box], spanned: bool = False) -> Table | None:
    """A table of these rows of cells (one box per row), with its header or keys found; None for a list whose
    markers stand apart from its items ("•", "1.").

    Args:
        spanned: the first row has cells merged across columns (a ruled table's), so the second row may be the
            rest of its header.
    """
    table = [tuple(row) for row in rows]
    first = [row[0] for row in table if row[0]]
    if first and all(_MARKER.match(cell) for cell in first):
        return None  # a list: bullets or numbers standing apart from their items
    keyed = _keyed(table)
    header = not keyed and not any(
        _NUMBER.match(cell) and not _YEAR.fullmatch(cell) for cell in table[0] if cell
    )
    boxes = list(boxes)
    if header and spanned and _spans(table):  # a header of two rows: "Plans" over "Basic | Plus | Pro"
        table[:2] = [_joined_header(table[0], table[1])]
        boxes[:2] = [_union(boxes[:2])]
    return Table(tuple(table), tuple(boxes), header, keyed, _union(boxes))


def _spans(table: Sequence[tuple[str, ...]]) -> bool:
    """Does the header's first row span columns (a cell followed by empty ones) that the second row names, in
    words, one by one?"""
    if len(table) < 3:
        return False
    top, below = table[0], table[1]
    spanned = [i for i in range(1, len(top)) if not top[i] and top[i - 1]]
    return (
        bool(spanned)
        and all(below[i] and below[i - 1] for i in spanned)
        and not any(_NUMBER.match(cell) for cell in below if cell)
    )


def _joined_header(top: tuple[str, ...], below: tuple[str, ...]) -> tuple[str, ...]:
    """Each column's name from both header rows, a spanning cell's over every column it spans ("Plans Basic",
    "Plans Plus")."""
    names, over = [], ""
    for upper, lower in zip(top, below, strict=True):
        over = upper or over
        names.append(" ".join(part for part in (over if lower else upper, lower) if part))
    return tuple(names)


def _keyed(table: Sequence[tuple[str, ...]]) -> bool:
    """Are the columns names and values side by side ("Site address | 12 Orchard Close", or a form's "Booking
    ref | HHL-77419 | Property | Gull Cottage")? An even number of columns whose every other cell, from the
    first, is a short name (without figures, in a form of several pairs a row), and the names end with a colon
    or the first row's values hold a figure: a header row holds names only ("Model | Price")."""
    width = len(table[0])
    if width % 2 or width > 8:
        return False
    names = [row[i] for row in table for i in range(0, width, 2) if row[i]]
    # (a form's names hold no figures: "Ridgeback 1 | 1.2 kg | 2 | £249" is a row of values)
    # (a two-column table's names may run longer: "Direct Debit payment received 28 Feb 2025" | "£142.00 CR")
    longest = 8 if width == 2 else 5
    if not names or any(
        (width > 2 and re.search(r"\d", name)) or len(name.split()) > longest for name in names
    ):
        return False
    values = [table[0][i] for i in range(1, width, 2)]
    return sum(name.endswith(":") for name in names) >= 0.8 * len(names) or any(
        re.search(r"\d", _YEAR.sub("", value)) for value in values
    )


def within(line: Line, box: Box) -> bool:
    """Does the line's middle lie inside the box?"""
    x, y = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def find_tables(lines: Sequence[Line], page_width: float = 0.0) -> tuple[list[Table], list[Line]]:
    """The tables among a page's lines, and the lines that are in none of them (in the order given).

    Args:
        page_width: the page's width (PDF points); prose is told from a table by its lines' width against it
            (0: the width the lines span).
    """
    if len(lines) < 2 * MIN_ROWS:
        return [], list(lines)
    height = statistics.median(line.height for line in lines) or 1.0
    width = page_width or max(line.box[2] for line in lines) - min(line.box[0] for line in lines)
    rows = bands(lines)
    tables: list[Table] = []
    taken: set[int] = set()
    i = 0
    while i < len(rows):
        if len(rows[i]) < 2:
            i += 1
            continue
        run = [rows[i]]
        spans = columns(rows[i], 0.5 * height)
        j = i + 1
        while j < len(rows):
            band = rows[j]
            gap = _gap(run[-1], band)
            if gap > MAX_ROW_GAP * height:
                break
            wider = columns([cell for b in run for cell in b] + band, 0.5 * height)
            if len(wider) < len(spans):
                break  # a line across a gutter: prose or a title after the table
            if len(band) == 1 and not gap < CONTINUATION * height:
                break
            run.append(band)
            spans = wider
            j += 1
        table = _table(run, height, width) if len(run) >= MIN_ROWS else None
        if table is None:
            i += 1
            continue
        tables.append(table)
        taken.update(id(cell) for band in run for cell in band)
        i = j
    return tables, [line for line in lines if id(line) not in taken]
