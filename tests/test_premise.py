"""The premise checks (`qa/answering/premise.py`): pure logic, on SQuAD 2.0's kinds of unanswerable questions (a negation,
a number or an opposite that the passages do not have) and on answerable look-alikes that must pass."""

from __future__ import annotations

import pytest

from qa.answering.premise import absent_key_term, numbered_sibling, opposite_modifier, unmet_premise

SHELVED = "Suggestions for a 'devolved' Parliament were shelved due to the outbreak of the First World War."


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "What is not the key distinction between the two theories?",
            "The key distinction is the time taken.",
        ),
        ("Why didn't the UK have to justify its action?", "The UK justified its action in 1998."),
        ("The Second World War caused what to be shelved?", SHELVED),
        (
            "Something considered a non fundamental error is the belief in what?",
            "A fundamental error was ...",
        ),
        ("When did the Yuan people suffer unnatural disasters?", "People suffered from natural disasters."),
        ("What did some eastern troops protect?", "Western troops came to protect the Saudi monarchy."),
        (
            "Who won the Ekstraklasa Championship in 2001?",
            "Polonia won the Ekstraklasa Championship in 2000.",
        ),
    ],
)
def test_questions_resting_on_what_the_passages_do_not_say_are_refused(question: str, sentence: str) -> None:
    assert unmet_premise(question, [sentence], [sentence])


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "Who was not allowed to settle in New France?",
            "Huguenots were banned from settling in New France.",
        ),
        (
            "What is studied whether or not it can be solved?",
            "Computability asks which problems can be solved.",
        ),
        ("The First World War caused what to be shelved?", SHELVED),
        ("How many people lived in Warsaw in 11,400 BC?", "In 11400 BC few people lived there."),
        ("What releases the exhaust steam into the atmosphere?", "Steam is exhausted to the atmosphere."),
        ("What is an informal notion of difficulty?", "It captures the informal notion of difficulty."),
    ],
)
def test_answerable_look_alikes_pass(question: str, sentence: str) -> None:
    assert unmet_premise(question, [sentence], [sentence]) is None


def test_a_number_counts_when_any_passage_has_it_and_the_reason_names_what_is_missing() -> None:
    question = "What happened to the fort in 1754?"
    assert (
        unmet_premise(question, ["The fort was rebuilt."], ["The fort was rebuilt.", "In 1754 it fell."])
        is None
    )
    assert (
        unmet_premise(question, ["The fort was rebuilt."], ["The fort was rebuilt."])
        == "1754 is in no passage"
    )
    assert opposite_modifier("Where was the second fort built?", "The first fort was built on the lake.") == (
        "second fort/first fort"
    )


def test_a_year_asked_where_the_answer_gives_other_years_is_unmet() -> None:
    row = "Item: Revenue; 2024: 1,284.6; 2023: 1,197.3."
    board = "Name: Ann Price; Role: Chair; Appointed: 2019."
    assert (
        unmet_premise("What was revenue in 2019?", [row], [row, board])
        == "the passages give 2023, 2024, not 2019"
    )
    assert unmet_premise("What was revenue in 2023?", [row], [row, board]) is None
    # a sentence with no year, or a question naming a span of years, is left to the other checks
    assert unmet_premise("What was revenue in 2019?", ["Revenue rose by 4%."], [board]) is None
    assert unmet_premise("How did revenue change between 2019 and 2024?", [row], [row, board]) is None
    # a bound or a decade is answered by other years; so is a question one answer sentence answers without a year
    won = "They won the championship in 1946."
    assert (
        unmet_premise("When did they win the championship prior to 2000?", [won], [won, "In 2000 ..."])
        is None
    )
    assert (
        unmet_premise("Where did France win a war in the 1950's?", ["The war ended in 1962."], ["1950"])
        is None
    )
    said = ["The endowment lost 22% in 2008.", "It is valued at about $32 billion."]
    assert unmet_premise("What was the endowment in 2011?", said, [*said, "Founded 2011."]) is None


