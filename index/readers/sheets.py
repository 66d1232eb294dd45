"""Spreadsheets (.xlsx with openpyxl, streamed) and CSV files: one record per row, with its headers.

Each row becomes one sentence, "Product: Atlas desk; Price (EUR): 480; Stock: 12.", located by sheet and row
number as the spreadsheet shows them ("Prices, row 7"; "row 7" for a CSV file). The first non-empty row of a
sheet is its header row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, decode, record


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _add_rows(builder: TextBuilder, rows: Iterable[tuple[int, Sequence[object]]], label: str) -> None:
    header: list[str] | None = None
    for number, values in rows:
        cells = [_cell(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if header is None:  # the header row names the fields of every record below it
            header = cells
            continue
        names = header + [""] * (len(cells) - len(header))
        line = record(list(zip(names, cells, strict=False)))
        if line:
            builder.add(line, label=f"{label}row {number}")
            builder.add("\n")
    builder.gap()


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
            first = sheet.min_row or 1
            builder.gap()
            _add_rows(builder, enumerate(sheet.iter_rows(values_only=True), first), f"{sheet.title}, ")
    finally:
        book.close()
    return builder.build()


def read_csv(raw: bytes, source: str) -> Extracted:
    """A CSV (or TSV) file: UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel writes it;
    the delimiter is sniffed from the first lines."""
    try:
        text = decode(raw, source)
    except LoadError:
        text = raw.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    builder = TextBuilder()
    try:
        _add_rows(builder, enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1), "")
    except csv.Error as exc:
        raise LoadError(source, f"not a readable CSV file ({exc})") from None
    return builder.build()
