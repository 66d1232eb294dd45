"""Answers on documents unlike Wikipedia (issue 20): times of day, versions, durations, reasons, pronouns,
near-duplicate versions, misspelt and absent terms. Each builds a small real collection and asks the real
pipeline."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import Embedder
from qa import Assistant
from qa.cite import quote_problems
from qa.generation.verify import split_answer
from qa.types import Answer

NOTES = {
    "gates.txt": "Gate B closes at 22:30. Gate A stays open all night for arrivals.",
    "office.txt": "The office opens at 8:30 on weekdays. The office closes at 17:00 on weekdays.",
    "roadmap.md": "# Roadmap\n\nDark mode ships in version 3.4. Offline sync follows in the third quarter.",
    "cafe.txt": "The cafe on the ground floor opens at noon. It serves lunch only.",
    "routines.txt": (
        "The cleaners visit fortnightly. The servers are patched every other Sunday. Cheques are posted to "
        "suppliers on Fridays. Payslips are emailed on Thursdays. Printing costs 10p per page."
    ),
    "falcon.txt": "Project Falcon kickoff notes.\n\nThe launch date is 1 September. The budget is 2 million pounds.\n",
    "giftcards.txt": (
        "Gift card FAQ\n\nQ: Do gift cards expire?\nA: Gift cards are valid for 12 months from the date of "
        "purchase.\n\nQ: Can I exchange a gift card for cash?\nA: No, gift cards cannot be exchanged for cash.\n\n"
        "Why do we charge a card fee? The fee covers the printed card and its postage.\n\nDo you sell e-cards? "
        "Yes. E-cards are sent by email within the hour.\n\nIs there a social tariff?\nYes. Our Essentials card "
        "costs £15 a year for anyone on Universal Credit.\n"
    ),
    # The term is named in passing first ("termed IAVs for inovirus-associated vectors"), then said what it is.
    "phages.txt": (
        "Phage display in vaccine research\n\nExpression of these genetically modified inoviruses results in the "
        "presentation of oligopeptides on the surface of the virion, and the resulting particles are herein "
        "termed IAVs for inovirus-associated vectors. Inovirus-associated vectors (IAVs) are engineered, "
        "non-lytic, filamentous bacteriophages assembled from thousands of copies of the major coat protein "
        "gp8. Several groups have used inovirus-associated vectors to raise antibodies against short peptides.\n"
    ),
    # Three sentences echo "recalled" and "kettle"; the one that says why scores below them.
    "recall.txt": (
        "KETTLE RECALL - FREQUENTLY ASKED QUESTIONS\n\nBrightway Home Appliances Ltd is recalling certain "
        "Brightway 1.7 L Glass Kettles, model BK-1720, because a fault in the thermostat of the power base can "
        "stop the kettle switching off after the water boils.\n\nIf the label has worn off, call the recall "
        "line and we will treat your kettle as affected. Other Brightway kettles, including the BK-1710 "
        "(plastic) and BK-1750 (stainless steel), are not affected by this recall. Do not take the recalled "
        "kettle back to the shop; we will collect it from your home. Refunds are paid by bank transfer within "
        "14 working days of collection. You may self-certify your claim for up to 7 calendar days.\n"
    ),
    # The second sentence gives its figure by reference to the first.
    "terms.txt": (
        "7. Liability\n\n7.3 Each party's total liability under these Terms is limited to the fees paid by the "
        "Customer in the 12 months before the claim. For breaches of clause 6, the cap is two times that\namount."
        "\n\n7.4 Neither party excludes liability for fraud.\n"
    ),
    # A paper's list of references: titles that match questions they do not answer.
    "hedgerows.md": (
        "# Hedgerow width and bumblebees\n\nWe counted 3,118 bumblebees of 7 species along 42 hedgerows.\n\n"
        "## References\n\n[1] Breeze TD et al. Pollination services in the UK: how important are honeybees? "
        "Agric Ecosyst Environ. 2011;142:137-143.\n"
    ),
    "decision-notice.txt": (
        "NOTICE OF DECISION\n\nApplication number: 24/01873/FUL.\nDecision date: 3rd October 2024.\n\nAppeals\n\n"
        "For a householder application an appeal must be made within 12 weeks of the date of this notice. Appeals "
        "against a decision are made online.\n"
    ),
    "harbour.txt": "The last ferry to Skarvik leaves at half past nine. The ticket desk shuts at a quarter to nine.",
    "warranty.txt": "Every Atlas desk comes with a warranty. The warranty lasts a fortnight from delivery.",
    "glaze.txt": "Brush the glaze on in thin coats. Leave the glaze to cure overnight before firing.",
    "glassworks.txt": (
        "The Lindqvist Glassworks was founded in 1893 by Margit Lindqvist. She was born in 1861. "
        "The factory closed in 1958 after a fire."
    ),
    "releases.md": (
        "# Lumen release notes\n\nLumen version 2.3 added support for PDF export. Version 2.4 fixed the memory "
        "leak in the image cache. Version 3.0 dropped support for Windows 7.\n"
    ),
    "brewery.md": (
        "# The Lindgren Brewery\n\nThe Lindgren Brewery was founded in 1880 by Karin Lindgren in Uppsala. She was "
        "born in 1851. She studied chemistry in Berlin. She married a merchant in 1875. She died in 1922 in "
        "Stockholm.\n\nThe brewery was sold to a larger group in 1968.\n"
    ),
    "libya.txt": "Muammar Qaddafi ruled Libya from 1969 to 2011.",
    "wrenfield-notes.md": (
        "# Wrenfield release notes\n\nWrenfield runs on Linux and macOS. Wrenfield's overhead is small.\n\nWe "
        "started Wrenfield, a task queue for Python services, after our cron jobs failed silently for a week.\n"
    ),
    "foodbank.md": "# Food bank plans\n\nThe food bank will recruit 150 extra volunteers for the Christmas period.\n",
    "queue.md": (
        "# Tern task queue\n\nStart a queue consumer:\n\n```sh\ntern consume --threads 8\n```\n\n"
        "A consumer runs tasks in threads by default.\n"
    ),
    "depot.md": (
        "# Northgate Bus Depot\n\nThe depot manager is responsible for the daily allocation of buses and drivers "
        "to routes. Until 2015 the depot was run by the city council's transport department. In 2015 the "
        "operator Metroline took over, and Sandra Okafor became depot manager. She introduced the first "
        "electric buses in 2019.\n"
    ),
    "institute.md": "Researchers at the Ørsted Institute in Århus measured bleeding rates.",
    "outage.txt": (
        "The checkout outage was caused by a typo in a configuration file. This was not the fault of the engineer "
        "who made the typo."
    ),
    "carrageenan.txt": (
        "Nasal sprays with iota-carrageenan shortened the common cold by two days in a trial of 400 adults."
    ),
    "ferry.txt": (
        "The island ferry stopped running in March. The operator had lost its licence because the boat failed "
        "a safety inspection. A new operator takes over in June."
    ),
    "strike.txt": (
        "Dock workers in Rotterdam went on strike last week. They walked out because the port cut their night "
        "pay. The strike ended after four days."
    ),
    "frost-report.md": (
        "# Orchard report\n\nGrowers in the valley lost much of the crop to a late frost (LF) in April. The "
        "cooperative asked the regional agricultural board (RAB) for help in May.\n\nThe RAB sent two "
        "inspectors. The RAB report counted 40 orchards with damage from the LF. The RAB paid growers for "
        "half of the lost crop. The LF hit the apple trees hardest; pears flowered later and escaped it.\n"
    ),
    "surveillance.md": (
        "# Surveillance notes\n\nEarlier outbreaks of measles in the region were tracked closely (ECDC, 2019). "
        "The European Centre for Disease Prevention and Control (ECDC) coordinates the surveillance of infectious "
        "diseases across the union. The ECDC publishes weekly reports on measles. The ECDC report for May counted "
        "300 cases.\n\nThe World Health Organization (WHO) declared the outbreak over in June. Most home users "
        "reach the network through an internet service provider (ISP). ISPs logged the traffic of the portal.\n"
    ),
    "mill.md": (
        "# Harrow\n\nThe Harrow paper mill closed in 2019.\n\nThe old stone bridge was rebuilt because the flood "
        "of 2020 had damaged it.\n"
    ),
    "portal.txt": (
        "The quarterly sales report is kept on the staff portal under Finance. Sales increased by 12 percent "
        "in the quarter."
    ),
    # broken by hand at the lines' ends, words split with a hyphen
    "heating-survey.txt": (
        "The heating survey of 2,000 households in Tromsø found that the costs rose by twelve per-\n"
        "cent over the winter, and that most families turned their thermo-\n"
        "stats down by two degrees to save money on their well-\nknown heating bills.\n"
    ),
    "router.md": (
        "# Router manual\n\nThe Zephyr router ships with a power adapter and a network cable.\n\n"
        "To reset the Zephyr router to its factory settings:\n- Unplug the power adapter for ten seconds.\n"
        "- Hold the reset button on the back while you plug it in again.\n- Release the button when the front "
        "light blinks orange.\n- Wait two minutes for the router to restart.\n\nA reset erases the wireless "
        "password.\n"
    ),
    "corvax.txt": (
        "The Corvax vaccine was tested in adults in Lyon over the winter of 2024. Two doses reduced "
        "hospital admissions by 80 percent. Most side effects were mild."
    ),
    "heater.md": (
        "AquaHeat 300 installation guide\n\n1. Before you start\nSwitch off the mains supply at the fuse box.\n\n"
        "2. Mounting the heater\nDrill four holes using the template supplied. Fix the bracket to the wall with "
        "the four screws.\n\n3. Filling the tank\nTo fill the tank:\n1. Open the cold water valve.\n2. Open a "
        "hot tap until water flows.\n3. Close the hot tap.\n"
    ),
    "company.txt": (
        "Berg Tools was founded in Bergen in 1950. The following year, the company hired its first "
        "apprentices. Exports to Norway began in 1961. The strike of 2008 lasted six weeks. Annual revenue in "
        "2023 was 84 million pounds."
    ),
    "kestrel.txt": (
        "The Kestrel delivery drone has been held back by two costly test failures. The first test ended when "
        "a battery caught fire over the lake [4] . Engineers later moved the battery behind a steel plate."
    ),
    "lyra.txt": (
        "The Lyra vector has a number of appealing qualities as a vaccine carrier. It grows to high titres in "
        "chicken eggs and meets no immunity in people. Its main drawback is the cost of making it."
    ),
    "handbook.md": (
        "# Staff handbook\n\n## Parental leave\nEmployees receive sixteen weeks at full pay.\n\n## Expenses\n"
        "Claims must be filed within 30 days. Receipts are required for anything over 25 pounds.\n\n"
        "## Remote work\nStaff may work from home two days a week.\n\n## Sick leave\nEmployees receive ten days "
        "at full pay each year.\n\n## Annual leave\nUp to five unused days can be carried over into the next "
        "year.\n\n## Pension\nYou are enrolled in the pension after three months of service.\n\n"
        "## Company cars\nCompany cars are replaced every four years.\n"
    ),
    # headings of other styles: underlined, a label with a colon, nested Markdown levels
    "leave.md": (
        "Other leave\n\nStudy leave\n-----------\nStaff may take three days a year for exams.\n\nSabbatical:\n"
        "After seven years of service staff may take a month unpaid.\n\n## Leave for family events\n\n"
        "### Bereavement\nStaff may take five days after the death of a close relative.\n\n4. Unpaid leave\n\n"
        "4.1 Career breaks\nStaff may take a career break of up to two years.\n\n4.2 Jury service\nYou are paid in "
        "full for up to ten days.\n"
    ),
    "plants.txt": (
        "The Leeds plant employs 400 people. The Sheffield plant employs 250 people. French buyers take most of "
        "what the Sheffield plant makes."
    ),
    "velo-2-synopsis.md": (
        "# VELO-2 protocol synopsis\n\n| Item | Detail |\n|---|---|\n| Planned enrolment | 180 participants |\n"
        "| Planned sites | 24 sites in Sweden, Denmark and Poland |\n| Sponsor | Norvexa Therapeutics AB, Stockholm |\n"
        "\nParticipants, investigators and the sponsor's study team remain blinded until the database lock.\n"
    ),
    "CHANGELOG.md": (
        "# Changelog\n\nAll notable changes to lumen-sync are recorded here, the newest release first.\n\n"
        "## [3.0.0] - 2025-02-11\n\n### Removed\n\n- Support for Python 3.8 and 3.9.\n\n"
        "## [2.5.0] - 2024-08-29\n\n### Added\n\n- Amazon S3 and S3-compatible storage backends (MinIO, Wasabi).\n"
        "- A `--dry-run` flag for `lumen sync`.\n"
    ),
    "booking-confirmation.txt": (
        "Booking confirmation HGL-448213\n\nGuest: Ms Priya Nair\nArrival: Thursday 14 August 2025\nNights: 3\n"
        "Rate: £179.00 per room per night\n"
    ),
    "uniform-policy.md": (
        "# Uniform policy\n\n## 5. Buying uniform\n\n5.2 The Friends of Brookfield run a second-hand uniform shop "
        "in the Old Library. It is open from 3.15 pm to 4.30 pm on the first Friday of each month during term time.\n"
    ),
    "grant-guidance.md": (
        "# Community Energy Fund: Round 3 guidance\n\nRound 3 has a total budget of £2.4 million. Lead "
        "applicants funded in Round 2 may apply again once their project has reported.\n\n## Timeline\n\n"
        "| Stage | Date |\n|---|---|\n| Applications open | 1 October 2025 |\n| Decisions announced | April 2026 |\n"
    ),
    # A plain-text manual hard-wrapped at 60 columns: its sentences run over lines shorter than a heading's.
    "pump-manual.txt": textwrap.fill(
        "The Harlow pump moves up to forty litres of water a minute when it runs at full speed. Its intake "
        "filter must be replaced every six months, or sooner when the water carries sand or silt. The motor "
        "needs no oiling; its bearings are sealed at the factory and last for the life of the pump. A red "
        "light on the control panel shows that the pressure has dropped below one bar, which usually means "
        "that the intake is blocked. Switch the pump off at the wall before opening the filter housing, and "
        "wait two minutes for the pressure to fall.",
        60,
    ),
}


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Assistant]:
    folder = tmp_path_factory.mktemp("notes")
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    assistant = Assistant.open(store=tmp_path_factory.mktemp("notes-store"), embedder=embedder)
    assert not assistant.index([folder], progress=False).failed
    yield assistant
    assistant.close()


def _exact(assistant: Assistant, answer: Answer) -> None:
    docs = {c.doc_id: assistant.document(c.doc_id) for c in answer.citations}
    assert quote_problems(answer.citations, docs) == []


def _indexed(assistant: Assistant, folder: Path, files: dict[str, str]) -> None:
    """Write each file (name -> text, UTF-8) into `folder` and index the folder."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assistant.index([folder], progress=False)


