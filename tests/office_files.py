"""Real files of each format, written by the libraries people's tools use, for the reader tests.

Each writer puts known facts in a known place (a table cell, a slide's notes, a sheet row, a PDF page), so the
tests can ask about them and check the quote and its location.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import matplotlib

# A Unicode TrueType font that ships with matplotlib (a dependency): it has the ﬁ/ﬂ ligature glyphs.
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Office furniture handbook", level=1)
    d.add_paragraph("This handbook lists the desks and chairs that staff may order for their offices.")
    d.add_heading("Desks", level=2)
    d.add_paragraph("Every desk is delivered assembled by the supplier within ten working days.")
    table = d.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [
            ("Product", "Weight", "Price"),
            ("Atlas desk", "31 kg", "480 EUR"),
            ("Birch desk", "24 kg", "390 EUR"),
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    d.add_paragraph("Chairs are ordered through the facilities team.")
    d.save(path)
    return path


def write_pptx(path: Path) -> Path:
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Project Heron"
    slide.placeholders[1].text = "A new billing system for the regional offices."
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Timeline"
    rows = [("Phase", "Start"), ("Pilot", "April 2025"), ("Rollout", "September 2025")]
    shape = slide.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            shape.table.cell(r, c).text = value
    slide.notes_slide.notes_text_frame.text = (
        "The pilot office in Tromsø was chosen because its staff volunteered."
    )
    deck.save(path)
    return path


def write_xlsx(path: Path, rows: int = 0) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Fares"
    sheet.append(["Route", "Fare (EUR)", "Duration"])
    sheet.append(["Oslo - Bergen", 89, "6 h 30 min"])
    sheet.append(["Oslo - Trondheim", 112, "6 h 40 min"])
    sheet.append(["Bergen - Flåm", 45, "2 h 50 min"])
    for n in range(rows):
        sheet.append([f"Route {n}", 10 + n % 90, f"{1 + n % 9} h"])
    other = book.create_sheet("Notes")
    other.append(["Topic", "Note"])
    other.append(["Bicycles", "Bicycles travel free on regional trains outside rush hours."])
    book.save(path)
    return path


def write_csv(path: Path) -> Path:
    path.write_text(
        "Name,Role,Phone,Office\n"
        "Ingrid Dahl,Head of finance,+47 555 0101,Room 4.12\n"
        "Tomas Berg,IT support,+47 555 0144,Room 1.03\n",
        encoding="utf-8",
    )
    return path


def write_epub(path: Path) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("booklet-1")
    book.set_title("Visitor booklet")
    book.set_language("en")
    chapters = []
    for n, (title, body) in enumerate(
        [
            (
                "Arrival",
                "<p>Visitors sign in at the reception desk on the ground floor and receive a day pass.</p>",
            ),
            ("Safety", "<p>The assembly point in case of fire is the car park behind the north wing.</p>"),
            (
                "Canteen",
                "<p>A hot meal at the canteen costs:</p><ul><li>6 euros for staff</li><li>9 euros for visitors</li>"
                "</ul><p>To pay:</p><ol><li>Tap your day pass at the till.</li><li>Choose card or cash.</li></ol>",
            ),
        ],
        1,
    ):
        chapter = epub.EpubHtml(title=title, file_name=f"ch{n}.xhtml", lang="en")
        chapter.content = f"<html><body><h1>{title}</h1>{body}</body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    epub.write_epub(str(path), book)
    return path


def _pdf() -> object:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=11)
    return pdf


PDF_PAGES = [
    "Annual report of the harbour authority. This report covers the year 2024.",
    "Cargo volumes rose by 7 percent to 4.2 million tonnes in 2024.",
    "The new ferry terminal opened on 3 June 2024 after two years of building work.",
    "The harbour master is Sigrun Holm, who was appointed in 2021.",
]


def write_pdf(path: Path, pages: list[str] | None = None) -> Path:
    """One paragraph per page."""
    pdf = _pdf()
    for text in pages or PDF_PAGES:
        pdf.add_page()  # type: ignore[attr-defined]
        pdf.multi_cell(0, 6, text)  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_running_heads(path: Path) -> Path:
    """Three pages under a running header, above a page-number footer, as reports and papers print them."""
    pdf = _pdf()
    for number, text in enumerate(
        (
            "Tidewater Ferries: Timetable Review. This review sets out the winter timetable for 2025.",
            "The first sailing from Portmaddy leaves at 06:40 on weekdays and at 08:10 at weekends.",
            "Season tickets cost 310 euros a year and are sold at both terminals.",
        ),
        start=1,
    ):
        pdf.add_page()  # type: ignore[attr-defined]
        pdf.text(15, 12, "Tidewater Ferries - internal draft, 2025")  # type: ignore[attr-defined]
        pdf.set_xy(10, 30)  # type: ignore[attr-defined]
        pdf.multi_cell(0, 6, text)  # type: ignore[attr-defined]
        pdf.text(100, 285, f"Page {number}")  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_bulleted(path: Path) -> Path:
    """A paragraph, then a bulleted list drawn at the paragraph's line spacing, one item wrapping."""
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    for line in (
        "Read these instructions before you use the kettle:",
        "- Only connect the kettle to an earthed socket.",
        "- Never immerse the kettle, its base or the plug in water or any other liquid, and never fill it",
        "above the MAX mark.",
        "- Children under 8 years must be kept away from the kettle.",
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_two_columns(path: Path) -> Path:
    """Two columns drawn line by line across the page, as some generators do: the text layer interleaves them."""
    left = [
        "The northern depot opens at six in the",
        "morning and closes at nine at night on",
        "weekdays, but keeps shorter hours on",
        "Saturdays, when only the loading bay",
        "is staffed by the night crew.",
    ]
    right = [
        "Parking permits for the southern yard",
        "cost forty euros a month and are sold",
        "at the front desk of the main office",
        "building to any employee who shows",
        "a valid badge.",
    ]
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    y = 30.0
    for a, b in zip(left, right, strict=True):
        pdf.text(15, y, a)  # type: ignore[attr-defined]
        pdf.text(110, y, b)  # type: ignore[attr-defined]
        y += 5.0
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_ligatures(path: Path) -> Path:
    return write_pdf(path, ["The ﬂoor of the ﬁre station is cleaned every Friday by the ofﬁce staff."])


def write_hyphenated(path: Path) -> Path:
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    for y, line in (
        (30, "Members pay the annual main-"),
        (36, "tenance fee of 120 euros each January,"),
        (42, "and a well-"),
        (48, "known discount applies to students."),
    ):
        pdf.text(15, y, line)  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_encrypted(path: Path, user_password: str = "") -> Path:
    """A PDF encrypted with AES-256: with an empty user password (opens without one, as "no printing" PDFs
    do), or with a user password that must be given."""
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(path.with_suffix(".plain.pdf"), ["The vault code changes every Monday at noon."])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    writer.write(path)
    plain.unlink()
    return path


def write_scanned(path: Path, text: str, size: int = 44) -> Path:
    """A PDF page that is only an image of text (no text layer), as a scanner makes; `size`: the font's height
    in pixels at 200 dpi (44 is 16 pt; a letter's 12 pt is 33)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1654, 2339), "white")  # A4 at 200 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), size)
    y = 200
    for line in text.split("\n"):
        draw.text((150, y), line, fill="black", font=font)
        y += round(size * 1.6)
    image.save(path, "PDF", resolution=200.0)
    return path


DOSE_TABLES = {
    "Paracetamol oral suspension 120 mg/5 ml, doses by age:": [
        ("3 to 5 months", "60 mg", "every 4 to 6 hours", "4 in 24 h"),
        ("6 to 23 months", "120 mg", "every 4 to 6 hours", "4 in 24 h"),
        ("2 to 3 years", "180 mg", "every 4 to 6 hours", "4 in 24 h"),
        ("4 to 5 years", "240 mg", "every 4 to 6 hours", "4 in 24 h"),
    ],
    "Ibuprofen oral suspension 100 mg/5 ml, doses by age:": [
        ("3 to 5 months", "50 mg", "every 8 hours", "3 in 24 h"),
        ("6 to 11 months", "50 mg", "every 6 to 8 hours", "4 in 24 h"),
        ("1 to 3 years", "100 mg", "every 8 hours", "3 in 24 h"),
        ("4 to 6 years", "150 mg", "every 8 hours", "3 in 24 h"),
    ],
}


def write_dose_tables(path: Path) -> Path:
    """A guideline page with two tables drawn without ruling lines (each cell text at its column's x, one row
    every 7 mm, a number right-aligned), each under a caption, and a bulleted list whose bullets stand apart
    from their items, as word processors export them."""
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    y = 20.0
    pdf.text(15, y, "4. Symptomatic treatment")  # type: ignore[attr-defined]
    y += 8
    for line in (
        "Antipyretics should be used to relieve distress, not simply to bring the temperature down.",
        "Either paracetamol or ibuprofen may be used, but not both at the same time.",
    ):
        pdf.text(15, y, line)  # type: ignore[attr-defined]
        y += 5
    columns = (15, 60, 95, 150)
    for caption, rows in DOSE_TABLES.items():
        y += 4
        pdf.text(15, y, caption)  # type: ignore[attr-defined]
        y += 8
        for row in [("Age", "Dose", "Frequency", "Max doses"), *rows]:
            for x, cell in zip(columns, row, strict=True):
                if cell.endswith("mg"):  # right-aligned at the column's right edge
                    x = 80 - pdf.get_string_width(cell)  # type: ignore[attr-defined]
                pdf.text(x, y, cell)  # type: ignore[attr-defined]
            y += 7
    y += 4
    pdf.text(15, y, "Do not give ibuprofen to a child who:")  # type: ignore[attr-defined]
    for item in (
        "is dehydrated, because of the risk of kidney injury",
        "has chickenpox",
        "has a known allergy",
    ):
        y += 6
        pdf.text(17, y, "•")  # type: ignore[attr-defined]
        pdf.text(24, y, item)  # type: ignore[attr-defined]
    y += 10
    pdf.text(15, y, "Aspirin must not be given to children under 16.")  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_layouts(path: Path) -> Path:
    """A page of things set out in columns without ruling lines: a decision notice's fields ("Site address:"
    beside its value), a table whose columns are years with right-aligned figures under a numbered title, and
    a contents list with page numbers at the right margin."""
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    y = 20.0
    for key, value in (
        ("Application number:", "25/01873/HOU"),
        ("Site address:", "12 Orchard Close, Ashby Vale"),
        ("Decision date:", "14 October 2025"),
    ):
        pdf.text(15, y, key)  # type: ignore[attr-defined]
        pdf.text(70, y, value)  # type: ignore[attr-defined]
        y += 7
    y += 8
    pdf.text(15, y, "Table 2. Revenue by region (EUR million)")  # type: ignore[attr-defined]
    y += 10
    for row in (
        ("Region", "2023", "2024", "Change"),
        ("Northern Europe", "118.7", "131.2", "+10.5%"),
        ("Southern Europe", "96.4", "92.1", "-4.5%"),
        ("Total", "215.1", "223.3", "+3.8%"),
    ):
        pdf.text(15, y, row[0])  # type: ignore[attr-defined]
        for right, cell in zip((110, 140, 170), row[1:], strict=True):
            pdf.text(right - pdf.get_string_width(cell), y, cell)  # type: ignore[attr-defined]
        y += 7
    y += 5
    pdf.text(15, y, "Revenue grew in Northern Europe but fell in Southern Europe.")  # type: ignore[attr-defined]
    y += 15
    pdf.text(15, y, "Contents")  # type: ignore[attr-defined]
    for title, number in (("1. Introduction", "3"), ("2. Scope", "4"), ("3. Red flags", "6")):
        y += 7
        pdf.text(15, y, title)  # type: ignore[attr-defined]
        pdf.text(180, y, number)  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


ROOMS = [
    ("Room", "Capacity", "Weekday rate", "Weekend rate", "Notes"),
    (
        "Main hall",
        "120 seated, 200 standing",
        "£35 per hour",
        "£50 per hour",
        "Includes use of the kitchen and the stage lighting; a deposit of £100 is required",
    ),
    ("Committee room", "20", "£15 per hour", "£20 per hour", "No food or drink"),
    ("Garden room", "40", "£25 per hour", "£30 per hour", "Opens onto the garden; not available in January"),
]


def _fill(table: Any, rows: Iterable[Iterable[str]]) -> None:
    """Write rows of cells into an fpdf2 table."""
    for values in rows:
        row = table.row()
        for value in values:
            row.cell(value)


def write_ruled_table(path: Path) -> Path:
    """A table drawn with ruling lines as word processors draw them (fpdf2's `table`): headers and cells that
    wrap over two or three lines, each cell's text centred in its row's height; and a boxed notice (one framed
    cell), which is no table."""
    from fpdf.fonts import FontFace

    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    pdf.multi_cell(0, 6, "Table 1. Room hire charges for community groups in 2025.")  # type: ignore[attr-defined]
    with pdf.table(col_widths=(30, 30, 25, 25, 60), headings_style=FontFace(emphasis="")) as table:  # type: ignore[attr-defined]
        _fill(table, ROOMS)
    pdf.ln(8)  # type: ignore[attr-defined]
    pdf.multi_cell(  # type: ignore[attr-defined]
        0, 6, "Notice: the hall is closed for repairs from 1 to 14 August.", border=1
    )
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_invoice(path: Path) -> Path:
    """A booking form of names and values side by side, two pairs a row (ruled, no header row), and totals
    at the right margin: names left, amounts right-aligned, no lines."""
    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    pdf.multi_cell(0, 6, "Booking confirmation")  # type: ignore[attr-defined]
    pdf.ln(4)  # type: ignore[attr-defined]
    with pdf.table(col_widths=(35, 55, 35, 55), first_row_as_headings=False) as table:  # type: ignore[attr-defined]
        _fill(
            table,
            (
                ("Booking ref", "HHL-77419", "Property", "Gull Cottage"),
                ("Arrival", "Sat 16 Aug 2025", "Departure", "Sat 23 Aug 2025"),
            ),
        )
    for i, (name, amount) in enumerate(
        (("Subtotal", "£801.50"), ("VAT at 20%", "£160.30"), ("Total due", "£961.80"))
    ):
        pdf.text(140, 100 + i * 6, name)  # type: ignore[attr-defined]
        pdf.text(195 - pdf.get_string_width(amount), 100 + i * 6, amount)  # type: ignore[attr-defined]
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path


def write_council_leaflet(path: Path) -> Path:
    """A page in two columns, prose on the left and a ruled table under its title on the right (each column
    must read whole); and a table whose header spans columns ("Plans" over "Basic | Plus | Pro")."""
    from fpdf.fonts import FontFace

    pdf = _pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    pdf.set_xy(15, 20)  # type: ignore[attr-defined]
    pdf.multi_cell(  # type: ignore[attr-defined]
        85,
        5,
        "Every home is placed in one of eight valuation bands, A to H, by the Valuation Office Agency. The band "
        "depends on what your home would have sold for on 1 April 1991.",
    )
    pdf.set_xy(110, 20)  # type: ignore[attr-defined]
    pdf.multi_cell(85, 5, "Annual charges for 2025/26, including the police and fire precepts:")  # type: ignore[attr-defined]
    pdf.set_left_margin(110)  # type: ignore[attr-defined]
    pdf.set_xy(110, 32)  # type: ignore[attr-defined]
    plain = FontFace(emphasis="")
    with pdf.table(width=85, col_widths=(15, 70), align="LEFT", headings_style=plain) as table:  # type: ignore[attr-defined]
        _fill(table, (("Band", "Annual charge"), ("A", "£1,532.18"), ("B", "£1,787.54"), ("D", "£2,298.26")))
    pdf.set_left_margin(15)  # type: ignore[attr-defined]
    pdf.set_xy(15, 90)  # type: ignore[attr-defined]
    with pdf.table(col_widths=(60, 40, 40, 40), num_heading_rows=2, headings_style=plain) as table:  # type: ignore[attr-defined]
        row = table.row()
        row.cell("Feature", rowspan=2)
        row.cell("Plans", colspan=3)
        row = table.row()
        for name in ("Basic", "Plus", "Pro"):
            row.cell(name)
        _fill(
            table,
            (
                ("Price per month", "£2.99", "£7.99", "£15.99"),
                ("Storage", "200 GB", "2 TB", "10 TB"),
            ),
        )
    pdf.output(str(path))  # type: ignore[attr-defined]
    return path
