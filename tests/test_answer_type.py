"""Question kinds and what in a sentence answers them (pure logic, no models)."""

from __future__ import annotations

import pytest

from qa.answering.kinds import (
    Kind,
    asked_labels,
    asked_term,
    has_kind,
    holds_label,
    listed_names,
    other_label,
    question_kind,
    states_measure,
    states_what,
)

AXIS = (
    "The secretive Quds Force is responsible not only for defending Iran but also for taking control of its allied "
    "militia in the region, including Hamas, Lebanon’s Hezbollah, the Houthi militia in Yemen, and various militias "
    "in Iraq and Syria which are all part of an alliance system known as the Axis of Resistance headed by Iran."
)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who commands the Quds Force?", Kind.PERSON),
        ("When did he take over the force?", Kind.DATE),
        ("In what year did Qaani take over the Quds Force?", Kind.DATE),
        ("By when do I have to pick my optional module?", Kind.DATE),
        ("From when does the new rate apply?", Kind.DATE),
        ("How many people have died in Gaza?", Kind.NUMBER),
        ("Where did Khamenei meet the head of Hamas?", Kind.PLACE),
        # a measure asked for by its name, after a possessive too
        ("What was the seroprevalence of HEV among pig farm workers?", Kind.QUANTITY),
        ("What was Ms Okafor's annual salary?", Kind.QUANTITY),
        ("What is the main source of income for farmers?", None),
        ("What occurs when electron clouds overlap?", None),  # "when" inside a question is a conjunction
        ("Which armed groups belong to the Axis of Resistance?", Kind.LIST),
        ("Which countries were the agreement between?", Kind.LIST),
        ("What companies did Toyota have partnerships with?", Kind.LIST),
        ("Which groups are allied with Iran?", Kind.LIST),
        # A plural-looking verb, a singular noun or a descriptive plural asks for no list.
        ("What causes elevated vitamin D levels?", None),
        ("What accelerates NK cells?", None),
        ("What happens when tyrosinase is expressed?", None),
        ("Which militia launched drone attacks against Israel?", None),
        ("What kinds of support did Khamenei promise?", None),
        ("What is the capital of France?", None),
        # the name of someone, or of an animal, is a person's kind of answer; the name of a thing is not
        ("What was the name of the engineer who made the typo?", Kind.PERSON),
        ("What was the grandmother's name?", Kind.PERSON),
        ("What's the dog called?", Kind.PERSON),
        ("What is the name of the hotel?", None),
    ],
)
def test_question_kind(question: str, kind: Kind | None) -> None:
    assert question_kind(question) is kind


def test_a_list_question_is_answered_by_a_sentence_that_enumerates_names_it_does_not_ask_about() -> None:
    question = "Which armed groups belong to the Axis of Resistance?"
    names = [AXIS[start:end] for start, end in listed_names(AXIS, question)]
    assert names[:3] == ["Hamas", "Lebanon’s Hezbollah", "the Houthi"]
    assert has_kind(Kind.LIST, AXIS, question)
    assert not has_kind(
        Kind.LIST, "So far, several resistance axis militias have carried out attacks on Israel.", question
    )
    # Names the question already gives are no answer.
    assert not has_kind(Kind.LIST, "Hamas and Iran signed it.", "Which groups did Hamas and Iran join?")


@pytest.mark.parametrize(
    "sentence, answers",
    [
        # a number word that opens the sentence names no place
        ("Two cases were imported into the United States.", False),
        ("The CDC confirmed the first imported case in the state of Washington.", True),
        # a place that opens the sentence is still one
        ("Washington reported the first imported case.", True),
    ],
)
def test_a_where_question_is_answered_by_a_place_it_does_not_name(sentence: str, answers: bool) -> None:
    question = "Where was the first imported case of COVID-19 in the United States?"
    assert has_kind(Kind.PLACE, sentence, question) is answers