def _answered(assistant: Assistant, question: str) -> Answer:
    """The answer to `question`, which must not be a refusal and must quote the documents exactly."""
    answer = assistant.ask(question)
    assert not answer.refused, answer.answer
    _exact(assistant, answer)
    return answer


@pytest.mark.parametrize(
    "question, expected",
    [
        ("When does gate B close?", "22:30"),
        ("When does the office close?", "17:00"),
        ("What time does the office open?", "8:30"),
        ("When does dark mode ship?", "version 3.4"),
        ("When does offline sync follow?", "third quarter"),
        ("When does the cafe open?", "noon"),
        ("When does the last ferry to Skarvik leave?", "half past nine"),
        ("What time does the ticket desk shut?", "a quarter to nine"),
        # how often, in words
        ("How often do the cleaners visit?", "fortnightly"),
        ("How often are the servers patched?", "every other Sunday"),
        ("When are cheques posted to suppliers?", "on Fridays"),
        ("How often are payslips emailed?", "on Thursdays"),
        # a number written against its unit
        ("How much does printing cost?", "10p per page"),
        ("How long does the warranty last?", "a fortnight"),
        ("How long should the glaze cure?", "overnight"),
        # a duration whose unit a word qualifies
        ("How long does the refund take?", "14 working days"),
        ("How long can I self-certify my claim?", "7 calendar days"),
    ],
)
def test_times_of_day_versions_quarters_and_durations_answer_when_and_how_long(
    notes: Assistant, question: str, expected: str
) -> None:
    answer = _answered(notes, question)
    assert expected in answer.answer.split(" [1]")[0], answer.answer


def test_a_question_for_someones_name_is_refused_where_no_one_is_named(notes: Assistant) -> None:
    assert notes.ask("What was the name of the engineer who made the typo?").refused
    assert not notes.ask("What caused the checkout outage?").refused


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Which version fixed the memory leak?", "Version 2.4"),  # the question's "version" is no answer
        ("How long did Qaddafi rule Libya?", "from 1969 to 2011"),
        ("When did Karin Lindgren die?", "1922"),  # "She" four sentences after her name
        ("When did Karin Lindgren marry?", "1875"),
        ("Where is the Orsted Institute?", "Århus"),  # written without the document's letter
    ],
)
def test_answers_a_hostile_review_found_wanting(notes: Assistant, question: str, expected: str) -> None:
    answer = _answered(notes, question)
    assert expected in answer.answer.split(" [1]")[0], answer.answer


@pytest.mark.parametrize(
    "question, cause",
    [
        ("Why did the island ferry stop running?", "because the boat failed a safety inspection"),
        ("Why did the dock workers in Rotterdam go on strike?", "because the port cut their night pay"),
    ],
)
def test_a_why_question_echoed_by_one_sentence_takes_the_cause_from_the_next(
    notes: Assistant, question: str, cause: str
) -> None:
    answer = _answered(notes, question)
    assert cause in answer.answer, answer.answer


