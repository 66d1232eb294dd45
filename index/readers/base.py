"""What every reader returns: a document's text and a map from its offsets to where they are in the original.

A reader turns a file's bytes into `Extracted`: the text that citations' offsets index into, and `Region`s
that say where each stretch of it comes from (a PDF page and the line's box on it, a slide, a sheet row, a
chapter). `TextBuilder` assembles both in one pass, so a region's offsets are exact by construction.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.errors import LoadError

# A box on a PDF page, in PDF points from the page's bottom-left corner: (x0, y0, x1, y1).
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Line:
    """A line of text, its box (PDF points, origin bottom-left) and its font size in points (0: not known, as
    from OCR)."""

    text: str
    box: Box
    size: float = 0.0

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class Region:
    """Where text[start:end] comes from.

    Attributes:
        page: 1-based page number (PDFs), else None.
        label: a short label for people: "p. 3", "slide 2", "Prices, row 7", "chapter 3" ("" when none).
        ocr: the text was read by OCR from an image of the page.
        box: the line's box on its page (PDF points, origin bottom-left), when the format has one.
    """

    start: int
    end: int
    page: int | None = None
    label: str = ""
    ocr: bool = False
    box: Box | None = None


@dataclass(frozen=True)
class Extracted:
    """A file's text and the regions of it (sorted by start, not overlapping; gaps have no location)."""

    text: str
    regions: tuple[Region, ...] = ()
    ocr_pages: int = 0  # pages read by OCR
    problems: tuple[str, ...] = ()  # what could not be read, for the report ("page 3: OCR found no text")


@dataclass(frozen=True)
class Location:
    """Where a span lies: its first region's page and label, whether any of it was read by OCR, and on a PDF
    page the box around its lines there (PDF points from the page's bottom-left corner)."""

    page: int | None = None
    label: str = ""
    ocr: bool = False
    box: Box | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.page is not None:
            out["page"] = self.page
        if self.box is not None:
            out["box"] = [round(v, 1) for v in self.box]
        if self.label:
            out["location"] = self.label
        if self.ocr:
            out["ocr"] = True
        return out


def _part(region: Region, start: int, end: int) -> Box | None:
    """The part of a line's box that text[start:end] covers, the line's width shared out in proportion to its
    characters (PDF text runs have no per-character boxes here; exact for a monospaced font, close otherwise)."""
    if region.box is None:
        return None
    x0, y0, x1, y1 = region.box
    chars = max(1, region.end - region.start)
    lo = (max(start, region.start) - region.start) / chars
    hi = (min(end, region.end) - region.start) / chars
    return (x0 + (x1 - x0) * lo, y0, x0 + (x1 - x0) * hi, y1)


def locate(regions: Sequence[Region], start: int, end: int) -> Location:
    """The location of text[start:end] from its document's regions (sorted by start): the region holding
    `start` (or the first one after it, within the span) gives page and label ("p. 2 – p. 3" for a span that
    runs into another page, slide or row); `ocr` if any region of the span was read by OCR; `box` the span's
    part of its lines on its first page."""
    if not regions:
        return Location()
    i = max(0, bisect_right([r.start for r in regions], start) - 1)
    if regions[i].end <= start and i + 1 < len(regions) and regions[i + 1].start < end:
        i += 1
    first = regions[i]
    if not (first.start < end and start < first.end):
        return Location()
    touched = [r for r in regions[i:] if r.start < end]
    ocr = any(r.ocr for r in touched)
    lines = [b for r in touched if r.page == first.page and (b := _part(r, start, end)) is not None]
    box = (
        (
            min(b[0] for b in lines),
            min(b[1] for b in lines),
            max(b[2] for b in lines),
            max(b[3] for b in lines),
        )
        if lines
        else None
    )
    last = touched[-1]
    label = first.label if last.label in ("", first.label) else f"{first.label} – {last.label}"
    return Location(first.page, label, ocr, box)


