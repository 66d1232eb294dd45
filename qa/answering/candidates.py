"""Candidate answer sentences and the signals measured on each.

Candidates are every sentence of the best passages and the sentences nearest to the question by embedding.
Each is measured against the question: embedding similarity, IDF-weighted overlap with the question's terms (a
surname counting as the full name the question gives, a pronoun subject as what it refers to), the same for its
neighbours, whether it holds the kind of answer asked for and how near that stands to the question's terms,
what it says beyond the question. `qa/answering/features.py` turns these into the ranker's features.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import pairwise
from typing import TypeVar

import numpy as np

from index.abbreviations import READ_CHARS, definitions
from index.chunk import is_list_item, without_item_number
from index.embed import Embedder
from index.lexical import stopwords, terms, tokenize, zipf
from index.manifest import SpanRow
from index.readers.base import is_record
from index.readers.text import pipe_record
from index.store import Store
from qa.answering.coref import resolve, subject_kind
from qa.answering.evidence import Sentence
from qa.answering.kinds import (
    Kind,
    asked_labels,
    asked_short_form,
    cues,
    entities,
    focus_words,
    has_kind,
    holds_label,
    is_calendar_word,
    is_person_like,
    named_things,
    names_measure,
    proximity,
    question_kind,
    states_measure,
)
from qa.answering.premise import versions
from qa.answering.ranges import is_figure
from qa.answering.retrieve import MEASURES, QUANTITY_WORDS, Retrieval

_T = TypeVar("_T")
# A short label on a line of its own that heads what follows: "Parental leave:", "To fill the tank:".
_LABEL = re.compile(r"(?:[^\W\d_][\w’'/&-]*\s+){0,5}[^\W\d_][\w’'/&-]*:")
# wordfreq's Zipf scale: "get" 6.3, "people" 6.3, "work" 6.0, "mean" 5.5; not "pay" 5.4, "alcohol" 4.6.
PARAPHRASED_ZIPF = 5.5
# A word of the question rarer than this (wordfreq's Zipf: "ibuprofen" 2.9, "paracetamol" 2.6; not "hepatitis"
# 3.5) names what the answer's document must mention, as a capitalised word or a code does, where another
# candidate's document is about it (`off_subject`).
RARE_SUBJECT_ZIPF = 3.0
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
# Words that compare: answered by the figures of what is compared, not by a sentence that says them.
COMPARATIVES = frozenset(
    "cheaper cheapest dearer dearest lower lowest higher highest bigger biggest smaller smallest larger largest "
    "longer longest shorter shortest faster fastest slower slowest newer newest older oldest quieter quietest "
    "louder loudest lighter lightest heavier heaviest greater greatest nearer nearest closer closest earlier "
    "earliest later latest more most less least fewer fewest better best worse worst".split()
)
# A common word (Zipf 4 or more: "cost" 5.0) that no document uses weighs nothing either where the best passages
# (`SYNONYM_PASSAGES`) hold a word at least `SYNONYM_SIMILARITY` close to it in the embedder's space.
COMMON_ABSENT_ZIPF = 4.0
SYNONYM_SIMILARITY = 0.7
SYNONYM_PASSAGES = 3
# A table's title has at most this many words; it heads the table's rows at this level, below the numbered
# headings' (`_level`).
TITLE_WORDS = 16
SHORT_TITLE_WORDS = 8  # a table's title without a colon or a number: at most this many words
_TABLE_NUMBER = re.compile(r"(?:Table|Tab\.)\s*[A-Z]?\d+(?:\.\d+)*\b", re.IGNORECASE)
TABLE_LEVEL = 20
_SECTION_NUMBER = re.compile(r"(\d{1,3}(?:\.\d{1,3})*)\.?\s")  # "4.2 Jury service", "4. Unpaid leave"
# Two editions' sentences say the same thing when this share of their words (numbers aside) is common, or
# their embeddings are this close ("Employees receive 25 days of annual leave per year." / "Every employee is
# entitled to 27 days of paid holiday each year.": 0.66; "... budget was set at EUR 40,000." / "Tom presented
# the new onboarding flow.": 0.20); only sentences this relevant to the question are compared.
SAME_WORDING = 0.5
SAME_MEANING = 0.6
EDITION_RELEVANCE = 0.4
EDITION_ANSWERS = 0.7  # as `AnswerConfig.refuse_below`
EDITION_PAIRS = (
    12  # the most relevant sentences of older and of newer editions compared (embedded) per question
)
# The numbers that tell editions apart in a document's name or title: a year, with its month and day
# ("2024", "2024-07", "2024-03-12"), a version ("v2", "version 3", "2.1"), a fiscal year ("FY24"), an edition
# ("3rd edition"). Other numbers ("covidqa-650", "chapter-2") name documents, not editions.
_NAMED_NUMBER = re.compile(
    r"(?<![a-z0-9])(?:v|version\s?|fy\s?)(\d+(?:\.\d+)*)|(?<![0-9.])((?:19|20)\d{2}(?:[-_.]\d{1,2}){0,2})(?![0-9])|"
    r"(?<![0-9.])(\d+\.\d+(?:\.\d+)*)(?![0-9])|(?<![0-9])(\d+)(?:st|nd|rd|th) edition"
)
# A question naming a date, a month, a weekday or a number asks about a particular edition or issue.
_DATED = re.compile(
    r"\d|\b(?:january|february|march|april|june|july|august|september|october|november|december|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
# How much of the question a sentence must match by itself to state a rule its section's siblings share.
OWN_MATCH = 0.5
_HOW_WORD = re.compile(rf"\bhow (long|often|far|old|soon|quickly|{'|'.join(MEASURES)})\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
_YEARS = re.compile(r"\b(?:1[5-9]|20)\d{2}\b")
_AVERAGE_TERMS = 12.0  # a sentence's typical length in terms (SQuAD and COVID-QA: 11 to 13), for BM25
# A line of its own without a full stop, a colon or a number: a heading, not an answer.
_HEADING_END = re.compile(r"[.!?:;…\"”’)\]]\s*$")
_UNDERLINE = re.compile(r"={3,}|-{3,}")
_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")  # "|---|:---:|"
# An e-mail's subject line heads the message ("Subject: RE: Snowflake renewal"): it names what the message is
# about and answers nothing itself.
_SUBJECT = re.compile(r"[\s*_]*subject:[*_]*\s", re.IGNORECASE)


@dataclass(frozen=True)
class CandidateConfig:
    """Where candidates come from and how the focus of a question is checked."""

    passages: int = 5  # candidates come from this many top passages
    # "How much money ...?" is answered only by a sentence that speaks of money, or of something this close.
    focus_similarity: float = 0.6
    focus_checks: int = 4  # candidates checked by meaning when their words do not name the focus
    focus_relevance: float = 0.5  # candidates below this relevance are not checked (they cannot answer)
    focus_dense: float = 0.55  # a candidate at least this similar to the question speaks of its focus
    context_chars: int = 1000  # how far around a candidate its neighbours are looked for


def bigram_share(query: Sequence[str], text: Sequence[str]) -> float:
    """Share of the question's adjacent term pairs that also stand side by side in the text."""
    pairs = set(pairwise(query))
    return len(pairs & set(pairwise(text))) / len(pairs) if pairs else 0.0


def term_overlap(weights: Mapping[str, float], text_tokens: Iterable[str]) -> float:
    """IDF-weighted share of the question's terms that the text contains (0..1).

    Args:
        weights: each of the question's terms -> its IDF.
    """
    total = math.fsum(weights.values())
    present = set(text_tokens)
    # fsum: exact, so equal shares compare equal whatever order the terms come in
    return math.fsum(w for t, w in weights.items() if t in present) / total if total else 0.0


def name_aliases(question: str) -> list[tuple[list[str], str]]:
    """For each person's full name in the question ("Esmail Qaani"), its first terms and its last term: a
    sentence that says "Qaani" names Esmail Qaani too. Follow-ups make this matter: "Who did he replace?" is
    rewritten with the full name, which most sentences about the man shorten."""
    aliases = []
    for name in entities(question):
        stems = tokenize(name)
        if len(stems) >= 2 and is_person_like(name):
            aliases.append((stems[:-1], stems[-1]))
    return aliases


def with_aliases(token_list: Sequence[str], aliases: list[tuple[list[str], str]]) -> list[str]:
    """The sentence's terms in order, each last name preceded by the rest of its full name when the sentence
    shortens it ("qaani took" -> "esmail qaani took")."""
    if not aliases:
        return list(token_list)
    full = {last: rest for rest, last in aliases}
    out: list[str] = []
    for t in token_list:
        rest = full.get(t)
        if rest and out[-len(rest) :] != rest:
            out.extend(rest)
        out.append(t)
    return out