def test_a_papers_references_answer_only_questions_about_the_works_it_cites(notes: Assistant) -> None:
    answer = notes.ask("How important are honeybees for pollination in the UK?")
    assert "Breeze" not in answer.answer, answer.answer
    answer = _answered(notes, "Who wrote Pollination services in the UK?")
    assert "Breeze TD" in answer.answer, answer.answer


def test_a_figure_given_by_reference_to_the_sentence_before_is_quoted_with_it(notes: Assistant) -> None:
    answer = _answered(notes, "What is the liability cap for breaches of clause 6?")
    assert "limited to the fees paid by the Customer in the 12 months" in answer.answer, answer.answer
    assert "two times that amount" in answer.answer, answer.answer
    assert "limited to the fees paid" in answer.citations[0].quote


def test_a_why_question_takes_the_sentence_that_gives_a_cause_over_those_that_echo_it(
    notes: Assistant,
) -> None:
    answer = _answered(notes, "Why is the kettle being recalled?")
    assert "because a fault in the thermostat" in split_answer(answer.answer)[0][0], answer.answer


@pytest.mark.parametrize(
    "question", ["What is the RAB?", "What does RAB stand for?", "What is meant by RAB?"]
)
def test_what_an_abbreviation_is_is_answered_where_the_document_defines_it(
    notes: Assistant, question: str
) -> None:
    # Four later sentences say "RAB" and match the question as well; the one that spells it out leads.
    answer = notes.ask(question)
    assert not answer.refused, answer.answer
    assert answer.answer.startswith("The cooperative asked the regional agricultural board (RAB)"), (
        answer.answer
    )
    _exact(notes, answer)


@pytest.mark.parametrize(
    "question", ["What are inovirus-associated vectors?", "What is an IAV?", "what is iav"]
)
def test_what_a_term_is_is_answered_by_the_sentence_that_says_what_it_is(
    notes: Assistant, question: str
) -> None:
    # The sentence that names the term in passing matches the question as well, and comes first.
    answer = _answered(notes, question)
    assert answer.answer.startswith("Inovirus-associated vectors (IAVs) are engineered"), answer.answer


@pytest.mark.parametrize(
    "question, lead",
    [
        # a citation "(ECDC, 2019)" comes before the definition
        ("What is the ECDC?", "The European Centre for Disease Prevention and Control (ECDC) coordinates"),
        ("what is ecdc?", "The European Centre for Disease Prevention and Control (ECDC) coordinates"),
        # "who" is a stopword: the question matches nothing else
        ("What is the WHO?", "The World Health Organization (WHO) declared"),
        # asked in the plural
        ("What are ISPs?", "Most home users reach the network through an internet service provider (ISP)."),
        # asked as "the acronym" or "the abbreviation for"
        (
            "What is the acronym ECDC?",
            "The European Centre for Disease Prevention and Control (ECDC) coordinates",
        ),
        (
            "What is the abbreviation for ISP?",
            "Most home users reach the network through an internet service",
        ),
        # "the acronym X stand for", "the full name of X", "X short for"
        (
            "What does the acronym ECDC stand for?",
            "The European Centre for Disease Prevention and Control (ECDC) coordinates",
        ),
        (
            "What is the full name of the ISP?",
            "Most home users reach the network through an internet service",
        ),
        ("What is RAB short for?", "The cooperative asked the regional agricultural board (RAB)"),
    ],
)
def test_an_abbreviation_asked_in_other_capitals_or_the_plural_is_answered_where_it_is_defined(
    notes: Assistant, question: str, lead: str
) -> None:
    answer = _answered(notes, question)
    assert answer.answer.startswith(lead), answer.answer


@pytest.mark.parametrize(
    "question, kept, left",
    [
        # the cause in the next paragraph is the cause of something else
        ("Why did the Harrow paper mill close?", "closed in 2019", "bridge"),
        # "find" here asks for a way, not for a result
        ("How do I find the quarterly sales report?", "staff portal", "12 percent"),
        # "the following year" and "six weeks" announce nothing
        ("When did Berg Tools hire its first apprentices?", "following year", "Norway"),
        ("How long did the strike of 2008 last?", "six weeks", "84 million"),
    ],
)
def test_the_next_sentence_joins_only_when_it_continues_what_was_asked(
    notes: Assistant, question: str, kept: str, left: str
) -> None:
    answer = _answered(notes, question)
    assert kept in answer.answer and left not in answer.answer, answer.answer


def test_a_question_about_a_result_takes_the_sentence_that_reports_it(notes: Assistant) -> None:
    answer = _answered(notes, "What was the result of the test of the Corvax vaccine in Lyon?")
    assert "reduced hospital admissions by 80 percent" in answer.answer, answer.answer


def test_a_sentence_that_announces_is_followed_by_what_it_announced(notes: Assistant) -> None:
    answer = _answered(notes, "What are the appealing qualities of the Lyra vector?")
    assert "grows to high titres in chicken eggs" in answer.answer, answer.answer


def test_a_sentence_that_ends_on_things_it_has_not_named_is_followed_by_the_first_of_them(
    notes: Assistant,
) -> None:
    answer = _answered(notes, "What is an example of a failure of the Kestrel drone?")
    assert "battery caught fire" in answer.answer, answer.answer


def test_numbered_steps_and_sections_are_answered_whole(notes: Assistant) -> None:
    # the numbered heading "2. Mounting the heater" is a heading, not an answer
    mount = notes.ask("How do I fix the AquaHeat heater to the wall?")
    assert not mount.refused and mount.answer.startswith("Fix the bracket to the wall"), mount.answer
    fill = notes.ask("How do I fill the tank of the AquaHeat heater?")
    assert not fill.refused, fill.answer
    assert fill.answer.splitlines()[:4] == [
        "To fill the tank:",
        "1. Open the cold water valve.",
        "2. Open a hot tap until water flows.",
        "3. Close the hot tap. [1]",
    ], fill.answer
    for answer in (mount, fill):
        _exact(notes, answer)


@pytest.mark.parametrize(
    "question, expected",
    [
        # only the heading says "parental leave" and "mount"
        ("How long is parental leave?", "Employees receive sixteen weeks at full pay."),
        ("How do I mount the AquaHeat heater?", "Drill four holes using the template supplied."),
        ("How many days of remote work are allowed?", "Staff may work from home two days a week."),
        # "how much X": the heading speaks of X
        ("How much sick leave is there?", "Employees receive ten days at full pay each year."),
        # a time counted from another, and how often, answer "when"
        ("When am I enrolled in the pension?", "You are enrolled in the pension after three months"),
        ("When are company cars replaced?", "Company cars are replaced every four years."),
        ("How long is study leave?", "Staff may take three days a year for exams."),
        # a label with a colon says nothing alone: it joins no answer as an extra sentence
        ("How long can a sabbatical be?", "After seven years of service staff may take a month unpaid."),
        ("How much leave is there for family events?", "Staff may take five days after the death"),
        # numbered sections nest by their numbers: "4.2 Jury service" under "4. Unpaid leave"
        ("Is unpaid leave for jury service paid?", "You are paid in full for up to ten days."),
    ],
)
def test_a_sentence_is_about_what_the_heading_it_stands_under_names(
    notes: Assistant, question: str, expected: str
) -> None:
    answer = _answered(notes, question)
    assert answer.answer.startswith(expected), answer.answer


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Do gift cards expire?", "A: Gift cards are valid for 12 months"),
        ("Can I exchange a gift card for cash?", "A: No, gift cards cannot be exchanged"),
        # a "why" question in the text is followed by its answer too, and a bare "Yes." by what it says
        ("Why do we charge a card fee?", "The fee covers the printed card and its postage."),
        ("Do you sell e-cards?", "E-cards are sent by email within the hour."),
        # ... and is as relevant as the question it answers, though it repeats none of its words
        ("How much is the social tariff?", "Our Essentials card costs £15 a year"),
    ],
)
def test_a_question_in_the_text_is_followed_by_its_answer(
    notes: Assistant, question: str, expected: str
) -> None:
    answer = _answered(notes, question)
    assert expected in answer.answer.split(" [1]")[0], answer.answer


def test_a_sentence_that_announces_a_list_is_followed_by_all_its_items(notes: Assistant) -> None:
    answer = notes.ask("How do I reset the Zephyr router?")
    assert not answer.refused, answer.answer
    lines = answer.answer.splitlines()
    assert lines[0] == "To reset the Zephyr router to its factory settings:", answer.answer
    assert lines[1:] == [
        "- Unplug the power adapter for ten seconds.",
        "- Hold the reset button on the back while you plug it in again.",
        "- Release the button when the front light blinks orange.",
        "- Wait two minutes for the router to restart. [1]",
    ], answer.answer
    _exact(notes, answer)


def test_a_sentence_of_hard_wrapped_text_is_answered_whole_as_prose(notes: Assistant) -> None:
    answer = notes.ask("How often must the intake filter of the Harlow pump be replaced?")
    assert not answer.refused, answer.answer
    # the whole sentence over its lines, quoted as the document has it, and read in the answer as one line
    sentence = (
        "Its intake filter must be replaced every six months, or sooner when the water carries sand or silt."
    )
    assert any(sentence in " ".join(c.quote.split()) and "\n" in c.quote for c in answer.citations)
    assert sentence in answer.answer and "\n" not in answer.answer, answer.answer
    _exact(notes, answer)


