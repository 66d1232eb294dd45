"""Verification of generated sentences against the passages they cite (qa/generation/verify.py), with the real embedder."""

from __future__ import annotations

import pytest

from index.chunk import split_sentences
from index.embed import Embedder
from index.load import Document
from qa.answering.names import same_word, spelling_variant
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


def _one_passage(text: str) -> list[Source]:
    doc = Document.from_text("probe.txt", text)
    spans = tuple((s.start, s.end) for s in split_sentences(text))
    return [Source(1, doc.doc_id, doc.source, 0, len(text), text, spans)]


@pytest.mark.parametrize(
    "passage, lie",
    [
        # one letter, one digit, one sign or one format away from the passage (a hostile review's finds)
        ("Its headquarters are in Boston.", "Its headquarters are in Bolton [1]."),
        ("The summit was held in Ireland in 2019.", "The summit was held in Iceland in 2019 [1]."),
        ("The summit was held in Austria in 2019.", "The summit was held in Australia in 2019 [1]."),
        ("The Slovenian team won the cup.", "The Slovakian team won the cup [1]."),
        ("The pipeline runs through Niger.", "The pipeline runs through Nigeria [1]."),
        ("Martin Price founded the bakery in 1952.", "Marvin Price founded the bakery in 1952 [1]."),
        ("Erik Hansen won the race.", "Erik Hanson won the race [1]."),
        ("The fix shipped in version 3.4.1 of the library.", "The fix shipped in version 3.4.2 [1]."),
        ("Version 2.4 fixed the memory leak.", "The memory leak was fixed in v2.5 [1]."),
        ("The station recorded -40 degrees.", "The station recorded 40 degrees [1]."),
        ("The council voted on March 3 to close the library.", "The council voted on March 3, 2021 [1]."),
        ("On 17/11/2023, 5 people were injured in the blast.", "11 people were injured in the blast [1]."),
        ("Three hundred people fled the village.", "Three people fled the village [1]."),
        ("Twenty-five soldiers died in the attack.", "Five soldiers died in the attack [1]."),
        ("In 2020, 45 employees left the firm.", "In 2020, 45% of employees left the firm [1]."),
        (
            "The Ukrainian Security Service arrested two men in Kyiv.",
            "US agents arrested two men in Kyiv [1].",
        ),
        ("Ukraine's National Guard sent troops to the border.", "The UN sent troops to the border [1]."),
        ("The board did not approve the merger.", "The board approved the merger [1]."),
        ("South Korea exported chips to the north of Europe.", "North Korea exported chips [1]."),
        ("John Adams met Samuel Smith in Paris.", "John Smith met Samuel Adams in Paris [1]."),
        ("The last train leaves at 22:30.", "The last train leaves at 10:30 am [1]."),
        ("Revenue fell in the third quarter of 2023.", "Revenue fell in Q2 2023 [1]."),
        ("The course lasts 14 days.", "The course lasts three weeks [1]."),
        ("The meeting lasts 90 minutes.", "The meeting lasts two hours [1]."),
        ("Half of the staff work remotely.", "40% of the staff work remotely [1]."),
    ],
)
def test_lies_one_step_from_the_passage_are_dropped(verifier: Verifier, passage: str, lie: str) -> None:
    verdict = verifier.verify(lie, _one_passage(passage))
    assert verdict.claims == [], (lie, verdict)


@pytest.mark.parametrize(
    "passage, claim",
    [
        ("Mexico's president announced the reform on Monday.", "The Mexican president announced it [1]."),
        ("Afghanistan's government announced the reform.", "The Afghan government announced the reform [1]."),
        ("The U.S. sent troops to the border.", "The United States sent troops to the border [1]."),
        ("The letter was published on November 5, 2023.", "The letter was published on 05/11/2023 [1]."),
        ("The wall is 3 m high.", "The wall is 3 metres high [1]."),
        ("25 soldiers died in the attack.", "Twenty-five soldiers died in the attack [1]."),
        ("Five junior doctors went on strike.", "5 junior doctors went on strike [1]."),
        ("The city has 11 400 registered voters.", "The city has 11,400 registered voters [1]."),
        (
            "The church was rebuilt in the twentieth century.",
            "The church was rebuilt in the 20th century [1].",
        ),
        ("The last train leaves at 22:30.", "The last train leaves at 10:30 pm [1]."),
        ("The museum closes at 5 pm.", "The museum closes at 17:00 [1]."),
        ("Revenue fell in the third quarter of 2023.", "Revenue fell in Q3 2023 [1]."),
        ("The deal cost $5m.", "The deal cost 5 million dollars [1]."),
        ("The H7N9 virus spread in 2013.", "H7N9 spread in 2013 [1]."),
        ("The course lasts 14 days.", "The course lasts two weeks [1]."),  # a duration in other units
        ("The course lasts a fortnight.", "The course lasts 14 days [1]."),
        ("The meeting lasts 90 minutes.", "The meeting lasts an hour and a half [1]."),
        ("Treatment continued for 14 consecutive days.", "Treatment lasted 14 days [1]."),
        ("Half of the staff work remotely.", "50% of the staff work remotely [1]."),
        (
            "The Houthi militia, which does not border Israel, launched drone attacks.",
            "The Houthis attacked Israel with drones [1].",
        ),
    ],
)
def test_true_claims_in_other_forms_are_kept(verifier: Verifier, passage: str, claim: str) -> None:
    verdict = verifier.verify(claim, _one_passage(passage))
    assert verdict.dropped == [], (claim, verdict)


def test_a_figure_beside_a_refusal_phrase_is_checked_not_taken_for_a_refusal(verifier: Verifier) -> None:
    verdict = verifier.verify(
        "Its budget, not specified in the agenda, was 500,000 euros [1].",
        _one_passage("The agenda lists no budget."),
    )
    assert not verdict.refusal and verdict.dropped and verdict.reasons == ["unsupported"]


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("colour", "color", True),
        ("centr", "center", True),  # the stems of "centre" and "center"
        ("analys", "analyz", True),
        ("haemoglobin", "hemoglobin", True),
        ("licenc", "licens", True),
        ("stand", "sand", False),
        ("lunch", "launch", False),
        ("track", "truck", False),
        ("shift", "shaft", False),
    ],
)
def test_british_and_american_spellings_are_one_word_other_words_are_not(a: str, b: str, same: bool) -> None:
    assert spelling_variant(a, b) is same


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Frenchmen", "French", True),
        ("Englishwoman", "England", True),
        ("Russians", "Russia", True),
        ("Norman", "Nor", False),  # too short a stem to be a people's name
    ],
)
def test_a_people_named_with_men_or_women_is_its_country(a: str, b: str, same: bool) -> None:
    assert same_word(a, b) is same
