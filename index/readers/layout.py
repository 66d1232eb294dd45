"""Lines on a page -> text in reading order: columns one after the other, paragraphs joined, hyphens healed.

Used for PDF text layers and for OCR output alike. The order comes from a recursive XY-cut (Nagy and Seth,
"Hierarchical representation of optically scanned documents", 1984): a page region is split at its widest
empty horizontal or vertical band, top before bottom and left before right, so two columns are read one after
the other rather than line by line across both. A vertical cut is taken only between sides that read as
columns of prose (lines wider than a table cell), so a table is still read row by row.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from index.linebreaks import line_joiner
from index.readers.base import Line, TextBuilder, as_read, is_record
from index.readers.tables import Table, bands, find_tables, within


def _gaps(spans: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The widest empty interval between 1-D spans: (width, cut position); (0, 0) when they all overlap."""
    best = (0.0, 0.0)
    ordered = sorted(spans)
    reach = ordered[0][1]
    for lo, hi in ordered[1:]:
        if lo > reach and lo - reach > best[0]:
            best = (lo - reach, (lo + reach) / 2)
        reach = max(reach, hi)
    return best


def _prose(lines: Sequence[Line], width: float) -> bool:
    """Do these lines read as a column of prose: most of them wider than a quarter of the region?"""
    wide = sum(1 for line in lines if line.width >= 0.25 * width)
    return len(lines) >= 2 and wide >= 0.6 * len(lines)


# Past this many cuts deep, or this many lines in a region, a region is read top to bottom without more cuts:
# a drawing with thousands of scattered labels, or a staircase of lines, would otherwise take minutes.
MAX_DEPTH = 60
MAX_LINES = 3000


# Lines whose font sizes differ by more than this share are a heading and its text, not one paragraph.
HEADING_SIZE = 0.15


def _top_down(lines: Sequence[Line]) -> list[list[Line]]:
    """One block: the lines by band (`tables.bands`: a bullet drawn smaller than its item's text is on the
    item's line), top to bottom, each band left to right."""
    return [[line for band in bands(lines) for line in band]]


def reading_order(lines: Sequence[Line], depth: int = 0) -> list[list[Line]]:
    """Blocks of lines in reading order (each block top to bottom), by recursive XY-cut.

    A region is cut at its widest empty band when that band is wider than the usual line height (the gap
    between two lines of a paragraph is not a cut; the white space between paragraphs or columns is)."""
    if len(lines) > MAX_LINES or depth > MAX_DEPTH:
        return _top_down(lines)
    if len(lines) <= 1:
        return [list(lines)] if lines else []
    x0 = min(line.box[0] for line in lines)
    x1 = max(line.box[2] for line in lines)
    height = statistics.median(line.height for line in lines)
    # The usual gap between one line and the next: a band no wider than it is line spacing (double-spaced
    # text too), not the white space between paragraphs.
    tops = sorted({round(line.box[1], 1) for line in lines}, reverse=True)
    spacing = statistics.median([a - b for a, b in zip(tops, tops[1:], strict=False)] or [0.0])
    across, at_y = _gaps([(line.box[1], line.box[3]) for line in lines])
    down, at_x = _gaps([(line.box[0], line.box[2]) for line in lines])
    if down > height and down >= across:
        left = [line for line in lines if line.box[2] <= at_x]
        right = [line for line in lines if line.box[0] >= at_x]
        if _prose(left, x1 - x0) and _prose(right, x1 - x0):
            return reading_order(left, depth + 1) + reading_order(right, depth + 1)
    if across > height and across > 0.75 * spacing:
        top = [line for line in lines if line.box[1] >= at_y]
        bottom = [line for line in lines if line.box[1] < at_y]
        return reading_order(top, depth + 1) + reading_order(bottom, depth + 1)
    return _top_down(lines)  # no cut: one block, top to bottom, then left to right


def add_page(
    builder: TextBuilder,
    lines: Sequence[Line],
    page: int,
    ocr: bool = False,
    ruled: Sequence[Table] = (),
    width: float = 0.0,
) -> None:
    """Append one page's lines in reading order: the lines of a paragraph joined by spaces (hyphenated words
    healed), paragraphs and blocks separated by a blank line, a table's rows one record a line (`tables.py`);
    each line or row a region with its page and box.

    Args:
        ruled: tables found from the page's ruling lines; the lines inside them are theirs.
        width: the page's width in PDF points (0: unknown).
    """
    label = f"p. {page}"
    kept = [
        Line(as_read(line.text).strip(), line.box, line.size)
        for line in lines
        if line.text.strip() and not any(within(line, table.box) for table in ruled)
    ]
    found, rest = find_tables(kept, width)
    tables = [*ruled, *found]
    # In the reading order each row of a table stands as a line as wide as the table (so a column that holds a
    # table still reads as a column), and the table gives its records where its first row comes.
    rows = {
        Line(f"{STAND_IN}{n}", (table.box[0], box[1], table.box[2], box[3])): table
        for n, table in enumerate(tables)
        for box in table.boxes
    }
    parts: list[list[Line] | Table] = []
    placed: set[int] = set()  # the tables already given (by id: two tables may read alike)
    for block in reading_order([*rest, *rows]):
        run: list[Line] = []
        for line in block:
            table = rows.get(line)
            if table is None:
                run.append(line)
                continue
            if run:
                parts.append(run)
                run = []
            if id(table) not in placed:
                placed.add(id(table))
                parts.append(table)
        if run:
            parts.append(run)
    for n, (part, after) in enumerate(zip(parts, [*parts[1:], None], strict=True)):
        if n == 0 and not isinstance(part, Table) and _runs_on(builder, part[0].text):
            builder.add(" ")  # the sentence the last page broke off goes on here
        else:
            builder.gap()
        if isinstance(part, Table):
            for text, box in part.records():
                builder.add(text, page=page, label=label, ocr=ocr, box=box)
                builder.add("\n")
        else:
            _add_lines(builder, part, page, label, ocr, caption=isinstance(after, Table))