def test_a_word_broken_at_a_lines_end_is_whole_in_the_answer(notes: Assistant) -> None:
    answer = notes.ask("By how much did heating costs rise in Tromsø over the winter?")
    assert not answer.refused, answer.answer
    assert "rose by twelve percent over the winter" in answer.answer, answer.answer
    assert "their thermostats down" in answer.answer and "their well-known heating bills" in answer.answer
    assert any("per-\ncent" in c.quote for c in answer.citations)  # the quote is the document's text
    _exact(notes, answer)


def test_it_after_a_turn_about_her_is_still_the_company(notes: Assistant) -> None:
    chat = notes.chat()
    chat.ask("Who founded the Lindgren Brewery?")
    chat.ask("When was she born?")
    later = chat.ask("When was it sold?")
    assert "Lindgren Brewery" in later.standalone_question, later.standalone_question
    assert "1968" in later.answer


def test_a_pronoun_answers_for_the_person_it_refers_to_and_its_citation_names_her(notes: Assistant) -> None:
    answer = notes.ask("When was Margit Lindqvist born?")
    assert not answer.refused and "1861" in answer.answer and "1893" not in answer.answer, answer.answer
    quote = answer.citations[0].quote
    assert "Margit Lindqvist" in quote and "She was born in 1861." in quote
    _exact(notes, answer)


def test_who_did_it_answered_by_a_sentence_about_her_names_her(notes: Assistant) -> None:
    answer = notes.ask("Who introduced electric buses?")
    first_claim = answer.answer.split("[1]")[0]
    assert "Sandra Okafor" in first_claim and "She introduced the first electric buses" in first_claim
    assert "Sandra Okafor" in answer.citations[0].quote
    _exact(notes, answer)


def test_a_who_question_leads_with_the_sentence_that_names_someone(notes: Assistant) -> None:
    answer = notes.ask("Who manages the depot?")
    assert "Sandra Okafor" in split_answer(answer.answer)[0][0], answer.answer


def test_a_follow_up_she_is_the_person_the_answer_named_not_the_company(notes: Assistant) -> None:
    chat = notes.chat()
    first = chat.ask("Who founded the Lindqvist Glassworks?")
    assert "Margit Lindqvist" in first.answer
    second = chat.ask("When was she born?")
    assert "Margit Lindqvist" in second.standalone_question, second.standalone_question
    assert "1861" in second.answer, second.answer


def test_it_is_the_thing_the_earlier_question_named(notes: Assistant) -> None:
    chat = notes.chat()
    chat.ask("Who founded the Lindqvist Glassworks?")
    later = chat.ask("When did it close?")
    assert "Lindqvist Glassworks" in later.standalone_question, later.standalone_question
    assert "1958" in later.answer


def test_a_misspelt_term_finds_the_documents_spelling(notes: Assistant) -> None:
    right = notes.ask("How much did carrageenan shorten the common cold?")
    wrong = notes.ask("How much did carageenan shorten the common cold?")
    assert not right.refused and not wrong.refused, wrong.answer
    assert "two days" in wrong.answer
    # a misspelling the stemmer cuts elsewhere than the word ("voluntears" / "volunteers": "volunt"), in the
    # word a "how many" question counts
    answer = notes.ask("How many extra voluntears does the food bank want for Christmas?")
    assert "150 extra volunteers" in answer.answer, answer.answer


def test_a_sentence_close_in_meaning_to_the_question_speaks_of_its_thing_in_other_words(
    notes: Assistant,
) -> None:
    """ "How many patients ...?" where the documents say "participants": the word embeddings of the two are far
    apart (0.40), the question and the row close (the row's meaning, not its words, says it counts patients)."""
    answer = _answered(notes, "How many patients do they plan to enrol?")
    assert "180 participants" in answer.answer.split(" [1]")[0], answer.answer


@pytest.mark.parametrize(
    "question, version",
    [
        ("Which version added the S3 storage backends?", "## [2.5.0] - 2024-08-29"),
        ("Which release dropped support for Python 3.8?", "## [3.0.0] - 2025-02-11"),
    ],
)
def test_a_changelog_entry_is_dated_by_the_heading_it_stands_under(
    notes: Assistant, question: str, version: str
) -> None:
    answer = _answered(notes, question)
    assert answer.citations[0].quote == version, answer.answer
    assert len(answer.citations) > 1 and answer.citations[1].quote.startswith("- "), answer.answer


@pytest.mark.parametrize(
    "question, lead",
    [
        ("Who is the sponsor of the study?", "Item: Sponsor; Detail: Norvexa Therapeutics AB"),
        ("How many nights is the booking?", "Nights: 3"),
        # the date of the thing a "when" question names
        ("When was the decision made?", "Decision date: 3rd October 2024."),
    ],
)
def test_a_field_named_by_the_question_leads_before_a_sentence_that_mentions_it(
    notes: Assistant, question: str, lead: str
) -> None:
    answer = _answered(notes, question)
    assert answer.answer.startswith(lead), answer.answer


def test_a_sentence_about_it_answers_for_what_the_sentence_before_names(notes: Assistant) -> None:
    """ "It is open ..." answers "When is the second-hand uniform shop open?", as relevant as the sentence before
    it that names the shop (which no name refers to, so coreference by name cannot tie them)."""
    answer = _answered(notes, "When is the second-hand uniform shop open?")
    assert "first Friday of each month" in answer.answer, answer.answer


def test_a_numbered_round_the_documents_do_not_describe_is_refused(notes: Assistant) -> None:
    assert "April 2026" in _answered(notes, "When are Round 3 decisions announced?").answer
    for question in ("When are Round 4 decisions announced?", "What is the total budget of Round 4?"):
        answer = notes.ask(question)
        assert answer.refused, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "What is the recommended dose of favipiravir?",
        "How long does immunity against Marburg virus last?",
        "Does remdesivir shorten the common cold?",
        # a common word, but a name: another plant's figure is no answer
        "How many people does the Birmingham plant employ?",
        # ... or after the noun it names
        "What is the launch date of Project Eagle?",
    ],
)
def test_a_question_about_something_no_document_mentions_is_refused(notes: Assistant, question: str) -> None:
    answer = notes.ask(question)
    assert answer.refused and answer.citations == (), answer.answer


@pytest.mark.parametrize(
    "question, expected",
    [
        ("How many people does the Leeds plant employ?", "400"),
        ("What is the launch date of Project Falcon?", "1 September"),
        # the documents name France's people, not France
        ("Which plant sells most of its output to France?", "Sheffield"),
        # a question written in title case
        ("How Many People Does The Sheffield Plant Employ?", "250"),
    ],
)
def test_a_name_the_documents_give_in_another_form_is_no_absent_name(
    notes: Assistant, question: str, expected: str
) -> None:
    answer = notes.ask(question)
    assert not answer.refused and expected in answer.answer, answer.answer


def test_a_section_that_only_its_heading_ties_to_the_question_is_read_from_its_start(
    tmp_path: Path, fresh: Assistant
) -> None:
    # No sentence says "descale" or "kettle": the heading does. The steps are read whole, in their order.
    _indexed(
        fresh,
        tmp_path,
        {
            "kettle.md": (
                "# Kettle care\n\n## Descaling the kettle\nFill it halfway with white vinegar. Bring it to the "
                "boil twice and leave it to stand for an hour. Rinse it three times with cold water.\n\n"
                "## Cleaning the filter\nSlide the mesh filter out of the spout and brush it under the tap.\n\n"
                "## Replacing the seal\nTwist the lid off its hinge. Pull the old seal out with your fingers. "
                "Press a new seal (part KT-S1) into the groove and replace the lid.\n"
            ),
            "shipping.md": (
                "# Shipping\n\n| Zone | Countries | Price | Delivery time |\n|---|---|---|---|\n"
                "| A | Germany | 4.90 | 1-2 days |\n| B | Austria, Belgium | 9.90 | 2-4 days |\n"
                "| C | Rest of EU | 14.90 | 3-6 days |\n"
            ),
        },
    )
    answer = _answered(fresh, "How do I descale the kettle?")
    assert answer.answer.startswith("Fill it halfway with white vinegar."), answer.answer
    assert "Rinse it three times with cold water." in answer.answer, answer.answer
    assert "mesh filter" not in answer.answer and len(answer.citations) == 1, answer.answer
    # a procedure under a heading that names it starts at its first step, whichever step holds the question's words
    seal = _answered(fresh, "How do I replace the seal?")
    assert seal.answer.startswith("Twist the lid off its hinge. Pull the old seal out"), seal.answer
    assert "KT-S1" in seal.answer, seal.answer
    # a table's row, which only its header row ties to the question, answers alone
    zone = _answered(fresh, "What is the delivery time for zone C?")
    # the answer reads the row under its headers; the citation quotes the row
    assert zone.answer.startswith("Zone: C; Countries: Rest of EU; Price: 14.90; Delivery time: 3-6 days."), (
        zone.answer
    )
    assert zone.citations[0].quote == "| C | Rest of EU | 14.90 | 3-6 days |" and zone.citations[0].supported
    assert "Germany" not in zone.answer, zone.answer
    # a sentence holding the question's own words answers as it stands
    rinse = _answered(fresh, "How often do I rinse the kettle with cold water?")
    assert rinse.answer.startswith("Rinse it three times"), rinse.answer