def boxes(regions: Sequence[Region], start: int, end: int) -> dict[int, list[Box]]:
    """Page -> the parts of lines that text[start:end] covers (for highlighting a quote on a rendered page)."""
    found: dict[int, list[Box]] = {}
    for r in regions:
        part = _part(r, start, end) if r.start < end and start < r.end else None
        if part is not None and r.page is not None:
            found.setdefault(r.page, []).append(part)
    return found


@dataclass
class TextBuilder:
    """Appends pieces of text, recording the region each falls in."""

    parts: list[str] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    length: int = 0

    def add(
        self,
        text: str,
        page: int | None = None,
        label: str = "",
        ocr: bool = False,
        box: Box | None = None,
    ) -> None:
        """Append text; with a page or label, it becomes a region of its own."""
        if not text:
            return
        if page is not None or label or ocr or box is not None:
            self.regions.append(Region(self.length, self.length + len(text), page, label, ocr, box))
        self.parts.append(text)
        self.length += len(text)

    def gap(self, separator: str = "\n\n") -> None:
        """End the current block: a separator (outside every region), unless the text is empty or already
        ends with it."""
        if self.length and not "".join(self.parts[-2:]).endswith(separator):
            self.add(separator)

    def build(self, ocr_pages: int = 0, problems: Sequence[str] = ()) -> Extracted:
        text = "".join(self.parts)
        end = len(text.rstrip())
        regions = tuple(
            Region(r.start, min(r.end, end), r.page, r.label, r.ocr, r.box)
            for r in self.regions
            if r.start < end
        )
        return Extracted(text[:end], regions, ocr_pages, tuple(problems))


