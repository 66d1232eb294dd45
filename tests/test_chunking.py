"""Sentence splitting, boilerplate marking and chunking: exact offsets, nothing dropped, nothing too long."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from index.chunk import chunk, sentences, split_sentences, wrap_width
from index.clean import boilerplate_lines, content_regions
from index.embed import CHUNK_MAX_TOKENS, MODEL_MAX_TOKENS, Embedder
from index.linebreaks import join_lines

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def words(texts):
    return [len(t.split()) for t in texts]


def test_sentences_end_at_punctuation_but_not_after_abbreviations() -> None:
    text = "Dr. Smith met the U.S. envoy on Jan. 5. They talked. J. R. Tolkien wrote books! Did he? Yes."
    got = [text[s.start : s.end] for s in split_sentences(text)]
    assert got == [
        "Dr. Smith met the U.S. envoy on Jan. 5.",
        "They talked.",
        "J. R. Tolkien wrote books!",
        "Did he?",
        "Yes.",
    ]
    # references to chapters, sections and equations, as schedules and papers write them
    prose = "The reading is Ch. 11 of the textbook. See Sec. 4 and Eq. 2 for the proof."
    assert [prose[s.start : s.end] for s in split_sentences(prose)] == [
        "The reading is Ch. 11 of the textbook.",
        "See Sec. 4 and Eq. 2 for the proof.",
    ]
    # a table's row is one unit, whatever sentences its cells hold (a later one would lose the row it is about)
    row = "Week: 11; Reading: Ch. 11; Due: Assignment 3 (Fri 21 Feb). Late work loses 10%.\nWeek: 12; Due: none."
    assert [row[s.start : s.end] for s in split_sentences(row)] == [
        "Week: 11; Reading: Ch. 11; Due: Assignment 3 (Fri 21 Feb). Late work loses 10%.",
        "Week: 12; Due: none.",
    ]
    # ... but prose that gives names in brackets, or opens with a label, is split into its sentences
    for prose in (
        "The Normans (Norman: Nourmands; French: Normands; Latin: Normanni) were a people. They gave their name.",
        "Abstract: OBJECTIVE: To find whether rapid tests help. RESULTS: Stays were shorter; admissions fell by a third.",
    ):
        assert len(split_sentences(prose)) == 2, prose
    # a timetable's departures and arrivals, and durations
    train = (
        "Lisboa Santa Apolónia dep. 09:09 → Porto Campanhã arr. 11:58. The trip takes approx. 2 hrs. 49 mins."
    )
    assert [train[s.start : s.end] for s in split_sentences(train)] == [
        "Lisboa Santa Apolónia dep. 09:09 → Porto Campanhã arr. 11:58.",
        "The trip takes approx. 2 hrs. 49 mins.",
    ]


def test_headings_and_list_items_are_their_own_sentences() -> None:
    text = "A Title Line\nFirst sentence here. Second one.\n- item one\n- item two\n\nNext paragraph."
    got = [text[s.start : s.end] for s in split_sentences(text)]
    assert got == [
        "A Title Line",
        "First sentence here.",
        "Second one.",
        "- item one",
        "- item two",
        "Next paragraph.",
    ]


def test_hard_wrapped_lines_are_joined_into_one_sentence() -> None:
    text = (
        "This sentence is wrapped at a fixed width as plain text files often are and\n"
        "continues on the next line until it finally ends here."
    )
    assert len(split_sentences(text)) == 1


def test_text_wrapped_at_a_narrow_width_splits_into_sentences_not_lines() -> None:
    # The seed articles wrapped at 60 columns, as a plain-text export or a book is: their lines are under the
    # 60 characters that mark a heading in unwrapped text, yet each ends mid-sentence.
    articles = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [p for article in articles for p in article.split("\n\n") if len(p) > 200]
    unwrapped = [s for p in paragraphs for s in split_sentences(p)]
    wrapped_text = "Heading Of The Piece\n\n" + "\n\n".join(textwrap.fill(p, 60) for p in paragraphs)
    assert wrap_width(wrapped_text) == 60
    got = split_sentences(wrapped_text)
    assert len(got) == 1 + len(unwrapped)
    assert wrapped_text[got[0].start : got[0].end] == "Heading Of The Piece"
    # the same sentences, their line breaks aside
    assert [" ".join(wrapped_text[s.start : s.end].split()) for s in got[1:]] == [
        " ".join(p[s.start : s.end].split()) for p in paragraphs for s in split_sentences(p)
    ]
    # unwrapped text is not taken for wrapped text
    assert wrap_width("\n\n".join(paragraphs)) is None


def test_wrapped_text_keeps_headings_titles_tables_and_verse_apart() -> None:
    articles = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    paragraphs = [p for article in articles for p in article.split("\n\n") if len(p) > 200]
    # a numbered heading between wrapped paragraphs, and a title with no full stop above its text, no blank lines
    text = "\n".join(
        [
            "Iran\u2019s elite branch vows to help Hamas \u2018whatever it takes\u2019",
            textwrap.fill(paragraphs[0], 72),
            "2.3 Limitations of the design",
            textwrap.fill(paragraphs[1], 72),
        ]
    )
    assert wrap_width(text) is not None
    units = [text[s.start : s.end] for s in split_sentences(text)]
    assert "Iran\u2019s elite branch vows to help Hamas \u2018whatever it takes\u2019" in units
    assert "2.3 Limitations of the design" in units
    # a line of a wrapped sentence that starts with a number is not a heading
    assert not any(
        u.startswith("20 times")
        for u in split_sentences_of(
            "Influenza and pneumonia death rates for those of 15 to 34 years were\n20 times higher", 72
        )
    )
    # verse and a table aligned with spaces are not wrapped prose: each line stays a unit
    poem = (
        "Two roads diverged in a yellow wood\nAnd sorry I could not travel both\nAnd be one traveler, long I stood\n"
        "And looked down one as far as I could\nTo where it bent in the undergrowth\nThen took the other, as just "
        "as fair\nAnd having perhaps the better claim\nBecause it was grassy and wanted wear\nThough as for that "
        "the passing there\nHad worn them really about the same"
    )
    assert wrap_width(poem) is None
    assert len(split_sentences(poem)) == 10
    rows = [("Region", "Q1", "Q2"), ("Asia Pacific", "1,540", "1,602"), ("Europe", "2,100", "2,050")] * 4
    table = "\n".join(f"{a:<18}{b:<10}{c}" for a, b, c in rows)
    assert wrap_width(table) is None
    assert len(split_sentences(table)) == len(rows)


def test_an_abbreviation_at_the_end_of_a_wrapped_line_does_not_end_the_sentence() -> None:
    units = split_sentences_of(
        "The defibrillator was installed outside the hall by Dr.\nRowan Price, who", 72
    )
    assert "The defibrillator was installed outside the hall by Dr. Rowan Price, who than before." in units


def test_the_number_of_a_numbered_item_or_heading_stays_with_its_text() -> None:
    text = (
        "To reset the router:\n1. Unplug the power cable.\n2. Wait ten seconds.\n\n2. Mounting the heater\n"
        "Drill four holes. See section 3. It shows the template.\nIn 2019. Then it rained.\n\n"
        "## 3. Filling the tank\n- 1. Open the valve."
    )
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "To reset the router:",
        "1. Unplug the power cable.",
        "2. Wait ten seconds.",
        "2. Mounting the heater",
        "Drill four holes.",
        "See section 3.",
        "It shows the template.",
        "In 2019.",
        "Then it rained.",
        "## 3. Filling the tank",  # after a Markdown heading's mark or a bullet too
        "- 1. Open the valve.",
    ]


def test_a_line_of_wrapped_prose_that_holds_a_title_is_not_a_teaser() -> None:
    body = textwrap.fill(
        "The Northfield Municipal Utility supplies drinking water to about 48,000 residents in the valley "
        "and maintains the reservoirs, the treatment works and the pipes that connect them to every house.",
        66,
    )
    text = (
        f"Annual water report\n\nNorthfield Municipal Utility\n\n{body}\n\nNorthfield Municipal Utility fined"
    )
    marked = [line.text for line in boilerplate_lines(text)]
    # a teaser glued to the title, in a paragraph of its own, is page furniture; the wrapped prose is not
    assert marked == ["Northfield Municipal Utility fined"]


def split_sentences_of(middle: str, width: int) -> list[str]:
    """The sentences of `middle` set inside prose wrapped at `width`, as text with single spaces."""
    prose = " ".join(
        ["The committee met on Monday and reviewed the figures for the whole of the last year."] * 6
    )
    text = textwrap.fill(prose, width) + "\n" + middle + " than before.\n" + textwrap.fill(prose, width)
    return [" ".join(text[s.start : s.end].split()) for s in split_sentences(text)]


def test_boilerplate_is_found_by_shape_not_by_site() -> None:
    text = "\n\n".join(
        [
            "Storm Hits Coast",
            "A storm hit the coast on Monday. Thousands lost power.",
            "Storm Hits Coast",
            "[Video: Storm footage]",
            "Share this article",
            "Follow Daily Planet on Facebook",
            "Officials said repairs would take a week.",
            "Read Next",
            "Ten beaches you must see this summer",
        ]
    )
    marked = [line.text for line in boilerplate_lines(text)]
    assert marked == [
        "Storm Hits Coast",  # the repeat, not the first
        "[Video: Storm footage]",
        "Share this article",
        "Follow Daily Planet on Facebook",
        "Read Next",
        "Ten beaches you must see this summer",
    ]
    kept = " ".join(text[s:e] for s, e in content_regions(text))
    assert "Officials said repairs would take a week." in kept and "Thousands lost power." in kept


def test_figures_version_headings_and_repeated_section_headings_are_content() -> None:
    text = (
        "# Changelog\n\n## [3.0.0] - 2025-05-20\n\n### Fixed\n- Comments are no longer lost on save\n\n"
        "## [2.5.1] - 2025-03-02\n\n### Fixed\n- Crash when a variable is empty\n\n"
        "| Year | Cases |\n|---|---|\n| 2019 | 1,234 |\n| 2020 | 2,345 |\n\n* * *\n"
    )
    assert [line.text for line in boilerplate_lines(text)] == ["|---|---|", "* * *"]  # decoration only
    kept = "".join(text[s:e] for s, e in content_regions(text))
    for line in (
        "## [3.0.0] - 2025-05-20",
        "## [2.5.1] - 2025-03-02",
        "| 2019 | 1,234 |",
        "| 2020 | 2,345 |",
    ):
        assert line in kept, line
    assert kept.count("### Fixed") == 2


def test_a_long_tail_after_a_marker_is_kept() -> None:
    tail = "This is real text that goes on. " * 40
    text = f"Intro sentence.\n\nRelated articles\n\n{tail}"
    marked = [line.text for line in boilerplate_lines(text)]
    assert marked == ["Related articles"]


def test_seed_boilerplate_is_marked() -> None:
    first = (SEEDS / "000_8d4618b9783054d8.txt").read_text(encoding="utf-8")
    second = (SEEDS / "003_16f4160fbc76786d.txt").read_text(encoding="utf-8")
    assert [x.text for x in boilerplate_lines(first)] == [
        "[Gambas:Video CNBC]",
        "Next Article",
        "This is a list of countries with the largest military budgets in the world",
    ]
    assert [x.text for x in boilerplate_lines(second)] == [
        "Iran’s elite military branch vows to help Hamas ‘whatever it takes’",
        "Follow SMNI NEWS in Twitter",
        "Follow SMNI News on Rumble",
    ]


def test_overlong_sentences_are_cut_to_fit_the_embedder(embedder: Embedder) -> None:
    clause = "the committee reviewed the proposal, "
    text = "In the end " + clause * 120 + "and it passed."
    sents, counts = sentences(text, embedder.count_tokens, CHUNK_MAX_TOKENS)
    assert len(sents) > 1
    assert max(embedder.count_tokens([text[s.start : s.end] for s in sents])) <= CHUNK_MAX_TOKENS
    covered = "".join(text[s.start : s.end] for s in sents).replace(" ", "")
    assert covered == text.replace(" ", "")  # nothing dropped


def test_chunks_fit_the_model_and_share_one_sentence(embedder: Embedder) -> None:
    text = " ".join(f"Sentence number {i} talks about topic {i} in some detail here." for i in range(200))
    sents, counts = sentences(text, embedder.count_tokens, CHUNK_MAX_TOKENS)
    chunks = chunk(text, sents, counts, CHUNK_MAX_TOKENS)
    assert len(chunks) > 5
    pieces = embedder.count_tokens([text[c.start : c.end] for c in chunks])
    assert max(pieces) + 2 <= MODEL_MAX_TOKENS  # [CLS] and [SEP] included
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start < a.end  # overlap
        shared = [
            s
            for s in sents
            if a.start <= s.start and s.end <= a.end and b.start <= s.start and s.end <= b.end
        ]
        assert len(shared) == 1
    assert chunks[0].start == sents[0].start and chunks[-1].end == sents[-1].end


def test_chunks_never_cross_boilerplate() -> None:
    text = "First part one. First part two.\n\nShare this article\n\nSecond part one. Second part two."
    sents, counts = sentences(text, words, 100)
    chunks = chunk(text, sents, counts, 100)
    assert [text[c.start : c.end] for c in chunks] == [
        "First part one. First part two.",
        "Second part one. Second part two.",
    ]


def test_one_long_paragraph_splits_in_linear_time() -> None:
    """Issue 12's 20 MB file: splitting copied the rest of the text at every sentence end (quadratic; a 20 MB
    paragraph did not finish in 9 minutes). 5 MB now takes about a second; quadratic, it took minutes, so the
    bound (ten times the measured second) catches only that, never a busy machine."""
    import time

    text = "".join(f"Sentence number {i} says little. " for i in range(160_000))  # 5.3 MB, one paragraph
    started = time.perf_counter()
    spans = split_sentences(text)
    assert time.perf_counter() - started < 10
    assert (
        len(spans) == 160_000
        and text[spans[-1].start : spans[-1].end] == "Sentence number 159999 says little."
    )


@pytest.mark.parametrize(
    "text, joined",
    [
        ("the annual main-\ntenance fee", "the annual maintenance fee"),  # a broken word is healed
        ("a well-\nknown discount", "a well-known discount"),  # a compound keeps its hyphen
        ("kept up-\nto-date by hand", "kept up-to-date by hand"),  # ... so does a chain of them
        ("state-of-\nthe-art tools", "state-of-the-art tools"),
    ],
)
def test_lines_join_into_prose(text: str, joined: str) -> None:
    assert join_lines(text) == joined


def test_markdown_link_definitions_are_no_content_but_footnotes_are() -> None:
    # a changelog's "[2.3.0]: https://..." lines matched "When was 2.3.0 released?" better than its heading
    text = (
        "## [2.3.0] - 2025-05-12\n\n- The --last flag.\n\n"
        '[2.3.0]: https://github.com/o/r/compare/v2.2.1...v2.3.0\n[docs]: ./docs/index.md "Docs"\n'
        "[^1]: Except where unavailability is a material breach.\n"
    )
    marked = [line.text for line in boilerplate_lines(text)]
    assert marked == [
        "[2.3.0]: https://github.com/o/r/compare/v2.2.1...v2.3.0",
        '[docs]: ./docs/index.md "Docs"',
    ]


def test_an_identifier_is_a_term_and_so_are_its_words() -> None:
    from index.lexical import tokenize

    # "How long are idempotency keys kept?" finds the parameter "idempotency_key"
    assert tokenize("idempotency_key weight_grams") == [
        "idempotency_key",
        "idempot",
        "key",
        "weight_gram",
        "weight",
        "gram",
    ]
    assert tokenize("__init__") == ["__init__"]