def test_a_handbook_of_its_own_answers_from_its_sections(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "handbook.md": NOTES["handbook.md"],
            "travel.txt": (
                "Travel policy\n\nEmployees may book economy class for flights under six hours. The daily meal "
                "allowance is 40 pounds. Hotels must be booked through the travel portal. Our NYC office has 40 "
                "desks. The London office has 120 desks.\n"
            ),
        },
    )
    leave = fresh.ask("How long is parental leave?")
    assert not leave.refused and leave.answer.startswith("Employees receive sixteen weeks"), leave.answer
    # "get" is in no document: said there in other words ("receive"), it weighs nothing
    sick = fresh.ask("How much sick leave do I get?")
    assert not sick.refused and sick.answer.startswith("Employees receive ten days"), sick.answer
    # the title heads every sentence, but none says anything of alcohol
    assert fresh.ask("What is the travel policy on alcohol?").refused
    # the heading's words count only where heading and sentence hold the question: nothing says "carry over"
    assert fresh.ask("Can I carry over parental leave?").refused
    # a name beside the question, and a name the documents shorten, are no absent names
    meals = fresh.ask("I am travelling to Paris next week. What is the daily meal allowance?")
    assert not meals.refused and "40 pounds" in meals.answer, meals.answer
    desks = fresh.ask("How many desks are in the New York office?")
    assert not desks.refused and "40 desks" in desks.answer, desks.answer


def test_a_section_does_not_answer_for_its_sibling(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "leave.md": (
                "# Leave Policy\n\n## Parental leave\n\nEmployees receive sixteen weeks at full pay. Parental leave cannot "
                "be carried over or split across years.\n\n## Holiday leave\n\nStaff get 28 days of holiday leave a year."
                " Up to five days can be carried over to the next year.\n\n## Pay during leave\n\nPension contributions "
                "continue during any period of paid leave.\n\n"
                "## Leave for family events\n\n### Bereavement\n\nUp to five days are paid.\n\n### Weddings\n\n"
                "One day of paid leave is given for your own wedding.\n"
            ),
        },
    )
    # the wedding sentence stands under "Leave for family events", a sibling of "Parental leave"
    parental = fresh.ask("Can I carry over parental leave?")
    assert parental.answer.startswith("Parental leave cannot be carried over"), parental.answer
    assert "wedding" not in parental.answer, parental.answer
    assert fresh.ask("Can I carry over bereavement leave?").refused
    # a general rule answers for every kind of leave
    pension = fresh.ask("Do pension contributions continue during parental leave?")
    assert not pension.refused and "any period of paid leave" in pension.answer, pension.answer
    # a sentence that names another kind of leave joins no answer about holiday
    holiday = fresh.ask("Can holiday leave be carried over?")
    assert "Parental leave cannot" not in holiday.answer, holiday.answer
    wedding = fresh.ask("How much leave do I get for my wedding?")
    assert not wedding.refused and "One day of paid leave" in wedding.answer, wedding.answer


def test_a_numbered_section_does_not_answer_for_the_one_beside_it(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "policy.md": (
                "# Staff policy\n\n## 2. Sick leave\nSick pay starts from the fourth day of absence.\n\n"
                "## 3. Travel\n### 3.1 Flights\nBook flights at least 14 days in advance through the travel portal.\n"
                "### 3.2 Hotels\nThe nightly hotel allowance is 120 pounds in London.\n"
                "### 3.3 Apartments\nCleaning fees are reimbursed.\n\n"
                "## 4. Offices\nThe London office is open from 8am to 6pm.\n"
            ),
        },
    )
    # "3.2 Hotels" stands beside "3.1 Flights": nothing says how early hotels are booked
    assert fresh.ask("How far in advance should I book hotels?").refused
    # however closely it matches, a rule under "3.3 Apartments" is no rule for hotels
    assert fresh.ask("Are cleaning fees for hotels reimbursed?").refused
    flights = _answered(fresh, "How far in advance should I book flights?")
    assert flights.answer.startswith("Book flights at least 14 days"), flights.answer
    # an ordinal day is a "when"
    sick = _answered(fresh, "When does sick pay start?")
    assert "fourth day of absence" in sick.answer, sick.answer
    # a yes/no question is answered "no" by the sentence that gives another time
    early = _answered(fresh, "Is the London office open at 7am?")
    assert early.answer.startswith("The London office is open from 8am"), early.answer
    assert fresh.ask("What happens in the London office at 7am?").refused


def test_tables_mail_and_minutes_answer_from_what_heads_them(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "parking.md": (
                "# Parking FAQ\n\n## Rates\n\n| Zone | Rate | Hours charged |\n|---|---|---|\n"
                "| Downtown D1-D4 | $3.50/hour | Mon-Sat 8:00-20:00 |\n| Residential R1-R6 | $1.25/hour | Mon-Fri 9:00-17:00 |\n"
                "| Harbor Garage | $2.00/hour | 24/7 |\n"
            ),
            "renewal.txt": (
                "From: Priyanka Shah\n**Subject:** Snowflake renewal - need decision by 30 Sept\n\nHi all,\n\n"
                "Our contract renews automatically on 1 Oct 2024. My recommendation is option (b), which saves "
                "$16,500 a year.\n"
            ),
            "minutes.md": (
                "# Ops weekly, 12 March\n\nPriya asked why the returns backlog had grown. Diego explained that the "
                "returns bench lost one person to sick leave.\n\nOperating cash flow was NOK 96m in the quarter. The "
                "decline reflects a build-up of inventory ahead of the autumn season.\n\nSara wanted to know whether the "
                "Hamburg office will close. The CEO confirmed that Hamburg stays open.\n\nElectricity costs rose by 18 "
                "percent. The increase follows the expiry of our fixed-price contract in March.\n"
            ),
        },
    )
    # the header row names the column ("Rate"); it answers nothing itself, and one row answers alone
    rate = _answered(fresh, "What is the hourly rate in residential zones?")
    assert rate.answer.startswith("Zone: Residential R1-R6; Rate: $1.25/hour"), rate.answer
    assert rate.citations[0].quote.startswith("| Residential R1-R6 | $1.25/hour"), rate.answer
    assert "Harbor" not in rate.answer and "| Zone |" not in rate.answer, rate.answer
    # a subject line heads its message and answers nothing
    renews = _answered(fresh, "When does the Snowflake contract renew?")
    assert renews.answer.startswith("Our contract renews automatically on 1 Oct 2024"), renews.answer
    # a question the minutes report is followed by its answer, a fall by what it reflects
    backlog = _answered(fresh, "Why has the returns backlog grown?")
    assert "lost one person to sick leave" in backlog.answer, backlog.answer
    cash = _answered(fresh, "Why did operating cash flow fall?")
    assert "build-up of inventory" in cash.answer, cash.answer
    hamburg = _answered(fresh, "Will the Hamburg office close?")
    assert "stays open" in hamburg.answer, hamburg.answer
    power = _answered(fresh, "Why did electricity costs rise?")
    assert "expiry of our fixed-price contract" in power.answer, power.answer


def test_specification_tables_answer_in_the_words_people_ask_with(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "manual.md": (
                "# AeroBrew X2 espresso machine: user manual\n\nAlways place the machine on a flat, dry surface.\n\n"
                "## Specifications\n\n| Property | Value |\n|---|---|\n| Weight | 9.2 kg |\n| Height | 41 cm |\n"
                "| Cord length | 1.1 m |\n| Noise level | 58 dB |\n"
            ),
            "plans.md": (
                "# Subscription plans\n\n| Plan | Monthly price | Users | Storage |\n|---|---|---|---|\n"
                "| Starter | EUR 9 | 1 | 10 GB |\n| Team | EUR 29 | 10 | 100 GB |\n| Business | EUR 99 | 50 | 1 TB |\n"
            ),
        },
    )
    for question, row, record in (
        # "how heavy" asks for the weight
        ("How heavy is the machine?", "| Weight | 9.2 kg |", "Property: Weight; Value: 9.2 kg."),
        ("How tall is the AeroBrew?", "| Height | 41 cm |", "Property: Height; Value: 41 cm."),
        ("How loud is the machine?", "| Noise level | 58 dB |", "Property: Noise level; Value: 58 dB."),
        # no document says "cost"; the header says "price", 0.72 close to it
        ("How much does the Team plan cost?", "| Team | EUR 29 |", "Plan: Team; Monthly price: EUR 29;"),
    ):
        answer = _answered(fresh, question)
        assert answer.citations[0].quote.startswith(row), (question, answer.answer)
        assert answer.answer.startswith(record), (question, answer.answer)


