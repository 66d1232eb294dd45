"""Spreadsheets (.xlsx with openpyxl, streamed) and CSV files: one record per row, with its headers.

Each row becomes one sentence, "Product: Atlas desk; Price (EUR): 480; Stock: 12.", located by sheet and row
number as the spreadsheet shows them ("Prices, row 7"; "row 7" for a CSV file). The header row is the first
that fills about as many cells as the table's rows (`_header`); a title or note above it is a line of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, decode, under


def _cell(value: object) -> str:
    """A cell as a person reads it: a date as written out with its weekday ("Friday 6 June 2025", which "on 6 June"
    and "on Friday" find, where "2025-06-06" matched neither), a time of day without zero seconds ("09:30")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return (
            _date(value.date())
            if value.time() == dt.time()
            else f"{_date(value.date())} {_time(value.time())}"
        )
    if isinstance(value, dt.date):
        return _date(value)
    if isinstance(value, dt.time):
        return _time(value)
    return str(value)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = "January February March April May June July August September October November December".split()


def _date(value: dt.date) -> str:
    """In English whatever the locale: "Friday 6 June 2025" (the weekday whole, as questions say it)."""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def _time(value: dt.time) -> str:
    return value.strftime("%H:%M" if not value.second and not value.microsecond else "%H:%M:%S")


# Rows read to find the header: the widest filling among them sets what a table row looks like.
HEADER_LOOKAHEAD = 30


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _add_rows(builder: TextBuilder, rows: Iterable[tuple[int, Sequence[object]]], label: str) -> None:
    """Rows as records under their header row. The header is the first row that fills about as many cells as
    the rows below it (a title or a note above the table is a line of its own, not the header); a row above
    it is kept as it reads."""
    pending: list[tuple[int, list[str]]] = []  # rows read before the header is known
    header: list[str] | None = None

    def emit(number: int, cells: list[str]) -> None:
        if number == header_row:
            return  # the header names the fields of the records below
        if header is None or number < header_row or _is_note(cells, header, number in after_blank):
            # a title or note, above or below the table
            line = " ".join(c.strip() for c in cells if c.strip())
        else:
            line = under(header, cells)
        if line:
            builder.add(line, label=f"{label}row {number}")
            builder.add("\n")

    header_row = 0
    after_blank: set[int] = set()  # rows that follow an empty row
    blank = False
    for number, values in rows:
        cells = [_cell(v) for v in values]
        if not _filled(cells):
            blank = True
            continue
        if blank:
            after_blank.add(number)
            blank = False
        if header is not None:
            emit(number, cells)
            continue
        pending.append((number, cells))
        if len(pending) < HEADER_LOOKAHEAD:
            continue
        header_row, header = _header(pending)
        for n, c in pending:
            emit(n, c)
        pending = []
    if header is None and pending:
        header_row, header = _header(pending)
        for n, c in pending:
            emit(n, c)
    builder.gap()


# A lone cell of this many words or more is a note, not a row ("The maximum weight for a parcel is 20 kg.").
NOTE_WORDS = 6


def _is_note(cells: Sequence[str], header: Sequence[str], after_blank: bool) -> bool:
    """Is a row below the header a note rather than a record: one cell filled, under a header of several,
    where it follows an empty row or reads as a sentence ("Kestrel Power supplies electricity only.")? A short
    lone cell inside the table ("Income from:", "Electricity") heads the rows below it and stays a record."""
    filled = [c.strip() for c in cells if c.strip()]
    if len(filled) != 1 or _filled(header) < 2:
        return False
    return after_blank or len(filled[0].split()) >= NOTE_WORDS


def _header(rows: Sequence[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """(row number, cells) of the header: the first row filling at least 60% as many cells as the fullest
    rows, and at least two when any row has two."""
    widest = max(_filled(cells) for _, cells in rows)
    need = max(min(2, widest), round(0.6 * widest))
    for number, cells in rows:
        if _filled(cells) >= need:
            return number, cells
    return rows[0]


# The names spreadsheet programs give a sheet ("Sheet1", LibreOffice's "Sheet 1", Excel's French "Feuil1"), which
# say nothing of its rows.
_DEFAULT_SHEET_NAME = re.compile(
    r"(?:sheet|feuil|tabelle|hoja|foglio|blad|planilha|arkusz)\s*\d*", re.IGNORECASE
)


def read_xlsx(raw: bytes, source: str) -> Extracted:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise LoadError(source, f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    builder = TextBuilder()
    try:
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            sheet.reset_dimensions()  # some writers record a wrong size ("A1"); read every row there is
            builder.gap()
            if not _DEFAULT_SHEET_NAME.fullmatch(sheet.title.strip()):
                # the sheet's name heads its rows, as a Markdown heading: "Day 2 - Wed 15 Oct" tells the
                # second day's lunch from the first's
                builder.add(f"## {sheet.title.strip()}", label=sheet.title)
                builder.add("\n")
            _add_rows(builder, enumerate(sheet.iter_rows(values_only=True), 1), f"{sheet.title}, ")
    finally:
        book.close()
    return builder.build()


_DELIMITERS = ",;\t|"


def _delimiter(lines: Sequence[str]) -> str | None:
    """The delimiter that splits the most lines into the same number of fields (2 or more), over the first
    lines; None for a single column (commas inside its text split nothing consistently)."""
    best: tuple[float, str | None] = (0.0, None)
    sample = "\n".join(lines)
    for delimiter in _DELIMITERS:
        if delimiter == "," and sample.count(", ") >= 0.8 * max(1, sample.count(",")):
            continue  # commas followed by spaces are a text's commas ("Tuesday, room 4"), not a delimiter
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        share = widths.count(mode) / len(widths)
        if mode >= 2 and share >= 0.6 and share > best[0]:
            best = (share, delimiter)
    return best[1]


def read_csv(raw: bytes, source: str) -> Extracted:
    """A CSV (or TSV) file: UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel writes it.
    Excel's "sep=;" first line names the delimiter; otherwise it is the one that splits the first lines most
    evenly (a preamble above the table does not count against it)."""
    try:
        text = decode(raw, source)
    except LoadError:
        text = raw.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*sep=(.)\s*", first)
    offset = 1
    if hint:
        delimiter: str | None = hint.group(1)
        text, offset = rest, 2
    else:
        delimiter = _delimiter(text[:20000].splitlines()[:60])
    builder = TextBuilder()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or "\x00")
        _add_rows(builder, ((reader.line_num - 1 + offset, row) for row in reader), "")
    except csv.Error as exc:
        raise LoadError(source, f"not a readable CSV file ({exc})") from None
    extracted = builder.build()
    if not extracted.text.strip():
        raise LoadError(source, "no data rows (only a header, or empty rows)")
    return extracted
