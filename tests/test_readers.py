"""Real files of every supported format, indexed into a real store and asked about: exact quotes, and the page,
slide, row or chapter of each (issue 21)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import office_files as files
import pytest

from index.chunk import split_sentences
from index.embed import Embedder
from index.errors import Stale
from index.load import discover, load_file
from qa import Assistant

ROOT = Path(__file__).resolve().parent.parent


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _on_page(quote: str, pdf: Path, page: int) -> bool:
    """Is every word of the quote on that page of the PDF, as pypdf reads it (in its own order, with its line
    breaks and ligature characters)?"""
    import unicodedata

    from pypdf import PdfReader

    text = unicodedata.normalize("NFKC", PdfReader(pdf).pages[page - 1].extract_text() or "")
    squeezed = _words(text).replace(" ", "")
    return all(word in squeezed for word in _words(quote).split())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file of each format, the PDF cases from the wild, and files that are not documents."""
    d = tmp_path_factory.mktemp("office")
    files.write_docx(d / "handbook.docx")
    files.write_pptx(d / "deck.pptx")
    files.write_xlsx(d / "fares.xlsx")
    files.write_csv(d / "directory.csv")
    files.write_epub(d / "booklet.epub")
    files.write_pdf(d / "report.pdf")
    wild = d / "wild"
    wild.mkdir()
    files.write_two_columns(wild / "columns.pdf")
    files.write_ligatures(wild / "ligatures.pdf")
    files.write_hyphenated(wild / "hyphenated.pdf")
    files.write_encrypted(wild / "no-printing.pdf")
    files.write_encrypted(wild / "locked.pdf", user_password="secret")
    files.write_scanned(
        wild / "scan.pdf", "The boiler room key is kept\nin the blue cabinet next to\nthe caretaker office."
    )
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (d / "~$handbook.docx").write_bytes(b"lock")
    return d


@pytest.fixture(scope="module")
def office(folder: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Assistant:
    assistant = Assistant.open(store=tmp_path_factory.mktemp("office-store"), embedder=embedder)
    yield assistant
    assistant.close()


@pytest.fixture(scope="module")
def report(office: Assistant, folder: Path) -> dict[str, object]:
    return office.index([folder], progress=False).to_dict()


def test_every_file_of_the_folder_is_accounted_for(report: dict[str, object], folder: Path) -> None:
    names = {
        Path(p).name: outcome
        for outcome in ("added", "updated", "unchanged", "removed")
        for p in report[outcome]  # type: ignore[union-attr]
    }
    names |= {Path(f["path"]).name: "failed" for f in report["failed"]}  # type: ignore[union-attr]
    names |= {Path(f["path"]).name: "skipped" for f in report["skipped"]}  # type: ignore[union-attr]
    on_disk = {p.name for p in folder.rglob("*") if p.is_file()}
    assert set(names) == on_disk
    for name in ("handbook.docx", "deck.pptx", "fares.xlsx", "directory.csv", "booklet.epub", "report.pdf"):
        assert names[name] == "added", name
    assert names["photo.png"] == "skipped" and names["~$handbook.docx"] == "skipped"
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}  # type: ignore[union-attr]
    assert ".docx" in skipped["photo.png"] and ".pdf" in skipped["photo.png"]  # says what is supported
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}  # type: ignore[union-attr]
    assert failed == {"locked.pdf": failed["locked.pdf"]} and "needs a password" in failed["locked.pdf"]
    assert report["ocr_pages"] == 1


