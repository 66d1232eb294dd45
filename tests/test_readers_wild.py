"""Files from the wild that a hostile review found breaking the readers: each is rebuilt here as a small file,
and must be read whole, reported by name, or both, never stop a run (issue 21)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import office_files as files
import pytest

from index.errors import LoadError
from index.load import discover, load_file
from qa import Assistant

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _rezip(path: Path, member: str, change: object) -> None:
    """Rewrite one member of a ZIP-based file (`change`: its new bytes, or a function of the old ones)."""
    with zipfile.ZipFile(path) as old:
        items = [(info, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in items:
            if info.filename == member:
                data = change(data) if callable(change) else change  # type: ignore[operator]
            new.writestr(info, data)


def test_a_damaged_file_fails_alone_and_the_run_goes_on(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "The first note says the lift is serviced on Mondays.\n", encoding="utf-8"
    )
    files.write_xlsx(tmp_path / "b.xlsx")
    _rezip(tmp_path / "b.xlsx", "xl/worksheets/sheet1.xml", lambda data: data[: len(data) // 2])
    files.write_epub(tmp_path / "c.epub")
    _rezip(tmp_path / "c.epub", "EPUB/content.opf", lambda data: data[: len(data) // 2])
    (tmp_path / "d.txt").write_text("The last note says the canteen opens at eleven.\n", encoding="utf-8")
    report = fresh.index([tmp_path], progress=False)
    assert sorted(Path(p).name for p in report.added) == ["a.txt", "d.txt"]
    failed = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert set(failed) == {"b.xlsx", "c.epub"} and all("damaged" in e for e in failed.values())


def test_a_drawing_with_thousands_of_labels_does_not_hang(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format=(600, 4000), unit="pt")
    pdf.set_font("helvetica", size=2)
    pdf.add_page()
    for n in range(1200):  # a staircase: every line a little lower and further right than the last
        pdf.text(10 + (n % 40) * 13, 10 + n * 3.2 + n * 0.001 * n, f"label {n}")
    pdf.output(str(tmp_path / "drawing.pdf"))
    text = load_file(tmp_path / "drawing.pdf").text
    assert "label 0" in text and "label 1199" in text


def test_word_text_in_tracked_insertions_controls_fields_headers_and_merged_cells(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    p = d.add_paragraph("The contract value is ")
    p._p.append(parse_xml(f'<w:ins {W} w:id="1" w:author="A"><w:r><w:t>2.4 million EUR</w:t></w:r></w:ins>'))
    p._p.append(parse_xml(f'<w:r {W}><w:t xml:space="preserve"> after the amendment.</w:t></w:r>'))
    d.element.body.insert(
        1,
        parse_xml(
            f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>The applicant is Nils Odegaard.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )
    table = d.add_table(rows=3, cols=3)
    for r, values in enumerate([("Product", "Weight", "Price"), ("Atlas desk", "31 kg", "480 EUR")]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "Discontinued items are listed separately."
    d.sections[0].header.paragraphs[0].text = "CONFIDENTIAL: the vault code is 8812."
    d.save(tmp_path / "contract.docx")
    text = load_file(tmp_path / "contract.docx").text
    assert "The contract value is 2.4 million EUR after the amendment." in text
    assert "The applicant is Nils Odegaard." in text
    assert "Product: Atlas desk; Weight: 31 kg; Price: 480 EUR." in text
    assert text.count("Discontinued items") == 1  # a merged cell is not repeated across its columns
    assert "the vault code is 8812" in text


def test_sheets_find_their_header_and_number_rows_as_excel_does(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Prices"
    sheet["A3"] = "Quarterly price list"
    for row in (["Product", "Price", "Stock"], ["Atlas desk", 480, 3], ["Borg chair", 129, 7]):
        sheet.append(row)  # rows 4 to 6
    book.save(tmp_path / "prices.xlsx")
    _rezip(
        tmp_path / "prices.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b'<dimension ref="A3:C6"/>', b'<dimension ref="A1"/>'),
    )
    doc = load_file(tmp_path / "prices.xlsx")
    row = doc.text.index("Product: Borg chair; Price: 129; Stock: 7.")
    assert next(r.label for r in doc.regions if r.start == row) == "Prices, row 6"
    assert "Quarterly price list" in doc.text and "Quarterly price list:" not in doc.text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("sep=;\nCity;Population\nOslo;700000\n", "City: Oslo; Population: 700000."),
        (
            "Account statement\nPeriod: 2024-01\nDate;Text;Amount\n2024-02-01;Rent;-12000,00\n2024-02-03;Food;-845,50\n",
            "Date: 2024-02-01; Text: Rent; Amount: -12000,00.",
        ),
        (
            "Note\nThe meeting moved to Tuesday, room 4.\nLunch is at noon, in the canteen.\n",
            "Note: Lunch is at noon, in the canteen.",
        ),
    ],
)
def test_csv_delimiters_and_preambles(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "data.csv").write_text(content, encoding="utf-8")
    assert expected in load_file(tmp_path / "data.csv").text


def test_html_in_windows_1252_with_a_plain_table(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body><article><h1>Branches</h1>'
        "<p>Our branches keep these hours every weekday of the year, holidays excepted.</p>"
        "<table><tr><td>Branch</td><td>Opens</td></tr><tr><td>Tromsø</td><td>08:00</td></tr></table>"
        "<p>Call ahead to book a meeting room.</p></article></body></html>"
    )
    (tmp_path / "hours.html").write_bytes(page.encode("cp1252"))
    assert "Branch: Tromsø; Opens: 08:00." in load_file(tmp_path / "hours.html").text


def test_an_html_table_with_a_header_on_each_row_reads_each_row_under_its_own(tmp_path: Path) -> None:
    page = (
        "<html><body><article><h1>Notice of decision</h1>"
        "<p>The council has decided the application below and grants permission subject to conditions.</p>"
        "<table><tr><th>Application number</th><td>25/01873/HOU</td></tr>"
        "<tr><th>Site address</th><td>12 Orchard Close, Ashby Vale</td></tr>"
        "<tr><th>Decision</th><td>Granted subject to conditions</td></tr></table>"
        "<p>The development must be begun within three years of the date of this decision.</p>"
        "</article></body></html>"
    )
    (tmp_path / "notice.html").write_text(page, encoding="utf-8")
    text = load_file(tmp_path / "notice.html").text
    assert "Site address: 12 Orchard Close, Ashby Vale." in text, text
    assert "Application number: Site address" not in text, text


def test_epub_chapters_in_their_declared_encoding(tmp_path: Path) -> None:
    files.write_epub(tmp_path / "book.epub")
    chapter = (
        '<?xml version="1.0" encoding="iso-8859-1"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<p>Søren Kierkegaard was born in København in 1813.</p></body></html>"
    ).encode("iso-8859-1")
    _rezip(tmp_path / "book.epub", "EPUB/ch1.xhtml", chapter)
    assert "Søren Kierkegaard was born in København" in load_file(tmp_path / "book.epub").text


def test_a_chart_on_a_slide_is_read(tmp_path: Path) -> None:
    import pptx
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Sales"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2"]
    data.add_series("Units sold", (120, 175))
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data)
    deck.save(tmp_path / "sales.pptx")
    doc = load_file(tmp_path / "sales.pptx")
    assert "Category: Q2; Units sold: 175." in doc.text
    assert any(r.label == "slide 1, chart" for r in doc.regions)


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "header.csv").write_text("Name,Phone\n", encoding="utf-8")
    from pypdf import PdfWriter

    PdfWriter().write(tmp_path / "nothing.pdf")
    expected = {
        "old.docx": "Office 97-2003",
        "empty.xlsx": "empty file",
        "header.csv": "no data rows",
        "nothing.pdf": "no pages",
    }
    for name, message in expected.items():
        with pytest.raises(LoadError, match=message):
            load_file(tmp_path / name)


def test_links_are_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "note.txt").write_text("A note.\n", encoding="utf-8")
    (tmp_path / "docs" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs")
    found, skipped, _ = discover([tmp_path / "docs"])
    reasons = {Path(p).name: r for p, r in skipped}
    assert [p.name for p in found] == ["note.txt"]
    assert "does not exist" in reasons["gone.txt"] and "not followed" in reasons["loop"]


def test_a_copy_of_a_scan_is_not_read_again(fresh: Assistant, tmp_path: Path) -> None:
    files.write_scanned(tmp_path / "a.pdf", "The boiler room key is kept\nin the blue cabinet.")
    (tmp_path / "b.pdf").write_bytes((tmp_path / "a.pdf").read_bytes())
    first = fresh.index([tmp_path], progress=False)
    assert first.ocr_pages == 1 and [Path(d["path"]).name for d in first.duplicates] == ["b.pdf"]
    again = fresh.index([tmp_path], progress=False)
    assert again.ocr_pages == 0 and len(again.duplicates) == 1 and len(again.unchanged) == 1


def test_a_rotated_page_is_highlighted_where_the_quote_is(fresh: Assistant, tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    files.write_pdf(
        tmp_path / "plain.pdf", ["The generator was replaced in October 2019 after a long outage."]
    )
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "plain.pdf"))
    writer.pages[0].rotate(90)
    writer.write(tmp_path / "turned.pdf")
    (tmp_path / "plain.pdf").unlink()
    fresh.index([tmp_path], progress=False)
    cited = fresh.ask("When was the generator replaced?").citations[0]
    plain = Image.open(io.BytesIO(fresh.page_image(cited.doc_id, 1))).convert("RGB")
    lit = Image.open(io.BytesIO(fresh.page_image(cited.doc_id, 1, cited.start, cited.end))).convert("RGB")
    assert lit.width > lit.height  # shown turned, as a reader sees it
    changed = [
        (x, y)
        for x in range(0, lit.width, 3)
        for y in range(0, lit.height, 3)
        if lit.getpixel((x, y)) != plain.getpixel((x, y))
    ]
    assert changed and min(x for x, _ in changed) > lit.width * 0.8  # the text runs down the right edge