@pytest.mark.parametrize(
    ("question", "answer", "passages", "why"),
    [
        # the asked member is named nowhere, another beside the same word is
        (
            "When are Round 4 decisions announced?",
            "Stage: Decisions announced; Date: April 2026.",
            ["Round 3 has a total budget of £2.4 million."],
            "the passages name another round than 4",
        ),
        (
            "How much is the Fibre 1000 plan?",
            "Plan: Fibre 900; Fixed: £38 a month.",
            ["Plan: Fibre 500; Fixed: £30 a month."],
            "the passages name another fibre than 1000",
        ),
        (
            "What changed in protocol version 4.0?",
            "Version: 1.0; Date: 14 January 2025; Summary of changes: Original protocol.",
            [],
            "the passages name another version than 4.0",
        ),
        (
            "How much is a single ticket on route 40?",
            "Ticket: Single; Adult: GBP 1.80.",
            ["Route 42 changes from Monday 1 September 2025."],
            "the passages name another route than 40",
        ),
        (
            "What was the audit fee for 2024/25?",
            "The audit fee was £2,150.",
            ["The accounts for 2023/24 were approved."],
            "the passages give 2023/24, not 2024/25",
        ),
        (
            "What time is the keynote on day 3?",
            "Time: 09:15; Session: Opening keynote.",
            ["Day 1 – Thursday 16 October", "Day 2 – Friday 17 October"],
            "the passages name another day than 3",
        ),
        # another passage mentions the asked member, but the answer speaks of another
        (
            "What was the total budget of Round 2?",
            "Round 3 has a total budget of £2.4 million.",
            ["Applicants funded in Round 2 may apply again."],
            "the answer speaks of another round than 2",
        ),
        # the asked member is there: a wildcard ("2.5.x"), a dotted number on its own ("## [2.6.0]")
        ("When does version 2.5.1 get fixes?", "Version: 2.5.x; Supported: yes.", [], None),
        ("When was version 2.6.0 released?", "## [2.6.0] - 2025-01-10", ["Version: 2.5.x"], None),
        ("How fast is Fibre 500?", "Plan: Fibre 500; Average speed: 500 Mbps.", ["Plan: Fibre 900"], None),
        # a month and a day, a word that numbers nothing: no numbered thing
        ("What happened on May 4?", "It rained.", ["On May 5 it rained."], None),
        ("How many cases were there in about 5 days?", "12 cases in about 4 days.", [], None),
    ],
)
def test_a_numbered_thing_asked_where_the_passages_name_another_is_unmet(
    question: str, answer: str, passages: list[str], why: str | None
) -> None:
    assert numbered_sibling(question, [answer], [answer, *passages]) == why


def test_a_month_asked_where_the_answer_gives_other_months_is_unmet() -> None:
    said = "Rent arrears stood at £3,412 at the end of December, down from £4,880 in November."
    assert (
        unmet_premise("How much were the rent arrears at the end of March?", [said], [said])
        == "the passages give December, November, not March"
    )
    assert unmet_premise("How much were the rent arrears at the end of December?", [said], [said]) is None
    # a bound, a question's first word ("May I ...?") and a yes/no question are left to the other checks
    assert unmet_premise("What were the arrears before March?", [said], [said]) is None
    assert unmet_premise("May I pay in June?", ["Rent is paid in July."], [""]) is None


def test_an_owner_is_no_sibling_of_a_name_before_the_same_noun() -> None:
    texts = ["The sale of your mother's house was completed.", "Northgate Housing, Northgate House, Salford"]
    assert absent_key_term(["Mum's"], texts, question="What did Mum's house sell for?") is None
    plants = ["The Leeds plant employs 400 people."]
    assert absent_key_term(["Birmingham"], plants, question="How many does the Birmingham plant employ?")


def test_a_kind_the_passages_do_not_describe_is_an_absent_key_term() -> None:
    texts = ["Set the speed on the control panel. The maximum speed for the swing-out rotor is 4,500 rpm."]
    question = "What is the maximum speed of the fixed-angle rotor?"
    assert absent_key_term(["fixed-angle"], texts, question=question) == "fixed-angle"
    # a hyphenated word that no other kind of the same thing stands beside is no such term
    assert absent_key_term(["well-known"], texts, question="What is the well-known speed limit?") is None


def test_a_day_or_month_no_passage_names_is_no_absent_key_term() -> None:
    texts = ["Winter season: open Tuesday to Sunday from 10:00 to 16:30."]
    question = "Is the museum open on Wednesdays in winter?"
    assert absent_key_term(["Wednesdays"], texts, question=question) is None
    # a name is still one
    assert absent_key_term(["Marburg"], texts, question="Is the Marburg museum open?") == "Marburg"
