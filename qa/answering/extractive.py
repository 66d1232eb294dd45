"""The extractive answerer: picks the sentences that answer the question, or refuses.

Candidates and their signals come from `candidates.py`, features from `features.py`, scores from the ranker
(`ranker.py`, fitted by `python -m qa.evaluation.tune` on SQuAD and COVID-QA); a softmax over the candidates
makes each score a probability. The refusal gate looks at how well the best candidates match the question,
then whether the question rests on a detail they contradict (`premise.py`). The sources are sentence windows
around the best candidates (`passages.py`).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise

import numpy as np

from index.chunk import is_list_item, without_item_number
from index.embed import Embedder
from index.errors import QAError
from index.lexical import terms
from index.linebreaks import join_lines
from index.readers.base import is_record
from index.store import Store
from qa.answering.answerer import Reply
from qa.answering.candidates import FENCE, CandidateConfig, CandidateFinder, is_short_title, model_names
from qa.answering.coref import subject_kind
from qa.answering.evidence import SECTION_COVER, Draft, Sentence
from qa.answering.features import feature_matrix
from qa.answering.kinds import (
    DOTTED,
    PERIODS,
    Kind,
    asked_labels,
    asked_measure,
    asked_term,
    asks_for_name,
    cues,
    has_kind,
    holds_label,
    is_polar,
    latest_date,
    names_siblings_too,
    other_label,
    person_names,
    question_kind,
    states_what,
)
from qa.answering.names import singular
from qa.answering.passages import sentence_windows
from qa.answering.premise import absent_key_term, opposite_modifier, says_modifier, unmet_premise
from qa.answering.ranges import AGE, AMOUNT, Amount, amount_ranges, band_width, is_figure
from qa.answering.ranker import Ranker, softmax
from qa.answering.ranker import load as load_ranker
from qa.answering.reranker import Reranker, rescore
from qa.answering.reranker import load as load_reranker
from qa.answering.retrieve import Retrieval
from qa.chat import rewrite
from qa.cite import Claim, Quote
from qa.types import History, Verification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerConfig:
    """Thresholds of the choice (the ranker's weights are in ranker.json; `make tune` prints a grid of these on
    the held-out articles of SQuAD and COVID-QA)."""

    # More sentences join the best one, in score order, while together they hold the answer with a probability
    # below `cover`, each at least `join_probability` likely to hold it, within `max_sentences` and `max_words`.
    # Kept after refitting the ranker on SQuAD and COVID-QA: on the held-out articles 0.11 / 0.8 gave answer
    # recall 0.872 (SQuAD) and 0.507 (COVID-QA) at medians of 35 and 44 words; 0.08 gave 0.886 and 0.511 at
    # 37 and 50.5; 0.15 gave 0.852 and 0.474 at 32 and 34. Sentences join when the answer is uncertain, not
    # merely when they score close, and no setting gives more of one without less of the other.
    cover: float = 0.8
    join_probability: float = 0.11
    # A question asking for several things ("Which armed groups ...?") joins less likely sentences: on the
    # 236 list questions of both data sets (`qa.evaluation.tune`'s candidates), 0.05 lifts SQuAD's answer
    # recall on them from 0.841 to 0.864 at 38 words against 35; COVID-QA's stays 0.619 (at 77 words, against
    # 48, on 42 questions).
    list_join_probability: float = 0.05
    max_sentences: int = 4
    max_words: int = 150
    lead_by_kind: bool = True  # lead with the sentence holding the asked-for kind of answer (see lead_first)
    lead_within: float = 0.5  # ... among those scored this close to the best
    # A sentence holding the thing the question names by a word and a number or letter ("assignment 3", "zone
    # B") leads the best-scored one when it scores this close to it (`kinds.asked_labels`).
    label_within: float = 2.0
    # ... and this close where the best-scored names a sibling and not the asked thing ("Genotypes 3 and 4 are
    # zoonotic ..." for "How are genotypes 1 and 2 transmitted?"). At 4 rather than 2: the hostile reviews' sets
    # h20-h30 answered 2 more questions and none fewer; SQuAD and COVID-QA did not move.
    sibling_label_within: float = 4.0
    # A sentence saying what the asked term is ("What are X?": "X are ...") leads when it scores this close.
    term_within: float = 2.0
    # ... and for a "why" question, this close: the sentence giving the cause often follows one that echoes the
    # question ("Iran would not intervene." then "Hamas had not told Iran before it attacked."). On
    # `qa.evaluation.tune`'s candidates of both data sets, 1.0 leads with the answer for 0.636 of COVID-QA's 44 and
    # 0.833 of SQuAD's 49 "why" questions, against 0.614 and 0.792 at 0.5; for other kinds, 1.0 did worse.
    reason_lead_within: float = 1.0
    # A "why" question answered by a sentence that gives no cause takes in the sentence after it when that one
    # gives a cause ("The mill closed in 2019." then "Its owner had gone bankrupt because ..."); so does a
    # question about a result or finding, whose answer gives none, with a sentence that reports one (on
    # `qa.evaluation.tune`'s candidates, COVID-QA's answer recall 0.577 -> 0.579, SQuAD's unchanged).
    cause_follows: bool = True
    cause_joins: bool = True
    # A leading sentence that announces ("NDV has a number of appealing qualities as a vaccine vector.") takes
    # in the one after it. On `qa.evaluation.tune`'s candidates, COVID-QA's answer recall goes from 0.572 to
    # 0.577 (median words 43 -> 44); SQuAD's is unchanged.
    announced_follows: bool = True
    extra_relevance: float = 0.5  # sentences after the first need at least this dense + literal overlap
    # Refusal: a candidate is relevant when dense + literal overlap reaches this; none relevant -> "don't say".
    # With the premise checks, 0.7 rather than 0.75 (the bar before them): on the SQuAD dev half's candidates
    # (`qa.evaluation.tune`'s `measure`), answer recall 0.853 and refusals 0.232 against 0.847 and 0.246 at
    # 0.75 (false refusals 0.023 against 0.031). Refitted on both data sets, 0.65 gave refusals 0.224 and false
    # refusals 0.027 on the held-out SQuAD articles against 0.235 and 0.030 at 0.7; COVID-QA was the same.
    refuse_below: float = 0.7
    # ... and where no candidate shares a word of weight with the question (in a small collection, a question in
    # everyday words: "How soon will I get my money back?" / "We will refund you within 14 days"), a candidate
    # this close by meaning alone (the embedder's cosine) answers. In the hostile reviews' collections of
    # 2026-12-07, 0.5 answered two such questions more and refused every unanswerable one it refused before;
    # 0.4 cost refusals. SQuAD and COVID-QA have 5 such questions (`qa.evaluation.tune`'s candidates); their
    # figures do not move.
    refuse_below_by_meaning: float = 0.5
    # Number and date questions also need a relevant candidate that holds a number or date.
    kind_refuse_below: float = 0.7
    # Refuse when the quoted sentences contradict or lack a detail the question rests on (`qa/answering/premise.py`).
    check_premise: bool = True
    window_chars: int = 1500  # source passages: the best sentences grown by their neighbours up to this size


def _of_the_asked(ranked: list[Sentence]) -> list[Sentence]:
    """The ranked candidates without those that do not answer for what the question names: near-duplicate
    documents of another year or version than the one it names, where some document is of it (their figures are
    not the asked version's), and documents about something else (`Sentence.off_subject`: the paracetamol
    leaflet, for an ibuprofen question)."""
    versioned = any(s.version > 0 for s in ranked)
    return [s for s in ranked if not s.off_subject and (s.version >= 0 or not versioned)]


def lead_first(
    chosen: list[Sentence], kind: Kind | None, within: float, question: str = ""
) -> list[Sentence]:
    """The chosen sentences with the one that answers first: for a question wanting a person, date, number,
    place or list, the one holding such an answer nearest the question's terms among those scored within
    `within` of the best; else the best-scored. The rest follow in score order.

    On the candidates `qa.evaluation.tune` collects for the SQuAD dev half, a window of 0.5 lifts the
    answer-in-first-sentence rate from 0.754 (any chosen sentence may lead) to 0.765: a sentence that merely has
    a name beside the question's words ("Qaani assured the Hamas commander") no longer leads one that scores
    clearly better.

    For a person, a full name ("Qasem Soleimani") counts four times what a single capitalised word does ("the
    Hamas commander": organisations look like one-word names): on the held-out articles of
    `qa.evaluation.tune`'s candidates, SQuAD's "who" questions lead with the answer for 0.773 against 0.765
    (0.841 against 0.835 on the training articles; the same for a weight of 0.5 or 0); COVID-QA's are unchanged.

    When the best-scored sentence names no one at all, a chosen sentence that names someone leads whatever its
    score ("Who manages the depot?": "... Sandra Okafor became depot manager." before "The depot manager is
    responsible for ..."): SQuAD's "who" questions lead with the answer for 0.833 against 0.788 on the held-out
    articles, 0.824 against 0.841 on the training ones."""
    if kind is None or len(chosen) < 2:
        return chosen
    top = max(s.score for s in chosen)

    def strength(s: Sentence) -> float:
        weight = s.kind_ok * s.proximity
        if kind is Kind.PERSON and weight and not any(" " in n for n in person_names(s.text, question)):
            weight *= 0.25
        return weight

    if kind is Kind.PERSON and not max(chosen, key=lambda s: s.score).kind_ok:
        within = math.inf  # the best names no one: a chosen sentence that names someone leads
    # (one that holds the kind leads one that does not, however it scores: "| Price | £45 |" before "The K200
    # is the K100's bigger brother" for "How much do the K200s cost?")
    lead = max(
        (s for s in chosen if s.score >= top - within), key=lambda s: (strength(s), s.kind_ok, s.score)
    )
    return [lead, *(s for s in chosen if s is not lead)]


_ITEM_LINE = re.compile(r"\n(?=[ \t]*(?:[-*•·]|\d+[.)])\s)")


def _as_prose(text: str) -> str:
    """A quoted span as the answer reads it: its lines joined (`join_lines`), but each item of a list on a
    line of its own, and a code block's lines on lines of their own without its fences."""
    if FENCE.search(text):
        return "\n".join(line.strip() for line in FENCE.sub("", text).split("\n") if line.strip())
    return "\n".join(join_lines(part).strip() for part in _ITEM_LINE.split(text))


def quoted(sentences: list[Sentence]) -> list[Claim]:
    """The chosen sentences as claims that quote the document, in the order chosen.

    Sentences that stand next to each other in a document become one claim quoting them as one span, in the
    document's order (an answer that runs over two sentences is quoted whole, with one marker), but never one
    before the leading sentence. A sentence whose pronoun subject refers to what the question names is cited
    with the sentence that names it: "She was born in 1861. [1]", [1] quoting "The Lindqvist Glassworks was
    founded in 1893 by Margit Lindqvist. She was born in 1861.". Line breaks inside a sentence (hard-wrapped
    text) are spaces in the answer, words broken at a line's end are whole (`join_lines`), items of a list
    keep their lines; the quote keeps the document's text as it is.
    """
    groups: list[list[Sentence]] = []
    for s in sentences:
        for n, group in enumerate(groups):
            last, first = group[-1], group[0]
            if last.doc_id == s.doc_id and last.after_start == s.start and last.after_gap is not None:
                group.append(s)
                break
            # Never before the leading sentence: the answer's first sentence is the one that answers.
            if n and s.doc_id == first.doc_id and s.after_start == first.start and s.after_gap is not None:
                group.insert(0, s)
                break
        else:
            groups.append([s])
    claims = []
    # An answer from the documents of several things the question names says which is which ("Harbour Mutual:
    # Type of claim: Accidental damage; Excess: £250.").
    several = len({s.subject for s in sentences if s.subject}) > 1
    for group in groups:
        first = group[0]
        # The answer reads a pipe table's row with its column headers (`Sentence.reads`); the quote is the row.
        text, prose = first.text, first.reads
        if several and first.subject and first.subject.lower() not in prose.lower():
            prose = f"{first.subject}: {prose}"
        for before, after in pairwise(group):
            text += (before.after_gap or " ") + after.text
            prose += (before.after_gap or " ") + after.reads
        start, quote_text = first.start, text
        if first.antecedent is not None and first.antecedent_text is not None:
            # The answer says "She was born in 1861."; its citation shows who she is. Where who she is answers
            # the question ("Who introduced electric buses?"), the answer says it too.
            start, quote_text = first.antecedent, first.antecedent_text + text
            if first.antecedent_answers:
                prose = first.antecedent_text + prose
        probability = min(1.0, sum(s.probability for s in group))
        # A row read with its headers says what the quoted row says under the headers of its own table.
        read = True if any(s.record for s in group) else None
        quote = Quote(first.doc_id, first.source, start, group[-1].end, quote_text, probability, read)
        claims.append(Claim(_as_prose(prose), (quote,)))
    # A sentence already inside another claim's quote (the one naming who "she" is) is not cited twice.
    spans = [(c.quotes[0].doc_id, c.quotes[0].start, c.quotes[0].end) for c in claims]
    return [
        c
        for c, (doc, start, end) in zip(claims, spans, strict=True)
        if not any(d == doc and s <= start and end <= e and (s, e) != (start, end) for d, s, e in spans)
    ]


# A sentence that promises what the next one tells: "NDV has a number of appealing qualities as a vaccine
# vector.", "The results highlight three main findings:".
_ANNOUNCES = re.compile(
    r"\b(?:a (?:number|variety|range|series) of|several|various|many|two|three|four|five|six) (?:\w+ ){0,2}"
    r"(?:reasons|factors|findings|features|advantages|disadvantages|drawbacks|qualities|properties|steps|ways|"
    r"types|criteria|benefits|limitations|challenges|mechanisms|strategies|measures|causes|characteristics|"
    r"components|functions|risks)\b(?![^.]*\b(?:such as|including|namely|like)\b)|"
    # "the following:", "the following values", not "the following year"
    r"\bthe following\b(?! (?:day|night|morning|evening|week|weekend|month|year|decade|season|spring|"
    r"summer|autumn|winter|time)\b)|:\s*$|"
    # ... or ends on a number of things it has not named yet: "... overshadowed by two clinical trial failures."
    r"\b(?:two|three|four|five|six|several|a few|a number of) (?!hundred|thousand|million|billion)"
    r"(?:[\w-]+ ){1,2}(?!(?:seconds|minutes|hours|days|weeks|months|years|decades|centuries|times)\b)"
    r"[a-z][\w-]*s(?:\s*\[[\d,\s–-]+\])*\s*[.:]\s*$",
    re.IGNORECASE,
)
# A sentence that ends with a colon ("Sabbatical:") or asks a question says nothing alone: it leads what it
# announces or what answers it (`_with_next`), and never joins an answer as an extra sentence.
_SAYS_NOTHING_ALONE = re.compile(r"[:?][\s\"”’)]*$")
# A question in the text ("Q: Do gift cards expire?", "Why is the launch delayed?"), or one reported ("Priya
# asked why the backlog had grown."): what follows answers it.
_ASKS = re.compile(
    r"\?[\s\"”’)]*$|\b(?:asked|wondered|queried|enquired|inquired|raised|wanted to know|was asked) "
    r"(?:why|whether|if|how|what|when|who|where|which)\b",
    re.IGNORECASE,
)
# The most items of a list that an answer quotes after the sentence that announces it.
_MAX_LIST_ITEMS = 12
# "How do I find ...?" asks for a way, not for a study's finding.
_NOT_ABOUT_A_FINDING = re.compile(r"^\W*(how|where|when|who|whom|whose|why)\b", re.IGNORECASE)


def _with_next(
    chosen: list[Sentence],
    ranked: list[Sentence],
    config: AnswerConfig,
    gives: Callable[[Sentence], bool] = lambda s: True,
) -> list[Sentence]:
    """The chosen sentences, with the candidate right after the leading sentence in its document added second
    when it `gives` what is wanted (and is not chosen already, nor a heading, nor in the next paragraph but
    after a colon or a question). A "why" question is often echoed by one sentence and answered by the next
    ("The mill closed in 2019." then "... because ..."), so is a question about a result ("X was tested in
    mice." then "Mice vaccinated with X were protected."); a sentence that announces ("NDV has a number of
    appealing qualities") is followed by what it announced, a question in the text ("Q: Do gift cards
    expire?") by its answer. The other chosen sentences then keep within
    `config.max_sentences` and `config.max_words`."""
    lead = chosen[0]
    gap = lead.after_gap
    colon = lead.text.rstrip().endswith(":")
    asks = bool(_ASKS.search(lead.text))
    if gap is None or ("\n\n" in gap and not (colon or asks)):
        return chosen
    following: dict[tuple[str, int | None], Sentence] = {
        (s.doc_id, s.start): s for s in ranked if not s.heading
    }
    after = following.get((lead.doc_id, lead.after_start))
    if after is None or not gives(after) or any(s.text == after.text for s in chosen):
        return chosen
    kept = [lead, after]
    words = len(lead.text.split()) + len(after.text.split())
    # "Do you have lockers?" then "Yes." then what it says: a bare yes or no is not the whole answer.
    more = following.get((after.doc_id, after.after_start)) if asks and after.after_gap is not None else None
    if more is not None and len(after.text.split()) <= 2 and "\n\n" not in (after.after_gap or ""):
        kept.append(more)
        words += len(more.text.split())
    # "To reset the router:" then its steps: every item of the list, within the word limit.
    while colon and is_list_item(after.text) and after.after_gap is not None and len(kept) < _MAX_LIST_ITEMS:
        item = following.get((after.doc_id, after.after_start))
        if item is None or not is_list_item(item.text) or words + len(item.text.split()) > config.max_words:
            break
        kept.append(item)
        words += len(item.text.split())
        after = item
    return _then_the_rest(kept, chosen[1:], words, config)


def _then_the_rest(
    kept: list[Sentence], rest: list[Sentence], words: int, config: AnswerConfig
) -> list[Sentence]:
    """`kept` (holding `words` words), then those of `rest` it does not hold, in order, while within
    `config.max_sentences` and `config.max_words`."""
    listed = {s.text for s in kept}
    for other in (s for s in rest if s.text not in listed):
        words += len(other.text.split())
        if len(kept) >= config.max_sentences or words > config.max_words:
            break
        kept.append(other)
    return kept


class _Neighbours:
    """The candidates by their place in their documents: the one right before and right after a sentence (None
    where that sentence is no candidate, or something other than white space lies between)."""

    def __init__(self, ranked: list[Sentence]) -> None:
        self._at = {(s.doc_id, s.start): s for s in ranked}
        self._before = {(s.doc_id, s.after_start): s for s in ranked if s.after_gap is not None}

    def before(self, s: Sentence) -> Sentence | None:
        return self._before.get((s.doc_id, s.start))

    def after(self, s: Sentence) -> Sentence | None:
        if s.after_gap is None or s.after_start is None:
            return None
        return self._at.get((s.doc_id, s.after_start))


def _from_section_start(
    chosen: list[Sentence], neighbours: _Neighbours, config: AnswerConfig, method: bool = False
) -> list[Sentence]:
    """The chosen sentences, read from the start of the leading one's section where its heading is what ties
    it to the question.

    - When only the heading holds the question's words, the sentences before the leading one (at most
      `_SECTION_STEPS`) lead: under "2. Mounting the heater", "How do I mount the heater?" is answered by
      "Drill four holes using the template supplied. Fix the bracket to the wall with the four screws.", not by
      the second step alone. A leading sentence that holds a word of the question answers as it stands ("How
      do I fix the heater to the wall?": "Fix the bracket ...").
    - A question asking how something is done (`method`) is answered by the procedure under a heading that
      names it (the heading holds `SECTION_COVER` of the question, or only the heading ties the sentence to
      it): the section's sentences from its first (at most `_PROCEDURE_STEPS` before the chosen one), in
      order, whichever step was chosen ("Choose a new password ..." under "### Resetting your password"
      does not answer alone).

    Both keep within `config.max_sentences` and `config.max_words`; a table's rows are never read so."""
    lead = chosen[0]
    if not lead.heading_cover or _is_row(lead.text):  # a table's row answers alone
        return chosen
    procedure = method and (lead.literal == 0 or lead.heading_cover >= SECTION_COVER)
    if lead.literal > 0 and not procedure:
        return chosen

    def same_section(s: Sentence | None) -> bool:
        return (
            s is not None
            and not s.heading
            and not _is_row(s.text)
            and s.heading_cover > 0
            and s.section_terms == lead.section_terms
        )

    section = [lead]
    while len(section) <= (_PROCEDURE_STEPS if procedure else _SECTION_STEPS):
        prior = neighbours.before(section[0])
        if prior is None or not same_section(prior):
            break
        section.insert(0, prior)
    if procedure:
        del section[config.max_sentences :]
        while len(section) < config.max_sentences:
            step = neighbours.after(section[-1])
            if step is None or not same_section(step):
                break
            section.append(step)
    words = sum(len(s.text.split()) for s in section)
    while words > config.max_words and len(section) > 1 and (procedure or section[-1] is not lead):
        words -= len(section.pop().text.split())
    if len(section) == 1 or words > config.max_words:
        return chosen
    return _then_the_rest(section, chosen[1:], words, config)


def _announced_list(item: Sentence, neighbours: _Neighbours) -> list[Sentence]:
    """The list `item` stands in, with the sentence that announces it ("Do not take this medicine if you:"): that
    sentence, then every item in order, each with the sentences that go on on its line; [] when no sentence ending
    with a colon heads the list."""
    first = item
    while True:
        prior = neighbours.before(first)
        if prior is None or "\n\n" in (prior.after_gap or ""):
            return []
        if prior.text.rstrip().endswith(":"):
            break
        if not (is_list_item(prior.text) or "\n" not in (prior.after_gap or "")):
            return []
        first = prior  # an item, or a sentence that goes on an item's line
    return [prior, *_item_lines(first, neighbours, _MAX_LIST_ITEMS)]


def _item_lines(item: Sentence, neighbours: _Neighbours, items: int) -> list[Sentence]:
    """`item` and what follows it in its list: at most `items` items, each with the sentences that go on on its
    line ("- Printing a report to PDF ... may cut off the last column. As a workaround, switch the page to
    landscape.")."""
    block = [item]
    count = 1
    while block[-1].after_gap is not None and "\n\n" not in block[-1].after_gap:
        following = neighbours.after(block[-1])
        if following is None:
            break
        if is_list_item(following.text):
            if count >= items:
                break
            count += 1
        elif "\n" in block[-1].after_gap:
            break  # a line of something else after the list
        block.append(following)
    return block


def _with_their_lists(
    chosen: list[Sentence], neighbours: _Neighbours, config: AnswerConfig
) -> list[Sentence]:
    """The chosen sentences, each item of a list read with what goes on on its line, and with the sentence that
    announces its list and the list's other items: "- are allergic to ibuprofen, aspirin or other NSAIDs" alone
    hides both that it is a reason not to take the medicine and the item about pregnancy beside it. Within
    `config.max_words` (beyond it, the item stands as it was chosen)."""
    if not any(is_list_item(s.text) for s in chosen):
        return chosen
    out: list[Sentence] = []
    words = sum(len(s.text.split()) for s in chosen)
    for s in chosen:
        if any(o.text == s.text for o in out):
            continue
        block = (
            (_announced_list(s, neighbours) or _item_lines(s, neighbours, 1)) if is_list_item(s.text) else [s]
        )
        new = [b for b in block if not any(o.text == b.text for o in [*out, *chosen])]
        more = sum(len(b.text.split()) for b in new)
        if words + more <= config.max_words:
            out.extend(b for b in block if not any(o.text == b.text for o in out))
            words += more
        else:
            out.append(s)
    return out


def _with_titled_rows(
    chosen: list[Sentence], neighbours: _Neighbours, config: AnswerConfig
) -> list[Sentence]:
    """The chosen sentences, a table's title that leads them followed by the table's rows ("Engine fire in
    flight (M)" then "Item: Fuel selector; Action / check: OFF." ...), as many as `config.max_words` and
    `_MAX_LIST_ITEMS` allow: a title alone says nothing. A title is a short line that ends no sentence
    (`candidates.is_short_title`), right above a row (as `candidates.titles_table` finds them)."""
    lead = chosen[0]
    rows: list[Sentence] = []
    words = sum(len(s.text.split()) for s in chosen)
    after = neighbours.after(lead) if is_short_title(lead.text) and not is_record(lead.reads) else None
    while after is not None and is_record(after.reads) and len(rows) < _MAX_LIST_ITEMS:
        if words + len(after.text.split()) > config.max_words:
            break
        if all(after.text != s.text for s in chosen):
            rows.append(after)
            words += len(after.text.split())
        after = neighbours.after(after)
    if not rows:
        return chosen
    return [lead, *rows, *(s for s in chosen[1:] if s not in rows)]


_SECTION_STEPS = 2  # sentences of a section read before the one chosen to answer from it
_PROCEDURE_STEPS = 6  # ... and before the step chosen to answer "how do I"


# "| Residential R1-R6 | $1.25/hour | Mon-Fri |", or without the outer bars: "25 to 50 hours | £10"
_MARKDOWN_ROW = re.compile(r"\s*\|.*\|\s*|[^|\n]+(?:\s\|\s[^|\n]+)+")


def _lead(
    best: Sentence,
    eligible: list[Sentence],
    question: str,
    labels: list[tuple[str, str]],
    relevance: Callable[[Sentence], float],
    relevant: float,
    cfg: AnswerConfig,
) -> Sentence:
    """The sentence that leads the answer in place of the best-ranked one (`best`), among the eligible ones
    (best first), where the question names a thing by its label, gives the asker's own figure, names a table's
    row, or says the opposite of what the best says; `best` itself where none of that applies."""
    # "When is assignment 3 due?": the sentence naming assignment 3 leads one naming assignment 1 ...
    # ... and one naming none: for "What's for lunch on Thursday?" the Thursday row leads "School lunches
    # cost £2.60 a day", and for "How much is council tax for a band D property?" the band D row leads
    # "Council tax is payable in 10 monthly instalments" (a row, for a thing named by a number or letter:
    # prose that names it in passing, "duck hepatitis B virus", does not lead a sentence that answers
    # without naming it; for the asker's own figures, below).
    periods = any(word in PERIODS for word, _ in labels)
    named = [(word, label) for word, label in labels if not is_figure(word)]
    names_other = other_label(best.reads, labels)
    names_none = bool(named) and not _holds(best, named)
    # (and a row that names the asked code leads prose that names it among its siblings: "Site: W12; ..." before
    # "... failed at 6 of the 14 sites: W05, W06, W09, W11, W12 and W13.")
    if labels and (names_other or names_none or names_siblings_too(best.reads, labels)):
        within = cfg.sibling_label_within if names_other else cfg.label_within
        # (a row keyed by the asked thing, "Code: 3; Meaning: ..." for "exit code 3", is as sure as a sibling)
        holders = [
            s
            for s in eligible
            if s.score >= best.score - (cfg.sibling_label_within if _keyed_by(s, labels) else within)
            and relevance(s) >= relevant
            and _holds(s, labels)
            and not other_label(s.reads, labels)
            and (names_other or periods or _is_row(s.text))
        ]
        # A table's row gives way to the row that names the asked thing ("Age: 4 to 6 years; Dose: 150 mg"
        # for a 5-year-old), before a sentence that takes it in too ("children under 16").
        rows = [s for s in holders if _is_row(s.text)] if _is_row(best.text) else []
        best = next(iter(rows or holders), best)
    # "What's the ibuprofen dose for an 18-month-old?": where the best is no table row that takes the asker's
    # figure in (the table's title; prose about another band, "For children aged 6 years and over, use ...";
    # or a broad one, "children aged 3 months to 12 years"), the row whose range takes it in leads ("Age: 1
    # to 3 years; Dose: 100 mg"), from the best's document: close to it in score, or anywhere in its section
    # (a row is told from its neighbours by its figures, not by its words).
    # Failing such a row, any row of the best's document that takes the figure in, where the best is prose: "How
    # much paracetamol can I give my 3 year old?" is answered by the dose table's "2 to 4 years" row, not by
    # "... relieves pain and reduces fever in babies and children aged 3 months to 6 years." in the section
    # above, which takes the age in too.
    figures = [(word, label) for word, label in labels if is_figure(word)]
    if figures and not is_polar(question) and not (_is_row(best.text) and holds_label(best.reads, figures)):
        lead = best
        lead_terms = frozenset(terms(lead.text))  # the lead may be the title the rows stand under
        rows = [
            s
            for s in eligible
            if s.doc_id == lead.doc_id  # (another document's table is another medicine's, or tariff's)
            and relevance(s) >= relevant
            and _is_band(s.text)
            and holds_label(s.reads, figures)
            and not other_label(s.reads, figures)
        ]
        # of bands that all take the figure in, the narrowest ("after 4 complete years: 27 days", not "after 2
        # complete years of service: 26 days", for someone of 4 years' service)
        rows.sort(key=lambda s: _narrowest(s.reads, figures))
        near = (
            s
            for s in rows
            if s.score >= lead.score - cfg.label_within
            or s.section_terms == lead.section_terms
            or lead_terms <= s.section_terms
        )
        best = next(near, rows[0] if rows and not _is_row(lead.text) else best)
    # "What are inovirus-associated vectors?": a sentence with the term as its subject that says what it is
    # ("Inovirus-associated vectors (IAVs) are engineered, non-lytic, filamentous bacteriophages ...") leads one
    # that names it in passing ("... are herein termed IAVs for inovirus-associated vectors").
    term = asked_term(question)
    if term and not states_what(term, best.text):
        best = next(
            (
                s
                for s in eligible
                if s.score >= best.score - cfg.term_within
                and relevance(s) >= relevant
                and states_what(term, s.text)
            ),
            best,
        )
    # "How much is an adult ticket?": of a table's rows, the one whose label (its first cell) the question
    # names whole leads one whose label says more ("Ticket: Adult; Price: £14.00." before "Ticket: Family
    # (2 adults, up to 3 children); Price: £34.00.").
    # (not in place of a row that holds the thing the question names by its number: "Product year: 3; ...; ERC
    # rate: 3%" stays before "Fee: Early repayment charge; Amount: See below" for the charge in year 3)
    asked_terms = set(terms(question))
    held = bool(labels) and _holds(best, labels)
    if _is_row(best.text) and not _label_named(best.text, asked_terms):
        best = next(
            (
                s
                for s in eligible
                if s.score >= best.score - cfg.label_within
                and relevance(s) >= relevant
                and _is_row(s.text)
                and _label_named(s.text, asked_terms)
                and not other_label(s.reads, labels)
                and (_holds(s, labels) or not held)
            ),
            best,
        )
    # "How much did revenue change in Southern Europe?": the Northern Europe row, ranked first, says the
    # opposite of what is asked (and would be refused for it); a sentence that says what is asked ("Southern
    # Europe"), scored close to it, leads instead. (A question that no sentence asks that way is still
    # refused: "What is the lowest court in the European Union?" of a text about its highest.)
    swapped = opposite_modifier(question, best.text) if cfg.check_premise and not is_polar(question) else None
    if swapped:
        best = next(
            (
                s
                for s in eligible
                if s.score >= best.score - cfg.label_within
                and relevance(s) >= relevant
                and says_modifier(swapped, s.text)
                and not opposite_modifier(question, s.text)
            ),
            best,
        )
    return best


def _with_banded_rows(
    ranked: list[Sentence], labels: list[tuple[str, str]], threshold: float
) -> Callable[[Sentence], float]:
    """Each candidate's relevance (`Sentence.relevance`), where a table's row that takes in the asker's own
    figure ("101 hours or more | £26" for "if I work there 120 hours a month", `ranges.py`) is as relevant as
    the most relevant sentence of its document, up to `threshold`: a band's row shares few words with the
    question, its table's title ("... you can claim a flat monthly amount based on the hours you work there:")
    most of them. A row of ages that takes in the asker's is relevant whatever its document's best: "My baby is
    4 months old, how much can she have?" names nothing but the age, and "Age: 3 to 5 months; ...; Dose: 2.5
    ml" answers it (a question naming a medicine that no document names is refused for that)."""
    figures = [(word, label) for word, label in labels if is_figure(word)]
    if not figures:
        return lambda s: s.relevance
    best_in: dict[str, float] = {}
    for s in ranked:
        if s.focus_ok and not s.other_section:
            best_in[s.doc_id] = max(best_in.get(s.doc_id, 0.0), s.relevance)
    ages = [(word, label) for word, label in figures if word == AGE]
    banded = {
        s.id: threshold if ages and holds_label(s.reads, ages) else min(best_in.get(s.doc_id, 0.0), threshold)
        for s in ranked
        if _is_band(s.text) and holds_label(s.reads, figures)
    }
    return _raised(lambda s: s.relevance, banded)


def _raised(relevance: Callable[[Sentence], float], floors: dict[str, float]) -> Callable[[Sentence], float]:
    """`relevance`, raised to at least `floors[id]` for the sentences it names (unchanged when it names none)."""
    if not floors:
        return relevance
    return lambda s: max(relevance(s), floors.get(s.id, 0.0))


def _with_answered_questions(
    ranked: list[Sentence],
    neighbours: _Neighbours,
    relevance: Callable[[Sentence], float],
    threshold: float,
) -> Callable[[Sentence], float]:
    """`relevance`, where the answer to a question in the text that matches the asked one ("Is there a social
    tariff?" on an FAQ page, then "Yes. Northwind Essential is £15 a month ...") is as relevant as that question,
    up to `threshold`: the answer rarely repeats the question's words. The answer is the sentence after it and
    the rest of that sentence's paragraph, past a bare "Yes." or "No.", up to the next question."""
    inherited: dict[str, float] = {}
    for question in ranked:
        if not question.text.rstrip().endswith("?") or relevance(question) < threshold:
            continue
        value = min(relevance(question), threshold)
        answer = neighbours.after(question)
        for _ in range(_ANSWER_SENTENCES):
            if answer is None or answer.text.rstrip().endswith("?") or answer.heading:
                break
            inherited[answer.id] = max(inherited.get(answer.id, 0.0), value)
            gap = answer.after_gap or ""
            if "\n\n" in gap or ("\n" in gap and not _bare(answer)):
                break  # the paragraph ends (a bare "Yes." on a line of its own is followed by what it says)
            answer = neighbours.after(answer)
    return _raised(relevance, inherited)


def _with_continued_subjects(
    ranked: list[Sentence],
    neighbours: _Neighbours,
    relevance: Callable[[Sentence], float],
    threshold: float,
) -> Callable[[Sentence], float]:
    """`relevance`, where a sentence whose subject is a pronoun or a definite description ("It", "They", "The
    shop") is as relevant as the sentence just before it, up to `threshold`, when that one matches the question:
    "The Friends run a second-hand uniform shop in the Old Library." then "It is open from 3.15 pm to 4.30 pm on
    the first Friday of each month" answers "When is the second-hand uniform shop open?" (issue 20's
    coreference, for things no name refers to)."""
    inherited = {}
    for s in ranked:
        if subject_kind(s.text) is None:
            continue
        before = neighbours.before(s)
        if before is not None and relevance(before) >= threshold:
            inherited[s.id] = min(relevance(before), threshold)
    return _raised(relevance, inherited)


# The most sentences of the answer to a question in the text that take its relevance.
_ANSWER_SENTENCES = 4


def _bare(s: Sentence) -> bool:
    """A bare "Yes." or "No, not yet." that opens an answer."""
    return len(s.text.split()) <= 3 and re.match(r"^\W*(yes|no)\b", s.text, re.IGNORECASE) is not None


def _holds(s: Sentence, labels: list[tuple[str, str]]) -> bool:
    """Does the sentence name one of the labelled things (`kinds.holds_label`), or stand under a heading that
    does (`Sentence.label_heading`: a row of the sheet "Day 2 - Wed 15 Oct" is day 2's)?"""
    return holds_label(s.reads, labels) or bool(s.label_heading and holds_label(s.label_heading, labels))


def _with_dated_heading(chosen: list[Sentence], question: str) -> list[Sentence]:
    """The chosen sentences, led by the heading that gives the asked time where the leading sentence does not
    (`Sentence.dated_heading`): "## [2.5.0] - 2024-08-29", then "- Amazon S3 storage backend.", for "In which
    version did S3 support arrive?"."""
    lead = chosen[0]
    if lead.dated_heading is None or has_kind(Kind.DATE, lead.text, question):
        return chosen
    start, end, text = lead.dated_heading
    heading = replace(
        lead,
        id=f"{lead.id}:heading",
        start=start,
        end=end,
        text=text,
        record=None,
        heading=True,
        antecedent=None,
        antecedent_text=None,
        antecedent_answers=False,
        after_start=None,
        after_gap=None,
        dated_heading=None,
    )
    return [heading, *chosen]


def _each_subject(
    chosen: list[Sentence],
    eligible: list[Sentence],
    relevance: Callable[[Sentence], float],
    relevant: float,
    most: int,
) -> list[Sentence]:
    """The chosen sentences, with the best relevant one of each document the question names that none of them
    comes from: "Which is cheaper for an adult at peak times, PulseFit or Ironworks?" quotes a row of each
    gym's price list (`Sentence.subject`), within `most` sentences."""
    named = list(dict.fromkeys(s.subject for s in eligible if s.subject))
    if len(named) < 2:
        return chosen
    # A row's counterpart is the row of the same label in the other's table ("Adult" for "Adult"), in place of
    # what else of that document joined the answer.
    label = _row_label(chosen[0])
    out = list(chosen)
    for subject in named:
        theirs = [s for s in eligible if s.subject == subject]
        counterpart = next((s for s in theirs if label and _row_label(s) == label), None)
        if counterpart is not None and counterpart not in out:
            out = [s for s in out if s.subject != subject or s is out[0]]
        elif any(s.subject == subject for s in out):
            continue
        found = counterpart or next((s for s in theirs if relevance(s) >= relevant), None)
        if found is not None and len(out) < most:
            out.append(found)
    return out


# "Which aerodrome has the biggest restriction zone?", "Which plan is cheapest?": a superlative over a table's
# rows, the most or the least.
_MOST = re.compile(
    r"\b(?:biggest|largest|highest|greatest|longest|widest|tallest|heaviest|furthest|farthest|priciest|"
    r"dearest)\b",
    re.IGNORECASE,
)
_LEAST = re.compile(r"\b(?:smallest|lowest|shortest|narrowest|lightest|fewest|cheapest)\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _fields(row: str) -> dict[str, str]:
    """A record's fields ("Aerodrome: Fenwick; Radius: 8 km." -> {"Aerodrome": "Fenwick", "Radius": "8 km"})."""
    fields = {}
    for part in row.strip().rstrip(".").split("; "):
        key, colon, value = part.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    return fields


def _with_extreme_row(question: str, chosen: list[Sentence], ranked: list[Sentence]) -> list[Sentence]:
    """The chosen sentences, led by the row of the leading row's table that holds the most (or least) of what
    a superlative question asks for: the column whose header shares the most of the question's terms among
    those holding figures (the only one, else none), compared by its first figure; the table is that of the
    first chosen row, without a row of totals. Other questions, and answers without a row of a table of two rows
    or more, keep their order."""
    most, least = _MOST.search(question), _LEAST.search(question)
    lead = next((s for s in chosen if is_record(s.reads)), None)
    if bool(most) == bool(least) or lead is None:
        return chosen
    keys = list(_fields(lead.reads))
    table = _table_of(lead, ranked)
    if len(table) < 2:
        return chosen
    asked = set(terms(question))
    numeric = [k for k in keys if all(_FIGURE.search(_fields(s.reads)[k]) for s in table)]
    shared = {k: len(set(terms(k)) & asked) for k in numeric}
    best = max(shared.values(), default=0)
    columns = [k for k, n in shared.items() if n == best]
    # columns of one measure in several years ("Revenue 2024", "Revenue 2023"): the latest, unless one is asked
    years = {k: _YEARS.findall(k) for k in columns}
    if len(columns) > 1 and all(len(found) == 1 for found in years.values()):
        columns = [max(columns, key=lambda k: years[k][0])]
    if len(columns) != 1:
        return chosen

    figures = {s.id: {k: _first_figure(_fields(s.reads)[k]) for k in numeric} for s in table}

    # A totals row, the table's last or first, whose every figure is the sum of the others' ("Group" under the
    # divisions), is no row to compare.
    def totals(row: Sentence) -> bool:
        for key in numeric:
            values = [figures[s.id][key] for s in table]
            mine = figures[row.id][key]
            if len(values) < 4 or abs(2 * mine - sum(values)) > max(0.005 * abs(mine), 0.1):
                return False
        return True

    ends = sorted(table, key=lambda s: s.start)[:: len(table) - 1]
    parts = [s for s in table if not (s in ends and totals(s))]
    extreme = (max if most else min)(parts, key=lambda s: figures[s.id][columns[0]])
    return [extreme, *(s for s in chosen if s is not extreme)]


# A question about the latest of something: "How much is my pot worth now?", "the mileage at the last MOT", "this
# year" (not "last year", which is the one before).
_NOW = re.compile(
    r"\b(?:now|currently|current|latest|most recent|newest|today|at present|so far|to date)\b"
    r"|\blast\b(?!\s+(?:year|month|week|day|night|quarter|season|decade|century|summer|winter|spring|autumn)s?\b)"
    r"|\bthis (?:year|month|quarter|season|term)\b",
    re.IGNORECASE,
)


def _with_latest_row(question: str, chosen: list[Sentence], ranked: list[Sentence]) -> list[Sentence]:
    """The chosen sentences, led by the latest-dated row of the leading row's table among those that match the
    question as well as it does, for a question about the latest of something ("How much is my pension pot
    worth now?" over "Value of your pot on 6 April 2024" and "... on 5 April 2025"; "What was the mileage at
    the last MOT?" over a service history). A question naming a year or a date keeps its order."""
    lead = next((s for s in chosen if is_record(s.reads)), None)
    if lead is None or not _NOW.search(question) or latest_date(question) is not None:
        return chosen
    dated = [
        (when, s)
        for s in _table_of(lead, ranked)
        if s.literal >= lead.literal and (when := latest_date(s.reads)) is not None
    ]
    if len(dated) < 2:
        return chosen
    latest = max(dated, key=lambda pair: pair[0])[1]
    return [latest, *(s for s in chosen if s is not latest)]


def _first_figure(value: str) -> float:
    """The first figure of a field's value ("1,284.6 m" -> 1284.6; NaN for none)."""
    found = _FIGURE.search(value)
    return float(found.group(0).replace(",", "")) if found else math.nan


def _table_of(row: Sentence, ranked: list[Sentence]) -> list[Sentence]:
    """The candidates that are rows of the same table as `row`: records of its document with its fields."""
    keys = list(_fields(row.reads))
    return [
        s
        for s in ranked
        if s.doc_id == row.doc_id
        and not s.other_section
        and is_record(s.reads)
        and list(_fields(s.reads)) == keys
    ]


_YEARS = re.compile(r"\b(?:19|20)\d{2}\b")
# A yes or a no as a table's cell gives it: "Yes", "no (see notes)", "Y", "N", a tick or a cross.
_YES_NO = re.compile(r"^\s*(?:(yes|y)\b|(no|n)\b|([✓✔☑])|([✗✘☒]))", re.IGNORECASE)


def _yes_or_no(value: str) -> str:
    """ "yes" or "no" for a cell that says one (`_YES_NO`), else ""."""
    match = _YES_NO.match(value)
    if match is None:
        return ""
    return "yes" if match.group(1) or match.group(3) else "no"


_NEGATED = re.compile(r"\b(not|never)\b|n't\b", re.IGNORECASE)
_WHICH = re.compile(r"^\W*(which|what)\b", re.IGNORECASE)


def _with_yes_rows(
    question: str, chosen: list[Sentence], ranked: list[Sentence], most: int
) -> list[Sentence]:
    """The chosen sentences led by the rows of the first chosen row's table that say "Yes" in the column the
    question names, where that column holds only yes and no ("Which batch codes are affected?" over a column
    "Affected?": the rows marked Yes, not those marked No), or "No" for a negated question ("Which models are
    not affected?"); the table's rows saying otherwise are left out, the rest keep their order, within `most`."""
    # (the table of the first chosen row, or of the first row among the best candidates: "Which dish has peanuts
    # in it?" may be answered first by a kitchen's warning about traces of peanuts)
    lead = next((s for s in [*chosen, *ranked[:_YES_ROW_RANKS]] if is_record(s.reads)), None)
    if lead is None or not _WHICH.match(question):  # ("Is the PB-10Q affected?" wants its own row)
        return chosen
    table = _table_of(lead, ranked)
    asked = set(terms(question))
    answers = {s.id: {k: _yes_or_no(v) for k, v in _fields(s.reads).items()} for s in table}
    columns = [
        k for k in _fields(lead.reads) if set(terms(k)) & asked and all(answers[s.id][k] for s in table)
    ]
    if len(table) < 2 or len(columns) != 1:
        return chosen
    wanted = "no" if _NEGATED.search(question) else "yes"

    def says(s: Sentence) -> str:
        return answers[s.id][columns[0]]

    rows = sorted((s for s in table if says(s) == wanted), key=lambda s: s.start)
    if not rows:
        return chosen
    rest = [s for s in chosen if s not in table]
    return [*rows, *rest][: max(most, len(rows))]


# How far down the ranking a table with a yes/no column is looked for, when no chosen sentence is its row.
_YES_ROW_RANKS = 5


def _spaced(name: str) -> str:
    """A model's name in one form: lower case, words and numbers apart ("DW45", "dw-45", "DW 45": "dw 45")."""
    return " ".join(
        re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", name.lower())
        .replace("_", " ")
        .replace("-", " ")
        .split()
    )


def _with_named_rows(
    question: str, chosen: list[Sentence], ranked: list[Sentence], most: int
) -> list[Sentence]:
    """The chosen sentences led by the rows of the first chosen row's table that the question names by their
    labels, when it names two or more ("Which is quieter, the DW45 or the DW60?" over one table of
    dishwashers: the DW45's row and the DW60's), in the question's order, within `most` sentences. A label
    is named by a model's name (`candidates.model_names`: "DW45", "T-20", "Aria 500"); a row labelled the name
    alone ("DW60") is taken before one that holds it ("DW60 Pro")."""
    models = list(dict.fromkeys(model_names(question)))
    lead = next((s for s in chosen if is_record(s.reads)), None)
    alternatives = _alternatives(question)
    if (len(models) < 2 and len(alternatives) < 2) or lead is None:
        return chosen
    table = _table_of(lead, ranked)
    labels = [(s, _spaced(_label(s.reads))) for s in table]
    rows: list[Sentence] = []
    for family, number in models:
        name = f"{family} {number}"
        exact = [s for s, label in labels if label == name]
        holding = [s for s, label in labels if re.search(rf"\b{re.escape(name)}\b", label)]
        found = (exact or holding)[:1]
        if found and found[0] not in rows:
            rows.append(found[0])
    # "Which is cheaper, senior or student off-peak?": the rows whose labels hold each one's words
    if len(models) < 2:
        for words in alternatives:
            found = [s for s, label in labels if words <= set(terms(label))][:1]
            if found and found[0] not in rows:
                rows.append(found[0])
    if len(rows) < 2:
        return chosen
    return [*rows, *(s for s in chosen if s not in rows)][: max(most, len(rows))]


# "Which is cheaper per month, senior or student off-peak?": the things compared, after the comparison.
_ALTERNATIVES = re.compile(r",\s*(?:the\s+)?([^,?]+?)\s+or\s+(?:the\s+)?([^,?]+?)\s*\?*\s*$", re.IGNORECASE)


def _alternatives(question: str) -> list[set[str]]:
    """The terms of each of two things a comparison names after a comma ("Which is cheaper, senior or student
    off-peak?": {"senior", "off", "peak"} and {"student", "off", "peak"}: words after the last one's first
    are shared by both), or [] for other questions."""
    match = _ALTERNATIVES.search(question) if asked_measure(question) else None
    if match is None:
        return []
    first, second = terms(match.group(1)), terms(match.group(2))
    if not first or not second or len(first) > 3 or len(second) > 3:
        return []
    shared = set(second[1:]) if len(first) == 1 else set()
    return [set(first) | shared, set(second)]


# "Who is the sponsor of the study?", "What is the policy number?", "How much is the deposit?", "How many nights
# is the booking?": the thing a question asks for by its name
_FIELD_ASKED = re.compile(
    r"^\W*(?:(?:who|what|how much)(?:'s|\s+(?:is|are|was|were))\s+(?:the|a|an|my|our|your)\s+"
    r"([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2}?)\s*(?:\?|\b(?:of|for|on|in|at)\b)"
    r"|how (?:many|much)\s+([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2}?)\s+"
    r"(?:is|are|was|were|do|does|did|will|can|have|has)\b)",
    re.IGNORECASE,
)
# "When was the decision made?": the date of the thing named, a field "Decision date" or "Date of decision".
_DATE_ASKED = re.compile(
    r"^\W*(?:when|on what date|what date)\s+(?:is|are|was|were|will)\s+(?:the|a|an|my|our|your)\s+"
    r"([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*)?)\s+(?:[a-z]+ed|made|done|given|taken|sent|paid|due|held|seen|written)\b",
    re.IGNORECASE,
)
# A field of a form or a table's row read as "Label: value." ("Policyholder: Mrs Aisha Rahman.")
_FIELD = re.compile(r"^([^:;\n]{1,40}):\s+\S")


def _with_asked_field(question: str, chosen: list[Sentence], ranked: list[Sentence]) -> list[Sentence]:
    """The chosen sentences, led by the row or field among the best candidates whose label is the thing the
    question asks for by name: "Item: Sponsor; Detail: Norvexa Therapeutics AB" (or "Sponsor: Norvexa ...")
    for "Who is the sponsor of the study?", before a sentence that mentions "the sponsor's study team". Only
    among the candidates ranked above `_FIELD_RANKS`, and only where the lead is not such a field already."""
    asked, dated = _FIELD_ASKED.match(question), _DATE_ASKED.match(question)
    if asked is not None:
        name = (asked.group(1) or asked.group(2)).lower()
        names = {name, singular(name), name + "s"}
    elif dated is not None:  # "When was the decision made?": "Decision date: 3rd October 2024."
        thing = dated.group(1).lower()
        names = {f"{thing} date", f"date of {thing}", f"date of the {thing}", f"date {thing}"}
    else:
        return chosen

    def label(s: Sentence) -> str:
        if is_record(s.reads):
            return _label(s.reads).strip().lower()
        field = _FIELD.match(s.reads)
        return field.group(1).strip().lower() if field else ""

    if label(chosen[0]) in names:
        return chosen
    # (a field that lacks the thing the question names by its number, where the lead holds it, does not lead:
    # "Fee: Early repayment charge; Amount: See below" for "What is the early repayment charge in year 3?")
    labels = asked_labels(question)
    held = bool(labels) and holds_label(chosen[0].reads, labels)
    field = next(
        (
            s
            for s in ranked[:_FIELD_RANKS]
            if label(s) in names and s.relevance > 0 and not (held and not holds_label(s.reads, labels))
        ),
        None,
    )
    if field is None:
        return chosen
    return [field, *(s for s in chosen if s.text != field.text)]


# How far down the ranking a field named by the question is looked for.
_FIELD_RANKS = 5


def _row_label(s: Sentence) -> str:
    """A table row's label, the value of its first field, lower-cased ("adult" of "Membership: Adult; Peak:
    £42.00."); "" for a sentence that is no row."""
    if not _is_row(s.text) or not is_record(s.reads):
        return ""
    return _label(s.reads).strip().lower()


def _label(row: str) -> str:
    """A table row's label: the value of a record's first field ("Ticket: Adult; Price: £14.00." -> "Adult"), or
    a bar-separated row's first cell."""
    first = row.strip().strip("|").split("|")[0] if "|" in row else row.split(";")[0]
    return first.split(":", 1)[1] if is_record(row) and ":" in first else first


def _label_named(row: str, asked: set[str]) -> bool:
    """Does the question hold every term of the row's label (`_label`)?"""
    named = set(terms(_label(row)))
    # a label of words, not a bare number ("Week: 3" is not named by "When is assignment 3 due?")
    return any(not term.isdigit() for term in named) and named <= asked


def _is_row(text: str) -> bool:
    """Is the sentence a row of a table: a record of a spreadsheet (`is_record`) or of a Markdown table?"""
    return is_record(text) or _MARKDOWN_ROW.fullmatch(text) is not None


def _narrowest(sentence: str, figures: list[tuple[str, str]]) -> float:
    """The width of the narrowest band the sentence states that takes in an amount the question gives
    (`ranges.band_width`); 0 for other figures (ages, dates), which keep their order."""
    amounts = [
        Amount(word.removeprefix(AMOUNT), float(label), label)
        for word, label in figures
        if word.startswith(AMOUNT)
    ]
    return min((band_width(sentence, a) for a in amounts), default=0.0)


def _names_field(text: str, asked: set[str]) -> bool:
    """Is the text a heading that gives a value (`_FIELD`, past its Markdown marks and number: "2. Fuel policy:
    full to full", "## Deposit: £300") under a label whose every term the question holds?"""
    match = _FIELD.match(without_item_number(text.strip().lstrip("#").strip()))
    label = set(terms(match.group(1))) if match else set()
    return bool(label) and label <= asked


def _keyed_by(s: Sentence, labels: list[tuple[str, str]]) -> bool:
    """Is the sentence a table's row whose first cell is a label the question asks about, under a header that
    names its word ("Code: 3; Meaning: A file could not be read" for "What does exit code 3 mean?")?"""
    if not _is_row(s.text):
        return False
    fields = list(_fields(s.reads).items())
    if not fields:
        return False
    key, value = fields[0][0].lower(), fields[0][1].strip().lower()
    return any(value == label.lower() and word in {key, singular(key)} for word, label in labels)


def _is_band(text: str) -> bool:
    """Is the sentence a row of a table (`_is_row`), or a line that gives a band its own figure, as a table's
    row does ("28 to 15 days: 75% of total price", "Over 65: free")?"""
    field = _FIELD.match(text)
    return _is_row(text) or (field is not None and bool(amount_ranges(field.group(1))) and len(text) <= 80)


def _ranked(candidates: list[Sentence], scores: np.ndarray) -> list[Sentence]:
    """The candidates with their scores and probabilities (a softmax over them), best first."""
    probabilities = softmax(scores)
    return sorted(
        (
            replace(s, score=float(x), probability=float(p))
            for s, x, p in zip(candidates, scores, probabilities, strict=True)
        ),
        key=lambda s: -s.score,
    )


class ExtractiveAnswerer:
    """Chooses answer sentences from retrieved passages; its ranking and gate are also the evidence that the
    generative answerer builds on."""

    name = "extractive"

    def __init__(
        self,
        store: Store,
        config: AnswerConfig | None = None,
        embedder: Embedder | None = None,
        ranker: Ranker | None = None,
        candidates: CandidateConfig | None = None,
        reranker: Reranker | bool = False,
    ) -> None:
        """Args:
        reranker: the sentence reranker (`reranker.py`) that rescores the ranker's best candidates: True for
            the shipped one (loaded at the first question), False for none (`QA_RERANKER`, off by default).
        """
        self.store = store
        self.config = config or AnswerConfig()
        self.ranker = ranker or load_ranker()
        self.finder = CandidateFinder(store, candidates, embedder)
        self._reranker = reranker

    @cached_property
    def reranker(self) -> Reranker | None:
        """The sentence reranker, or None (not wanted, or it cannot load: then the ranker's order stands)."""
        if self._reranker is True:
            try:
                return load_reranker()
            except QAError as exc:
                log.warning("answering without the sentence reranker: %s", exc)
                return None
        return self._reranker or None

    def condense(self, question: str, history: History) -> str:
        """Follow-ups rewritten by rule from the entities of earlier turns (`qa/chat.py`)."""
        return rewrite(question, list(history))

    def reply(self, question: str, evidence: Draft) -> Generator[str, None, Reply]:
        """The chosen sentences, best first, each quoting itself; the answer is its first sentence's."""
        claims = [] if evidence.refused else quoted(evidence.sentences)
        if claims:
            yield " ".join(c.text for c in claims)
        return Reply(claims, not claims, self.name, Verification(len(claims)))

    def draft(self, retrieval: Retrieval, sources: int = 10) -> Draft:
        """Score the candidate sentences and decide: quote the best ones, or refuse.

        Args:
            sources: how many source passages (sentence windows around the best candidates) to return.
        """
        candidates, texts = self.finder.find(retrieval)
        draft = self.select(retrieval.question, candidates, retrieval.unknown)
        windows = sentence_windows(
            self.store.manifest, texts, draft.ranked, sources, self.config.window_chars, retrieval.passages
        )
        return replace(draft, passages=windows, texts=texts)

    def select(self, question: str, candidates: list[Sentence], unknown: Sequence[str] = ()) -> Draft:
        """Score candidates with this answerer's ranker, then pick the answer sentences or refuse.

        Args:
            unknown: the question's words that no document holds (`Retrieval.unknown`).
        """
        cfg = self.config
        kind = question_kind(question)
        if not candidates:
            return Draft([], True, kind)
        scores = self.ranker.scores(feature_matrix(question, kind, candidates))
        ranked = _ranked(candidates, scores)
        if unknown and cfg.check_premise:
            term = absent_key_term(unknown, [s.text for s in candidates], question=question)
            if term:
                log.info("refused %r: %r is in no document", question, term)
                return Draft([], True, kind, ranked)
        ranked = _of_the_asked(ranked)
        # Number and date questions are answered only by sentences holding a number or date, a question for
        # someone's name only by one naming someone; headings answer nothing but the date they give.
        needs_kind = kind in (Kind.NUMBER, Kind.DATE) or asks_for_name(question)

        def answers(s: Sentence) -> bool:
            # A heading answers only a "when" question, with the date a Markdown heading gives beside the
            # question's words ("## 4.2.1 — 14 April 2025" for "When was 4.2.1 released?"; an e-mail's subject
            # line, "Subject: renewal - need decision by 30 Sept", answers nothing).
            dated = kind is Kind.DATE and s.kind_ok and s.literal > 0 and s.text.lstrip().startswith("#")
            # ... and a heading that gives a value under the label the question names ("2. Fuel policy: full to
            # full" for "What's the fuel policy?")
            heading_ok = not s.heading or dated or _names_field(s.text, question_terms)
            return s.focus_ok and heading_ok and not s.other_section and (s.kind_ok or not needs_kind)

        question_terms = set(terms(question))
        threshold = cfg.kind_refuse_below if needs_kind else cfg.refuse_below
        # The gate asks whether the documents answer the question at all (from how well the candidates match
        # it, not from their order); once they do, the best-ranked sentence leads even when, alone, it matches
        # the question less closely than another (a long sentence that lists the answer, beside a short one
        # that merely shares the question's words).
        # "What is the WHO?": a sentence that defines the short form answers, however little of the question
        # (here only a stopword) it matches.
        defining = any(s.defines and answers(s) for s in ranked)
        # No candidate holds any word of the question that weighs (all absent, or common words said otherwise:
        # "How soon will I get my money back?" / "We will refund you within 14 days"): the overlap says nothing,
        # and the embedder's similarity alone decides.
        if all(s.literal == 0 for s in ranked):
            threshold = min(threshold, cfg.refuse_below_by_meaning)
        labels = asked_labels(question)
        relevance = _with_banded_rows(ranked, labels, threshold)
        near = _Neighbours(ranked)
        relevance = _with_answered_questions(ranked, near, relevance, threshold)
        relevance = _with_continued_subjects(ranked, near, relevance, threshold)
        if not defining and not any(relevance(s) >= threshold for s in ranked if answers(s)):
            return Draft([], True, kind, ranked)
        if self.reranker is not None:  # only once the documents answer: a refusal costs no reranking
            ranked = _ranked(
                candidates, rescore(question, [s.text for s in candidates], scores, self.reranker)
            )
            ranked = _of_the_asked(ranked)
        eligible = [s for s in ranked if answers(s)]
        definer = next((s for s in eligible if s.defines), None)
        relevant = min(threshold, cfg.extra_relevance)
        best = next((s for s in eligible if relevance(s) >= relevant), definer)
        assert best is not None  # the gate saw an eligible sentence that is relevant enough, or a definer
        best = _lead(best, eligible, question, labels, relevance, relevant, cfg)
        # "How much does the Ridgeback 3 cost?" where the passages name the Ridgeback 1 and 2 only: the best
        # sentence is about a sibling, and none is about the asked one. (Not for a day or a season: "Is it open
        # on Mondays?" is answered by "open Tuesday to Sunday".)
        # An age none of the passages' ranges takes in ("the ibuprofen dose for a 10 year old" beside rows up to
        # 9 years) is refused too, unless the question asks yes or no ("Can a 17 year old open an account?" is
        # answered by "You must be 18 or over").
        numbered = [
            (word, label)
            for word, label in labels
            if word not in PERIODS
            and not word.startswith(AMOUNT)
            and not DOTTED.fullmatch(label)
            and not (word == AGE and is_polar(question))
        ]
        # An age asked of a table's rows is taken in by a row of that table, or by none ("children aged 7 to 17"
        # in another document says nothing of the dose).
        by_rows = _is_row(best.text) and all(word == AGE for word, _ in numbered)
        if (
            cfg.check_premise
            and numbered
            and other_label(best.reads, numbered)
            and not any(
                _holds(s, numbered) and (not by_rows or (_is_row(s.text) and s.doc_id == best.doc_id))
                for s in candidates
            )
        ):
            log.info("refused %r: the passages name other %s", question, numbered[0][0])
            return Draft([], True, kind, ranked)
        chosen = [best]
        covered = best.probability
        words = len(best.text.split())
        chosen_texts = {best.text}
        # A table row answers for itself: other rows join it only when the question asks for several things
        # (quoting the next row of a leave table beside the asked one shows a figure that is not the answer).
        one_row = _is_row(best.text) and kind is not Kind.LIST
        join = cfg.list_join_probability if kind is Kind.LIST else cfg.join_probability
        for other in ranked:  # best first: probabilities fall
            if covered >= cfg.cover or len(chosen) >= cfg.max_sentences or other.probability < join:
                break
            more = len(other.text.split())
            if (
                other.text not in chosen_texts
                and not other.heading
                and not other.other_section
                and not _SAYS_NOTHING_ALONE.search(other.text)
                and not (one_row and _is_row(other.text))
                and not other_label(other.reads, labels)
                and other.relevance >= cfg.extra_relevance
                and words + more <= cfg.max_words
            ):
                chosen.append(other)
                chosen_texts.add(other.text)
                covered += other.probability
                words += more
        chosen = _each_subject(chosen, eligible, relevance, relevant, cfg.max_sentences)
        # "What is IFITM?": the sentence where a document defines it leads ("The interferon-induced
        # transmembrane (IFITM) proteins ...").
        if definer is not None and definer.text not in chosen_texts:
            chosen = [definer, *chosen][: cfg.max_sentences]
        elif definer is not None:
            chosen = [definer, *(s for s in chosen if s.text != definer.text)]
        asks_for = {name for name, _ in cues(question)}
        finding = "finding" in asks_for and not _NOT_ABOUT_A_FINDING.match(question)
        if cfg.announced_follows and _ASKS.search(chosen[0].text):
            chosen = _with_next(chosen, ranked, cfg)  # "Why is the launch delayed?" in the text, then why
        elif kind is Kind.REASON and cfg.cause_follows and not any(s.kind_ok for s in chosen):
            chosen = _with_next(chosen, ranked, cfg, lambda s: s.kind_ok)
        elif finding and cfg.cause_follows and not any("finding" in s.cues for s in chosen):
            chosen = _with_next(chosen, ranked, cfg, lambda s: "finding" in s.cues)
        elif cfg.announced_follows and _ANNOUNCES.search(chosen[0].text):
            chosen = _with_next(chosen, ranked, cfg)
        # "Why is the kettle being recalled?": where no chosen sentence gives a cause, a relevant one that does
        # ("... is recalling certain ... kettles, because a fault in the thermostat ...") scored this close joins.
        if kind is Kind.REASON and cfg.cause_joins and not any(s.kind_ok for s in chosen):
            top = chosen[0].score
            cause = next(
                (
                    s
                    for s in eligible
                    if s.kind_ok
                    and s.score >= top - cfg.reason_lead_within
                    and relevance(s) >= relevant
                    and not _SAYS_NOTHING_ALONE.search(s.text)
                ),
                None,
            )
            if cause is not None:
                chosen = [*chosen[: cfg.max_sentences - 1], cause]
        if cfg.lead_by_kind:
            within = cfg.reason_lead_within if kind is Kind.REASON else cfg.lead_within
            led = lead_first(chosen, kind, within, question)
            # (a sentence naming the asked label, or a row taking in the asker's figure, keeps the lead before
            # one that does not: a number nearer the question's words there is no better answer; a table's row
            # keeps it before prose that takes the figure in too, "For children aged 3 months to 12 years.")
            holds = bool(labels) and _holds(chosen[0], labels)
            if not (
                holds
                and (not _holds(led[0], labels) or (_is_row(chosen[0].text) and not _is_row(led[0].text)))
            ):
                chosen = led
        if not any(is_figure(word) for word, _ in labels):  # (not "the lowest dose for my 4 year old")
            chosen = _with_extreme_row(question, chosen, ranked)
        chosen = _with_latest_row(question, chosen, eligible)
        chosen = _with_named_rows(question, chosen, ranked, cfg.max_sentences)
        chosen = _with_yes_rows(question, chosen, ranked, cfg.max_sentences)
        chosen = _with_asked_field(question, chosen, eligible)
        neighbours = _Neighbours(ranked)
        chosen = _from_section_start(chosen, neighbours, cfg, "method" in asks_for)
        chosen = _with_their_lists(chosen, neighbours, cfg)
        chosen = _with_titled_rows(chosen, neighbours, cfg)
        chosen = _with_dated_heading(chosen, question)
        if cfg.check_premise:
            why = unmet_premise(question, [s.reads for s in chosen], [s.reads for s in candidates])
            if why:
                log.info("refused %r: %s", question, why)
                return Draft([], True, kind, ranked)
        return Draft(chosen, False, kind, ranked)