# Compatibility characters a reader sees as others: ligatures (U+FB00-FB4F), full-width forms, unusual spaces;
# NFKC maps each to what it stands for ("ﬂ" -> "fl"). Superscripts, fractions and symbols are left alone.
_COMPATIBILITY = re.compile("[\ufb00-\ufb4f\uff01-\uff5e\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters


def as_read(text: str) -> str:
    """Text as a reader sees it: ligatures and other compatibility characters replaced, invisible ones gone."""
    text = _INVISIBLE.sub("", text)
    return _COMPATIBILITY.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def one_line(text: str) -> str:
    """A cell or a short field on one line: white space runs (newlines included) become one space."""
    return " ".join(as_read(text).split())


def record(fields: Sequence[tuple[str, str]]) -> str:
    """A table row as one sentence that keeps its column headers: "Product: Atlas desk; Weight: 31 kg."

    Empty cells are left out; a cell without a header stands alone; the record ends with a full stop, so the
    sentence splitter reads each row as a sentence of its own."""
    items = [f"{h}: {v}" if h else v for h, v in ((one_line(h), one_line(v)) for h, v in fields) if v]
    if not items:
        return ""
    line = "; ".join(items)
    return line if line.endswith((".", "!", "?")) else line + "."


def under(header: Sequence[str], row: Sequence[str]) -> str:
    """A row as a record under its table's headers (`record`); cells beyond the headers stand alone."""
    return record(list(zip([*header, *[""] * (len(row) - len(header))], row, strict=False)))


# A value, not a column's header: a figure, a list, or a phrase of several words; a year alone heads a column.
_VALUE = re.compile(r"\d|,|\S+(?:\s+\S+){4}")
_YEAR_ALONE = re.compile(r"(?:19|20)\d{2}")


def _labels_and_values(rows: Sequence[Sequence[str]]) -> bool:
    """Is this a two-column table of labels and values without colons ("Property" | "Flat 3, 27 Weaver's
    Row", "Rent" | "£1,375.00 per calendar month"), as leases and schedules set out their particulars? Its
    first row holds a value where a header row would hold a column's name, and every row opens with a distinct
    label of up to eight words ("Charges for this period (incl. VAT)" | "£221.12")."""
    if len(rows) < 2 or any(len(r) != 2 for r in rows):
        return False
    labels = [r[0].strip() for r in rows]
    return (
        _VALUE.search(rows[0][1]) is not None
        and not _YEAR_ALONE.fullmatch(rows[0][1].strip())
        and len(set(labels)) == len(labels)
        and all(
            label and re.search(r"[^\W\d_]", label) and len(label.split()) <= 8 and label[-1] not in ".!?"
            for label in labels
        )
    )


def table_records(rows: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """(row number, record) of a table's rows under its first row's headers, empty rows left out; the header
    is row 1, so records start at row 2. A one-row table is a record of its own, row 1. A table of labels and
    values, whose every row opens with a label ending in a colon ("Claimant:" | "Ms Adaeze Okafor"), has no
    header row: each row reads under its own label ("Claimant: Ms Adaeze Okafor."), from row 1; so does a table
    of two columns whose first row holds a value (`_labels_and_values`)."""
    kept = [r for r in rows if any(c.strip() for c in r)]
    if not kept:
        return []
    if len(kept) > 1 and all(len(r) > 1 and r[0].strip().endswith(":") for r in kept):
        labelled = [(n, record([(r[0].strip()[:-1], " ".join(r[1:]))])) for n, r in enumerate(kept, 1)]
        return [(n, line) for n, line in labelled if line]
    if _labels_and_values(kept):
        labelled = [(n, record([(r[0].strip(), r[1])])) for n, r in enumerate(kept, 1)]
        return [(n, line) for n, line in labelled if line]
    header, body, first = (kept[0], kept[1:], 2) if len(kept) > 1 else ([""] * len(kept[0]), kept, 1)
    found = [(n, under(header, row)) for n, row in enumerate(body, first)]
    return [(n, line) for n, line in found if line]


def html_table_records(rows: Sequence[Sequence[tuple[str, str]]]) -> list[tuple[int, str]]:
    """(row number, record) of an HTML table given as rows of (tag, text) cells: under its first row's headers
    (`table_records`), or, for a table whose every row opens with a header cell (`th`) and whose first row is not
    all headers, each row under its own header ("Site address: 12 Orchard Close, Ashby Vale.")."""
    kept = [row for row in rows if any(text.strip() for _, text in row)]
    row_headed = (
        len(kept) > 1
        and all(row[0][0] == "th" and len(row) > 1 for row in kept)
        and any(tag == "td" for tag, _ in kept[0])
    )
    if not row_headed:
        return table_records([[text for _, text in row] for row in rows])
    found = [
        (n, record([(row[0][1], " ".join(text for _, text in row[1:]))])) for n, row in enumerate(kept, 1)
    ]
    return [(n, line) for n, line in found if line]


# Two fields at least; a value may hold a semicolon of its own ("Notes: No food; no music; Price: £15").
_RECORD = re.compile(r"^[^:;\n]{1,80}: [^\n]*?; [^:;\n]{1,80}: [^\n]*$")


def is_record(text: str) -> bool:
    """Is this line a table row as `record` writes it ("Product: Atlas desk; Weight: 31 kg.")?"""
    return bool(_RECORD.match(text.strip()))


# Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode(raw: bytes, path: str) -> str:
    """Text from bytes: UTF-16 or UTF-32 when a byte-order mark says so (the mark dropped), else UTF-8 (a UTF-8
    mark is kept, as `open(path, encoding="utf-8").read()` keeps it, so that offsets match).

    Raises:
        LoadError: undecodable bytes, or a NUL character anywhere (binary data).
    """
    encoding, label = "utf-8", "UTF-8"
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            raw, encoding, label = raw[len(bom) :], codec, name
            break
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoadError(
            path, f"not valid {label} text (undecodable byte at offset {exc.start}): save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise LoadError(path, f"binary file (NUL character at offset {text.index(chr(0))}), not text")
    return text


def regions_to_json(regions: Sequence[Region]) -> str:
    """Regions as compact JSON (for a Chroma server's record of a document)."""
    import json

    return json.dumps(
        [[r.start, r.end, r.page, r.label, int(r.ocr), r.box] for r in regions], separators=(",", ":")
    )


def regions_from_json(data: str) -> tuple[Region, ...]:
    import json

    return tuple(
        Region(start, end, page, label, bool(ocr), tuple(box) if box else None)
        for start, end, page, label, ocr, box in json.loads(data or "[]")
    )