@pytest.mark.parametrize(
    ("question", "source", "answer", "location"),
    [
        ("How much does the Atlas desk weigh?", "handbook.docx", "Weight: 31 kg", "table 1, row 2"),
        ("Why was the pilot office in Tromsø chosen?", "deck.pptx", "staff volunteered", "slide 2, notes"),
        ("When does the rollout start?", "deck.pptx", "September 2025", "slide 2, table, row 3"),
        ("What is the fare from Oslo to Trondheim?", "fares.xlsx", "Fare (EUR): 112", "Fares, row 3"),
        ("What is Tomas Berg's phone number?", "directory.csv", "+47 555 0144", "row 3"),
        ("Where is the assembly point in case of fire?", "booklet.epub", "car park", "chapter 2"),
        # a list item, read under the sentence that announces its list
        ("How much is a hot meal at the canteen for staff?", "booklet.epub", "6 euros", "chapter 3"),
        ("Who is the harbour master?", "report.pdf", "Sigrun Holm", "p. 4"),
        ("When did the new ferry terminal open?", "report.pdf", "3 June 2024", "p. 3"),
        (
            "How much do parking permits for the southern yard cost?",
            "columns.pdf",
            "forty euros a month",
            "p. 1",
        ),
        ("When is the floor of the fire station cleaned?", "ligatures.pdf", "every Friday", "p. 1"),
        ("How much is the annual maintenance fee?", "hyphenated.pdf", "120 euros", "p. 1"),
        ("When does the vault code change?", "no-printing.pdf", "every Monday at noon", "p. 1"),
    ],
)
def test_answers_quote_each_format_at_its_location(
    office: Assistant,
    report: dict[str, object],
    folder: Path,
    question: str,
    source: str,
    answer: str,
    location: str,
) -> None:
    result = office.ask(question)
    assert not result.refused, question
    first = result.citations[0]
    assert Path(first.source).name == source
    assert answer in first.quote
    assert office.document(first.doc_id).text[first.start : first.end] == first.quote
    data = first.to_dict()
    assert data["location"] == location
    text = office.document(first.doc_id).text
    assert data["content_hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()  # the text's own hash
    if source.endswith(".pdf"):
        pdf = next(folder.rglob(source))
        assert data["page"] == int(location.split()[-1])
        x0, y0, x1, y1 = data["box"]  # type: ignore[misc]
        assert 0 <= x0 < x1 <= 612 and 0 <= y0 < y1 <= 842  # on the page (A4: 595 x 842 points)
        assert _on_page(first.quote, pdf, data["page"])  # type: ignore[arg-type]
        if source == "report.pdf":
            others = [n for n in range(1, 5) if n != data["page"]]
            assert not any(_on_page(first.quote, pdf, n) for n in others)
    else:
        assert "page" not in data


def test_unchanged_files_are_not_read_again(
    office: Assistant, report: dict[str, object], folder: Path
) -> None:
    again = office.index([folder], progress=False)
    assert again.ocr_pages == 0 and not again.added and not again.updated  # the scan is not OCR'd again
    assert len(again.unchanged) == len(report["added"])  # type: ignore[arg-type]


def test_pdf_text_reads_as_a_person_reads_it(folder: Path) -> None:
    ligatures = load_file(folder / "wild" / "ligatures.pdf").text
    assert "The floor of the fire station" in ligatures and "ﬂ" not in ligatures
    hyphenated = load_file(folder / "wild" / "hyphenated.pdf").text
    assert "annual maintenance fee" in hyphenated  # a word broken at a line's end is healed ...
    assert "a well-known discount" in hyphenated  # ... a hyphenated compound keeps its hyphen
    columns = load_file(folder / "wild" / "columns.pdf").text
    assert "staffed by the night crew." in columns
    # The left column is read whole before the right one, not line by line across both.
    assert columns.index("night crew") < columns.index("Parking permits")
    assert "opens at six in the morning and closes at nine" in columns


def test_an_epub_chapters_lists_read_as_markdown_writes_them(folder: Path) -> None:
    text = load_file(folder / "booklet.epub").text
    assert (
        "A hot meal at the canteen costs:\n\n- 6 euros for staff\n- 9 euros for visitors\n\nTo pay:" in text
    )
    assert "1. Tap your day pass at the till.\n2. Choose card or cash." in text
    # a chapter's heading is marked by its level, as Markdown writes it, so the sections under it nest
    assert "# Canteen\n\nA hot meal at the canteen costs:" in text, text


def test_a_pdfs_running_header_and_page_numbers_are_left_out(tmp_path: Path) -> None:
    loaded = load_file(files.write_running_heads(tmp_path / "review.pdf"))
    assert "internal draft" not in loaded.text and "Page " not in loaded.text, loaded.text
    # the body of each page is kept, on its page, and the first page's own first line is the title
    assert loaded.text.startswith("Tidewater Ferries: Timetable Review.")
    start = loaded.text.index("The first sailing")
    assert [r.page for r in loaded.regions if r.start <= start < r.end] == [2]


def test_a_pdfs_bulleted_list_keeps_an_item_a_line(tmp_path: Path) -> None:
    text = load_file(files.write_bulleted(tmp_path / "kettle.pdf")).text
    assert "earthed socket.\n- Never immerse the kettle" in text, text
    assert "never fill it above the MAX mark.\n- Children under 8" in text  # a wrapped item is read whole


def test_a_scanned_page_is_read_by_ocr_and_marked(office: Assistant, report: dict[str, object]) -> None:
    result = office.ask("Where is the boiler room key kept?")
    assert not result.refused
    data = result.citations[0].to_dict()
    assert "blue cabinet" in data["quote"] and data["ocr"] is True and data["page"] == 1
    listed = {Path(d.source).name: d.to_dict() for d in office.documents()}
    assert listed["scan.pdf"]["ocr_pages"] == 1 and "ocr_pages" not in listed["report.pdf"]
    assert listed["report.pdf"]["pages"] == 4


def test_without_ocr_a_scanned_pdf_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    files.write_scanned(folder / "scan.pdf", "Nothing here has a text layer.")
    files.write_pdf(folder / "report.pdf")
    env = {"QA_OCR": "off", "QA_STORE": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "qa", "index", str(folder), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert run.returncode == 1, run.stderr
    out = json.loads(run.stdout)
    assert [Path(p).name for p in out["added"]] == ["report.pdf"]
    assert len(out["failed"]) == 1 and "no text layer" in out["failed"][0]["error"]
    assert "Traceback" not in run.stderr


def test_a_citation_knows_the_version_it_quotes(fresh: Assistant, tmp_path: Path) -> None:
    doc = tmp_path / "policy.txt"
    doc.write_text("The hotel allowance is 120 euros a night.\n", encoding="utf-8")
    fresh.index([doc], progress=False)
    cited = fresh.ask("What is the hotel allowance?").citations[0]
    current = fresh.cite(cited.doc_id, cited.start, cited.end, version=cited.content_hash)
    assert current.quote == cited.quote and current.content_hash == cited.content_hash
    doc.write_text("The hotel allowance is 150 euros a night.\n", encoding="utf-8")
    fresh.index([doc], progress=False)
    with pytest.raises(Stale, match="changed since this citation"):
        fresh.cite(cited.doc_id, cited.start, cited.end, version=cited.content_hash)
    assert "150" in fresh.cite(cited.doc_id, cited.start, cited.end).quote  # without a version: today's text


def test_discover_names_why_each_file_is_passed_over(folder: Path) -> None:
    found, skipped, errors = discover([folder, folder / "missing.docx"])
    assert {p.name for p in found} >= {"handbook.docx", "scan.pdf"}
    assert {Path(p).name for p, _ in skipped} == {"photo.png", "~$handbook.docx"}
    assert [e.reason for e in errors] == ["no such file or folder"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
        ("fake.xlsx", b"just text", "not a .xlsx file"),
        ("broken.pdf", b"%PDF-1.7\nnonsense", "PDF"),
        ("broken.epub", b"PK\x03\x04 nope", "not a readable EPUB"),
    ],
)
def test_broken_files_get_a_reason_not_a_traceback(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    from index.errors import LoadError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load_file(path)


def test_a_pdf_page_is_rendered_with_the_quote_highlighted(
    office: Assistant, report: dict[str, object], folder: Path
) -> None:
    import io

    from PIL import Image

    from index.errors import NotFound

    cited = office.ask("Who is the harbour master?").citations[0]
    assert cited.location.page == 4
    png = office.page_image(cited.doc_id, 4, cited.start, cited.end)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    plain = Image.open(io.BytesIO(office.page_image(cited.doc_id, 4))).convert("RGB")
    assert image.size == plain.size and image.width > 600
    # The highlight tints the quote's line yellow: pixels differ from the plain page only there.
    changed = [
        (x, y)
        for x in range(0, image.width, 4)
        for y in range(0, image.height, 4)
        if image.getpixel((x, y)) != plain.getpixel((x, y))
    ]
    assert changed and max(y for _, y in changed) < image.height * 0.2  # the line is at the top of the page
    r, g, b = image.getpixel(changed[len(changed) // 2])
    assert r > 200 and g > 150 and b < 200
    with pytest.raises(NotFound, match="has 4 pages"):
        office.page_image(cited.doc_id, 9)
    docx = next(d for d in office.documents() if d.source.endswith(".docx"))
    with pytest.raises(NotFound, match="not a PDF"):
        office.page_image(docx.doc_id, 1)


HTML_PAGE = """<html><body><article><h1>Desk prices</h1>
<p>Our desks are sold in two models and delivered within ten working days across the country.</p>
<table><tr><th>Product</th><th>Weight</th><th>Price</th></tr>
<tr><td>Atlas desk</td><td>31 kg</td><td>480 EUR</td></tr><tr><td>Birch desk</td><td>24 kg</td><td>390 EUR</td></tr></table>
<p>We use cookies to improve your experience on our site. By continuing to browse you agree to our use of
cookies. Accept all cookies or manage your preferences.</p>
<p>Orders can be placed online or at the store in Lillehammer.</p></article></body></html>"""


def test_structure_aware_text(fresh: Assistant, tmp_path: Path) -> None:
    from index.chunk import MAX_UNPUNCTUATED_CHARS, sentences

    (tmp_path / "desks.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "keywords.txt").write_text(
        " ".join(f"term{n} alpha beta" for n in range(600)) + "\n", encoding="utf-8"
    )
    (tmp_path / "table.md").write_text(
        "# Chairs\n\n| Model | Seat height in centimetres when lowered fully | Colour |\n|---|---|---|\n"
        "| Pine chair with a padded seat and a tall back | 44 | green |\n| Oak chair | 46 | brown |\n",
        encoding="utf-8",
    )
    fresh.index([tmp_path], progress=False)
    html = load_file(tmp_path / "desks.html").text
    assert "Product: Atlas desk; Weight: 31 kg; Price: 480 EUR." in html and "|---" not in html
    answer = fresh.ask("How much does the Atlas desk weigh?")
    assert answer.citations and "Weight: 31 kg" in answer.citations[0].quote
    # The cookie banner is kept out of every chunk and sentence: never quoted.
    spans, _ = sentences(html, lambda texts: [len(t.split()) for t in texts], 240)
    assert not any("cookies" in html[s.start : s.end] for s in spans)
    # A line with no sentence punctuation is cut into short sentences.
    keywords = (tmp_path / "keywords.txt").read_text(encoding="utf-8")
    spans, _ = sentences(keywords, lambda texts: [len(t.split()) for t in texts], 240)
    assert len(spans) > 10 and max(s.end - s.start for s in spans) <= MAX_UNPUNCTUATED_CHARS
    # Each row of a Markdown table is a sentence of its own (the file's own text: offsets index the file).
    chairs = fresh.ask("What colour is the oak chair?")
    assert chairs.citations and chairs.citations[0].quote == "| Oak chair | 46 | brown |"


def test_a_page_ocr_cannot_read_is_reported(fresh: Assistant, tmp_path: Path) -> None:
    from fpdf import FPDF
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (800, 1100), "white").save(blank)
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The archive room is on the third floor, next to the library.")
    pdf.add_page()
    pdf.image(str(blank), x=0, y=0, w=210)  # a scanned page with nothing on it
    pdf.output(str(tmp_path / "mixed.pdf"))
    report = fresh.index([tmp_path / "mixed.pdf"], progress=False)
    assert [Path(p).name for p in report.added] == ["mixed.pdf"]
    assert report.incomplete == [{"path": report.added[0], "problem": "page 2: OCR found no text"}]
    assert report.ocr_pages == 1


SMALL_PRINT_LETTER = """Dear Ms Pell,
I am writing to update you on the administration of your late mother's
estate, in which you are a beneficiary under her will dated 9 June 2016.
The grant of probate was issued by the Probate Registry on 3 March 2025 to
the executors, your brother Mr Simon Pell and me. The gross value of the
estate as declared to HM Revenue & Customs was 486,200. Inheritance tax of
38,480 was paid before the grant was issued, from your mother's accounts.
The sale of your mother's house, 22 Willow Way, Wymondham, was completed
on 28 February 2025 at a price of 365,000."""


def test_a_letter_scanned_in_small_print_reads_whole_and_spaced(tmp_path: Path) -> None:
    """At 11 pt the recogniser ran words together ("Inheritancetaxof38,480waspaid") and its angle classifier
    turned one line upside down, losing it; a page scanned upside down still reads, in order."""
    import pypdfium2

    scan = files.write_scanned(tmp_path / "letter.pdf", SMALL_PRINT_LETTER, size=30)
    text = " ".join(load_file(scan).text.split())
    for said in [
        "Dear Ms Pell,",
        "The grant of probate was issued by the Probate Registry on 3 March 2025",
        "The gross value of the estate as declared to HM Revenue",
        "Inheritance tax of 38,480 was paid before the grant was issued",
        "22 Willow Way, Wymondham,",
    ]:
        assert said in text, (said, text)
    upright = pypdfium2.PdfDocument(scan)[0].render(scale=200 / 72).to_pil()
    upright.rotate(180).save(tmp_path / "upside-down.pdf", "PDF", resolution=200.0)
    turned = " ".join(load_file(tmp_path / "upside-down.pdf").text.split())
    assert turned.startswith("Dear Ms Pell, I am writing") and "Inheritance tax of 38,480 was paid" in turned


def test_spaces_and_pound_signs_ocr_misread_are_mended_and_names_and_codes_stay_whole() -> None:
    from index.readers.ocr import pound_signs
    from index.readers.spacing import spaced

    assert spaced("Inheritancetaxof38,480waspaid") == "Inheritance tax of 38,480 was paid"
    assert spaced("ThegrossvalueoftheestateasdeclaredtoHMRevenue") == (
        "The gross value of the estate as declared to HM Revenue"
    )
    assert spaced("DearMsPell,yourmother'sestate") == "Dear Ms Pell, your mother's estate"
    assert spaced("on3March2025 and 12March") == "on 3 March 2025 and 12 March"
    assert spaced("me.The executorshaveagreed") == "me. The executors have agreed"
    assert spaced("ofthe Netrent dated9June2016") == "of the Net rent dated 9 June 2016"
    assert spaced("VATat aPDFhandout") == "VAT at a PDF handout"
    assert spaced("IgGantibodiesandexamined") == "IgG antibodies and examined"
    # a day's ordinal glued to what follows, and a heading in capitals glued together
    assert (
        spaced("on the 1stdayofeachmonthbystandingorder") == "on the 1st day of each month by standing order"
    )
    assert spaced("NOTICEOFRENTINCREASE") == "NOTICE OF RENT INCREASE"
    assert spaced("5thousand 2025then") == "5 thousand 2025 then"
    # names wordfreq knows, names as written (mixed case), codes, capitals, addresses, words with a prefix or an
    # ending that makes words, and words that are words stay as they are
    assert pound_signs("to f185. Fees f1,250.00 and f4.95; an f2.8 lens, f8, F1") == (
        "to £185. Fees £1,250.00 and £4.95; an f2.8 lens, f8, F1"
    )
    for whole in [
        "Northgate House, Unthank Road, Wymondham, Harbourline, Cheffins",
        "Salford M54PF NR13LB SOLICITORS K200s Glu142 pH6.5 pET-28a macOS14",
        "enquiries@carrowdene.example www.northgate.example",
        "iPhone eBay McDonald's PowerPoint JavaScript OneDrive",
        "thermostable neutralisation pseudovirus biocatalyst thermostability",
        "administration beneficiary 3.5 1,200 v2.1 the 21st and 2nd",
    ]:
        assert spaced(whole) == whole


def _two_columns(document: Any, rows: list[tuple[str, str]]) -> None:
    """A Word table of two columns with these rows."""
    table = document.add_table(rows=len(rows), cols=2)
    for cells, (label, value) in zip(table.rows, rows, strict=True):
        cells.cells[0].text, cells.cells[1].text = label, value


def test_a_table_of_labels_and_values_reads_each_row_under_its_label(
    fresh: Assistant, tmp_path: Path
) -> None:
    """A judgment's heading table has no header row: "Claimant:" | "Ms Adaeze Okafor", "Before:" | the judge."""
    import docx

    document = docx.Document()
    document.add_heading("Employment Tribunals: Judgment", level=1)
    rows = [
        ("Claimant:", "Ms Adaeze Okafor"),
        ("Respondent:", "Brennan Logistics Limited"),
        ("Before:", "Employment Judge Hartley, Mr P Singh, Ms R Dale"),
    ]
    _two_columns(document, rows)
    document.add_paragraph("The claim of unfair dismissal succeeds.")
    document.save(str(tmp_path / "judgment.docx"))
    text = load_file(tmp_path / "judgment.docx").text
    assert "Claimant: Ms Adaeze Okafor.\nRespondent: Brennan Logistics Limited.\n" in text, text
    fresh.index([tmp_path / "judgment.docx"], progress=False)
    answer = fresh.ask("Who was the judge?")
    assert (
        answer.citations
        and answer.citations[0].quote == "Before: Employment Judge Hartley, Mr P Singh, Ms R Dale."
    )


def test_a_lease_s_particulars_without_colons_read_each_row_under_its_label(
    fresh: Assistant, tmp_path: Path
) -> None:
    """A lease sets out its particulars as "Property" | "Flat 3, 27 Weaver's Row", "Rent" | "£1,375.00 per
    calendar month": no colons and no header row (its first row holds a value); a Word heading that follows a
    line without a full stop stands apart from it."""
    import docx

    from index.readers.base import table_records

    document = docx.Document()
    document.add_paragraph("Agreement made on 20 August 2025 between the Landlord and the Tenant")
    document.add_heading("Particulars", level=2)
    rows = [
        ("Property", "Flat 3, 27 Weaver's Row, Leeds LS6 2QT"),
        ("Rent", "£1,375.00 per calendar month"),
        ("Deposit", "£1,586.53 (five weeks' rent)"),
    ]
    _two_columns(document, rows)
    document.save(str(tmp_path / "lease.docx"))
    text = load_file(tmp_path / "lease.docx").text
    assert "Tenant\n\nParticulars\n\n" in text, text
    assert "Property: Flat 3, 27 Weaver's Row, Leeds LS6 2QT.\nRent: £1,375.00 per calendar month.\n" in text
    fresh.index([tmp_path / "lease.docx"], progress=False)
    answer = fresh.ask("How big is the deposit?")
    assert answer.citations and answer.citations[0].quote == "Deposit: £1,586.53 (five weeks' rent).", answer
    # a table with a header row of column names (a year among them) keeps it
    assert table_records([["Country", "Capital"], ["France", "Paris"]]) == [
        (2, "Country: France; Capital: Paris.")
    ]
    assert table_records([["Plan", "2024"], ["Basic", "£5"]]) == [(2, "Plan: Basic; 2024: £5.")]
    # a bill's summary: labels of several words, the first row a sum of money
    summary = [
        ["Opening balance (in credit)", "£38.40 CR"],
        ["Charges for this period (incl. VAT)", "£221.12"],
    ]
    assert table_records(summary) == [
        (1, "Opening balance (in credit): £38.40 CR."),
        (2, "Charges for this period (incl. VAT): £221.12."),
    ]


def test_a_tables_title_is_answered_with_the_tables_rows(fresh: Assistant, tmp_path: Path) -> None:
    """A checklist's "Engine fire in flight (M)" above its table of actions: the title alone says nothing."""
    import docx

    document = docx.Document()
    document.add_heading("G-BOWF emergency checklist", level=1)
    drills = {
        "Engine fire in flight (M)": [
            ("Fuel selector", "OFF"),
            ("Throttle", "CLOSED"),
            ("Mixture", "IDLE CUT-OFF"),
        ],
        "Engine failure after take-off (M)": [
            ("Airspeed", "65 KIAS"),
            ("Landing", "Ahead, within 30 degrees"),
        ],
    }
    for title, actions in drills.items():
        document.add_paragraph(title)
        table = document.add_table(rows=len(actions) + 1, cols=2)
        for row, (item, action) in zip(table.rows, [("Item", "Action"), *actions], strict=True):
            row.cells[0].text, row.cells[1].text = item, action
    document.save(str(tmp_path / "checklist.docx"))
    fresh.index([tmp_path / "checklist.docx"], progress=False)
    answer = fresh.ask("What do I do if the engine catches fire in flight?").answer
    assert (
        "Item: Fuel selector; Action: OFF." in answer and "Item: Mixture; Action: IDLE CUT-OFF." in answer
    ), answer
    assert "65 KIAS" not in answer, answer


def test_slide_bullets_answer_and_one_table_row_answers_alone(fresh: Assistant, tmp_path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Quarterly review"
    body = slide.placeholders[1].text_frame
    body.text = "Northern region grew strongly"
    for bullet in ("Southern region was flat", "Hire two account managers"):
        body.add_paragraph().text = bullet
    pay = deck.slides.add_slide(deck.slide_layouts[1])
    pay.shapes.title.text = "Pay and benefits"
    points = pay.placeholders[1].text_frame
    points.text = "Salaries are paid on the last working day of each month"
    for bullet in (
        "Send your bank details to payroll before the 15th, or your first pay may be late",
        "You will be enrolled in the pension scheme after three months",
    ):
        points.add_paragraph().text = bullet
    deck.save(tmp_path / "review.pptx")
    (tmp_path / "leave.csv").write_text(
        "Service,Annual leave\nUnder 3 years,22 days\n3-5 years,25 days\nOver 5 years,28 days\n",
        encoding="utf-8",
    )
    fresh.index([tmp_path], progress=False)
    flat = fresh.ask("Which region was flat?")
    assert not flat.refused and flat.citations[0].quote == "- Southern region was flat"
    assert flat.citations[0].to_dict()["location"] == "slide 1"
    # a slide's points, without full stops, are items of a list: each is quoted alone, none is a heading
    paid = fresh.ask("When are salaries paid?")
    assert not paid.refused, paid.answer
    assert paid.citations[0].quote == "- Salaries are paid on the last working day of each month", paid.answer
    assert paid.citations[0].to_dict()["location"] == "slide 2"
    leave = fresh.ask("How many days of annual leave do staff with 3-5 years of service get?")
    assert [c.quote for c in leave.citations] == ["Service: 3-5 years; Annual leave: 25 days."]
    titles = {Path(d.source).name: d.title for d in fresh.documents()}
    assert titles["leave.csv"] == "leave"  # a row names no document: the file does
    assert load_file(tmp_path / "review.pptx").text.startswith("Quarterly review")


def test_citation_versions_and_page_offsets_are_checked(office: Assistant, report: dict[str, object]) -> None:
    from index.errors import BadInput, NotFound

    cited = office.ask("Who is the harbour master?").citations[0]
    assert (
        office.cite(cited.doc_id, cited.start, cited.end, version=cited.content_hash[:12]).quote
        == cited.quote
    )
    with pytest.raises(BadInput, match="not a content_hash"):
        office.cite(cited.doc_id, cited.start, cited.end, version="deadbeef")
    with pytest.raises(NotFound, match="out of range"):
        office.page_image(cited.doc_id, 4, cited.end, cited.start)
    # The quote's box covers its part of the line, not the whole line.
    regions = office.store.manifest.regions(cited.doc_id)
    line = next(r for r in regions if r.start <= cited.start < r.end)
    assert line.box is not None and cited.location.box is not None
    assert cited.location.box[2] - cited.location.box[0] <= line.box[2] - line.box[0] + 0.01


def test_an_epub_is_known_by_its_title(office: Assistant, report: dict[str, object]) -> None:
    titles = {Path(d.source).name: d.title for d in office.documents()}
    assert titles["booklet.epub"] == "Visitor booklet"
    assert titles["fares.xlsx"] == "fares"


def test_a_double_spaced_paragraph_stays_one(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(
        0, 8, "Badges must be worn at all times inside the building, including the canteen and the car park."
    )
    pdf.ln(12)
    pdf.multi_cell(
        0, 8, "Visitors collect a day badge from the reception desk on the ground floor of the main building."
    )
    pdf.output(str(tmp_path / "badges.pdf"))
    text = load_file(tmp_path / "badges.pdf").text
    assert "worn at all times inside the building" in text
    assert "\n\nVisitors collect" in text  # the wider gap between paragraphs still parts them


def test_a_note_under_a_sheets_table_is_no_row_of_it(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [
        ["Kestrel Power: electricity price sheet"],
        [],
        ["Monthly usage", "Unit rate (p per kWh)"],
        ["Electricity"],  # a short lone cell heads the rows below: still a record
        ["0 to 200 kWh", 28.10],
        ["Over 200 kWh", 25.40],
        [],
        ["Kestrel Power supplies electricity only. There are no exit fees."],
    ]:
        sheet.append(row)
    book.save(tmp_path / "prices.xlsx")
    text = load_file(tmp_path / "prices.xlsx").text
    assert "Monthly usage: Over 200 kWh; Unit rate (p per kWh): 25.4." in text, text
    assert "Monthly usage: Electricity." in text, text
    assert text.rstrip().endswith("\nKestrel Power supplies electricity only. There are no exit fees."), text


def test_a_word_lists_items_read_as_items(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Do not give this medicine if your child:")
    for item in ("is allergic to ibuprofen", "has chickenpox"):
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph("Indented text, not an item.", style="List Paragraph")
    document.save(str(tmp_path / "leaflet.docx"))
    text = load_file(tmp_path / "leaflet.docx").text
    assert "if your child:\n\n- is allergic to ibuprofen\n- has chickenpox\n" in text, text
    assert "\nIndented text, not an item." in text, text


def test_a_word_numbered_list_keeps_the_numbers_word_shows(tmp_path: Path) -> None:
    # A decision notice's "Condition 6" is found by the number Word shows before it, not written in the text.
    import docx

    document = docx.Document()
    document.add_paragraph("Conditions:")
    for item in ("Begin within three years.", "Match the materials.", "Protect the oak tree."):
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("Informatives:")
    document.add_paragraph("Bats are a protected species.", style="List Bullet")
    document.save(str(tmp_path / "notice.docx"))
    text = load_file(tmp_path / "notice.docx").text
    assert "1. Begin within three years." in text, text
    assert "3. Protect the oak tree." in text, text
    assert "- Bats are a protected species." in text, text


def test_a_sheets_dates_and_times_read_as_people_write_them(tmp_path: Path) -> None:
    # "What exam do I have on Friday 6 June?" finds "Friday 6 June 2025", which "2025-06-06" did not match.
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Start", "Paper"])
    sheet.append([dt.datetime(2025, 6, 6), dt.time(9, 30), "Green Chemistry"])
    sheet.append([dt.date(2025, 6, 9), dt.datetime(2025, 6, 9, 14, 0), "Statistics"])
    book.save(tmp_path / "exams.xlsx")
    text = load_file(tmp_path / "exams.xlsx").text
    assert "Date: Friday 6 June 2025; Start: 09:30; Paper: Green Chemistry." in text, text
    assert "Date: Monday 9 June 2025; Start: Monday 9 June 2025 14:00; Paper: Statistics." in text, text


def test_a_workbooks_sheets_head_their_rows(tmp_path: Path, fresh: Assistant) -> None:
    # A conference programme with a sheet per day: the sheet's name is the only place that says which day a
    # row is on. "Sheet1"-like names say nothing and head nothing; the workbook keeps its file's name.
    import openpyxl

    book = openpyxl.Workbook()
    for n, (title, lunch) in enumerate((("Day 1 - Tue 14 Oct", "12:00"), ("Day 2 - Wed 15 Oct", "13:00"))):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(["Start", "Room", "Session"])
        sheet.append(["09:00", "Main Hall", "Opening keynote" if n == 0 else "Closing keynote"])
        sheet.append([lunch, "Dining Room", "Lunch"])
    notes = book.create_sheet("Sheet3")
    notes.append(["Topic", "Note"])
    notes.append(["Wi-Fi", "The network is DataCraft-Guest; the password is printed on your badge."])
    book.save(tmp_path / "programme.xlsx")
    text = load_file(tmp_path / "programme.xlsx").text
    assert text.startswith("## Day 1 - Tue 14 Oct\nStart: 09:00; Room: Main Hall;"), text
    assert "\n## Day 2 - Wed 15 Oct\nStart: 09:00" in text and "Sheet3" not in text, text
    fresh.index([tmp_path / "programme.xlsx"], progress=False)
    assert [d.title for d in fresh.documents()] == ["programme"]
    lunch = fresh.ask("What time is lunch on day 2?")
    assert lunch.answer.startswith("Start: 13:00; Room: Dining Room; Session: Lunch."), lunch.answer
    assert lunch.citations[0].location.label.startswith("Day 2 - Wed 15 Oct"), lunch.citations[0].location


def test_a_sentence_a_page_break_cuts_goes_on_over_the_page(tmp_path: Path) -> None:
    # "The ex-dividend date is 4" at the foot of one page and "September 2025." at the top of the next are one
    # sentence; a heading at the top of a page after a closed sentence stays a heading of its own.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)

    def line(text: str) -> None:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    line("The Board has declared an interim dividend of 3.2p per share.")
    line("Shareholders on the register on 5 September qualify. The ex-dividend date is 4")
    pdf.add_page()
    line("September 2025. Payment follows on 3 October.")
    pdf.add_page()
    line("Outlook")
    line("We expect revenue of about 600 million for the year.")
    pdf.output(str(tmp_path / "release.pdf"))
    extracted = load_file(tmp_path / "release.pdf")
    text = extracted.text
    assert "The ex-dividend date is 4 September 2025. Payment follows on 3 October.\n\nOutlook\n\n" in text, (
        text
    )
    spans = [text[s.start : s.end] for s in split_sentences(text)]
    assert "The ex-dividend date is 4 September 2025." in spans, spans
    # each page's words keep their page
    at = text.index("September 2025.")
    assert [r.page for r in extracted.regions if r.start <= at < r.end] == [2]
