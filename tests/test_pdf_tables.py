"""Tables drawn without ruling lines in a PDF are read row by row under their headers, and the row for the
asked age answers (issue 20: answers that hold on real files)."""

from __future__ import annotations

from pathlib import Path

import office_files as files
import pytest

from index.load import load_file
from qa import Assistant
from qa.answering.kinds import age_ranges, asked_age, asked_labels, holds_label, other_label


@pytest.fixture
def guideline(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    return files.write_dose_tables(tmp_path / "docs" / "fever.pdf")


def test_each_row_of_a_borderless_table_reads_under_its_headers(guideline: Path) -> None:
    text = load_file(guideline).text
    assert "Age: 4 to 5 years; Dose: 240 mg; Frequency: every 4 to 6 hours; Max doses: 4 in 24 h.\n" in text
    assert "Age: 4 to 6 years; Dose: 150 mg; Frequency: every 8 hours; Max doses: 3 in 24 h.\n" in text
    # the header is in every row, not a row of its own; the caption stands on its own line above its table
    assert "\nAge\n" not in text and "Frequency\n" not in text
    assert (
        "\n\nIbuprofen oral suspension 100 mg/5 ml, doses by age:\n\nAge: 3 to 5 months; Dose: 50 mg;" in text
    )
    # a list whose bullets stand apart from its items is no table, and each bullet opens its item
    assert "•: " not in text and "\n\n• has chickenpox\n\n" in text


@pytest.mark.parametrize(
    ("question", "row"),
    [
        ("How much paracetamol can I give my 4 year old?", "Age: 4 to 5 years; Dose: 240 mg"),
        ("How often can I give ibuprofen to a 5 year old?", "Age: 4 to 6 years; Dose: 150 mg"),
        ("What is the ibuprofen dose for a baby of 4 months?", "Age: 3 to 5 months; Dose: 50 mg"),
        # 18 months is a year and a half: where the best names no age (the table's title), the row leads
        ("What's the ibuprofen dose for an 18-month-old?", "Age: 1 to 3 years; Dose: 100 mg"),
    ],
)
def test_the_row_for_the_asked_age_answers(
    fresh: Assistant, guideline: Path, question: str, row: str
) -> None:
    fresh.index([guideline.parent], progress=False)
    answer = fresh.ask(question)
    first = answer.citations[0]
    assert not answer.refused and row in first.quote.split("\n")[-1], answer.answer
    data = first.to_dict()
    assert data["page"] == 1 and data["location"] == "p. 1"
    x0, y0, x1, y1 = data["box"]  # the row's box (with its caption's, when the quote begins there)
    assert x0 < 50 and x1 > 400 and 0 < y1 - y0 < (60 if "\n" in first.quote else 20)


def test_fields_year_columns_and_contents_read_as_what_they_are(tmp_path: Path) -> None:
    text = load_file(files.write_layouts(tmp_path / "layouts.pdf")).text
    assert "Site address: 12 Orchard Close, Ashby Vale.\nDecision date: 14 October 2025.\n" in text
    # years head their columns; right-aligned figures find theirs
    assert "\nRegion: Southern Europe; 2023: 96.4; 2024: 92.1; Change: -4.5%.\n" in text
    assert "Contents\n\n1. Introduction: 3.\n2. Scope: 4.\n" in text  # no header: "3" heads nothing


def test_a_ruled_table_keeps_each_cell_whole(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    pdf = files.write_ruled_table(tmp_path / "docs" / "rooms.pdf")
    text = load_file(pdf).text
    # wrapped headers and cells read whole, in their own row, whatever line of the row they were drawn on
    assert (
        "Room: Main hall; Capacity: 120 seated, 200 standing; Weekday rate: £35 per hour; Weekend rate: £50 per "
        "hour; Notes: Includes use of the kitchen and the stage lighting; a deposit of £100 is required.\n"
    ) in text
    assert "Room: Garden room; Capacity: 40;" in text
    assert "Notice: the hall is closed for repairs from 1 to 14 August." in text  # a framed paragraph is text
    fresh.index([tmp_path / "docs"], progress=False)
    answer = fresh.ask("How much does the main hall cost at the weekend?")
    first = answer.citations[0]
    assert not answer.refused and "Weekend rate: £50 per hour" in first.quote, answer.answer
    assert first.to_dict()["page"] == 1


def test_forms_and_totals_read_as_fields(tmp_path: Path) -> None:
    text = load_file(files.write_invoice(tmp_path / "invoice.pdf")).text
    assert (
        "Booking ref: HHL-77419; Property: Gull Cottage.\nArrival: Sat 16 Aug 2025; Departure: Sat 23" in text
    )
    # a narrow block at the margin is a table, not two columns of prose read one after the other
    assert text.endswith("Subtotal: £801.50.\nVAT at 20%: £160.30.\nTotal due: £961.80.")


def test_a_table_in_one_column_and_a_header_over_columns(tmp_path: Path) -> None:
    text = load_file(files.write_council_leaflet(tmp_path / "leaflet.pdf")).text
    # the left column reads whole before the right one, whose title heads its table
    assert (
        "Every home is placed in one of eight valuation bands, A to H, by the Valuation Office Agency. The band "
        "depends on what your home would have sold for on 1 April 1991.\n\nAnnual charges for 2025/26, including "
        "the police and fire precepts:\n\nBand: A; Annual charge: £1,532.18.\n"
    ) in text
    # a spanning header names each column it spans
    assert "Feature: Price per month; Plans Basic: £2.99; Plans Plus: £7.99; Plans Pro: £15.99." in text


def test_an_empty_header_cell_keeps_the_first_row(tmp_path: Path) -> None:
    pdf = files._pdf()
    pdf.add_page()  # type: ignore[attr-defined]
    for n, row in enumerate(
        (
            ("Home", "", "Away", "Venue"),
            ("Harbour Rovers", "v", "Eastfield Town", "Quay Road"),
            ("Kesford United", "v", "Railway Arms", "Kesford Rec"),
            ("Millbrook Athletic", "v", "Ashby Vale", "Millbrook Park"),
        )
    ):
        for x, cell in zip((15, 75, 90, 150), row, strict=True):
            pdf.text(x, 30 + 6 * n, cell)  # type: ignore[attr-defined]
    pdf.output(str(tmp_path / "fixtures.pdf"))  # type: ignore[attr-defined]
    text = load_file(tmp_path / "fixtures.pdf").text
    # the first fixture is a row of its own, not a second line of the header
    assert text.startswith("Home: Harbour Rovers; v; Away: Eastfield Town; Venue: Quay Road.\n"), text


def test_a_row_that_says_the_opposite_gives_way_to_the_asked_one(fresh: Assistant, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    files.write_layouts(tmp_path / "docs" / "report.pdf")
    fresh.index([tmp_path / "docs"], progress=False)
    answer = fresh.ask("How much did revenue change in Southern Europe?")
    assert not answer.refused and answer.citations[0].quote.startswith("Region: Southern Europe;"), (
        answer.answer
    )


def test_ages_asked_and_the_ranges_sentences_give() -> None:
    assert asked_age("How much paracetamol can I give my 4 year old?") == 48
    assert asked_age("What's the ibuprofen dose for an 18-month-old?") == 18
    assert asked_age("Is there a discount for people aged 70?") == 840
    assert asked_age("How long does delivery take, 4 weeks?") is None  # a span of time, not an age
    assert age_ranges("Age: 4 to 5 years; Dose: 240 mg; Frequency: every 4 to 6 hours.") == [(48, 72)]
    assert age_ranges("Not for infants under 3 months or children weighing less than 5 kg.") == [(0, 3)]
    assert age_ranges("A railcard for people aged 16-25.") == [(192, 312)]
    assert age_ranges("People aged 60 or over travel free.") == [(720, float("inf"))]
    assert age_ranges("Delivery takes 6 to 8 weeks.") == []  # no age in a sentence about no one
    labels = asked_labels("What is the dose for a 5 year old?")
    assert labels == [("age", "60")]
    assert holds_label("Age: 4 to 6 years; Dose: 150 mg.", labels)
    assert other_label("Age: 1 to 3 years; Dose: 100 mg.", labels)
    assert not other_label("Either may be used.", labels)


def test_a_two_column_table_of_long_names_and_sums_reads_each_row_under_its_name() -> None:
    # a bill's account summary: "Direct Debit payment received 28 Feb 2025" is a name of six words, and its
    # first row a sum of money, so no row is the header of the others
    from index.readers.tables import make_table

    rows = [
        ("Opening balance (in credit)", "£38.40 CR"),
        ("Direct Debit payment received 28 Feb 2025", "£142.00 CR"),
        ("Charges for this period (incl. VAT)", "£221.12"),
    ]
    table = make_table(rows, [(0.0, float(n), 10.0, n + 1.0) for n in range(len(rows))])
    assert table is not None
    assert [text for text, _ in table.records()] == [
        "Opening balance (in credit): £38.40 CR.",
        "Direct Debit payment received 28 Feb 2025: £142.00 CR.",
        "Charges for this period (incl. VAT): £221.12.",
    ]