def test_a_thing_no_document_names_is_refused_not_answered_with_a_neighbour(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "CHANGELOG.md": (
                "# Changelog\n\nAll notable changes to **tidepool** are documented in this file.\n\n"
                "## [3.1.0] - 2024-02-01\n\n- New `tidepool doctor` command that checks your environment and prints a "
                "report.\n- Plugin system: third-party plugins are discovered via entry points.\n\n"
                "## [3.0.0] - 2023-09-28\n\n- Dropped support for Python 3.7.\n- Support for Python 3.12.\n"
            ),
        },
    )
    # no document says "license", "mascot" or "editor": the changelog's sentences about tidepool answer none
    for question in (
        "What is the license of tidepool?",
        "What is the mascot of tidepool?",
        "Which editor does tidepool support?",
    ):
        assert fresh.ask(question).refused, question
    doctor = _answered(fresh, "What does the doctor command do?")
    assert "checks your environment" in doctor.answer, doctor.answer
    # "versions" only says which kind of answer is wanted, as "year" or "number" do
    python = _answered(fresh, "Which Python versions does tidepool support?")
    assert "3.12" in python.answer, python.answer


def test_a_common_word_is_not_corrected_to_another(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "beach.txt": (
                "The beach at Porthmoor is covered in fine white sand. Lifeguards watch the beach from May to "
                "September. The huts on the beach are painted a pale blue color. The launch of the new lifeboat was "
                "in June."
            ),
        },
    )
    # "stand" is a word of its own, not a slip for "sand"; no document says what WHO stands for
    assert fresh.ask("What does WHO stand for?").refused
    # nor is "lunch" one for "launch"
    assert fresh.ask("When is lunch served on the Porthmoor beach?").refused
    # "beech" is a rarer word one letter from the documents' "beach": a slip
    misspelt = fresh.ask("When do lifeguards watch the beech at Porthmoor?")
    assert not misspelt.refused and "May to September" in misspelt.answer, misspelt.answer
    # a common word in its British spelling finds the documents' American one
    colour = fresh.ask("What colour are the huts at Porthmoor painted?")
    assert not colour.refused and "pale blue" in colour.answer, colour.answer


def test_a_product_no_row_names_is_refused_not_answered_with_another(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "stock.csv": "Product,Stock,Price\nWalnut side table,14,220\nBirch stool,40,45\nOak bookshelf,7,310\n",
        },
    )
    assert fresh.ask("What is the stock of the Teak dining table?").refused  # "Teak" is not "te" + "ak"
    walnut = fresh.ask("What is the stock of the walnut side table?")
    assert not walnut.refused and "Stock: 14" in walnut.citations[0].quote


POLICY_2023 = (
    "# Travel Policy 2023\n\nThis policy applies to all staff travelling on company business.\n\n"
    "The nightly hotel allowance is EUR 120 in all cities.\n\nMeals are reimbursed up to EUR 40 a day.\n"
)
POLICY_2024 = (
    "# Travel Policy 2024\n\nThis policy applies to all staff travelling on company business.\n\n"
    "The nightly hotel allowance is EUR 150 in all cities.\n\nMeals are reimbursed up to EUR 45 a day.\n"
)


def test_the_version_asked_for_leads_and_the_other_is_not_quoted(tmp_path: Path, fresh: Assistant) -> None:
    (tmp_path / "travel-policy-2023.md").write_text(POLICY_2023, encoding="utf-8")
    (tmp_path / "travel-policy-2024.md").write_text(POLICY_2024, encoding="utf-8")
    fresh.index([tmp_path / "travel-policy-2023.md", tmp_path / "travel-policy-2024.md"], progress=False)
    answer = fresh.ask("What is the nightly hotel allowance in the 2024 travel policy?")
    assert not answer.refused
    assert answer.answer.startswith("The nightly hotel allowance is EUR 150"), answer.answer  # no heading
    assert "120" not in answer.answer and all("2024" in c.source for c in answer.citations)
    older = fresh.ask("What was the nightly hotel allowance in 2023?")
    assert "EUR 120" in older.answer and "150" not in older.answer, older.answer
    # asked without a year, the newest edition answers and the older one's figure is not quoted
    for question in ("What is the nightly hotel allowance?", "How much are meals reimbursed?"):
        current = _answered(fresh, question)
        assert all("2024" in c.source for c in current.citations), current.answer
        assert "120" not in current.answer and "EUR 40 " not in current.answer, current.answer


def test_the_newest_edition_answers_in_its_own_words_and_a_series_keeps_every_issue(
    tmp_path: Path, fresh: Assistant
) -> None:
    for year, text in {
        "2023": "# Employee handbook\n\nThe nightly hotel allowance is EUR 120.\n\nThe office opens at eight.\n\n"
        "Employees may bring a dog to the office on Fridays.\n",
        "2024": "# Employee handbook\n\nHotel stays are reimbursed up to EUR 150 per night.\n\n"
        "The office opens at nine.\n",
    }.items():
        (tmp_path / "handbooks" / year).mkdir(parents=True)
        (tmp_path / "handbooks" / year / "handbook.md").write_text(text, encoding="utf-8")
    for day, text in {
        "12": "The testing budget was set at EUR 40,000. Tom presented the onboarding flow.",
        "19": "The testing budget was raised to EUR 55,000. Mei presented the release plan.",
        "26": "The testing budget remains EUR 55,000. Omar presented the hiring plan.",  # 19 March is both
    }.items():
        (tmp_path / f"2024-03-{day}_minutes.md").write_text(
            f"# Project Falcon weekly\n\n{text}\n", encoding="utf-8"
        )
    fresh.index([tmp_path], progress=False)
    # "2024/handbook.md" is a newer edition of "2023/handbook.md": its words answer, the old figure is not quoted
    hotel = _answered(fresh, "What is the nightly hotel allowance?")
    assert "EUR 150" in hotel.answer and "120" not in hotel.answer, hotel.answer
    opens = _answered(fresh, "When does the office open?")
    assert "nine" in opens.answer and "eight" not in opens.answer, opens.answer
    # what only the older edition says still answers
    dog = _answered(fresh, "Can I bring my dog to the office?")
    assert "dog" in dog.answer, dog.answer
    # minutes of two weeks: the latest answers for now, every week's own facts stay answerable
    budget = _answered(fresh, "What is the testing budget?")
    assert "55,000" in budget.answer and "40,000" not in budget.answer, budget.answer
    assert "onboarding flow" in _answered(fresh, "What did Tom present?").answer
    march = _answered(fresh, "What was the testing budget on 12 March?")
    assert "40,000" in march.answer, march.answer


def test_an_abbreviation_the_document_defines_answers_for_its_long_form(
    tmp_path: Path, embedder: Embedder
) -> None:
    """ "MAPK phosphatases (MKPs)" defined once, then "MKPs" used: the indexer keeps the definition in the manifest,
    and the sentence about MKPs answers a question about MAPK phosphatases; a store indexed before definitions
    were kept finds them at the first question and keeps them."""
    (tmp_path / "dusp.txt").write_text(
        "Dual-specificity phosphatases regulate many signalling pathways in the cell. Some DUSPs are also known "
        "as MAPK phosphatases (MKPs). Their structure was solved by crystallography in a series of studies. At "
        "least 10 MKPs have been identified in mammals so far.",
        encoding="utf-8",
    )
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        assert not assistant.index([tmp_path / "dusp.txt"], progress=False).failed
        doc = assistant.documents()[0]
        manifest = assistant.store.manifest
        assert manifest.abbreviations(doc.doc_id, doc.content_hash) == {"MKPs": "MAPK phosphatases"}
        answer = assistant.ask("How many MAPK phosphatases have been identified?")
        assert "At least 10 MKPs" in answer.answer.split("[1]")[0], answer.answer
        _exact(assistant, answer)
    with Assistant.open(
        store=tmp_path / "store", embedder=embedder
    ) as again:  # as a store of an earlier build
        again.store.manifest._db.execute("UPDATE documents SET abbreviations = NULL")
        assert again.store.manifest.abbreviations(doc.doc_id, doc.content_hash) is None
        answer = again.ask("How many MAPK phosphatases have been identified?")
        assert "At least 10 MKPs" in answer.answer.split("[1]")[0], answer.answer
        assert again.store.manifest.abbreviations(doc.doc_id, doc.content_hash) == {
            "MKPs": "MAPK phosphatases"
        }


