"""Questions that give the asker's own figure are answered by the band that takes it in, and a table's rows by
the row the question names (issue 20: answers that hold on any collection). Real pipeline, small collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import Embedder
from index.readers.text import pipe_record
from qa import Assistant
from qa.answering.candidates import _Sections, _Words, named_subjects, off_subject
from qa.answering.ranges import age_ranges, amount_ranges, amounts, asked_age, band_width, takes_in

DOCS = {
    "allowances.txt": (
        "Working from home\n\n"
        "If you work from home, you can claim a flat monthly amount based on the hours you work there:\n\n"
        "Hours of business use per month | Flat rate per month\n"
        "25 to 50 hours | £10\n"
        "51 to 100 hours | £18\n"
        "101 hours or more | £26\n\n"
        "Registering\n\n"
        "If your income from self-employment is £1,000 or less in a tax year, it is covered by the trading "
        "allowance and you do not need to tell HMRC about it.\n"
    ),
    "accounts.txt": (
        "Opening an account\n\nYou must be 18 or over to open a current account. Young savers accounts are for "
        "children aged 7 to 17.\n"
    ),
    "service-history.csv": (
        "Date,Mileage,Garage,Work carried out\n02/07/2021,11240,Lakeside Ford,1st service\n"
        "09/06/2023,37880,Kendal MOT Centre,MOT test - pass\n10/06/2024,55304,Kendal MOT Centre,MOT test - pass\n"
        "12/06/2025,68412,Kendal MOT Centre,MOT test - pass with advisories\n"
    ),
    "allergens.csv": (
        "Dish,Gluten,Crustaceans,Eggs,Fish,Peanuts,Soya,Milk,Tree nuts,Celery,Mustard,Sesame,Notes\n"
        "Satay skewers,N,N,N,N,Y,Y,N,N,N,N,Y,Marinade contains peanut butter\n"
        "Salt and pepper squid,Y,N,Y,N,N,N,N,N,N,N,N,Fried in a shared fryer\n"
        "Baked cheesecake,Y,N,Y,N,N,N,Y,N,N,N,N,Biscuit base\n"
    ),
    "kitchen.txt": (
        "Allergens\n\nOur kitchen handles all 14 major allergens, so any dish may have traces of nuts, peanuts or "
        "gluten in it.\n"
    ),
    "ibuprofen-doses.csv": "Age,Ibuprofen dose\n1 to 3 years,100 mg\n4 to 6 years,150 mg\n7 to 9 years,200 mg\n",
    "excess.csv": "Driver age,Compulsory excess\n17 to 20,£500\n21 to 24,£350\n25 and over,£200\n",
    "tariff.csv": "Monthly usage,Unit rate (p per kWh)\n0 to 200 kWh,28.10\n201 to 400 kWh,25.40\nOver 400 kWh,23.90\n",
    "zones.csv": (
        "Aerodrome,Type,Restriction zone radius from boundary\nArdenia International,International airport,5 km\n"
        "Fenwick Air Base,Military air base,8 km\nHolm Point Heliport,Hospital heliport,1 km\n"
        "Tarrow Gliding Club,Gliding site,2 km\n"
    ),
    "dishwashers.csv": (
        "Model,Width,Noise,Price\nDW60 Pro,60 cm,39 dB,€999\nDW45,45 cm,44 dB,€549\nDW60,60 cm,42 dB,€749\n"
    ),
    "divisions.csv": (
        "Division,Revenue 2024 (£m),Revenue 2023 (£m),Operating profit 2024 (£m)\nBakery,512.4,480.0,41.0\n"
        "Dairy,398.1,501.2,30.2\nFrozen,374.1,350.3,25.0\nGroup,1284.6,1331.5,96.2\n"
    ),
    "recall.csv": (
        "Model,Batch codes,Affected?\nPB-20Q,2311A to 2402C,Yes\nPB-20Q,2403A and later,No\nPB-10Q,All,No\n"
    ),
    # The offer spells out "ERC"; the key facts sheet only uses it, beside an amortisation table of the same years.
    "mortgage-offer.md": (
        "# Your mortgage offer\n\n## Fees\n\n| Fee | Amount | When payable |\n|---|---|---|\n"
        "| Product fee | £999 | On completion |\n| Early repayment charge | See below | If you repay during the "
        "fixed period |\n\n## Early repayment charges (ERCs)\n\nIf you repay the loan before 31 July 2029 you "
        "will pay an early repayment charge.\n\n| Period | ERC |\n|---|---|\n| Completion to 31/07/2025 | 5% |\n"
        "| 01/08/2025 to 31/07/2026 | 4% |\n| 01/08/2026 to 31/07/2027 | 3% |\n"
    ),
    "key-facts.csv": (
        "Product year,ERC rate,Estimated ERC if fully repaid\n1,5%,£12250.00\n2,4%,£9638.80\n3,3%,£7102.79\n"
    ),
    "payments.csv": (
        "Year,Payments in year,Interest paid\n1,£14705.04,£10675.05\n2,£14705.04,£10494.54\n3,£14705.04,£10305.93\n"
    ),
    # bands counted down to departure, written as lines of their own
    "holiday-terms.txt": (
        "Cancelling a holiday\n\nIf you cancel your holiday, we keep a share of the total price:\n\n"
        "62 to 29 days: 50% of total price\n28 to 15 days: 75% of total price\n14 days or less: 100% of total "
        "price\n"
    ),
    # floors that all take in a long service, the highest the one that applies
    "leave-policy.md": (
        "# Annual leave\n\nFull-time employees receive 25 days' paid annual leave.\n\nAdditional leave for long "
        "service:\n\n- after 2 complete years of service: 26 days\n- after 4 complete years: 27 days\n"
        "- after 6 complete years: 28 days (the maximum)\n"
    ),
    "memberships.csv": (
        "Membership,Access,Monthly\nAdult Anytime,All hours,£39.00\nSenior 65+ Off-Peak,Off-peak only,£21.00\n"
        "Student Off-Peak,Off-peak only,£22.00\nStudent Anytime,All hours,£31.00\n"
    ),
    "river-sites.csv": "Site,Orthophosphate (mg/l P)\nW02,0.081\nW04,0.412\nW05,0.142\n",
    "river-survey.md": (
        "# River survey\n\nOrthophosphate failed the standard for good status at 3 of the 5 sites: W02, W04 "
        "and W05. By far the highest concentration was measured at W04, below the sewage works.\n"
    ),
    "tickets.csv": (
        "Ticket,Price\nFamily (2 adults and up to 3 children),£34.00\nAdult,£14.00\nConcession (students, over 65s),"
        "£10.00\nChild (5 to 16),£6.00\n"
    ),
}


def _collection(root: Path, docs: dict[str, str], embedder: Embedder) -> Iterator[Assistant]:
    """An assistant over `docs` (file name -> text), indexed under `root`, closed after the module."""
    (root / "docs").mkdir()
    for name, text in docs.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    a = Assistant.open(store=root / "store", embedder=embedder)
    a.index([root / "docs"], progress=False)
    yield a
    a.close()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Assistant]:
    yield from _collection(tmp_path_factory.mktemp("bands"), DOCS, embedder)


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        (
            "How much can I claim for working from home if I work there 120 hours a month?",
            "101 hours or more",
        ),
        ("How much can I claim for working from home if I work there 30 hours a month?", "25 to 50 hours"),
        ("I only earn about £800 a year from selling crafts, do I need to tell HMRC?", "£1,000 or less"),
        ("How much is an adult ticket?", "Ticket: Adult; Price: £14.00."),
        ("What is the ibuprofen dose for a 5 year old?", "Age: 4 to 6 years; Ibuprofen dose: 150 mg."),
        # the asker's age need not be written in the documents ("2" is in none of them)
        ("What is the ibuprofen dose for my 2-year-old?", "Age: 1 to 3 years; Ibuprofen dose: 100 mg."),
        # the asker's age said of themselves, an amount in kWh
        ("I'm 19, what's my compulsory excess?", "Driver age: 17 to 20; Compulsory excess: £500."),
        ("If I use 350 kWh a month, what's my unit rate?", "Monthly usage: 201 to 400 kWh;"),
        # a yes/no question is answered by the rule that leaves the age out
        ("Can a 17 year old open a current account?", "You must be 18 or over"),
        # a thing named by a code: its row, not prose naming it among its siblings, nor a sibling's figure
        ("What was the orthophosphate at W05?", "Site: W05; Orthophosphate (mg/l P): 0.142."),
        # a row that says "ERC", which another document spells out, before the fee row that names the charge
        ("What is the early repayment charge in year 3?", "Product year: 3; ERC rate: 3%;"),
        ("How much do we lose if we cancel our holiday 20 days before?", "28 to 15 days: 75% of total price"),
        ("I've been here 5 years, how much annual leave do I get now?", "after 4 complete years: 27 days"),
        # a date the asker gives of their own plans, which a period takes in
        ("If we repay the mortgage in September 2025, what is the ERC?", "| 01/08/2025 to 31/07/2026 | 4% |"),
    ],
)
def test_the_band_or_row_the_question_names_leads(assistant: Assistant, question: str, lead: str) -> None:
    answer = assistant.ask(question)
    assert not answer.refused and lead in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("Which aerodrome has the biggest restriction zone?", "Aerodrome: Fenwick Air Base;"),
        ("Which aerodrome has the smallest restriction zone?", "Aerodrome: Holm Point Heliport;"),
        # the totals row ("Group", the sum of the divisions) is not one of the rows compared
        ("Which division had the highest revenue?", "Division: Bakery;"),
        # of a measure given for several years, the latest, unless the question names one
        ("Which division had the highest revenue in 2023?", "Division: Dairy;"),
        # a question about the latest is answered by the latest-dated row, unless it names a year
        ("What was the mileage at the last MOT?", "Date: 12/06/2025; Mileage: 68412;"),
        ("What is the mileage now?", "Date: 12/06/2025; Mileage: 68412;"),
        ("What was the mileage at the 2024 MOT?", "Date: 10/06/2024; Mileage: 55304;"),
    ],
)
def test_a_superlative_or_the_latest_is_answered_by_the_row_with_the_most_least_or_latest(
    assistant: Assistant, question: str, lead: str
) -> None:
    answer = assistant.ask(question)
    assert answer.answer.startswith(lead), answer.answer


def test_a_comparison_quotes_the_row_of_each_model_one_table_names(assistant: Assistant) -> None:
    answer = assistant.ask("Which is quieter, the DW45 or the DW60?")
    assert "Model: DW45; Width: 45 cm; Noise: 44 dB" in answer.answer, answer.answer
    assert "Model: DW60; Width: 60 cm; Noise: 42 dB" in answer.answer, answer.answer
    assert "39 dB" not in answer.answer  # the DW60 Pro is another model


def test_which_rows_a_yes_or_no_column_marks_are_those_marked_yes_or_for_a_negated_question_no(
    assistant: Assistant,
) -> None:
    affected = assistant.ask("Which batch codes are affected?").answer
    assert "Batch codes: 2311A to 2402C; Affected?: Yes." in affected and "Affected?: No" not in affected, (
        affected
    )
    spared = assistant.ask("Which batch codes are not affected?").answer
    assert "2403A and later" in spared and "Affected?: Yes" not in spared, spared
    # a yes/no question about one row is answered by that row
    assert "Batch codes: All; Affected?: No." in assistant.ask("Is the PB-10Q affected?").answer
    # a column of Y and N, beside prose that names the column's word first
    peanuts = assistant.ask("Which dish has peanuts in it?").answer
    assert peanuts.startswith("Dish: Satay skewers;"), peanuts
    assert "Squid" not in peanuts and "cheesecake" not in peanuts, peanuts


def test_an_age_no_row_takes_in_is_refused(assistant: Assistant) -> None:
    assert assistant.ask("What is the ibuprofen dose for a 12 year old?").refused


def test_amounts_asked_and_the_bands_sentences_state() -> None:
    assert [(a.unit, a.value) for a in amounts("if I work there 120 hours a month")] == [("hour", 120)]
    assert [(a.unit, a.value) for a in amounts("I earn about £1,250.50 a year")] == [("gbp", 1250.5)]
    assert amount_ranges("25 to 50 hours | £10") == [("hour", 25, 50)]
    assert amount_ranges("If your income is £1,000 or less in a tax year") == [("gbp", 0, 1000)]
    assert amount_ranges("101 hours or more | £26") == [("hour", 101, float("inf"))]
    assert amount_ranges("Orders over £50 ship free; parcels up to 2 kg cost £3.50.") == [
        ("kg", 0, 2),
        ("gbp", 50, float("inf")),
    ]
    assert amount_ranges("The museum opened in 1998 and has 12 rooms.") == []
    # one band, not a floor and a ceiling that a heavier parcel would also fall under
    assert amount_ranges("Weight: Over 2 kg up to 5 kg; Standard: £6.70") == [("kg", 2, 5)]
    # units of one quantity compare in one: grams in kilograms, minutes in hours
    assert takes_in("Weight: Up to 1 kg; Standard: £3.95", amounts("a 700 g parcel")[0])
    assert not takes_in("Weight: Up to 1 kg; Standard: £3.95", amounts("a 1.2 kg parcel")[0])
    assert amount_ranges("90 to 120 minutes") == [("hour", 1.5, 2.0)]
    # a service level's band up to, not including, its next ("95.0% to less than 99.0%")
    band = "Monthly availability: 95.0% to less than 99.0%; Service credit: 25% of the monthly Fees."
    assert ("percent", 95.0, 99.0) in amount_ranges(band)
    assert takes_in(band, amounts("if availability drops to 98% in a month")[0])
    # ... and the same written with signs, as tables often are; a range counted down ("62 to 29 days")
    assert amount_ranges("| 95.0% to < 99.0% | 25% |") == [("percent", 95.0, 99.0)]
    assert amount_ranges("| < 95.0% | 50% |") == [("percent", 0, 95.0)]
    assert amount_ranges("| > 40 kg | £12 |") == [("kg", 40, float("inf"))]
    assert amount_ranges("62 to 29 days: 50% of total price") == [("day", 29, 62)]
    # floors that all take an amount in: the highest is the narrowest band
    service = amounts("I have worked here for 5 years")[0]
    assert amount_ranges("after 4 complete years: 27 days") == [("year", 4, float("inf"))]
    assert band_width("after 4 complete years: 27 days", service) < band_width(
        "after 2 years: 26 days", service
    )


def test_ages_the_asker_gives_and_the_groups_tables_name() -> None:
    assert asked_age("I'm 19, what's my compulsory excess?") == 19 * 12
    assert asked_age("My son is 15 and wants to join") == 15 * 12
    assert asked_age("I'm 10 minutes late, can I still go in?") is None
    assert asked_age("I'm 5 kg over the limit") is None
    assert age_ranges("Membership: Teen (14 to 17); Peak: £18.00.") == [(14 * 12, 18 * 12)]
    assert age_ranges("Membership: Senior (65 and over); Peak: £30.00.") == [(65 * 12, float("inf"))]
    assert age_ranges("Ticket: Young person (16 to 21); Single: £1.50.") == [(16 * 12, 22 * 12)]


LEAFLETS = {
    "paracetamol.md": (
        "# Children's Paracetamol 120 mg/5 ml Oral Suspension\n\n"
        "## What this medicine is for\n\n"
        "Children's Paracetamol relieves pain and reduces fever in babies and children aged 3 months to 6 years.\n\n"
        "## How much to give\n\n"
        "Dosage by age:\n\n"
        "| Child's age | How much | How often (in 24 hours) |\n|---|---|---|\n"
        "| 6 to 24 months | 5 ml | 4 times |\n| 2 to 4 years | 7.5 ml | 4 times |\n| 4 to 6 years | 10 ml | 4 times |\n"
    ),
    "ibuprofen.md": (
        "# Ibuprofen 100 mg/5 ml Oral Suspension\n\n"
        "For children aged 3 months to 12 years.\n\n"
        "| Body weight | Approx. age | Single dose | Max in 24 h |\n|---|---|---|---|\n"
        "| 7.7 to 9 kg | 6 to 12 months | 2.5 ml | 10 ml |\n| 10 to 15 kg | 1 to 3 years | 5 ml | 15 ml |\n"
        "| 16 to 20 kg | 4 to 6 years | 7.5 ml | 22.5 ml |\n"
    ),
}


GYMS = {
    "pulsefit-memberships.md": (
        "# PulseFit Riverside: memberships\n\nPrices are per month.\n\n"
        "| Membership | Peak | Off-peak | Joining fee |\n|---|---|---|---|\n"
        "| Adult | £42.00 | £30.00 | £25 |\n| Student | £32.00 | £22.00 | £0 |\n"
    ),
    "ironworks-memberships.md": (
        "# Ironworks Gym: memberships\n\nIronworks is a strength and conditioning gym with a sauna.\n\n"
        "| Membership | Peak | Off-peak | Joining fee |\n|---|---|---|---|\n"
        "| Adult | £38.00 | £28.00 | £20 |\n| Student | £30.00 | £20.00 | £10 |\n"
    ),
}


POLICIES = {
    "leave-policy-head-office.md": (
        "# Leave policy: head office\n\nThis policy applies to all staff based at the head office.\n\n"
        "Compassionate leave of up to 5 days on full pay is given on the death of a close relative.\n"
    ),
    "leave-policy-warehouse.md": (
        "# Leave policy: warehouse and drivers\n\nThis policy applies to all warehouse staff and drivers.\n\n"
        "Compassionate leave of up to 3 days on full pay is given on the death of a close relative.\n"
    ),
}


KETTLES = {
    f"brewmaster-{model.lower()}.md": (
        f"# Brewmaster {model} kettle: specification\n\n{intro}\n\n| Feature | Specification |\n|---|---|\n"
        f"| Capacity | {litres} |\n| Power | {watts} |\n| Price | {price} |\n"
    )
    for model, intro, litres, watts, price in (
        ("K100", "The K100 is our compact kettle for one or two cups.", "1.2 L", "2,200 W", "£29"),
        (
            "K200",
            "The K200 is the K100's bigger brother, with a keep-warm setting.",
            "1.5 L",
            "3,000 W",
            "£45",
        ),
        ("K300", "The K300 lets you choose the water temperature.", "1.7 L", "3,000 W", "£69"),
    )
}


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Assistant]:
    """Look-alike documents: two medicines' leaflets, two gyms' price lists, two leave policies, three kettles'
    spec sheets, in one collection."""
    docs = {**LEAFLETS, **GYMS, **POLICIES, **KETTLES}
    yield from _collection(tmp_path_factory.mktemp("look-alikes"), docs, embedder)


@pytest.mark.parametrize(
    ("question", "source", "says"),
    [
        # the paracetamol table matches "24 hours" and "years" better, but the question is about ibuprofen
        ("What is the most ibuprofen a 2 year old can have in 24 hours?", "ibuprofen.md", "15 ml"),
        ("How much paracetamol can a 3 year old have?", "paracetamol.md", "7.5 ml"),
        # the table says "Price", the question "cost"; the sheet's intro names the model but gives no figure
        ("How much do the K200s cost?", "brewmaster-k200.md", "Feature: Price; Specification: £45."),
        # the K200's sheet mentions the K100 ("the K100's bigger brother") but is named for its sibling
        ("How powerful is the K100?", "brewmaster-k100.md", "Feature: Power; Specification: 2,200 W."),
    ],
)
def test_a_document_about_another_thing_does_not_answer(
    leaflets: Assistant, question: str, source: str, says: str
) -> None:
    answer = leaflets.ask(question)
    assert not answer.refused and says in answer.answer.split(" [1]")[0], answer.answer
    assert {Path(c.source).name for c in answer.citations} == {source}, answer.answer


def off_subject_of(question: str, docs: dict[str, _Words]) -> set[str]:
    return off_subject(named_subjects(question, docs), docs)


def test_a_document_about_another_thing_is_set_aside_only_where_another_names_it() -> None:
    docs = {
        "para": _Words.of("leaflets/paracetamol.md", "Paracetamol doses: 5 ml.", _Sections.of("x")),
        "ibu": _Words.of("leaflets/ibuprofen.md", "Ibuprofen doses: 5 ml.", _Sections.of("x")),
    }
    assert off_subject_of("How much ibuprofen can a child have?", docs) == {"para"}
    # both named: either leaflet answers
    assert off_subject_of("Is paracetamol or ibuprofen better for a fever?", docs) == set()
    # a rare word no document is about sets none aside, nor does an acronym (it may be spelt out)
    assert off_subject_of("Can a clinician give 5 ml?", docs) == set()
    assert off_subject_of("Is the NSAID dose 5 ml?", docs) == set()
    # a name is mentioned as a name: "the summit of a trail" does not mention the Summit
    docs["summit"] = _Words.of(
        "summit-emtb.md", "# Summit e-MTB\n\nThe Summit charges in 5 hours.", _Sections.of("x")
    )
    docs["meadow"] = _Words.of("meadow.md", "Ride to the summit of a mountain trail.", _Sections.of("x"))
    assert {"meadow", "para", "ibu"} <= off_subject_of("How long does the Summit take to charge?", docs)
    # a hyphenated spelling mentions the word written whole
    docs["para"] = _Words.of("paracetamol.md", "Not with pre-existing ibuprofen use.", _Sections.of("x"))
    assert "para" not in off_subject_of("How much ibuprofen can a child have?", docs)


def test_a_document_named_for_a_sibling_model_is_set_aside() -> None:
    from qa.answering.candidates import model_names

    docs = {
        "a300": _Words.of(
            "aria-300-spec-sheet.pdf",
            "Aria 300 portable speaker\n\nUnlike the Aria 500, ...",
            _Sections.of("x"),
        ),
        "a500": _Words.of(
            "aria-500-spec-sheet.docx", "Aria 500 Specification Sheet\n\n...", _Sections.of("x")
        ),
        "range": _Words.of(
            "solace-range-2025.xlsx",
            "Solace Audio portable speakers\n\nModel: Aria 300; ...",
            _Sections.of("x"),
        ),
        "t20": _Words.of("volta-t-20-quick-guide.html", "Volta T-20: quick guide", _Sections.of("x")),
        "t40": _Words.of("manual.pdf", "Volta T-40 electric scooter: owner's manual", _Sections.of("x")),
    }
    assert off_subject([], docs, model_names("What is the frequency response of the Aria 500?")) == {"a300"}
    assert off_subject([], docs, model_names("How steep a slope can the T-40 climb?")) == {"t20"}
    # a comparison keeps the sheet of each model it names; a model no document is named for sets none aside
    assert off_subject([], docs, model_names("Is the Aria 300 louder than the Aria 500?")) == set()
    assert off_subject([], docs, model_names("How heavy is the Aria 700?")) == set()


def test_a_pipe_tables_row_reads_under_its_headers() -> None:
    text = "Doses:\n\n| Age | Dose |\n|---|---|\n| 1 to 3 years | 5 ml |\n| 4 to 6 years | 7.5 ml |\n"
    assert pipe_record(text, text.index("| 4 to 6")) == "Age: 4 to 6 years; Dose: 7.5 ml."
    assert pipe_record(text, text.index("| Age")) is None  # the header is no row
    assert pipe_record(text, text.index("Doses")) is None
    assert pipe_record("| a | b |\n| 1 | 2 |\n", 10) is None  # no rule under a header: no table


def test_the_row_for_the_askers_age_leads_prose_that_takes_it_in_too(leaflets: Assistant) -> None:
    answer = leaflets.ask("How much ibuprofen can I give my 5 year old?")
    assert answer.answer.startswith("Body weight: 16 to 20 kg; Approx. age: 4 to 6 years;"), answer.answer
    # ... in another section than the prose ("aged 3 months to 6 years" under "What this medicine is for")
    answer = leaflets.ask("How much paracetamol can I give my 3 year old?")
    assert answer.answer.startswith("Child's age: 2 to 4 years; How much: 7.5 ml;"), answer.answer


def test_a_question_naming_two_documents_is_answered_from_each(leaflets: Assistant) -> None:
    answer = leaflets.ask("Which has the cheaper adult peak membership, PulseFit or Ironworks?")
    assert "PulseFit: Membership: Adult; Peak: £42.00;" in answer.answer, answer.answer
    assert "Ironworks: Membership: Adult; Peak: £38.00;" in answer.answer, answer.answer
    # one of them named: its own document answers, and the other's figures stay out
    answer = leaflets.ask("How much is an adult peak membership at Ironworks?")
    assert "£38.00" in answer.answer and "£42.00" not in answer.answer, answer.answer


def test_a_plain_word_that_tells_the_documents_names_apart_picks_the_document(leaflets: Assistant) -> None:
    answer = leaflets.ask("How much compassionate leave do head office staff get?")
    assert "up to 5 days" in answer.answer and "up to 3 days" not in answer.answer, answer.answer
    answer = leaflets.ask("How much compassionate leave do warehouse staff get?")
    assert "up to 3 days" in answer.answer and "up to 5 days" not in answer.answer, answer.answer


def test_names_are_runs_of_capitalised_words_with_only_space_between() -> None:
    from qa.answering.candidates import _name_around

    question = "Which is cheaper: Harbourside, Juniper Lodge or the Harbour Mutual offer?"
    assert _name_around(question, "Juniper") == "Juniper Lodge"
    assert _name_around(question, "Harbourside") == "Harbourside"
    assert _name_around(question, "Mutual") == "Harbour Mutual"
    assert _name_around("What's Brightwave's standing charge?", "Brightwave") == "Brightwave"


def test_a_pipe_tables_row_without_a_figure_is_no_heading() -> None:
    from qa.answering.candidates import is_heading

    text = "# Juniper Lodge\n\n| Extra | Price |\n|---|---|\n| Parking | Free |\n| Late check-out | £25 |\n"
    start = text.index("| Parking")
    assert not is_heading("| Parking | Free |", text, start, start + len("| Parking | Free |"))
    header = text.index("| Extra")
    assert is_heading("| Extra | Price |", text, header, header + len("| Extra | Price |"))


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("Which is cheaper, the K100 or the K200?", ["£29", "£45"]),
        ("Which holds more, K100, K200 or K300?", ["1.2 L", "1.5 L", "1.7 L"]),
    ],
)
def test_a_comparison_quotes_each_models_figure(
    leaflets: Assistant, question: str, figures: list[str]
) -> None:
    answer = leaflets.ask(question)
    assert all(f in answer.answer for f in figures), answer.answer


def test_comparisons_and_quantity_words_ask_for_a_measure() -> None:
    from qa.answering.kinds import Kind, asked_measure, question_kind
    from qa.answering.retrieve import measured

    assert question_kind("Which is cheaper, the K100 or the K200?") is Kind.NUMBER
    assert asked_measure("Which is cheaper, the K100 or the K200?") == "cost"
    assert asked_measure("Is the X5 heavier than the X3?") == "weight"
    assert asked_measure("How powerful is the K100?") == "power"
    assert asked_measure("How high is the fence?") == "distance"
    assert asked_measure("How high did the gas bill get?") is None  # a sum of money, not a height
    # a superlative naming no alternatives asks for a thing, not a figure
    assert question_kind("What are the most powerful class of anti-inflammatory drugs?") is not Kind.NUMBER
    # the word a table uses joins the question's terms only where the collection lacks the question's own
    assert measured("Which is cheaper, A or B?", unknown=("cheaper",)) == ["price"]
    assert measured("How much does it cost?", unknown=()) == []
    assert measured("Which holds more?", unknown=("holds",)) == ["capac"]


def test_a_row_keyed_by_the_asked_number_is_told_from_one_that_only_holds_it() -> None:
    from dataclasses import replace

    from qa.answering.evidence import Sentence
    from qa.answering.extractive import _keyed_by

    def row(text: str, record: str | None = None) -> Sentence:
        return replace(
            Sentence(id=text, doc_id="d", source="d", start=0, end=len(text), text=text), record=record
        )

    labels = [("code", "3")]
    assert _keyed_by(
        row("| 3 | A file could not be read |", "Code: 3; Meaning: A file could not be read."), labels
    )
    assert not _keyed_by(row("| 0 | Success |", "Code: 0; Meaning: Success."), labels)
    assert not _keyed_by(row("Step: 3; Code: 3; Meaning: retry."), labels)  # keyed by its step, not its code
    assert not _keyed_by(row("- Exit code was 0 instead of 3."), labels)  # prose, no row


def test_a_comparison_of_two_rows_named_by_their_words_quotes_both(assistant: Assistant) -> None:
    # "senior or student off-peak": the rows whose labels hold each one's words ("off-peak" shared by both)
    answer = assistant.ask("Which is cheaper per month, senior or student off-peak?")
    quotes = [c.quote for c in answer.citations]
    assert any("Senior 65+ Off-Peak" in q for q in quotes) and any("Student Off-Peak" in q for q in quotes), (
        quotes
    )


def test_an_age_row_answers_a_question_that_names_nothing_but_the_age(
    tmp_path: Path, fresh: Assistant
) -> None:
    # "My little one is 18 weeks old, how much can she have?" shares no word of weight with the leaflet but the
    # age, which one row of its dose table takes in
    (tmp_path / "leaflet.md").write_text(
        "# Fevadol Junior 100 mg/5 ml oral suspension\n\nFor the relief of fever and mild to moderate pain.\n\n"
        "## Dose\n\n| Age | Weight | Dose | How often in 24 hours |\n|---|---|---|---|\n"
        "| 3 to 5 months | 5 to 7.6 kg | 2.5 ml | Up to 3 times |\n| 6 to 11 months | 7.7 to 9 kg | 2.5 ml | 3 to 4 times |\n"
        "| 1 to 3 years | 10 to 15 kg | 5 ml | 3 times |\n\nShake the bottle well before use. Store below 25 °C.\n",
        encoding="utf-8",
    )
    fresh.index([tmp_path], progress=False)
    for question in (
        "My baby is 4 months old, how much can she have?",
        "My little one is 18 weeks old, how much can she have?",
    ):
        answer = fresh.ask(question)
        assert not answer.refused and answer.citations[0].quote.startswith("| 3 to 5 months |"), answer.answer
    assert fresh.ask("My son is 30, how much can he have?").refused


def test_a_timetables_column_of_minutes_says_how_long(tmp_path: Path, fresh: Assistant) -> None:
    (tmp_path / "classes.csv").write_text(
        "Day,Start,Class,Studio,Minutes\nMonday,18:30,Body Pump,Studio 1,55\nTuesday,09:30,Aqua Fit,Main pool,45\n",
        encoding="utf-8",
    )
    fresh.index([tmp_path], progress=False)
    answer = fresh.ask("How long is the Body Pump class?")
    assert answer.answer.startswith("Day: Monday; Start: 18:30; Class: Body Pump;"), answer.answer
    assert "Minutes: 55" in answer.answer.split(" [1]")[0], answer.answer