@pytest.mark.parametrize(
    "question, sentence, holds, other",
    [
        ("When is assignment 3 due?", "Due: Assignment 3 (Fri 21 Feb).", True, False),
        ("When is assignment 3 due?", "Due: Assignment 1 (Fri 24 Jan).", False, True),
        ("Who grew rich before World War 1?", "Before World War I, empires grew rich.", True, False),
        ("What mediates Type I allergy?", "Type 1 allergy is mediated by IgE.", True, False),
        ("What's for lunch on Thursday?", "| Friday | Pizza and salad |", False, True),
        ("When does it close in summer?", "It is closed on Mondays in winter.", False, True),
        ("Is it open on Wednesday?", "Open Monday to Friday, 9:00 to 17:00.", True, False),
        ("Is it open on Mondays?", "Open Tue-Sun, 10:00 to 16:30.", False, True),
        ("What do Year 5 children pay?", "Lunches cost £2.60 for Years 3 to 6.", True, False),
        ("What do Year 2 children pay?", "Lunches cost £2.60 for Years 3 to 6.", False, True),
        ("What was the margin in Q1 2025?", "The first quarter's margin was 45.6%.", True, False),
        # a code of capitals and a number: "W09" is a sibling of "W12", "W012" is "W12"
        ("What was the mean orthophosphate at W12?", "Site: W012; Orthophosphate: 0.142.", True, False),
        ("What was the mean orthophosphate at W12?", "The highest was measured at W09.", False, True),
        ("What does error E11 mean?", "| E11 | Rear brake light fault |", True, False),
        # ... written with a hyphen too: "AP-620" is a sibling of "AP-820", "AP-820X" another model
        ("Which injector suits the AP-820?", "Compatible with: AP-820, AP-820X; Price: 99.", True, False),
        ("Which injector suits the AP-820?", "Compatible with: AP-420, AP-620; Price: 59.", False, True),
        ("Which injector suits the AP-820?", "Compatible with: the AP-820X only.", False, False),
        # a date or a year is no label
        ("Who spoke on October 9, 2004?", "The mayor spoke on 12 October 2004.", False, False),
        ("What did Baran do in the late 1950s?", "In the early 1960s, Baran wrote.", False, False),
    ],
)
def test_a_thing_named_by_a_number_letter_day_or_quarter_is_told_from_its_siblings(
    question: str, sentence: str, holds: bool, other: bool
) -> None:
    labels = asked_labels(question)
    assert holds_label(sentence, labels) is holds and other_label(sentence, labels) is other, labels


@pytest.mark.parametrize(
    "question, sentence, answers",
    [
        ("What time does the museum close?", "It is open daily from 10:00 to 18:00.", True),
        ("What time does the museum close?", "The museum is closed on Mondays in winter.", False),
        ("How late is the shop open?", "On Thursdays the shop stays open until 9 pm.", True),
        ("What time period did the Yuan rule?", "The Yuan ruled from 1271 to 1368.", True),
        ("At what time is the rivalry set aside?", "The rivalry is set aside every two years.", True),
        ("When does the museum close?", "The museum is closed on Mondays in winter.", True),
        # how often is no point in time something starts or changes
        (
            "When does the new rent start?",
            "Charge: Net rent; Current weekly/New weekly: 112.40/115.43.",
            False,
        ),
        ("When does the new rent start?", "Your rent will change from Monday 7 April 2025.", True),
        ("When is the market held?", "The market is held weekly.", True),
    ],
)
def test_what_time_asks_for_a_time_of_day(question: str, sentence: str, answers: bool) -> None:
    assert has_kind(Kind.DATE, sentence, question) is answers


def test_a_journey_named_by_its_time_is_a_label() -> None:
    labels = asked_labels("If I catch the 7.30 pm bus, when do I get to the Hospital?")
    assert ("time", "19:30") in labels
    assert holds_label("Bus Station: 19:30; Hospital: 19:52.", labels)
    assert other_label("Bus Station: 17:20; Hospital: 17:44.", labels)
    # the question's own time is no answer; another time of the same hour is
    assert has_kind(
        question_kind("What time does the 12:00 bus arrive?"),
        "Bus Station: 12:00; Hospital: 12:20.",
        "What time does the 12:00 bus arrive?",
    )


def test_a_code_named_among_its_siblings_is_named_in_passing() -> None:
    from qa.answering.kinds import names_siblings_too

    labels = asked_labels("What was the mean orthophosphate at W12?")
    assert labels == [("code:W", "12")]
    assert names_siblings_too("It failed at 6 of the 14 sites: W05, W06, W09, W11, W12 and W13.", labels)
    assert not names_siblings_too("Site: W12; Orthophosphate (mg/l P): 0.142.", labels)
    assert asked_labels("How did sales do in Q3?") == [("quarter", "3")]  # a quarter is no code


@pytest.mark.parametrize(
    "word, sentence, states",
    [
        ("discount", "Groups of 10 or more get 10% off special exhibition tickets.", True),
        ("discount", "Students pay £5 less on weekdays.", True),
        ("reduction", "Tickets are half-price after 4 pm.", True),
        ("discount", "Groups of 10 or more should book two weeks ahead.", False),
        ("rate", "Overheads may be charged at up to 15% of staff costs.", True),
        ("fee", "The late payment fee is waived for the first month.", False),
    ],
)
def test_a_measure_is_stated_by_a_number_in_its_units(word: str, sentence: str, states: bool) -> None:
    assert states_measure(word, sentence) is states


@pytest.mark.parametrize(
    "question, term",
    [
        ("What are inovirus-associated vectors?", "inovirus-associated vectors"),
        ("What is R0?", "R0"),
        ("what is a hot spring", "hot spring"),
        ("What is the incubation period of MERS?", None),  # a value of something, not a term
        ("What is the name of the ship?", None),
        ("Who is R0?", None),
    ],
)
def test_the_term_a_question_asks_the_meaning_of(question: str, term: str | None) -> None:
    assert asked_term(question) == term