def test_the_sentence_naming_what_it_refers_to_is_not_cited_twice(tmp_path: Path, embedder: Embedder) -> None:
    """ "It has 48 desks." is quoted with the sentence naming the office; that sentence is not a second claim
    quoting itself again (two citations, one inside the other)."""
    (tmp_path / "office.txt").write_text(
        "The Harbor Street office opened in March 2019. It has 48 desks and two meeting rooms. "
        "The office manager is Priya Raman.",
        encoding="utf-8",
    )
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as assistant:
        assistant.index([tmp_path / "office.txt"], progress=False)
        answer = assistant.ask("How many desks does the Harbor Street office have?")
        assert answer.answer.startswith("It has 48 desks"), answer.answer
        assert answer.citations[0].quote.startswith("The Harbor Street office opened")
        spans = [(c.start, c.end) for c in answer.citations]
        assert not any(a != b and b[0] <= a[0] and a[1] <= b[1] for a in spans for b in spans), spans
        _exact(assistant, answer)


def test_words_written_apart_or_as_one_and_a_list_without_full_stops(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "tidebase.md": (
                "# tidebase\n\ntidebase is a small key-value store for embedded devices.\n\n## Backups\n\n"
                "Stop writes by running tidebase freeze. Copy the data directory to the backup location. Run "
                "tidebase thaw to resume writes.\n\n## Upgrading\n\nRead the changelog for breaking changes. Stop "
                "the service. Replace the binaries in /opt/tidebase/bin.\n"
            ),
            "alarm.md": (
                "# Halo SA-9 Smoke Alarm\n\nThe SA-9 runs on a 9V battery for about 12 months.\n\n"
                "## Replacing the battery\n\n"
                "1. Turn the alarm anticlockwise to release it from the ceiling base\n"
                "2. Open the compartment on the back\n3. Insert a new 9V block, matching the + and - marks\n"
                "4. Refit the alarm and press the test button until it beeps\n\n"
                "## Testing the alarm\n\nPress and hold the test button for five seconds.\n"
            ),
        },
    )
    # ... and as two words what the documents write as one ("Backups", "backup location")
    backup = _answered(fresh, "How do I back up tidebase?")
    assert backup.answer.startswith("Stop writes by running tidebase freeze."), backup.answer
    assert "Copy the data directory" in backup.answer and "Replace the binaries" not in backup.answer, (
        backup.answer
    )
    # the last item of a list without full stops is an item, not a heading
    battery = _answered(fresh, "How do I replace the battery?")
    assert battery.answer.startswith("1. Turn the alarm anticlockwise"), battery.answer
    assert "4. Refit the alarm" in battery.answer, battery.answer
    # an English word the documents lack is not taken for another that differs inside it ("replace")
    terms, unknown = fresh.retriever.spell("Does tidebase support replication?")
    assert "replication" in unknown and "replac" not in terms, terms
    # a name that runs letters and digits together is the documents' name written apart ("SA-9", "COVID-19")
    model = _answered(fresh, "How long does the battery of the SA9 last?")
    assert model.answer.startswith("The SA-9 runs on a 9V battery for about 12 months."), model.answer
    assert fresh.retriever.spell("Does the SA9 beep?")[1] == ()
    # ... but a word of letters is never cut into the documents' words
    assert fresh.retriever.spell("Is there a takeaway?")[1] == ("takeaway",)


def test_a_number_question_is_answered_in_the_unit_of_what_it_asks_for(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "loaf.md": (
                "# Lemon Drizzle Loaf\n\nMakes one 900 g (2 lb) loaf, about 10 slices.\n\n## Method\n\n"
                "1. Heat the oven to 180 °C (160 °C fan, gas 4).\n2. Grease the loaf tin and line it with baking "
                "paper.\n"
            ),
            "lease.md": (
                "# Tenancy agreement\n\n6.1 The Landlord may enter the property to inspect it or carry out repairs "
                "after giving at least 24 hours' written notice.\n"
            ),
            "x14.md": (
                "# Nimbus X14 specifications\n\n| Item | Value |\n|---|---|\n| Battery | 70 Wh, 4-cell |\n"
                "| Battery life | up to 15 hours video playback |\n| Weight | from 1.19 kg |\n"
            ),
            "grant.md": (
                "# Coastal Futures Fund: call for proposals\n\nThe fund has a total budget of €3.2 million for "
                "this round. Money from the fund may not be used to buy land. Overheads may be charged at up to 15% "
                "of direct costs. The expression of interest is limited to 1,500 words.\n"
            ),
            "museum.md": (
                "# Plan your visit\n\n## Groups and schools\n\nGroups of 10 or more get 10% off special "
                "exhibition tickets if they book at least two weeks ahead.\n"
            ),
            "admissions.md": (
                "# Entry requirements\n\nIf English is not your first language, you need IELTS Academic 6.5 "
                "overall, with no component below 6.0.\n"
            ),
            "tax.md": (
                "# Tax for freelancers\n\n## Do you need to register?\n\nIf your income from self-employment is "
                "£1,000 or less in a tax year, you do not need to tell HMRC about it.\n\n## Records\n\n"
                "Keep records of your income and expenses, with receipts and bank statements. You must keep them "
                "for at least 5 years after the 31 January submission deadline.\n"
            ),
        },
    )
    # a number is a score, where no document says "score"
    ielts = _answered(fresh, "What IELTS score do I need?")
    assert ielts.answer.startswith("If English is not your first language, you need IELTS"), ielts.answer
    # a very common word of the question ("need") that a heading beside holds makes no sibling section of it
    receipts = _answered(fresh, "How long do I need to keep my receipts?")
    assert "at least 5 years" in receipts.answer, receipts.answer
    # a sum of money answers "how much money" though it does not say "money" (another sentence does)
    budget = _answered(fresh, "How much money is available in total?")
    assert budget.answer.startswith("The fund has a total budget of €3.2 million"), budget.answer
    # a percentage is a rate, a number of words a text's length
    overheads = _answered(fresh, "What overhead rate is allowed?")
    assert overheads.answer.startswith("Overheads may be charged at up to 15%"), overheads.answer
    # ... and a reduction: "10% off" is a discount where no document says "discount"
    discount = _answered(fresh, "What discount do groups get?")
    assert discount.answer.startswith("Groups of 10 or more get 10% off"), discount.answer
    words = _answered(fresh, "How long can the expression of interest be?")
    assert words.answer.startswith("The expression of interest is limited to 1,500 words"), words.answer
    # no document says "temperature" or "warning": the number in degrees or hours answers
    oven = _answered(fresh, "What temperature should the oven be?")
    assert oven.answer.startswith("1. Heat the oven to 180 °C"), oven.answer
    notice = _answered(
        fresh, "How much warning does the landlord have to give before coming round to inspect?"
    )
    assert "24 hours' written notice" in notice.answer, notice.answer
    # ... but a number of slices is no number of calories
    assert fresh.ask("How many calories are in a slice?").refused
    # "how long" is answered by a duration (or a length), not by any number
    battery = _answered(fresh, "How long does the battery last?")
    assert battery.citations[0].quote.startswith("| Battery life | up to 15 hours"), battery.answer


def test_release_notes_answer_which_version_when_and_what_was_fixed(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "RELEASE-NOTES.md": (
                "# Ledgerly release notes\n\n## 4.3.0 — 2 June 2025\n\n### Changed\n\n"
                "- The minimum supported macOS version is now 12 (Monterey)\n"
                "- The trial period for new accounts is shortened from 30 to 14 days\n\n### Known issues\n\n"
                "- Printing a report to PDF on Windows 10 may cut off the last column. As a workaround, switch the "
                "page to landscape.\n\n## 4.2.1 — 14 April 2025\n\n### Fixed\n\n"
                '- Invoice emails were sent twice when the "send copy to me" option was on\n'
                "- Dark mode: table headers were unreadable in the reports view\n"
            ),
        },
    )
    macos = _answered(fresh, "Which version of macOS do I need?")
    assert macos.answer.startswith("- The minimum supported macOS version is now 12"), macos.answer
    # a heading that gives the date beside the version answers when it came out
    released = _answered(fresh, "When was 4.2.1 released?")
    assert "14 April 2025" in released.citations[0].quote, released.answer
    # a version number that opens a heading is the heading's own word, not a section number
    fixed = _answered(fresh, "What was fixed in 4.2.1?")
    assert fixed.answer.startswith("- Invoice emails were sent twice"), fixed.answer
    # an item of a list is quoted with the sentences that go on on its line
    pdf = _answered(fresh, "Why is the last column missing when I print a report to PDF?")
    assert "switch the page to landscape" in pdf.answer, pdf.answer


def test_an_item_of_a_list_is_read_with_the_sentence_that_announces_the_list(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "leaflet.txt": (
                "Ibuprofen 200 mg Film-coated Tablets\n\n2. What you need to know before you take this medicine\n\n"
                "Do not take this medicine if you:\n- are allergic to ibuprofen, aspirin or other NSAIDs\n"
                "- have or have ever had a stomach ulcer or bleeding\n- are in the last three months of pregnancy\n"
                "- have severe heart, kidney or liver failure\n\n"
                "Alcohol: drinking alcohol while taking ibuprofen may increase the risk of stomach bleeding.\n"
            ),
        },
    )
    # the item alone ("- are allergic to ibuprofen, aspirin or other NSAIDs") does not say not to take it
    answer = _answered(fresh, "Can I take ibuprofen if I am allergic to aspirin?")
    assert answer.answer.startswith("Do not take this medicine if you:\n- are allergic"), answer.answer
    assert "last three months of pregnancy" in answer.answer, answer.answer


