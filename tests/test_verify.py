"""Verification of generated sentences against the passages they cite (qa/generation/verify.py), with the real embedder."""

from __future__ import annotations

import pytest

from index.chunk import split_sentences
from index.embed import Embedder
from index.load import Document
from qa.cite import marker_problems, number
from qa.generation.verify import Source, Verifier, is_refusal, split_answer

TEXT = (
    "The Quds Force is the foreign operations arm of Tehran’s Islamic Revolution Guards Corps (IRGC). "
    "Qaani took over the force in 2020 after his predecessor, Qasem Soleimani, was killed in a United States "
    "(US) drone strike.\n\n"
    "Meanwhile, the situation in Gaza continues to be tense. A total of 11,400 people died, most of them "
    "children and women.\n\n"
    "In a letter addressed to the commander of Hamas’ armed wing Al Qassam Brigades, Qaani said Tehran and its "
    "allies would not let a “brutal enemy” win."
)
DOC = Document.from_text("note.txt", TEXT)


def source(n: int, start: int, end: int) -> Source:
    spans = tuple((s.start, s.end) for s in split_sentences(DOC.text, start, end))
    return Source(n, DOC.doc_id, DOC.source, start, end, DOC.text[start:end], spans)


def paragraphs() -> list[Source]:
    out, pos = [], 0
    for n, para in enumerate(TEXT.split("\n\n"), 1):
        start = TEXT.index(para, pos)
        out.append(source(n, start, start + len(para)))
        pos = start + len(para)
    return out


@pytest.fixture(scope="module")
def verifier(embedder: Embedder) -> Verifier:
    return Verifier(embedder.embed)


def test_a_supported_sentence_is_cited_to_the_exact_sentence_that_supports_it(verifier: Verifier) -> None:
    verdict = verifier.verify("Qaani took over the Quds Force in 2020 [1].", paragraphs())
    assert verdict.dropped == [] and len(verdict.claims) == 1
    quotes = verdict.claims[0].quotes
    assert all(q.text == DOC.text[q.start : q.end] for q in quotes)
    # "the force" alone does not name the Quds Force: the quote takes in the sentence before, which does
    assert len(quotes) == 1 and quotes[0].text.startswith("The Quds Force is the foreign operations arm")
    assert "Qaani took over the force in 2020" in quotes[0].text


def test_a_paraphrase_survives_where_its_words_have_close_matches(verifier: Verifier) -> None:
    verdict = verifier.verify("Around 11,400 people were killed in Gaza [2].", paragraphs())
    assert verdict.dropped == []
    assert (
        "11,400" in verdict.claims[0].quotes[0].text
    )  # "killed" rests on "died"; "Gaza" on the sentence before


@pytest.mark.parametrize(
    "lie",
    [
        "Qaani took over the force in 2019 [1].",  # wrong year
        "A total of 12,000 people died in Gaza [2].",  # wrong number
        "Qaani took over the force in 2020 after Ali Larijani was killed [1].",  # invented name
        "Iran sent weapons to the Houthis [1].",  # a claim no passage makes
        "Qaani praised the Houthi drone attacks in three letters [3].",  # invented number word and claim
    ],
)
def test_invented_numbers_names_and_claims_are_dropped(verifier: Verifier, lie: str) -> None:
    verdict = verifier.verify(lie, paragraphs())
    assert verdict.claims == []
    assert verdict.dropped == [lie.replace(" [1]", "").replace(" [2]", "").replace(" [3]", "")]


def test_a_bare_number_is_checked_and_filler_is_dropped(verifier: Verifier) -> None:
    verdict = verifier.verify("Sure! In 2020 [1].", paragraphs())
    assert verdict.dropped == ["Sure!"]
    assert [c.text for c in verdict.claims] == ["In 2020."]


def test_a_sentence_cited_to_the_wrong_passage_is_re_anchored(verifier: Verifier) -> None:
    verdict = verifier.verify("A total of 11,400 people died in Gaza [1].", paragraphs())
    assert verdict.reanchored == 1
    quote = verdict.claims[0].quotes[0]
    assert "A total of 11,400 people died" in quote.text and "Gaza" in quote.text


def test_out_of_range_markers_are_removed_and_numbering_is_clean(verifier: Verifier) -> None:
    verdict = verifier.verify(
        "Qaani took over the force in 2020 [9]. Most of the dead were children [0].", paragraphs()
    )
    assert verdict.removed_markers == [9, 0]
    text, citations = number(verdict.claims)
    assert "[9]" not in text and "[0]" not in text
    assert marker_problems(text, citations) == []


def test_markers_written_before_a_sentence_or_after_its_full_stop_belong_to_it() -> None:
    assert split_answer("[1] Qaani leads the force. [2] He took over in 2020.") == [
        ("Qaani leads the force.", [1]),
        ("He took over in 2020.", [2]),
    ]
    assert split_answer("Qaani leads the force. [1][2]") == [("Qaani leads the force.", [1, 2])]


