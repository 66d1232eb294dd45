"""PDF -> text with the page and box of every line; pages without a text layer are read by OCR.

PDFium (pypdfium2) opens the file (an empty user password is tried: PDFs that only forbid printing or copying
open) and gives each page's text in runs with their boxes; runs on one line are joined into lines, and
`layout.py` puts the lines in reading order. A page without a text layer is rendered and read by OCR
(`ocr.py`). PDFium is the PDF engine of Chromium: it reads a 50-page report in about 0.2 s here, where the
pure-Python pdfminer.six took 6 s.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections import Counter
from typing import Any

from index.errors import LoadError
from index.linebreaks import join_lines
from index.readers.base import Extracted, Line, TextBuilder, one_line
from index.readers.layout import add_page
from index.readers.ocr import available as ocr_available
from index.readers.ocr import read_page as ocr_page
from index.readers.tables import Table, make_table

log = logging.getLogger(__name__)

# A page whose text layer holds fewer characters than this, and that shows an image, is read by OCR.
MIN_LAYER_CHARS = 20
# PDFium is not thread-safe (pypdfium2's documentation): every use of it in this process holds this lock.
PDFIUM_LOCK = threading.RLock()
# PDFium marks a hyphen it found at a line's end with U+0002.
_LINE_END_HYPHEN = "\x02"


def _runs(page: Any) -> list[Line]:
    """The page's text runs (PDFium's rectangles: text of one font on one line) with their boxes and font sizes
    (the size of the run's first character)."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        runs = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).replace(_LINE_END_HYPHEN, "-")
            if text.strip():
                index = textpage.get_index(left + 1, (bottom + top) / 2, 2, 2)
                # (None, not -1, where no character lies at the point: a line that opens with a quotation mark)
                size = (
                    pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
                    if index is not None and index >= 0
                    else 0.0
                )
                runs.append(Line(text, (left, bottom, right, top), float(size)))
        return runs
    finally:
        textpage.close()


def page_lines(page: Any) -> list[Line]:
    """The page's runs grouped into rows (runs whose vertical middles fall within one another's height), and
    within a row, runs that nearly touch (a change of font, a ligature drawn apart) joined into one line; runs
    far apart in a row (two columns, table cells) stay separate lines."""
    rows: list[list[Line]] = []
    for run in sorted(_runs(page), key=lambda r: -(r.box[1] + r.box[3]) / 2):
        middle = (run.box[1] + run.box[3]) / 2
        if rows and min(r.box[1] for r in rows[-1]) <= middle <= max(r.box[3] for r in rows[-1]):
            rows[-1].append(run)
        else:
            rows.append([run])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda r: r.box[0])
        current = row[0]
        for run in row[1:]:
            gap = run.box[0] - current.box[2]
            if gap <= 0.6 * max(current.height, run.height):
                touching = (
                    current.text.endswith((" ", "–", "—", "(", "/"))
                    or run.text.startswith((" ", "–", "—", ",", ".", ";", ":", ")", "/"))
                    or gap < 0.25 * run.height  # boxes hug the glyphs: letters of a word sit this close
                )
                box = (
                    min(current.box[0], run.box[0]),
                    min(current.box[1], run.box[1]),
                    max(current.box[2], run.box[2]),
                    max(current.box[3], run.box[3]),
                )
                current = Line(
                    current.text + ("" if touching else " ") + run.text, box, max(current.size, run.size)
                )
            else:
                lines.append(current)
                current = run
        lines.append(current)
    return [Line(line.text.strip(), line.box, line.size) for line in lines]


# A page with fewer drawn paths than this has no ruled table (a rule under a heading, a logo's outline).
MIN_RULING_PATHS = 4


def _ruled(page: Any) -> bool:
    """Does the page draw enough paths (lines, rectangles) to hold a ruled table? PDFium counts them cheaply."""
    import pypdfium2.raw as pdfium_c

    paths = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)
    return sum(1 for _, _ in zip(range(MIN_RULING_PATHS), paths, strict=False)) >= MIN_RULING_PATHS


def ruled_tables(plumber_page: Any) -> list[Table]:
    """The tables a page draws with ruling lines, read by pdfplumber's lattice method (cells between the
    lines, so a cell's wrapped or vertically centred text stays in its cell): each row's cells, the lines of a
    cell joined (a word hyphenated at a line's end healed), each row's box in PDF points from the page's
    bottom-left corner. A frame around one cell or one row (a boxed paragraph) is no table."""
    height = float(plumber_page.height)
    found = []
    for table in plumber_page.find_tables():
        extracted = table.extract()  # a cell that a merged one covers is None
        spanned = bool(extracted) and any(cell is None for cell in extracted[0][1:])
        cells = [[one_line(join_lines(cell or "")) for cell in row] for row in extracted]
        rows = [(row, bbox.bbox) for row, bbox in zip(cells, table.rows, strict=True) if any(row)]
        if len(rows) < 2 or max(sum(1 for cell in row if cell) for row, _ in rows) < 2:
            continue
        boxes = [(x0, height - bottom, x1, height - top) for _, (x0, top, x1, bottom) in rows]
        made = make_table([row for row, _ in rows], boxes, spanned)
        if made is not None:
            found.append(made)
    return found