def _names(text: str) -> list[str]:
    """The capitalised phrases of a sentence after its first word (capitalised anyway), `entities`."""
    opening = re.match(r"\W*\w+", text)
    return entities(text[opening.end() :] if opening else text)


def _names_more(text: str, asked_words: set[str]) -> bool:
    """Does the sentence name something the question does not?"""
    return any(not any(w.lower() in asked_words for w in e.split()) for e in _names(text))


def longest_run(query: Sequence[str], text: Sequence[str]) -> int:
    """The longest run of the question's terms, in the question's order, that stands unbroken in the text."""
    best = 0
    positions: dict[str, list[int]] = {}
    for i, t in enumerate(text):
        positions.setdefault(t, []).append(i)
    for q in range(len(query)):
        for start in positions.get(query[q], ()):
            n = 1
            while q + n < len(query) and start + n < len(text) and text[start + n] == query[q + n]:
                n += 1
            best = max(best, n)
    return best


def bm25(
    weights: Mapping[str, float], tokens: Sequence[str], average: float, k1: float = 1.2, b: float = 0.75
) -> float:
    """Okapi BM25 of a sentence for the question's terms (weights: term -> IDF); `average` is the typical
    sentence length in terms."""
    counts: dict[str, int] = {}
    for t in tokens:
        if t in weights:
            counts[t] = counts.get(t, 0) + 1
    norm = k1 * (1 - b + b * len(tokens) / max(average, 1.0))
    return sum(weights[t] * c * (k1 + 1) / (c + norm) for t, c in counts.items())


# Short forms that are also English words: "US" must not turn every "us" into the United States.
_WORD_LIKE = frozenset("as at be by do go he if in is it me my no of on or so to up us we an am".split())


def _borrowed(expansions: dict[str, Expansions], used: Mapping[str, frozenset[str]]) -> dict[str, Expansions]:
    """Each document's abbreviations, with those it uses without spelling out taken from another candidate
    document that does: a key facts sheet's "ERC rate" is the early repayment charge its mortgage offer defines
    ("Early repayment charges (ERCs)"). A short form that two documents spell out differently is borrowed from
    neither. `used`: each document's words as written (`_written_words`)."""
    meanings: dict[str, set[str]] = {}
    for found in expansions.values():
        for short, long in found.forms:
            meanings.setdefault(short, set()).add(long.lower())
    lent = {short: long for short, longs in meanings.items() if len(longs) == 1 for long in longs}
    out = {}
    for doc_id, own in expansions.items():
        words = used[doc_id]
        defined = {short for short, _ in own.forms}
        borrowed = {
            short: long
            for short, long in lent.items()
            if short not in defined and {short, short.rstrip("s"), short.rstrip("s") + "s"} & words
        }
        out[doc_id] = Expansions.of({**borrowed, **dict(own.forms)}) if borrowed else own
    return out


def _written_words(text: str) -> frozenset[str]:
    """A text's words as written, with the dots and hyphens inside them ("ERCs", "B.", "SARS-CoV-2")."""
    return frozenset(word.strip(".-") for word in re.findall(r"[\w.-]+", text))


def _table_row(text: str) -> bool:
    """Is the sentence a row of a table: a Markdown pipe row or a record with its headers?"""
    return text.startswith("|") or is_record(text)