def test_passage_delimiters_echoed_by_the_model_are_not_part_of_the_answer() -> None:
    assert split_answer("<<<Qaani leads the force.>>> [1]") == [("Qaani leads the force.", [1])]


def test_a_claim_combining_two_sentences_cites_both(verifier: Verifier) -> None:
    verdict = verifier.verify(
        "Qaani, who took over in 2020, wrote to the Al Qassam Brigades [1][3].", paragraphs()
    )
    assert verdict.dropped == []
    quotes = verdict.claims[0].quotes
    assert len(quotes) == 2 and all(q.text == DOC.text[q.start : q.end] for q in quotes)


@pytest.mark.parametrize(
    "text, refusal",
    [
        ("The documents don't say.", True),
        ("The passages do not mention how much money was sent.", True),
        ("There is no information about that in the context.", True),
        ("Qaani took over the force in 2020.", False),
    ],
)
def test_refusals_are_recognised(text: str, refusal: bool) -> None:
    assert is_refusal(text) is refusal


NEWS = (
    "The European Union (EU) imposed sanctions on Russia. Russia had launched drones against Ukraine.\n\n"
    "Commander of Hamas’ armed wing al-Qassam Brigades, Mohammed Deif, did not reply.\n\n"
    "The letter was published on Friday (17/11/2023). About 11,400 people had died in Gaza by then.\n\n"
    "Khublai Khan founded the Yuan dynasty. Loudoun arrived in New York in July 1756. He was then ordered by "
    "William Pitt to attack Louisbourg."
)
NEWS_DOC = Document.from_text("news.txt", NEWS)


def news_sources() -> list[Source]:
    out, pos = [], 0
    for n, para in enumerate(NEWS.split("\n\n"), 1):
        start = NEWS.index(para, pos)
        spans = tuple((s.start, s.end) for s in split_sentences(NEWS, start, start + len(para)))
        out.append(Source(n, NEWS_DOC.doc_id, NEWS_DOC.source, start, start + len(para), para, spans))
        pos = start + len(para)
    return out


@pytest.mark.parametrize(
    "claim",
    [
        "The EU imposed sanctions on Russia [1].",  # an acronym the passage defines
        "The European Union sanctioned the Russians [1].",  # a people for its country
        "The Russian drones were launched against Ukraine [1].",
        "The al Qassam Brigades did not reply [2].",  # hyphenated, written spaced
        "Al-Qassam commander Mohammed Deif did not reply [2].",
        "The letter was published on 17 November 2023 [3].",  # the passage's date in another format
        "The letter was published on November 17, 2023 [3].",
        "About 11.4 thousand people had died in Gaza [3].",  # the passage's number in another format
        "Kublai Khan founded the Yuan dynasty [4].",  # another spelling of the name
        "William Pitt ordered Loudoun to attack Louisbourg [4].",  # the name "He" stands for, one sentence before
    ],
)
def test_names_numbers_and_dates_are_found_in_the_forms_people_write_them(
    verifier: Verifier, claim: str
) -> None:
    verdict = verifier.verify(claim, news_sources())
    assert verdict.dropped == [], (claim, verdict)
    for quote in verdict.claims[0].quotes:
        assert NEWS[quote.start : quote.end] == quote.text


def test_the_quote_of_a_name_resolved_from_a_pronoun_covers_both_sentences(verifier: Verifier) -> None:
    verdict = verifier.verify("William Pitt ordered Loudoun to attack Louisbourg [4].", news_sources())
    (quote,) = verdict.claims[0].quotes
    assert quote.text == (
        "Loudoun arrived in New York in July 1756. He was then ordered by William Pitt to attack Louisbourg."
    )


@pytest.mark.parametrize(
    "lie",
    [
        "The UN imposed sanctions on Russia [1].",  # another organisation's acronym
        "The European Union imposed sanctions on China [1].",  # another country
        "The letter was published on 18/11/2023 [3].",  # another date
        "About 12.4 thousand people had died in Gaza [3].",  # another number
        "Kublai Khan founded the Ming dynasty [4].",  # another name
        "Ali Larijani ordered Loudoun to attack Louisbourg [4].",  # a name no sentence gives
    ],
)
def test_other_names_numbers_and_dates_are_still_refused(verifier: Verifier, lie: str) -> None:
    verdict = verifier.verify(lie, news_sources())
    assert verdict.claims == [] and verdict.reasons == ["unsupported"], (lie, verdict)


def test_each_dropped_sentence_says_why(verifier: Verifier) -> None:
    verdict = verifier.verify(
        "Qaani took over the force in 2020 [1]. Khamenei met Haniyeh in Doha [9].", paragraphs()
    )
    assert verdict.dropped == ["Khamenei met Haniyeh in Doha."] and verdict.reasons == ["invalid marker"]