def test_a_thing_asked_for_by_its_number_is_not_answered_by_its_sibling(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "schedule.csv": (
                "Week,Dates,Topic,Reading,Due\n1,13–17 Jan,Course introduction,Ch. 4,\n"
                "2,20–24 Jan,Arrays and linked lists,Ch. 3,Assignment 1 (Fri 24 Jan)\n3,27–31 Jan,Stacks,Ch. 6,\n"
                "4,3–7 Feb,Hash tables,Ch. 10,Assignment 2 (Fri 7 Feb)\n"
                "6,17–21 Feb,Balanced trees,Ch. 11,Assignment 3 (Fri 21 Feb)\n"
            ),
            "api.md": (
                "# Shipping API\n\n## Shipments\n\n### Create a shipment\n\n`POST /shipments`\n\nCreates a shipment "
                "and returns its id.\n\n### Cancel a shipment\n\n`DELETE /shipments/{id}`\n\nA shipment can be "
                "cancelled only while its status is `created`. Cancelled shipments are refunded to your account "
                "balance within 3 business days.\n"
            ),
        },
    )
    # the row whose "3" is a chapter's and whose assignment is another does not answer for assignment 3
    due = _answered(fresh, "When is assignment 3 due?")
    assert "Assignment 3 (Fri 21 Feb)" in due.answer and "Assignment 1" not in due.answer, due.answer
    # one that no passage names is not answered by its siblings
    assert fresh.ask("When is assignment 4 due?").refused
    # a line of code is no heading: the section is read from it
    cancel = _answered(fresh, "How do I cancel a shipment?")
    assert cancel.answer.startswith("`DELETE /shipments/{id}`"), cancel.answer
    assert "only while its status is `created`" in cancel.answer, cancel.answer


def test_a_question_in_other_words_than_the_documents_is_answered_by_meaning(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "returns.md": (
                "# Returns\n\nYou can return most items within 30 days of delivery.\n\n## Refunds\n\nWe will "
                "refund you within 14 days of receiving the returned item, to the card you paid with.\n"
            ),
        },
    )
    # no word of the question that weighs is in the documents: the meaning decides
    refund = _answered(fresh, "How soon will I get my money back?")
    assert refund.answer.startswith("We will refund you within 14 days"), refund.answer
    assert fresh.ask("How tall is the clock tower?").refused


def test_a_day_or_quarter_asked_about_is_answered_by_the_row_that_names_it(
    tmp_path: Path, fresh: Assistant
) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "lunch.md": (
                "# School lunch menu\n\nSchool lunches cost £2.60 a day for Years 3 to 6. Lunches are free for "
                "all children in Year 1 and Year 2.\n\n| Day | Main | Vegetarian | Pudding |\n|---|---|---|---|\n"
                "| Wednesday | Roast chicken | Quorn roast | Apple crumble |\n"
                "| Thursday | Fish fingers and chips | Veggie fingers and chips | Ice cream |\n"
                "| Friday | Pizza and salad | Cheese and tomato pizza | Flapjack |\n"
            ),
            "museum.md": (
                "# Visitor guide\n\nSummer season (1 April to 30 September): open daily from 10:00 to 18:00.\n\n"
                "Winter season (1 October to 31 March): open Tuesday to Sunday from 10:00 to 16:30. The museum is "
                "closed on Mondays in winter.\n"
            ),
            "route-7.csv": (
                "Days,Bus Station,Market Square,Hospital\nMon-Sat,09:00,09:08,09:20\nMon-Sat,12:00,12:08,12:20\n"
                "Mon-Sat,15:00,15:08,15:20\n"
            ),
            "results.md": (
                "# Halden Outdoor: third quarter 2025 results\n\n## Highlights\n\n- Gross margin improved to "
                "46.1%, from 44.3% a year earlier.\n\n## Revenue by quarter\n\n| Quarter | Revenue (£m) | Gross "
                "margin |\n|---|---|---|\n| Q1 2025 | 118.7 | 45.6% |\n| Q2 2025 | 129.3 | 45.8% |\n"
                "| Q3 2025 | 148.2 | 46.1% |\n"
            ),
        },
    )
    # a day inside a run of days, and a day no document names, which is no absent key term
    museum = _answered(fresh, "Is the museum open on Wednesdays in winter?")
    assert museum.answer.startswith("Winter season (1 October to 31 March): open Tuesday to Sunday"), (
        museum.answer
    )
    lunch = _answered(fresh, "What's for lunch on Thursday?")
    assert lunch.answer.startswith("Day: Thursday; Main: Fish fingers"), lunch.answer
    assert "Friday" not in lunch.answer and "Wednesday" not in lunch.answer, lunch.answer
    # a journey named by its time: the row that holds it (its other times are answers, "12:08" is not "12:00")
    bus = _answered(fresh, "What time does the 12:00 bus reach Market Square?")
    assert bus.answer.startswith("Days: Mon-Sat; Bus Station: 12:00; Market Square: 12:08;"), bus.answer
    margin = _answered(fresh, "What was the gross margin in Q1 2025?")
    assert margin.answer.startswith("Quarter: Q1 2025; Revenue (£m): 118.7; Gross margin: 45.6%."), (
        margin.answer
    )
    assert margin.citations[0].quote == "| Q1 2025 | 118.7 | 45.6% |", margin.answer


def test_a_keep_a_changelog_file_answers_when_a_version_came_out(tmp_path: Path, fresh: Assistant) -> None:
    _indexed(
        fresh,
        tmp_path,
        {
            "CHANGELOG.md": (
                "# Changelog\n\nAll notable changes to `tidyconf` are documented in this file.\n\n"
                "## [3.0.0] - 2025-05-20\n\n### Changed\n- **Breaking:** the minimum supported Python version is "
                "now 3.10\n\n### Fixed\n- Comments at the end of a TOML table are no longer lost on save\n\n"
                "## [2.5.0] - 2025-01-14\n\n### Fixed\n- Unicode keys were written as escape sequences in JSON\n\n"
                "[3.0.0]: https://github.com/example/tidyconf/compare/v2.5.0...v3.0.0\n"
            ),
        },
    )
    # the version headings are indexed (a line without letters was taken for decoration), and the one naming
    # the asked version answers, not the sentence naming another
    released = _answered(fresh, "When was version 2.5.0 released?")
    assert released.answer.startswith("## [2.5.0] - 2025-01-14"), released.answer


def test_a_command_in_a_code_block_is_quoted_with_the_sentence_announcing_it(notes: Assistant) -> None:
    answer = notes.ask("How do I start a queue consumer?")
    assert answer.answer.startswith("Start a queue consumer:\ntern consume --threads 8 [1]"), answer.answer
    assert "```" in answer.citations[0].quote and "```" not in answer.answer  # the quote as written


def test_what_a_name_is_is_answered_where_a_document_says_what_it_is(notes: Assistant) -> None:
    answer = notes.ask("What is Wrenfield?")
    assert answer.answer.startswith("We started Wrenfield, a task queue for Python services"), answer.answer


def test_a_heading_that_gives_a_value_under_the_asked_label_answers(tmp_path: Path, fresh: Assistant) -> None:
    # "2. Fuel policy: full to full" is a numbered heading; it is also the answer.
    _indexed(
        fresh,
        tmp_path,
        {
            "rental.txt": (
                "Rental agreement\n\n1. Excess\n\nWithout Super Cover you pay the first £1,250 of any claim.\n\n"
                "2. Fuel policy: full to full\n\nKeep your fuel receipt from a filling station within 10 miles of "
                "the return location. Putting the wrong fuel in the car is not covered.\n\n3. Mileage\n\n"
                "The rental includes 1,500 miles.\n"
            )
        },
    )
    answer = _answered(fresh, "What's the fuel policy?")
    assert answer.answer.startswith("2. Fuel policy: full to full"), answer.answer


def test_a_common_abbreviation_finds_what_the_documents_spell_out(tmp_path: Path, fresh: Assistant) -> None:
    # "Who is the CEO?" of a release that says "Chief Executive Officer" and never "CEO"
    _indexed(
        fresh,
        tmp_path,
        {
            "release.md": (
                '# Corvane second quarter results\n\nRevenue rose 12% to £148.3 million. "We have delivered another '
                'quarter of growth," said Alicia Moreno, Chief Executive Officer.\n\nResearch and development '
                "spending was £29.7 million in the quarter, up 7%.\n"
            )
        },
    )
    ceo = _answered(fresh, "Who is the CEO?")
    assert "Alicia Moreno, Chief Executive Officer" in ceo.answer.split(" [1]")[0], ceo.answer
    spending = _answered(fresh, "How much was spent on R&D?")
    assert spending.answer.startswith("Research and development spending was £29.7 million"), spending.answer
    # an abbreviation whose meaning the documents do not hold stays a word they lack
    assert fresh.ask("Who is the CFO?").refused