def _has_image(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


class _Plumber:
    """pdfplumber's view of the file, opened on the first page that draws enough paths to hold a table. A page
    pdfplumber cannot read has no ruled tables (its text is still read), and says so in the log."""

    def __init__(self, raw: bytes, source: str) -> None:
        self.raw, self.source = raw, source
        self.pdf: Any = None

    def tables(self, number: int) -> list[Table]:
        try:
            if self.pdf is None:
                import pdfplumber

                self.pdf = pdfplumber.open(io.BytesIO(self.raw))
            return ruled_tables(self.pdf.pages[number - 1])
        except Exception as exc:  # pdfminer.six raises its own errors, and more, on files PDFium reads
            log.warning("%s, page %d: ruled tables not read (%s)", self.source, number, exc)
            return []

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


# A line among a page's `EDGE_LINES` highest or lowest that recurs there, its numbers aside, on half of a
# document's pages or more (two at least) is a running header or footer ("Tempo: Adaptive Batching - preprint,
# 2025", "Page 3"), and so is a bare page number there ("12", "- 12 -", "Page 3 of 7"): they are left out of the
# text, where they would cut sentences in two, lead answers and stand for the document's title.
EDGE_LINES = 2
_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]", re.IGNORECASE
)


def _edges(lines: list[Line]) -> list[Line]:
    """The page's `EDGE_LINES` highest and lowest lines."""
    by_height = sorted(lines, key=lambda line: -(line.box[1] + line.box[3]))
    return by_height[:EDGE_LINES] + by_height[-EDGE_LINES:]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def running_lines(pages: list[list[Line]]) -> set[str]:
    """The shapes (lower case, numbers as "#") of the running headers and footers of pages' lines."""
    if len(pages) < 2:
        return set()
    counts = Counter(shape for lines in pages for shape in {_shape(line.text) for line in _edges(lines)})
    return {shape for shape, n in counts.items() if n >= max(2, len(pages) / 2)}


def without_running(lines: list[Line], running: set[str]) -> list[Line]:
    """The page's lines without its running header and footer (`running_lines`) and a bare page number alone
    on the page's top or bottom row (not the page number of a contents list's last row)."""

    def row_of(line: Line) -> int:  # how many lines stand on its row, itself included
        return sum(1 for o in lines if o.box[1] < line.box[3] and line.box[1] < o.box[3])

    edges = _edges(lines)  # (the highest first, the lowest last)
    # (a running line's row holds at most a left and a right part: a table's header row repeated on each page
    # has more cells, and stays)
    running_here = {id(line) for line in edges if _shape(line.text) in running and row_of(line) <= 2}
    numbers = {
        id(line)
        for line in edges[:1] + edges[-1:]
        if row_of(line) == 1 and _PAGE_NUMBER.fullmatch(line.text.strip())
    }
    return [line for line in lines if id(line) not in running_here and id(line) not in numbers]


def _text_layers(pdf: Any) -> dict[int, list[Line]]:
    """The lines of each page (by number from 1) that has a text layer; a page PDFium cannot read is left out
    (the reading of the pages reports it)."""
    import pypdfium2 as pdfium

    layers = {}
    for number in range(1, len(pdf) + 1):
        page = pdf[number - 1]
        try:
            lines = page_lines(page)
        except pdfium.PdfiumError:
            continue
        finally:
            page.close()
        if sum(len(line.text) for line in lines) >= MIN_LAYER_CHARS:
            layers[number] = lines
    return layers


def read_pdf(raw: bytes, source: str) -> Extracted:
    """Every page's text in reading order, each line a region with its page ("p. 3") and box.

    Raises:
        LoadError: needs a password, unreadable, or no text on any page (with why: no text layer and no OCR).
    """
    with PDFIUM_LOCK:
        return _read_pdf(raw, source)


def _read_pdf(raw: bytes, source: str) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw, password="")
    except pdfium.PdfiumError as exc:
        # PDFium's error code can be left over from an earlier file: a password is asked for only if the file
        # is encrypted at all.
        if b"/Encrypt" in raw and (getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower()):
            raise LoadError(
                source, "needs a password (it is encrypted and the empty password does not open it)"
            ) from None
        raise LoadError(
            source, "damaged PDF: PDFium cannot open it (no pages, or a broken structure)"
        ) from None
    if len(pdf) == 0:
        pdf.close()
        raise LoadError(source, "a PDF with no pages")
    builder = TextBuilder()
    problems: list[str] = []
    scanned: list[int] = []
    ocr_pages = 0
    plumber = _Plumber(raw, source)
    try:
        layer = _text_layers(pdf)
        running = running_lines(list(layer.values()))
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            try:
                lines = without_running(layer[number], running) if number in layer else page_lines(page)
                if sum(len(line.text) for line in lines) >= MIN_LAYER_CHARS or not _has_image(page):
                    ruled = plumber.tables(number) if _ruled(page) else []
                    add_page(builder, lines, number, ruled=ruled, width=page.get_width())
                    continue
                scanned.append(number)
                if not ocr_available():
                    continue
                found = ocr_page(page)
                ocr_pages += 1
                if found:
                    add_page(builder, found, number, ocr=True, width=page.get_width())
                else:
                    problems.append(f"page {number}: OCR found no text")
            except pdfium.PdfiumError as exc:  # one broken page: the others are still read
                problems.append(f"page {number}: unreadable ({exc})")
            finally:
                page.close()
    finally:
        pdf.close()
        plumber.close()
    extracted = builder.build(ocr_pages, problems)
    if not extracted.text.strip():
        if scanned and not ocr_available():
            raise LoadError(source, "no text layer (scanned pages?) and no OCR engine is installed")
        if scanned:
            raise LoadError(source, "no text layer, and OCR found no text on its pages")
        raise LoadError(source, "no text in file")
    if scanned and not ocr_available():
        problems.append(f"pages {', '.join(map(str, scanned))}: no text layer and no OCR engine, not indexed")
        extracted = Extracted(extracted.text, extracted.regions, 0, tuple(problems))
    return extracted