@pytest.mark.parametrize(
    "term, sentence, states",
    [
        ("R0", "R0, the basic reproduction number, is a commonly used measure of transmissibility.", True),
        (
            "IAV",
            "Abstract: Inovirus-associated vectors (IAVs) are engineered, non-lytic bacteriophages.",
            True,
        ),
        ("NSFNET", "The National Science Foundation Network (NSFNET) was a program of projects.", True),
        ("hot spring", "Hot springs are springs of geothermally heated groundwater.", True),
        (
            "R0",
            "After accounting for under-reporting, the R0 was estimated at 2.56.",
            False,
        ),  # not the subject
        ("R0", "The R0 is estimated at 2.56.", False),  # a value, not what it is
        (
            "Bacillus subtilis",
            "As a nonpathogenic Gram-positive bacterium, B. subtilis has been regarded",
            True,
        ),
        (
            "inovirus-associated vectors",
            "The particles are termed IAVs for inovirus-associated vectors.",
            False,
        ),
    ],
)
def test_a_sentence_says_what_a_term_is_with_the_term_as_its_subject(
    term: str, sentence: str, states: bool
) -> None:
    assert states_what(term, sentence) is states


def test_a_date_the_asker_gives_of_their_plans_is_taken_in_by_a_period() -> None:
    labels = asked_labels("If we paid off the mortgage in September 2025 what would the ERC be?")
    assert labels == [("date:", "2025-09-15")]
    assert holds_label("Period: 01/08/2025 to 31/07/2026; ERC: 4%.", labels)
    assert holds_label("Product year: 2; From: 01/08/2025; To: 31/07/2026; ERC rate: 4%", labels)
    assert not holds_label("Period: Completion to 31/07/2025; ERC: 5%.", labels)
    assert other_label("Period: Completion to 31/07/2025; ERC: 5%.", labels)
    assert holds_label("Period: From 01/08/2025; ERC: None.", labels)
    # a date that is no plan of the asker's is no such label
    assert asked_labels("What happened on 5 March 2023?") == []


def test_a_weekday_before_a_date_is_no_label_of_its_own() -> None:
    # "Friday 6" is no "Round 4": the day's number belongs to the date, and the weekday is a label of its own
    assert asked_labels("What exam do I have on Friday 6 June?") == [("day", "friday"), ("date", "6-6")]


def test_a_numbered_day_is_no_weekday() -> None:
    # "Day 2" of a conference is held by "on Day 2" and not by a weekday; "Day 1" is another day
    labels = asked_labels("When does the cloakroom close on day 2?")
    assert labels == [("day", "2")]
    assert holds_label("It is open until 18:00 on Day 1 and until 16:30 on Day 2.", labels)
    assert other_label("It is open until 18:00 on Day 1.", labels)
    assert not holds_label("It is open until 16:30 on Wednesday.", labels)
    assert not other_label("It is open until 16:30 on Wednesday.", labels)
    # a quarter named by its number stays a quarter ("Q3" is "quarter 3")
    assert holds_label("Revenue in Q3 2025 was £4.1m.", asked_labels("What was revenue in quarter 3?"))


@pytest.mark.parametrize(
    "sentence, holds",
    [
        ("Date: Friday 6 June 2025; Module title: Green Chemistry.", True),
        ("On June 6th the hall is closed.", True),
        ("Date: 06/06/2025; Room: G.14.", True),
        ("Date: Thursday 5 June 2025; Module title: Analytical Chemistry.", False),
        ("Version 2.6 June release.", False),  # no day of a month
    ],
)
def test_the_day_a_question_names_is_held_by_a_sentence_that_names_it(sentence: str, holds: bool) -> None:
    labels = [("date", "6-6")]
    assert holds_label(sentence, labels) is holds


def test_a_version_question_is_answered_by_a_version_not_a_duration_or_an_identifiers_year() -> None:
    # "Which version fixed ...?": the bullet under "## Version 4.1.3 - 2 September 2025" gives no version, though
    # it says "for up to an hour" and "CVE-2025-41877"; its heading does
    question = "Which version fixed the shared link security problem?"
    bullet = "- Security: fixed shared links staying valid for up to an hour (CVE-2025-41877)."
    assert not has_kind(Kind.DATE, bullet, question)
    assert has_kind(Kind.DATE, "## Version 4.1.3 - 2 September 2025", question)
    assert has_kind(Kind.DATE, "The fix shipped in 4.1.3.", question)
    assert not has_kind(Kind.DATE, "- Support for Python 3.9.", question)  # another product's version
    # ... and the identifier's year is no date for a "when" question either; a date stays one
    assert not has_kind(Kind.DATE, "It is tracked as CVE-2025-41877.", "When was the leak fixed?")
    assert has_kind(Kind.DATE, "It was fixed on 2025-09-02.", "When was the leak fixed?")