# How far from a candidate row of a table the rows holding the asked label are looked for, in characters.
_TABLE_REACH = 3000
# The heading of a paper's list of references.
_REFERENCES = re.compile(
    r"(?:\d+\.?\s*)?(?:references?(?: cited)?|bibliography|works cited|literature cited|cited literature|"
    r"reference list|notes and references)"
)
# A question about the works a document cites ("Which paper ...?", "Who wrote ...?", "the reference to ...").
_ABOUT_WORKS = re.compile(
    r"\b(?:references?|cited?|citations?|papers?|articles?|journal|published|publication|authors?|wrote|"
    r"written by|bibliograph\w*|sources?)\b",
    re.IGNORECASE,
)
# A figure given by reference to one stated just before: "two times that amount", "half this figure".
_REFERS_BACK = re.compile(
    r"\b(?:that|this|the\s+same|the\s+above|such)\s+(?:amount|figure|sum|limit|cap|rate|price|fee|total|level|value)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Expansions:
    """A document's abbreviations as terms: each short form's terms with its long form's, both ways."""

    pairs: tuple[tuple[frozenset[str], tuple[str, ...]], ...]
    forms: tuple[
        tuple[str, str], ...
    ] = ()  # (short form, long form) as written ("IFITM", "interferon-induced ...")

    @classmethod
    def of(cls, found: dict[str, str]) -> Expansions:
        """From a document's abbreviations (`index.abbreviations.definitions`)."""
        pairs = []
        for short, long in found.items():
            if short.lower() in _WORD_LIKE:
                continue
            short_terms, long_terms = tuple(tokenize(short)), tuple(tokenize(long))
            if short_terms and long_terms and set(short_terms) != set(long_terms):
                pairs.append((frozenset(short_terms), long_terms))
                pairs.append((frozenset(long_terms), short_terms))
        return cls(tuple(pairs), tuple(found.items()))

    def defined(self, word: str) -> tuple[str, str] | None:
        """The (short form, long form) that `word` is, as written in the question: exactly, in other capitals
        ("ecdc"), in the plural ("ISPs" for "ISP"), or in the singular of a short form the document defines in
        the plural ("IAV" for "IAVs"); None when the document defines no such short form."""
        for short, long in self.forms:
            if short == word:
                return short, long
        folded = word.casefold()
        # the plural of a short form written in capitals ("ISPs"), not of a word ("gas" is not "GA"s)
        plural = word.endswith("s") and sum(ch.isupper() for ch in word) >= 2
        singular = {folded[:-1], folded[:-2]} if plural else set()
        plurals = {folded + "s", folded + "es"} if sum(ch.isupper() for ch in word) >= 2 else set()
        for short, long in self.forms:
            if short.casefold() == folded or short.casefold() in singular or short.casefold() in plurals:
                return short, long
        return None

    def expand(self, tokens: list[str]) -> list[str]:
        """The terms, followed by the other form of every abbreviation they hold."""
        present = set(tokens)
        extra = [t for form, other in self.pairs if form <= present for t in other if t not in present]
        return tokens + extra if extra else tokens


# A fence of a Markdown code block ("```sh", "~~~"): no sentence, yet no boilerplate between the sentence that
# announces a command and the command.
FENCE = re.compile(r"^[ \t]*(?:```|~~~)[\w+.-]*[ \t]*$", re.MULTILINE)


def _gap(text: str, end: int, start: int) -> str | None:
    """The white space between two sentences (and the fences of a code block: "Start a worker:" then the
    command), or None when something else (boilerplate) lies between."""
    between = text[end:start]
    return between if not FENCE.sub("", between).strip() else None


def _title_line(text: str) -> str:
    """A document's first line where it may be its title: short, and no row of a table (a spreadsheet's first
    record, "Date: 02/07/2021; Mileage: 11240; ...", dates no edition)."""
    first_line = text[:200].split("\n", 1)[0]
    return first_line if len(first_line) <= 120 and not is_record(first_line) else ""


def _version_match(asked: set[str], source: str, text: str) -> int:
    """1 when the document's name or title line names a year or version the question asks about, -1 when it
    names others only, 0 when the question names none or the document says nothing of it."""
    if not asked:
        return 0
    named = versions(source) | versions(_title_line(text))
    if not named:
        return 0
    return 1 if asked & named else -1


def _editions(source: str, text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Which documents this may be an edition of, and how recent it is among them: its file name (with its
    folder) and its title line, each with its numbers taken out ("handbook-2024.md", "2024/handbook.md",
    "plan-FY24.md", "api-v2.1.md", "price-list-2024-07.md", "# Employee Handbook 2024"), each with those numbers
    in order ((2024,), (2, 1), (2024, 7)); only the parts that hold numbers."""
    path = source.replace("\\", "/").lower()
    name = "/".join(path.split("/")[-2:])
    title = _title_line(text).lower()
    found = []
    for kind, part in (("name", name), ("title", title)):
        numbers = tuple(int(n) for m in _NAMED_NUMBER.finditer(part) for n in re.findall(r"\d+", m.group(0)))
        if numbers:
            found.append((f"{kind}:{_NAMED_NUMBER.sub('#', part)}", numbers))
    return found


def _superseded(texts: Mapping[str, tuple[str, str]], doc_ids: Iterable[str]) -> dict[str, set[str]]:
    """doc_id -> the documents that are newer editions of it, among `doc_ids`."""
    families: dict[str, list[tuple[tuple[int, ...], str]]] = {}
    for doc_id in doc_ids:
        for key, recency in _editions(*texts[doc_id]):
            families.setdefault(key, []).append((recency, doc_id))
    newer: dict[str, set[str]] = {}
    for members in families.values():
        for recency, doc_id in members:
            later = {other for theirs, other in members if theirs > recency and other != doc_id}
            if later:
                newer.setdefault(doc_id, set()).update(later)
    return newer


def newest_editions(
    sentences: list[Sentence],
    texts: Mapping[str, tuple[str, str]],
    vectors: Callable[[list[Sentence]], Mapping[str, np.ndarray]] | None = None,
) -> list[Sentence]:
    """For a question that names no year, version or date: where two editions of one document (names or
    titles that differ only by their numbers: "handbook-2023.md" and "handbook-2024.md") say the same thing
    with other words or figures ("Employees receive 25 days of annual leave." in 2023, "Every employee is
    entitled to 27 days of paid holiday." in 2024), the newest edition's sentence answers (`version` 1) and the
    older one's does not (-1); a sentence only an older edition says keeps answering.

    Two sentences say the same thing when half their words (numbers aside) are common, or (given `vectors`:
    sentences -> their embeddings by id) their embeddings' cosine is at least `SAME_MEANING`, and neither names what the other does not ("Berlin
    signed 9 new customers." is not "Munich signed 14 new customers."), and unless the older one holds more of
    the question's words than a newer one that matches the question too loosely to answer it."""
    newer = _superseded(texts, {s.doc_id for s in sentences})
    if not newer:
        return sentences
    pool = sorted((s for s in sentences if s.relevance >= EDITION_RELEVANCE), key=lambda s: -s.relevance)
    olds = [s for s in pool if s.doc_id in newer][:EDITION_PAIRS]
    news = [s for s in pool if any(s.doc_id in later for later in newer.values())][:EDITION_PAIRS]
    if not olds or not news:
        return sentences
    wording = {s.id: frozenset(t for t in terms(s.text) if not _DIGITS.search(t)) for s in olds + news}
    named = {s.id: {e.lower() for e in _names(s.text)} for s in olds + news}
    cosine: dict[tuple[str, str], float] = {}
    if vectors is not None:
        embedded = vectors(list({s.id: s for s in olds + news}.values()))  # a middle edition is both
        cosine = {(a.id, b.id): float(embedded[a.id] @ embedded[b.id]) for a in olds for b in news}
    verdict: dict[str, int] = {}
    for old in olds:
        for new in news:
            # the older one answers what the newer one, too loosely related to answer, does not say ("per_page
            # defaults to 20." against "the default page size is 50." for "What does per_page default to?")
            if (
                new.doc_id not in newer[old.doc_id]
                or named[old.id] ^ named[new.id]
                or (old.literal > new.literal and new.relevance < EDITION_ANSWERS)
            ):
                continue
            union = wording[old.id] | wording[new.id]
            shared = len(wording[old.id] & wording[new.id]) / len(union) if union else 0.0
            if shared >= SAME_WORDING or cosine.get((old.id, new.id), 0.0) >= SAME_MEANING:
                verdict[old.id] = -1
                verdict.setdefault(new.id, 1)
    return [replace(s, version=verdict[s.id]) if s.id in verdict else s for s in sentences]


def _bare(line: str) -> bool:
    """A short line without closing punctuation or figures (but years), after the number that may open it
    ("2. Mounting the heater"): how headings and list items look."""
    line = without_item_number(line.strip())
    return (
        bool(line)
        and not _HEADING_END.search(line)
        and not _DIGITS.search(_YEARS.sub(" ", line))
        and len(line.split()) <= 12
    )


def is_heading(text: str, doc_text: str, start: int, end: int) -> bool:
    """Is the sentence a line of its own that is a Markdown heading ("# Travel policy 2024", or a short line
    underlined with "---" or "==="), a table's header row, an e-mail's subject line, the document's title
    above a blank line, or ends without punctuation, holds no number but a year and the one that may open it
    ("2. Mounting the heater") and is no code ("`DELETE /shipments/{id}`"): a heading? Not when a line just like
    it stands right above or below it (no blank line between): those are items of a list, as a slide's bullet
    points are; nor when it is an item of a numbered or bulleted list beside another item, though that one holds
    a figure ("3. Insert a new 9V block" above "4. Refit the alarm")."""
    own_line = (start == 0 or doc_text[start - 1] == "\n") and (end == len(doc_text) or doc_text[end] == "\n")
    if not own_line:
        return False
    if text.lstrip().startswith("#") or _SUBJECT.match(text):
        return True
    below_end = doc_text.find("\n", end + 1)
    below = doc_text[end + 1 : below_end if below_end >= 0 else len(doc_text)] if end < len(doc_text) else ""
    if text.lstrip().startswith("|") and _TABLE_RULE.fullmatch(below.strip()):
        return True  # a table's header row, above "|---|---|": its names head the rows below
    if text.lstrip().startswith("|") and text.rstrip().endswith("|"):
        return False  # a row of the table, though it hold no figure ("| Parking | Free |")
    if start == 0 and doc_text[end : end + 2] == "\n\n" and len(text.split()) <= 12:
        # a document's title, above a blank line, may hold figures ("AquaHeat 300 installation guide") and end
        # with a bracket ("Ibuprofen 100 mg/5 ml Oral Suspension (sugar free)")
        return not _HEADING_END.search(text.rstrip(")]"))
    if _UNDERLINE.fullmatch(below.strip()) and len(text.split()) <= 12 and not _HEADING_END.search(text):
        return True  # a Setext heading: "Parental leave" above "--------------"
    if not _bare(text) or text.lstrip().startswith("`"):
        return False  # nor is a line of code ("`DELETE /shipments/{id}`")
    above = doc_text[doc_text.rfind("\n", 0, max(0, start - 1)) + 1 : max(0, start - 1)] if start >= 2 else ""
    if is_list_item(text) and (is_list_item(above) or is_list_item(below)):
        return False
    return not (_bare(above) or _bare(below))


def _remembered(cache: dict[tuple[str, str], _T], key: tuple[str, str], make: Callable[[], _T]) -> _T:
    """`cache[key]`, made and kept on first use; the cache keeps the 512 documents read last."""
    found = cache.get(key)
    if found is None:
        found = make()
        if len(cache) >= 512:
            cache.pop(next(iter(cache)))
        cache[key] = found
    return found


@dataclass(frozen=True)
class _Words:
    """What a document mentions (its terms, and its text in lower case with letters and digits only, so that
    "pre-existing" holds "preexisting"), what it is named for (the terms of its file name and title) and what
    it is about (those and its headings')."""

    terms: frozenset[str]
    letters: str
    named: frozenset[str]
    about: frozenset[str]
    capitalised: frozenset[str]  # the words it writes with a capital, as written ("Summit", "X300")
    name: str = ""  # its file name and first line, in lower case ("volta-t-20-quick-guide volta t-20: ...")

    @classmethod
    def of(cls, source: str, text: str, sections: _Sections) -> _Words:
        name = re.split(r"[\\/]", source)[-1].rsplit(".", 1)[0]
        named = frozenset(terms(name.replace("_", " "))) | sections.title
        about = named.union(*sections.own)
        capitalised = frozenset(_without_possessive(w) for w in re.findall(r"\b[A-Z][\w’'-]*", text))
        first = text.lstrip()[:200].split("\n", 1)[0]
        letters = re.sub(r"[\W_]+", "", text.lower())
        return cls(frozenset(terms(text)), letters, named, about, capitalised, f"{name} {first}".lower())

    def models_named(self, family: str) -> set[str]:
        """The numbers of the models of a family its name holds ("20" of "volta-t-20-quick-guide" for "t")."""
        return set(re.findall(rf"(?<![a-z0-9]){re.escape(family)}[\s_-]?(\d+)(?![0-9])", self.name))

    def is_named_for(self, name: str) -> bool:
        """Is its file name or title for the name (its rarest word, `name_key`)?"""
        return bool(set(tokenize(name_key(name))) & self.named)

    def is_about(self, name: str) -> bool:
        """Is it about the name: its file name, title or a heading holds the name's rarest word?"""
        return bool(set(tokenize(name_key(name))) & self.about)

    def mentions(self, word: str) -> bool:
        """Does the document use the word: a common word written with a capital as a name ("Summit", not "the
        summit of a trail"; Zipf `COMMON_ABSENT_ZIPF` or more), else in any case or form ("pre-existing" for
        "preexisting", "coronavirus" for the "Coronavirus" of "Middle East Respiratory Syndrome Coronavirus")."""
        if word[:1].isupper() and not word.isupper() and zipf(word.lower()) >= COMMON_ABSENT_ZIPF:
            return word in self.capitalised
        stems = tokenize(word)
        return bool(stems) and set(stems) <= self.terms or re.sub(r"[\W_]+", "", word.lower()) in self.letters


def named_subjects(question: str, documents: Mapping[str, _Words]) -> list[str]:
    """The question's names that some of the documents are about (their file name, title or a heading holds
    the name's rarest word). A name is a run of words written with capitals ("Harbour Mutual", "Solace Simple
    Tariff"), a code with digits ("X300"), or a word rarer than `RARE_SUBJECT_ZIPF` ("ibuprofen"); not an
    all-capitals word, which may be spelt out elsewhere ("EU"), nor a day or a month ("Saturdays")."""
    names = {
        _name_around(question, word) if word[0].isupper() else word
        for word in (_without_possessive(w) for w in _WORD.findall(question))
        if not (word.isalpha() and word.isupper())
        and (word[0].isupper() or any(c.isdigit() for c in word) or zipf(word.lower()) < RARE_SUBJECT_ZIPF)
        and word.lower() not in stopwords()
        and not is_calendar_word(word)
    }
    return sorted(n for n in names if any(d.is_about(n) for d in documents.values()))


def named_plainly(question: str, documents: Mapping[str, _Words]) -> list[str]:
    """The question's plain words that some of the documents, not all, are named for (their file name or title
    holds them): "warehouse" of "Do warehouse staff get a day off for their birthday?" beside
    "leave-policy-warehouse-and-drivers.docx" and "leave-policy-head-office.md"."""
    words = {w for w in _WORD.findall(question) if w.islower() and len(w) > 3 and w not in stopwords()}
    named_by = {w: sum(d.is_named_for(w) for d in documents.values()) for w in words}
    telling = {w: n for w, n in named_by.items() if 0 < n < len(documents)}
    # only those that tell the most apart: "head" and "office", not "leave", which both policies are named for
    return sorted(w for w, n in telling.items() if n == min(telling.values()))


def _without_possessive(word: str) -> str:
    """The word without a possessive "'s", or a model code without its plural "s" ("K200s" is "K200")."""
    return re.sub(r"[’']s$|(?<=\d)s$", "", word)


def name_key(name: str) -> str:
    """The word that tells a name apart: its rarest ("Solace" of "Solace Simple Tariff", "Harbour" of "Harbour
    Mutual")."""
    return min(name.split(), key=lambda w: zipf(w.lower()))


def _name_around(question: str, word: str) -> str:
    """The whole name the word stands in, as the question writes it ("Harbour Mutual" for "Harbour"): the
    capitalised words next to it with only white space between, question words aside ("What's Brightwave's
    ..." -> "Brightwave"; "Harbourside, Juniper Lodge" are two)."""
    spans = [
        (m.start(), m.end(), _without_possessive(m.group(0))) for m in re.finditer(r"[\w’'-]+", question)
    ]
    at = next((i for i, (_, _, t) in enumerate(spans) if t == word), None)
    if at is None:
        return word

    def part(i: int) -> bool:
        return spans[i][2][:1].isupper() and spans[i][2].lower() not in stopwords()

    def joins(i: int) -> bool:  # span i and the next are parts of one name, with only white space between
        return part(i) and part(i + 1) and not question[spans[i][1] : spans[i + 1][0]].strip()

    start, end = at, at + 1
    while start > 0 and joins(start - 1):
        start -= 1
    while end < len(spans) and joins(end - 1):
        end += 1
    return " ".join(t for _, _, t in spans[start:end])


def off_subject(
    subjects: Sequence[str], documents: Mapping[str, _Words], models: Sequence[tuple[str, str]] = ()
) -> set[str]:
    """The documents that do not answer for what the question names (`named_subjects`): those that never
    mention more of those names than another document does.

    In a collection of leaflets, "the most ibuprofen a 2 year old can have" is not answered from the
    paracetamol leaflet, however well its table's headers match the question's other words, nor "Do I get a
    courtesy car with Harbour Mutual?" from the Kite policy; "Is paracetamol or ibuprofen better?" may be
    answered from either. A word that articles merely use ("clinician") counts for nothing, nor does a
    misspelt or other word for the thing ("topological" for "topographical")."""
    if len(documents) < 2:
        return set()
    aside: set[str] = set()
    if subjects:
        keys = [name_key(n) for n in subjects]
        lacking = {doc_id: sum(not d.mentions(w) for w in keys) for doc_id, d in documents.items()}
        fewest = min(lacking.values())
        # (a document about one of them answers for it: "Which has the bigger dustbin, the X200 or the X300?" is
        # answered from the X200's sheet too, though only the X300's names both)
        about = {doc_id for doc_id, d in documents.items() if any(d.is_about(n) for n in subjects)}
        aside = {doc_id for doc_id, n in lacking.items() if n > fewest and doc_id not in about}
    # A document named for a sibling model answers not for the asked one, though it mentions it ("The K200 is
    # the K100's bigger brother" does not say how powerful the K100 is; the Aria 300's sheet gives no figure of
    # the Aria 500), where another is named for it.
    asked: dict[str, set[str]] = {}
    for family, number in models:
        asked.setdefault(family, set()).add(number)
    for family, numbers in asked.items():
        named = {doc_id: d.models_named(family) for doc_id, d in documents.items()}
        if any(numbers & found for found in named.values()):
            aside |= {doc_id for doc_id, found in named.items() if found and not numbers & found}
    return aside


# A model the question names: letters, then a number, as one word or apart ("K100", "T-40", "Aria 500").
_MODEL = re.compile(r"\b([A-Z][A-Za-z]*)[ -]?(\d{1,5})(?!\d|[.,:]\d)s?\b")


def model_names(question: str) -> list[tuple[str, str]]:
    """The models a question names, as (family in lower case, number): "How powerful is the K100?" ->
    [("k", "100")], "Aria 500" -> [("aria", "500")]."""
    return [(family.lower(), number) for family, number in _MODEL.findall(question)]


def _naming_pattern(name: str) -> re.Pattern[str]:
    """Where a text says what a name is: the name (as written, with an optional bracket after it) followed by
    a comma or "is", then "a", "an" or "the" ("Tempo, an adaptive batching scheduler", "Burrow is a task
    queue")."""
    return re.compile(rf"\b{re.escape(name)}\b(?:\s*\([^)]{{1,40}}\))?(?:,|\s+(?:is|are))\s+(?:an?|the)\s")


def _announcing(text: str, prior: Sequence[str]) -> str | None:
    """The sentence that announces the list an item (`text`) stands in: the nearest of the sentences before it
    (`prior`, in document order) that is no item, when it ends with a colon ("Ingredients:", "A hot meal
    costs:"); None for a sentence that is no item."""
    if not is_list_item(text):
        return None
    above = next((p for p in reversed(prior) if not is_list_item(p)), None)
    return above if above is not None and above.rstrip().endswith(":") else None


def is_short_title(line: str) -> bool:
    """Is `line` short enough, and without a sentence's end, to be a title ("Engine fire in flight (M)")?"""
    return len(line.split()) <= SHORT_TITLE_WORDS and not line.rstrip().endswith((".", "!", "?", ";", ","))


def titles_table(line: str, doc_text: str, end: int) -> bool:
    """Is `line` (ending at `end`) a table's title: a line of its own that ends with a colon or opens with the
    table's number, or a short line that ends no sentence, right above a table's rows as the readers write them
    ("Paracetamol 120 mg/5 ml, doses by age:" above "Age: 3 to 5 months; Dose: 60 mg.", "Table 2. Revenue by
    region (EUR million)", a checklist's "Engine fire in flight (M)")?"""
    short = is_short_title(line)
    if not (line.endswith(":") or _TABLE_NUMBER.match(line) or short) or len(line.split()) > TITLE_WORDS:
        return False
    below = doc_text[end : end + 2000].lstrip("\n")
    return is_record(below.split("\n", 1)[0])


def heading_lines(doc_text: str) -> list[tuple[int, int]]:
    """Start and end offsets of every line of a document that heads a section, in document order: a heading
    (`is_heading`), a short label on a line of its own that ends with a colon ("Parental leave:", "To fill
    the tank:"), or a table's title (`titles_table`)."""
    found = []
    start = 0
    for line in doc_text.split("\n"):
        end = start + len(line)
        bare = line.strip()
        if bare and (
            is_heading(bare, doc_text, start, end)
            or _LABEL.fullmatch(bare)
            or titles_table(bare, doc_text, end)
        ):
            found.append((start, end))
        start = end + 1
    return found


def _level(line: str, table: bool = False) -> int:
    """A Markdown heading's level ("## Leave": 2); below every Markdown one, a numbered heading's by its depth
    ("4. Unpaid leave": 7, "4.2 Jury service": 8); 7 for any other heading, and for a table's title (`table`)
    `TABLE_LEVEL`, below every other, so that its rows stand in the section it stands in."""
    if table:
        return TABLE_LEVEL
    marks = len(line) - len(line.lstrip("#"))
    if 0 < marks <= 6:
        return marks
    number = _SECTION_NUMBER.match(line)
    return 6 + number.group(1).count(".") + 1 if number else 7


@dataclass(frozen=True)
class _Sections:
    """A document's section headings, read once per document: where each line stands, what it says (without
    its Markdown marks, item number or closing colon), the terms of it and of the headings it is nested in
    ("## Leave" above "### Parental", "4. Unpaid leave" above "4.2 Jury service"), and the terms of the
    document's title (its first line, above a blank line)."""

    lines: list[tuple[int, int]]
    phrases: list[str]
    nested: list[frozenset[str]]
    title: frozenset[str]
    own: list[frozenset[str]]  # the terms of each heading alone
    parents: list[int]  # the index of the heading each is nested in, -1 for none
    levels: list[int]  # `_level` of each
    bodies: list[frozenset[str]]  # the terms of the text under each, up to the next heading line
    marked: list[bool]  # a Markdown or numbered heading (not a label, nor a bare line of wrapped text)

    @classmethod
    def of(cls, doc_text: str) -> _Sections:
        lines = heading_lines(doc_text)
        title: frozenset[str] = frozenset()
        if lines and lines[0][0] == 0 and doc_text[lines[0][1] : lines[0][1] + 2] == "\n\n":
            title = frozenset(terms(doc_text[: lines[0][1]].strip().lstrip("#").strip()))
        texts = [doc_text[top:bottom].strip() for top, bottom in lines]
        phrases = [without_item_number(line.lstrip("#").strip().rstrip(":")) for line in texts]
        own = [frozenset(terms(phrase)) for phrase in phrases]
        levels = [
            _level(line, titles_table(line, doc_text, bottom))
            for line, (_, bottom) in zip(texts, lines, strict=True)
        ]
        nested = []
        parents = []
        for i in range(len(lines)):
            found: set[str] = set()
            level = 99  # below every heading
            parent = -1
            for j in range(i, -1, -1):
                if levels[j] >= level or (lines[j][0] == 0 and title):
                    continue
                found |= own[j]
                if j < i and parent < 0:
                    parent = j
                level = levels[j]
                if level in (1, 7):
                    break  # a top-level section, or a heading without levels (or a first-level number)
            nested.append(frozenset(found))
            parents.append(parent)
        ends = [top for top, _ in lines[1:]] + [len(doc_text)] * bool(lines)
        bodies = [
            frozenset(terms(doc_text[bottom:end])) for (_, bottom), end in zip(lines, ends, strict=True)
        ]
        marked = [line.startswith("#") or _SECTION_NUMBER.match(line) is not None for line in texts]
        return cls(lines, phrases, nested, title, own, parents, levels, bodies, marked)

    def nearest(self, start: int) -> int:
        """The index of the nearest heading above a sentence starting at `start` (not the sentence itself), or
        -1 when none stands above it."""
        i = bisect_right(self.lines, (start, start)) - 1
        while i >= 0 and self.lines[i][1] > start:  # the sentence is the heading itself
            i -= 1
        return i

    def in_references(self, start: int) -> bool:
        """Does a sentence starting at `start` stand under a list of references ("References", "Bibliography",
        "Works cited")? A reference's title matches questions ("how important are honeybees?") and answers none."""
        i = self.nearest(start)
        return i >= 0 and _REFERENCES.fullmatch(self.phrases[i].strip().lower()) is not None

    def of_sentence(self, start: int) -> tuple[frozenset[str], frozenset[str]]:
        """The terms of the headings of the section a sentence starting at `start` stands in, and those of the
        title; both empty when no heading stands above the sentence."""
        i = self.nearest(start)
        return (self.nested[i], self.title) if i >= 0 else (frozenset(), frozenset())

    def above(self, start: int) -> list[tuple[int, int]]:
        """The (start, end) of the headings a sentence starting at `start` stands under, nearest first, then
        the heading each is nested in ("### Added", then "## [2.5.0] - 2024-08-29"); the title left out."""
        found = []
        i = self.nearest(start)
        while i >= 0 and not (self.lines[i][0] == 0 and self.title):
            found.append(self.lines[i])
            i = self.parents[i]
        return found

    def names_none(self, start: int, words: set[str]) -> bool:
        """Does the heading a sentence starting at `start` stands under name none of `words`?"""
        i = self.nearest(start)
        return i >= 0 and not self.own[i] & words

    def beside(self, start: int, words: set[str]) -> bool:
        """Does a heading beside the one a sentence starting at `start` stands under (a Markdown or numbered
        heading at the same level under the same parent: "3.2 Hotels" beside "3.1 Flights" under "3. Travel")
        name one of `words` that nothing under the sentence's own heading says?"""
        i = self.nearest(start)
        if i < 0 or not self.marked[i]:
            return False
        unsaid = words - self.bodies[i] - self.own[i]
        return bool(unsaid) and any(
            self.own[j] & unsaid
            for j in range(len(self.lines))
            if j != i
            and self.marked[j]
            and self.parents[j] == self.parents[i]
            and self.levels[j] == self.levels[i]
        )

    def said_by(self, text: str, start: int) -> bool:
        """Does the sentence say the words of its section's nearest heading, in order ("Parental leave cannot
        be carried over." under "## Parental leave")? Then it is about what that heading names."""
        i = self.nearest(start)
        if i < 0:
            return False
        phrase = self.phrases[i].lower()
        return bool(phrase) and re.search(rf"\b{re.escape(phrase)}\b", text.lower()) is not None


@dataclass
class _Context:
    """The sentences around the candidates of one document, in order."""

    rows: list[SpanRow]
    position: dict[tuple[int, int], int]

    def neighbours(self, row: SpanRow, back: int = 6) -> tuple[list[SpanRow], SpanRow | None]:
        """Up to `back` sentences before `row` (in document order) and the one after it (None if none)."""
        i = self.position.get((row.start, row.end))
        if i is None:
            return [], None
        return self.rows[max(0, i - back) : i], self.rows[i + 1] if i + 1 < len(self.rows) else None


@dataclass
class _Found:
    """What retrieval found: candidate rows by id and the signals it measured of them."""

    rows: dict[str, SpanRow] = field(default_factory=dict)
    passage_score: dict[str, float] = field(default_factory=dict)
    passage_rank: dict[str, int] = field(default_factory=dict)
    ranks: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # by BM25, by embedding
    doc_share: dict[str, float] = field(default_factory=dict)  # each document's share of the passages' scores
    dense: dict[str, float] = field(default_factory=dict)  # cosine of each candidate to the question


@dataclass(frozen=True)
class _Question:
    """What every candidate is measured against."""

    text: str
    tokens: list[str]  # the question's terms in order (misspellings corrected)
    terms: set[str]
    weights: dict[str, float]  # term -> IDF
    aliases: list[tuple[list[str], str]]
    kind: Kind | None
    words: set[str]  # lower-case words as written
    versions: set[str]
    cues: list[tuple[str, re.Pattern[str]]]
    # the things it names by a word and a number or letter (`kinds.asked_labels`)
    labels: list[tuple[str, str]]
    # terms so common (Zipf `PARAPHRASED_ZIPF` or more: "need") that they name no section of a document
    everyday: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, retrieval: Retrieval, idf: Callable[[str], float], said_otherwise: Callable[[str], bool] = bool
    ) -> _Question:
        """The question as candidates are measured against it; `said_otherwise(word)` tells whether the passages
        say a word no document uses in other words (`CandidateFinder._said_otherwise`)."""
        question = retrieval.question
        # "How long", "how often", "how far", "how old", "how soon", "how heavy" ask for a kind of answer; their
        # second word is no term a sentence must hold ("How long is parental leave?" / "... sixteen weeks ...";
        # what "how heavy" measures, "weight", joins the terms: `retrieve.measured`).
        asking = set(tokenize(" ".join(_HOW_WORD.findall(question))))
        tokens = [t for t in retrieval.query_tokens if t not in asking]
        # A very common word that no document uses ("get", "people", "work") is said there in other words
        # ("How many days of sick leave do I get?" / "Employees receive ten days ..."): it weighs nothing,
        # where a word no chunk holds would otherwise weigh the most. Rarer absent words keep their weight
        # ("alcohol", "Marburg").
        # So does a common word the passages say in other words ("How much does the Team plan cost?" / "| Plan |
        # Monthly price |").
        # So does a comparison no document words ("Which has the lower excess, Harbour Mutual or Kite?"): the
        # figures answer it.
        paraphrased = {
            t
            for w in retrieval.unknown
            if zipf(w) >= PARAPHRASED_ZIPF
            or w.lower() in COMPARATIVES
            or w.lower() in QUANTITY_WORDS  # said as the quantity it asks for ("holds": "capacity")
            or (zipf(w) >= COMMON_ABSENT_ZIPF and said_otherwise(w))
            for t in tokenize(w)
        }
        return cls(
            text=question,
            tokens=tokens,
            terms=set(tokens),
            # in the question's order, not a set's: sums over it must not depend on the process's hash seed
            weights={t: 0.0 if t in paraphrased else idf(t) for t in dict.fromkeys(tokens)},
            aliases=name_aliases(question),
            kind=question_kind(question),
            words={w.lower() for w in re.findall(r"\w+", question)},
            versions=versions(question),
            cues=cues(question),
            labels=asked_labels(question),
            everyday=frozenset(t for t in tokens if zipf(t) >= PARAPHRASED_ZIPF),
        )


class CandidateFinder:
    """Finds a question's candidate sentences in a store and measures each (see the module docstring)."""

    def __init__(self, store: Store, config: CandidateConfig | None = None, embedder: Embedder | None = None):
        self.store = store
        self.config = config or CandidateConfig()
        self.embedder = embedder  # for matching a question's focus word ("money") by meaning; None: by stem
        self._expansion_cache: dict[tuple[str, str], Expansions] = {}
        self._written_cache: dict[tuple[str, str], frozenset[str]] = {}
        self._section_cache: dict[tuple[str, str], _Sections] = {}
        self._words_cache: dict[tuple[str, str], _Words] = {}

    def find(self, retrieval: Retrieval) -> tuple[list[Sentence], dict[str, tuple[str, str]]]:
        """The candidate sentences, and the texts of their documents: doc_id -> (source, text)."""
        found = self._gather(retrieval)
        texts: dict[str, tuple[str, str]] = {}
        expansions: dict[str, Expansions] = {}
        used: dict[str, frozenset[str]] = {}  # each document's words as written
        sections: dict[str, _Sections] = {}
        words: dict[str, _Words] = {}
        for row in found.rows.values():
            if row.doc_id not in texts:
                doc = self.store.manifest.document(row.doc_id)
                if doc is not None:
                    texts[row.doc_id] = (doc.source, doc.text)
                    expansions[row.doc_id] = self._expansions(doc.doc_id, doc.content_hash, doc.text)
                    sections[row.doc_id] = _remembered(
                        self._section_cache, (doc.doc_id, doc.content_hash), partial(_Sections.of, doc.text)
                    )
                    words[row.doc_id] = _remembered(
                        self._words_cache,
                        (doc.doc_id, doc.content_hash),
                        partial(_Words.of, doc.source, doc.text, sections[row.doc_id]),
                    )
                    used[row.doc_id] = _remembered(
                        self._written_cache, (doc.doc_id, doc.content_hash), partial(_written_words, doc.text)
                    )
        expansions = _borrowed(expansions, used)
        short_form = asked_short_form(retrieval.question)
        definers = self._definers(short_form, found, texts, expansions, retrieval) if short_form else set()
        self._add_labelled_rows(found, texts, retrieval)
        contexts = self._contexts([r for r in found.rows.values() if r.doc_id in texts], texts)
        asked = _Question.of(retrieval, self.store.lexical.idf, partial(self._said_otherwise, retrieval))
        version_of = {doc_id: _version_match(asked.versions, *texts[doc_id]) for doc_id in texts}
        subjects = named_subjects(asked.text, words)
        # (where the question names nothing so, the plain words that tell the documents' names apart)
        subjects_or_plain = subjects or named_plainly(asked.text, words)
        # What a document is about, each of its sentences speaks of: in the X500's spec sheet, "Weight: 3.9 kg"
        # answers "How heavy is the X500?" as well as "The Orbi X500 vacuums and mops ..." names it.
        # Where the question names several ("Which has the lower excess, Harbour Mutual or Kite?"), a document
        # named for one of them speaks for it, and the others are answered from their own documents.
        named_for = {
            doc_id: [n for n in subjects_or_plain if words[doc_id].is_named_for(n)] for doc_id in texts
        }
        about = {
            doc_id: frozenset(t for n in (subjects_or_plain if named else ()) for t in tokenize(n))
            for doc_id, named in named_for.items()
        }
        out = [
            self._measure(
                row,
                asked,
                found,
                texts[row.doc_id],
                expansions[row.doc_id],
                sections[row.doc_id],
                contexts[row.doc_id],
                version_of[row.doc_id],
                about[row.doc_id],
            )
            for row in found.rows.values()
            if row.doc_id in texts and not FENCE.fullmatch(texts[row.doc_id][1][row.start : row.end])
        ]
        if definers:
            out = [replace(s, defines=True) if s.id in definers else s for s in out]
        aside = off_subject(subjects_or_plain, words, model_names(asked.text))
        if aside:
            out = [replace(s, off_subject=True) if s.doc_id in aside else s for s in out]
        if len(subjects) > 1:
            # (a document about several of them, an article comparing two, speaks for none alone)
            about_which = {d: [n for n in subjects if words[d].is_about(n)] for d in texts}
            subject_of = {d: theirs[0] if len(theirs) == 1 else "" for d, theirs in about_which.items()}
            out = [replace(s, subject=subject_of[s.doc_id]) for s in out]
        if not asked.versions and not _DATED.search(asked.text):
            out = newest_editions(out, texts, self._sentence_vectors if self.embedder is not None else None)
        # Only "how much/many X" and "which Xs" questions are held to their focus word: on SQuAD, applying it to
        # every "what X" question refused 4 answerable questions in 100 to stop 6 unanswerable ones in 100.
        focus = focus_words(asked.text) if asked.kind in (Kind.NUMBER, Kind.LIST) else []
        # Any question is held to the thing it asks about when no document uses its word: "Which airline is
        # Jonas booking?" is not answered by "We're 6 from Boston." where no document says "airline" (a
        # sentence may still say it in other words: "carrier").
        absent = {w.lower() for w in retrieval.unknown}
        # (a sentence close in meaning to the question speaks of a "how many X" question's X, whatever word it
        # uses; not of a thing no document names, which another word must say)
        by_sentence = bool(focus)
        focus = focus or [w for w in named_things(asked.text) if w in absent]
        if focus:
            out = self._mark_focus([self._as_spelt(w) for w in focus], out, expansions, by_sentence)
        # ... except where it asks for a measure, which a number in its unit gives, whether or not a document
        # says the word ("How much warning ...?" / "after giving at least 24 hours' written notice", "What
        # temperature ...?" / "Heat the oven to 180 °C", "How much money is available?" / "a total budget of
        # €3.2 million", "What overhead rate is allowed?" / "up to 15%"; not "How many calories ...?" / "about
        # 10 slices").
        measures = [w for w in focus if names_measure(w)]
        if measures:
            out = [
                replace(s, focus_ok=True) if any(states_measure(w, s.text) for w in measures) else s
                for s in out
            ]
        return out, texts

    def _add_labelled_rows(
        self, found: _Found, texts: Mapping[str, tuple[str, str]], retrieval: Retrieval
    ) -> None:
        """Add the rows of the candidates' tables that hold the thing the question names by its number ("What
        does exit code 3 mean?": "| 3 | A file could not be read |" under "| Code | Meaning |"), which retrieval
        may leave out when the passage it found ends before them: a row's words are its cells, the question's
        are its headers. Rows within `_TABLE_REACH` characters of a candidate row, read with their headers."""
        labels = [(word, label) for word, label in asked_labels(retrieval.question) if not is_figure(word)]
        if not labels:
            return
        manifest = self.store.manifest
        seen: set[tuple[str, int]] = set()
        added: dict[str, SpanRow] = {}
        for row in list(found.rows.values()):
            if row.doc_id not in texts or (row.doc_id, row.start // _TABLE_REACH) in seen:
                continue
            doc_text = texts[row.doc_id][1]
            if not _table_row(doc_text[row.start : row.end]):
                continue
            seen.add((row.doc_id, row.start // _TABLE_REACH))
            near = manifest.sentences_within(
                row.doc_id, max(0, row.start - _TABLE_REACH), row.end + _TABLE_REACH
            )
            for other in near:
                if other.id in found.rows or other.id in added:
                    continue
                text = doc_text[other.start : other.end]
                reads = pipe_record(doc_text, other.start) if text.startswith("|") else text
                if reads and _table_row(text) and holds_label(reads, labels):
                    added[other.id] = other
        self._add_rows(found, added.values(), retrieval)

    def _add_rows(self, found: _Found, rows: Iterable[SpanRow], retrieval: Retrieval) -> None:
        """Add rows to the candidates, with their embeddings' similarity to the question (read in one call)."""
        new = {row.id: row for row in rows if row.id not in found.rows}
        if not new:
            return
        found.rows.update(new)
        for id_, vec in self.store.sentences.vectors(list(new)).items():
            found.dense[id_] = float(np.dot(vec, retrieval.query_vector))

    def _definers(
        self,
        short_form: str,
        found: _Found,
        texts: dict[str, tuple[str, str]],
        expansions: dict[str, Expansions],
        retrieval: Retrieval,
    ) -> set[str]:
        """The ids of the sentences where the candidates' documents define `short_form` ("... interferon-induced
        transmembrane (IFITM) ..."), added to the candidates when retrieval did not find them.

        The sentence is the one where the long form stands before the short form in parentheses; failing
        that, the first that puts the short form in parentheses (a citation such as "(ECDC, 2019)" may come
        first)."""
        ids = set()
        # ... or, for a name (a capital, then lower case) that no document spells out as an abbreviation, where
        # one says what it is: "We present Tempo, an adaptive batching scheduler ...", "Burrow is a task queue"
        by_name = (
            short_form[:1].isupper()
            and short_form[1:].islower()
            and not any(expansions[doc_id].defined(short_form) for doc_id in texts)
        )
        for doc_id, (_, text) in texts.items():
            form = expansions[doc_id].defined(short_form)
            if form is None:
                if not by_name:
                    continue
                at = _naming_pattern(short_form).search(text)
            else:
                short, long = form
                parenthesis = rf"\(\s*{re.escape(short)}\s*[),;]"
                spelt = r"\s+".join(re.escape(word) for word in long.split())
                at = re.search(rf"{spelt}\s*{parenthesis}", text, re.IGNORECASE) or re.search(
                    parenthesis, text
                )
            if at is None:
                continue
            pos = at.end() - 1
            near = self.store.manifest.sentences_within(doc_id, max(0, pos - 3000), pos + 3000)
            row = next((r for r in near if r.start <= pos < r.end), None)
            if row is None:
                continue
            self._add_rows(found, [row], retrieval)
            ids.add(row.id)
        return ids

    def _gather(self, retrieval: Retrieval) -> _Found:
        """The candidate rows (sentences of the best passages, and the sentence hits) with what retrieval
        measured of them."""
        found = _Found()
        manifest = self.store.manifest
        for rank, passage in enumerate(retrieval.passages[: self.config.passages]):
            for row in manifest.sentences_within(passage.doc_id, passage.start, passage.end):
                found.rows[row.id] = row
                found.passage_score[row.id] = max(found.passage_score.get(row.id, 0.0), passage.score)
                found.passage_rank.setdefault(row.id, rank)
                found.ranks.setdefault(row.id, (passage.lexical_rank, passage.dense_rank))
        # How much of the retrieval points at each document: the answer's article gathers the best passages.
        for passage in retrieval.passages:
            found.doc_share[passage.doc_id] = found.doc_share.get(passage.doc_id, 0.0) + passage.score
        total = sum(found.doc_share.values()) or 1.0
        found.doc_share = {doc_id: mass / total for doc_id, mass in found.doc_share.items()}
        found.dense = {hit.id: hit.similarity for hit in retrieval.sentence_hits}
        for hit in retrieval.sentence_hits:
            found.rows.setdefault(hit.id, SpanRow(hit.id, hit.doc_id, hit.start, hit.end))
        missing = [i for i in found.rows if i not in found.dense]
        for id_, vec in self.store.sentences.vectors(missing).items():
            found.dense[id_] = float(np.dot(vec, retrieval.query_vector))
        return found

    @staticmethod
    def _measure(
        row: SpanRow,
        asked: _Question,
        found: _Found,
        document: tuple[str, str],
        expansions: Expansions,
        sections: _Sections,
        context: _Context,
        version: int,
        about: frozenset[str] = frozenset(),
    ) -> Sentence:
        """One candidate sentence with every signal measured against the question; `about`: the question's
        terms naming what its document is about, which it speaks of whether or not it says them."""
        source, doc_text = document
        text = doc_text[row.start : row.end]
        earlier, after = context.neighbours(row)
        prior = [doc_text[r.start : r.end] for r in earlier]
        # A row of a pipe table reads with its column headers, as a spreadsheet's record does ("Body weight:
        # 10 to 15 kg; ..."): "| 10 to 15 kg | 5 ml |" answers "What is the single dose for 10 kg?".
        record = pipe_record(doc_text, row.start) if text.startswith("|") else None
        written = expansions.expand(list(terms(record or text)))
        # (its document's name ranks it as if it said it; for relevance, the name is a heading's word)
        implied = [t for t in asked.tokens if t in about and t not in written]  # (in the question's order)
        token_list = with_aliases([*written, *dict.fromkeys(implied)], asked.aliases)
        # A pronoun subject read as what it refers to, when the question names that: "She was born in 1861."
        # answers "When was Margit Lindqvist born?", and the quote then starts where she is named.
        antecedent = None
        names_answer = False
        reference = resolve(text, prior)
        if reference is not None:
            named = tokenize(reference.name)
            if set(named) & asked.terms:  # "Ali Khamenei" for a question about Khamenei
                token_list = [*named, *token_list]
                # The quote takes in the naming sentence when it is one of the two before; further back,
                # the sentence is quoted alone (the whole chain would make a long answer).
                if reference.back <= 2:
                    antecedent = earlier[-reference.back].start
            elif asked.kind is Kind.PERSON and subject_kind(text) == "person" and reference.back <= 2:
                # "Who introduced electric buses?" / "She introduced the first electric buses in 2019.": who she
                # is, named in a sentence before, is the answer, and the answer says it.
                antecedent = earlier[-reference.back].start
                names_answer = True
        # A figure given by reference to the one before ("For breaches of clause 6, the cap is two times (2x)
        # that amount."): the quote and the answer take in the sentence that gives it, in the same paragraph.
        if antecedent is None and earlier and _REFERS_BACK.search(text):
            gap = doc_text[earlier[-1].end : row.start]
            if "\n\n" not in gap:
                antecedent, names_answer = earlier[-1].start, True
        tokens = set(token_list)
        new = tokens - asked.terms
        before = set(terms(prior[-1])) if prior else set()  # the sentence before it
        # The heading it stands under says what it is about: under "## Parental leave", "Employees receive
        # sixteen weeks at full pay." answers "How long is parental leave?".
        section, title = sections.of_sentence(row.start)
        title |= about
        # An item of a list is about what the sentence announcing the list says: "- 9 euros for visitors" under
        # "A hot meal at the canteen costs:" answers "How much is a hot meal for visitors?".
        announcing = _announcing(text, prior)
        heads = section | title | (frozenset(terms(announcing)) if announcing else frozenset())
        weights = asked.weights
        # Under "## Annual leave", a sentence does not answer "Can I carry over sick leave?" when "## Sick leave"
        # is another section of the document: the question names a sibling of its section (a heading that
        # shares a word with its own, "leave", and holds the question's word it lacks, "sick").
        # A sentence that matches most of the question itself, under a heading that says nothing of its own
        # ("## Pay during leave": "Pension contributions continue during any period of paid leave."), states a
        # general rule and keeps answering.
        # A very common word ("need" in "How long do I need to keep receipts?") names no section: a heading
        # beside ("## Do you need to register?") that holds it is no sibling.
        lacking = asked.terms - section - title - tokens - asked.everyday
        literal = term_overlap(weights, written)
        # So too where the question's word it lacks heads a section beside its own ("How far in advance should
        # I book hotels?" against "Book flights at least 14 days in advance." under "3.1 Flights", beside
        # "3.2 Hotels").
        beside = sections.beside(row.start, lacking)
        sibling = (
            bool(section & asked.terms)
            # (a heading nested under the sentence's own, "#### For the cake" under "## Lemon Drizzle Loaf",
            # is part of its section, not one beside it)
            and any(
                h & section and h & lacking for h in sections.nested if not h <= section and not section <= h
            )
        ) or beside
        # ... and however much of the question it matches, when its own heading names nothing the question asks
        # ("Cleaning fees are reimbursed." under "### Apartments" for "Are cleaning fees for hotels reimbursed?",
        # beside "### Hotels"); under "## Pay during leave", a general rule still answers for parental leave
        stray = beside and sections.names_none(row.start, asked.terms)
        lexical_rank, dense_rank = found.ranks.get(row.id, (None, None))
        kind_ok = names_answer or has_kind(asked.kind, text, asked.text)
        # A changelog's entry says what changed, its heading when and in which version: "In which version did S3
        # support arrive?" is answered by "- Amazon S3 storage backend." under "## [2.5.0] - 2024-08-29".
        dated_heading = None
        if not kind_ok and asked.kind is Kind.DATE:
            for top, bottom in sections.above(row.start):
                line = doc_text[top:bottom]
                heading, at = line.strip(), top + len(line) - len(line.lstrip())
                if has_kind(Kind.DATE, heading, asked.text):
                    kind_ok, dated_heading = True, (at, at + len(heading), heading)
                    break
        # Rows under a heading that names the asked thing are that thing's: "Start: 12:30; ...; Session: Lunch."
        # under "## Day 2 - Wed 15 Oct" (a workbook's sheet) for "What time is lunch on day 2?".
        label_heading = ""
        if asked.labels and not holds_label(record or text, asked.labels):
            for top, bottom in sections.above(row.start):
                if holds_label(doc_text[top:bottom], asked.labels):
                    label_heading = doc_text[top:bottom].strip()
                    break
        return Sentence(
            id=row.id,
            doc_id=row.doc_id,
            source=source,
            start=row.start,
            end=row.end,
            text=text,
            record=record,
            dense=found.dense.get(row.id, 0.0),
            overlap=term_overlap(weights, tokens),
            literal=literal,
            # the title is the same for every sentence of its document: it tells none apart
            window=term_overlap(weights, tokens | before | section),
            section=term_overlap(weights, {*written, *heads}) if heads else 0.0,
            section_terms=frozenset(heads),
            passage=found.passage_score.get(row.id, 0.0),
            passage_rank=found.passage_rank.get(row.id, -1),
            lexical_rank=-1 if lexical_rank is None else lexical_rank,
            dense_rank=-1 if dense_rank is None else dense_rank,
            doc_share=found.doc_share.get(row.doc_id, 0.0),
            kind_ok=kind_ok,
            dated_heading=dated_heading,
            label_heading=label_heading,
            proximity=proximity(asked.kind, text, asked.text, asked.terms),
            bigrams=bigram_share(asked.tokens, token_list),
            run=longest_run(asked.tokens, token_list) / len(asked.tokens) if asked.tokens else 0.0,
            bm25=bm25(weights, token_list, _AVERAGE_TERMS),
            novelty=len(new) / len(tokens) if tokens else 0.0,
            terms=len(tokens),
            added=len(new),
            before_overlap=term_overlap(weights, before),
            after_overlap=term_overlap(weights, terms(doc_text[after.start : after.end])) if after else 0.0,
            number=any(m.group(0) not in asked.words for m in re.finditer(r"\d[\d,.]*\d|\d", text)),
            name=_names_more(text, asked.words),
            heading=is_heading(text, doc_text, row.start, row.end),
            cues=frozenset(name for name, pattern in asked.cues if pattern.search(text)),
            antecedent=antecedent,
            antecedent_text=doc_text[antecedent : row.start] if antecedent is not None else None,
            antecedent_answers=names_answer,
            after_start=after.start if after is not None else None,
            after_gap=_gap(doc_text, row.end, after.start) if after is not None else None,
            version=version,
            other_section=stray
            or (sibling and (literal < OWN_MATCH or sections.said_by(text, row.start)))
            or (sections.in_references(row.start) and not _ABOUT_WORKS.search(asked.text)),
            heading_cover=term_overlap(weights, heads) if section & asked.terms else 0.0,
        )

    def _said_otherwise(self, retrieval: Retrieval, word: str) -> bool:
        """Do the best passages hold a word at least `SYNONYM_SIMILARITY` close in meaning to `word` (the
        embedder's, "price" for "cost": 0.72), which no document uses?"""
        if self.embedder is None:
            return False
        vocabulary = sorted(
            {
                w.lower()
                for p in retrieval.passages[:SYNONYM_PASSAGES]
                for w in re.findall(r"[A-Za-z][a-z]{2,}", p.text)
            }
            - stopwords()
        )
        return bool(vocabulary) and float(self._closeness([word], vocabulary).max()) >= SYNONYM_SIMILARITY

    def _closeness(self, words: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
        """For each word of `vocabulary`, its greatest cosine to any of `words` in the embedder's space (shape:
        len(vocabulary)). Needs an embedder."""
        assert self.embedder is not None
        return (self.embedder.embed_words(words) @ self.embedder.embed_words(vocabulary).T).max(axis=0)

    def _sentence_vectors(self, sentences: list[Sentence]) -> dict[str, np.ndarray]:
        """The sentences' embeddings by id: as the store keeps them, else (a row indexed without one) embedded
        now. Needs an embedder."""
        assert self.embedder is not None
        found = self.store.sentences.vectors([s.id for s in sentences])
        missing = [s for s in sentences if s.id not in found]
        if missing:
            found.update(
                zip([s.id for s in missing], self.embedder.embed([s.text for s in missing]), strict=True)
            )
        return found

    def _expansions(self, doc_id: str, content_hash: str, text: str) -> Expansions:
        """A document's abbreviations, as the indexer kept them (found now, and kept, for a document indexed
        without them)."""

        def read() -> Expansions:
            kept = self.store.manifest.abbreviations(doc_id, content_hash)
            if kept is None:
                kept = definitions(text[:READ_CHARS])
                self.store.manifest.set_abbreviations(doc_id, content_hash, kept)
            return Expansions.of(kept)

        return _remembered(self._expansion_cache, (doc_id, content_hash), read)

    def _as_spelt(self, word: str) -> str:
        """A question's word as the collection spells it, where it holds the word misspelt ("voluntears":
        the term of "volunteers"), else the word."""
        lexical = self.store.lexical
        stems = tokenize(word)
        if not stems or all(lexical.knows(t) for t in stems):
            return word
        return lexical.closest(stems[-1]) or lexical.closest_by_word(word) or word

    def _contexts(self, rows: Sequence[SpanRow], texts: Mapping[str, tuple[str, str]]) -> dict[str, _Context]:
        """Each document's sentences around the candidates, read in as few queries as the spans allow; a code
        block's fence is none (`texts`: each document's source and text)."""
        reach = self.config.context_chars
        by_doc: dict[str, list[tuple[int, int]]] = {}
        for row in rows:
            by_doc.setdefault(row.doc_id, []).append((max(0, row.start - reach), row.end + reach))
        contexts = {}
        for doc_id, spans in by_doc.items():
            merged: list[list[int]] = []
            for start, end in sorted(spans):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            found: dict[tuple[int, int], SpanRow] = {}
            for start, end in merged:
                for row in self.store.manifest.sentences_within(doc_id, start, end):
                    found[(row.start, row.end)] = row
            text = texts[doc_id][1]
            ordered = [found[key] for key in sorted(found) if not FENCE.fullmatch(text[key[0] : key[1]])]
            contexts[doc_id] = _Context(ordered, {(r.start, r.end): i for i, r in enumerate(ordered)})
        return contexts

    def _mark_focus(
        self,
        focus: list[str],
        candidates: list[Sentence],
        expansions: Mapping[str, Expansions],
        by_sentence: bool = False,
    ) -> list[Sentence]:
        """Mark the candidates that speak of the question's focus word: by stem (theirs, or their section
        headings' and title's), or (with an embedder, for the `focus_checks` most relevant others, in one
        batch) by a word at least `focus_similarity` close in meaning ("funds" for "money"), or (`by_sentence`)
        by being at least `focus_dense` close to the whole question. Candidates too weak to answer are left as
        they are."""
        cfg = self.config
        focus_stems = set(tokenize(" ".join(focus)))
        strong = [s for s in candidates if s.relevance >= cfg.focus_relevance]
        # "MKPs" speaks of "phosphatases" where the document defined "MAPK phosphatases (MKPs)"; a sentence
        # under "## Sick leave" speaks of leave.
        lexical = {
            s.id
            for s in strong
            if focus_stems & (set(expansions[s.doc_id].expand(list(terms(s.text)))) | s.section_terms)
        }
        unsure = sorted((s for s in strong if s.id not in lexical), key=lambda s: -s.relevance)[
            : cfg.focus_checks
        ]
        by_meaning = set()
        if unsure and self.embedder is not None:
            words = {s.id: {w.lower() for w in re.findall(r"[A-Za-z][\w’'-]+", s.text)} for s in unsure}
            vocabulary = sorted(set().union(*words.values()))
            if vocabulary:
                similarity = dict(zip(vocabulary, self._closeness(focus, vocabulary).tolist(), strict=True))
                by_meaning = {
                    i
                    for i, ws in words.items()
                    if ws and max(similarity[w] for w in ws) >= cfg.focus_similarity
                }
        # A sentence close in meaning to the whole question speaks of what it asks, in whatever word ("180
        # participants" for "How many patients do they plan to enrol?", where the word embedding of "patients"
        # is nearer "doctors" than "participants").
        close = {s.id for s in strong if s.dense >= cfg.focus_dense} if by_sentence else set()
        ok = lexical | by_meaning | close
        return [
            replace(s, focus_ok=s.id in ok) if s.relevance >= cfg.focus_relevance else s for s in candidates
        ]