# A paragraph's line this long that ends without punctuation at the foot of a page was cut there by the break.
_BROKEN_OFF = 60
_CLOSED = re.compile(r"[.!?…:;\"”’)\]]\s*$")


def _runs_on(builder: TextBuilder, first: str) -> bool:
    """Does a page's first line go on with the sentence the page before broke off ("The ex-dividend date is 4"
    at the foot of page 1, "September 2025." at the top of page 2)? The text so far ends with a paragraph of
    `_BROKEN_OFF` characters or more without closing punctuation (not a heading, nor a table's row), and the
    line is no heading: it starts in lower case or with a digit, or it is long, or it ends a sentence."""
    tail = "".join(builder.parts[-40:])
    last = tail[tail.rfind("\n") + 1 :]
    if not builder.length or len(last) < _BROKEN_OFF or _CLOSED.search(last) or is_record(last):
        return False
    first = first.strip()
    return bool(first) and (
        first[0].islower() or first[0].isdigit() or len(first) >= _BROKEN_OFF or bool(_CLOSED.search(first))
    )


# The text of the line that stands for a table's row in the reading order (no text of a page holds it).
STAND_IN = "\x00table "


# A list's bullet, when a PDF draws it apart from its item.
_BULLET = re.compile(r"[•·▪◦●○■□‣⁃–\-*]")
# A line that opens an item of a list: a bullet and a space, or an item's number ("2. Fill", "3) Wait").
_ITEM = re.compile(r"[•·▪◦●○■□‣⁃–\-*]\s+\S|\d{1,2}[.)]\s+[A-Z]")


def _add_lines(
    builder: TextBuilder, block: list[Line], page: int, label: str, ocr: bool, caption: bool = False
) -> None:
    """A block of lines, top to bottom: joined into paragraphs where one line runs on into the next. With
    `caption` (a table follows), a last line that opens a sentence and ends with a colon stands on its own: it
    is the table's title ("Paracetamol oral suspension, doses by age:"), and heads its rows."""
    pitch = statistics.median(
        [a.box[1] - b.box[1] for a, b in zip(block, block[1:], strict=False)] or [block[0].height * 1.2]
    )
    right = max(line.box[2] for line in block)
    left = min(line.box[0] for line in block)
    item = False
    for i, line in enumerate(block):
        text, sep = line.text, ""
        if i + 1 < len(block):
            after = block[i + 1]
            if _BULLET.fullmatch(text) and after.box[1] <= (line.box[1] + line.box[3]) / 2 <= after.box[3]:
                builder.add(text + " ", page=page, label=label, ocr=ocr, box=line.box)
                continue  # a bullet drawn apart from its item: "• has chickenpox"
            short = line.box[2] < left + 0.7 * (right - left)
            apart = (
                after.box[1] < line.box[1] - 1.6 * max(pitch, 1.0)  # a gap wider than the line spacing
                # a heading's font: by its size where the PDF gives it (a 14 pt heading above 10 pt text), else by
                # the boxes (they hug the glyphs: a line without descenders is lower by a quarter)
                or (
                    abs(after.size - line.size) > HEADING_SIZE * max(line.size, after.size)
                    if line.size and after.size
                    else abs(after.height - line.height) > 0.45 * max(line.height, 1.0)
                )
            )
            # in an item of a list: its first line, or a later one
            item = item or _ITEM.match(text) is not None
            if not apart and item and _ITEM.match(after.text):
                sep = "\n"  # the next item of a list, its bullet drawn with it: "- Never immerse the machine"
            elif (
                apart
                or (short and (text.endswith((".", ":", "!", "?")) or after.text[:1].isupper()))
                or _BULLET.fullmatch(after.text) is not None  # the next item of a list
                or (
                    caption
                    and i + 2 == len(block)
                    and after.text.endswith(":")
                    and text.endswith((".", ":", "!", "?"))
                )
            ):
                sep = "\n\n"
            else:
                text, sep = line_joiner(text, after.text)
        builder.add(text, page=page, label=label, ocr=ocr, box=line.box)
        if sep:
            builder.add(sep)
            item = item and "\n\n" not in sep  # a paragraph's break ends the list
