"""Pure citation logic: numbering, marker checks, support, passages in context."""

from __future__ import annotations

import pytest

from index.errors import NotFound
from index.load import Document
from qa.chat import rewrite
from qa.cite import Claim, Quote, marker_problems, number, passage_in_context, quote_problems, supports
from qa.types import Citation

DOC = Document.from_text("note.txt", "Alpha is first. Beta is second. Gamma is third.")


def quote(start: int, end: int) -> Quote:
    return Quote(DOC.doc_id, DOC.source, start, end, DOC.text[start:end], 1.0)


def claim(start: int, end: int) -> Claim:
    return Claim(DOC.text[start:end], (quote(start, end),))


def cite(n: int, start: int = 0, end: int = 15, quote: str | None = None) -> Citation:
    return Citation(
        n, DOC.doc_id, DOC.source, start, end, DOC.text[start:end] if quote is None else quote, 1.0, True
    )


def test_citations_are_numbered_by_first_appearance_and_repeats_share_a_number() -> None:
    text, citations = number([claim(16, 31), claim(0, 15), claim(16, 31)])
    assert text == "Beta is second. [1] Alpha is first. [2] Beta is second. [1]"
    assert [(c.n, c.quote) for c in citations] == [(1, "Beta is second."), (2, "Alpha is first.")]
    assert marker_problems(text, citations) == []


def test_a_claim_resting_on_two_sentences_gets_both_markers_and_its_own_markers_are_replaced() -> None:
    text, citations = number(
        [Claim("Alpha and Beta [7] lead [9].", (quote(16, 31), quote(0, 15))), claim(0, 15)]
    )
    assert text == "Alpha and Beta lead. [1][2] Alpha is first. [2]"
    assert [c.quote for c in citations] == ["Beta is second.", "Alpha is first."]
    assert marker_problems(text, citations) == []


def test_a_claim_without_quotes_is_kept_without_a_marker() -> None:
    text, citations = number([claim(0, 15), Claim("The documents don't say when.", ())])
    assert text == "Alpha is first. [1] The documents don't say when."
    assert len(citations) == 1


@pytest.mark.parametrize(
    "answer, citations, problem",
    [
        ("Alpha [1] [2]", [cite(1)], "marker [2] has no citation"),
        ("Alpha [1]", [cite(1), cite(2)], "citation 2 has no marker"),
        ("Alpha [1] Beta [1]", [cite(1), cite(1)], "citation numbers repeat"),
        ("Alpha [2] Beta [1]", [cite(1), cite(2)], "not numbered 1, 2"),
        ("Alpha [7]", [], "marker [7] has no citation"),
    ],
)
def test_bad_markers_are_caught(answer: str, citations: list[Citation], problem: str) -> None:
    assert any(problem in p for p in marker_problems(answer, citations))


def test_a_quote_that_differs_from_the_source_is_caught() -> None:
    assert quote_problems([cite(1)], {DOC.doc_id: DOC}) == []
    assert quote_problems([cite(1, quote="Alpha is 1st.")], {DOC.doc_id: DOC}) != []
    assert quote_problems([cite(1)], {}) == [f"citation 1: unknown document {DOC.doc_id}"]


def test_support_needs_the_claims_terms_in_the_quote() -> None:
    assert supports("Alpha comes first", "Alpha is first.")
    assert not supports("Gamma comes first in the list", "Alpha is first.")


def test_passage_in_context_and_its_errors() -> None:
    passage = passage_in_context(DOC, DOC.doc_id, 16, 31, context=6)
    assert (passage.before, passage.quote, passage.after) == ("irst. ", "Beta is second.", " Gamma")
    with pytest.raises(NotFound, match="unknown doc_id"):
        passage_in_context(None, "nope", 0, 1)
    for start, end in [(-1, 4), (5, 5), (10, 4), (0, len(DOC.text) + 1)]:
        with pytest.raises(NotFound, match="out of range"):
            passage_in_context(DOC, DOC.doc_id, start, end)


@pytest.mark.parametrize(
    "history, question, expected",
    [
        ([], "When did he take over?", "When did he take over?"),
        (
            [("Who leads the Ministry?", "Anna Berg leads the Ministry of Culture. [1]")],
            "Where was she born?",
            "Where was Anna Berg born?",
        ),
        (
            [("What did Anna Berg announce?", "A new library law. [1]")],
            "What was her reason?",
            "What was Anna Berg’s reason?",
        ),
        (
            [("When was the Eiffel Tower built?", "It was built in 1889. [1]")],
            "How tall is it?",
            "How tall is Eiffel Tower?",
        ),
        (
            [("Who did Esmail Qaani replace?", "He replaced Qasem Soleimani. [1]")],
            "When did he take over?",
            "When did Esmail Qaani take over?",
        ),
        (
            [("Who leads the Ministry?", "The documents don't say.")],
            "Who founded it?",
            "Who founded Ministry?",
        ),
        # a follow-up that names another model, code or year of the same shape takes its place
        ([("How heavy is the Halo H2?", "It weighs 250 g. [1]")], "And the H3?", "How heavy is the Halo H3?"),
        (
            [("How heavy is the Halo H2?", "It weighs 250 g. [1]")],
            "What about the H3 Pro?",
            "How heavy is the Halo H3 Pro?",
        ),
        ([("What was revenue in 2024?", "£1,284.6m. [1]")], "What about 2023?", "What was revenue in 2023?"),
        ([("How fast is the T-20?", "20 km/h. [1]")], "And the T-40?", "How fast is the T-40?"),
        # ... and so does a place after the same preposition, or a thing of the same kind ("... leave")
        (
            [("What should we bring for Lisbon?", "Comfortable shoes. [1]")],
            "And for Seville?",
            "What should we bring for Seville?",
        ),
        (
            [("Is paternity leave paid?", "Yes, in full. [1]")],
            "And maternity leave?",
            "Is maternity leave paid?",
        ),
        # ... and a correction of what the last question asked about
        (
            [("How heavy is the Halo H2?", "It weighs 250 g. [1]")],
            "No, I meant the H3",
            "How heavy is the Halo H3?",
        ),
        (
            [("What should we bring for Lisbon?", "Comfortable shoes. [1]")],
            "Sorry, I meant for Seville.",
            "What should we bring for Seville?",
        ),
        (
            [("Is paternity leave paid?", "Yes, in full. [1]")],
            "I meant maternity leave",
            "Is maternity leave paid?",
        ),
        # "it" after a question that names no thing but asks about one is that thing, not a name in the answer
        (
            [("Which terminal does the flight home leave from?", "It lands at London Gatwick. [1]")],
            "How much was it?",
            "How much was the flight?",
        ),
        (
            [("What's the name of the hotel in Seville?", "Hotel Triana Patio. [1]")],
            "How much is it per night?",
            "How much is the hotel in Seville per night?",
        ),
    ],
)
def test_follow_ups_are_rewritten_from_entities_of_earlier_turns(history, question, expected) -> None:
    assert rewrite(question, history) == expected
