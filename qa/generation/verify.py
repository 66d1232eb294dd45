"""Verification of generated answers: every sentence is checked against the passages it cites.

A generated sentence survives only when a small set of sentences from the retrieved passages supports it:
- every number, date and name in it occurs in those sentences, in any of the forms people write them (see
  `variants.py`: "EU" for "European Union", "Russian" for "Russia", "17/11/2023" for "November 17, 2023",
  "11.4 thousand" for "11,400"); a name the model took from a sentence before the one it paraphrases ("He was
  then ordered by William Pitt" after "Loudoun arrived ...") is found there, and the quote then covers both;
- its other words occur in them too, or have a close match there by the embedder (so "replaced" may rest on
  "predecessor", but "weapons" may not rest on "letter"); the closer the whole sentence is in meaning to the
  quote, the more of its words may be paraphrased, while numbers, dates and names must still match;
- it is cited to the passage that supports it: a sentence cited to the wrong passage is re-anchored to the one
  that supports it, unknown or out-of-range markers are removed, and each citation is narrowed to the exact
  sentences that support the claim, so a quote is always the document's own text.
Sentences nothing supports are dropped and listed for audit, with why: `unsupported`, or `invalid marker` when
the sentence cited only passages that do not exist. "The documents don't say" sentences are kept as the
model's own refusal signal.

Pure: no model is loaded here. The embedder comes in as a function, so tests can reason about exact geometry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from index.chunk import split_sentences
from index.lexical import stopwords, tokenize, zipf
from qa.answering.kinds import entities, is_person_like, named_phrases
from qa.cite import MARKER, Claim, Quote, strip_markers
from qa.generation.variants import Quantities, Vocabulary, missing_quantities, quantities

Embed = Callable[[Sequence[str]], np.ndarray]

_REFUSAL = re.compile(
    r"\b(documents?|passages?|context|texts?|sources?|articles?)\b[^.]{0,40}\b(do not|don't|does not|doesn't|did not|"
    r"didn't|cannot|can't|never)\b[^.]{0,25}\b(say|mention|contain|provide|state|specify|include|answer|tell|"
    r"give|discuss|address)|\b(no information|not mentioned|not provided|not specified|not stated|not say)\b|"
    r"^\W*(i don't know|i do not know|unknown|no answer)\b",
    re.IGNORECASE,
)
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december monday "
    "tuesday wednesday thursday friday saturday sunday".split()
)
# Words that open a sentence without naming anything, and verbs of saying, which any other can stand for
# ("Mote said" for "Mote wrote"): neither is checked against the passages.
_DISCOURSE = frozenset(
    "yes no however also according therefore thus so overall in summary additionally furthermore "
    "moreover meanwhile instead both around nearly approximately roughly almost over under several some "
    "many more less only just there say says said saying state states stated write writes wrote written "
    "report reports reported tell tells told note notes noted describe describes described mention "
    "mentions mentioned explain explains explained add adds added besides although though because since "
    "while whereas despite unlike like today now then here this these those such each every after before "
    "during following upon within without among between through later earlier finally first second third "
    "initially eventually ultimately generally typically usually often come comes came go goes went get gets "
    "got".split()
)
_MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w’'-]*|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class VerifyConfig:
    """Thresholds of the support test (chosen on the seed questions and the scripted lying server's claims)."""

    # A content word is matched by a quote word with at least this cosine. Single-word vectors of synonyms
    # sit near 0.5 with all-MiniLM-L6-v2 ("blamed"/"accused" 0.51, "fighters"/"troops" 0.54, "moved"/"went"
    # 0.58), unrelated words well below ("sent"/"provide" 0.26, "money"/"support" 0.37).
    word_match: float = 0.5
    unmatched_per_word: float = 1 / 6  # a claim may leave one content word in six unmatched (names never)
    # The closer a claim is in meaning to its main quote (cosine of the two sentences), the more of its words
    # may be paraphrased: one from `some_similarity`, a third from `close_similarity`, half from
    # `loose_similarity`; numbers, dates and names must match all the same. Chosen on the scripted truthful
    # and lying models (tests/test_llm_truthful.py, tests/test_llm.py): true paraphrases scored 0.6-0.8
    # against their sentences, invented claims built from a passage's names 0.45-0.5.
    some_similarity: float = 0.6
    # Below this cosine to its main quote a claim is no paraphrase of it: its words must be there as written.
    paraphrase_similarity: float = 0.5
    close_similarity: float = 0.7
    loose_similarity: float = 0.8
    max_quotes: int = 3  # sentences one claim may rest on
    shortlist: int = 4  # best pool sentences considered for a claim's quotes
    look_back: int = 3  # sentences before a quote where a name the claim took from there is looked for


@dataclass(frozen=True)
class Source:
    """A numbered passage the model saw: its exact span of a document and the sentences inside it.

    Attributes:
        n: the number the prompt gave it.
        sentences: (start, end) document offsets of its sentences, in order.
    """

    n: int
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]

    def quote(self, span: tuple[int, int]) -> str:
        return self.text[span[0] - self.start : span[1] - self.start]


@dataclass(frozen=True)
class Verdict:
    """What survived verification.

    Attributes:
        claims: surviving sentences with their narrowed quotes, in the model's order.
        dropped: the text of sentences no passage supports.
        reasons: for each dropped sentence, `unsupported` or `invalid marker` (it cited only passages that do
            not exist).
        sentences: how many sentences were checked.
        refusal: the model said the documents don't say (in a sentence of its own).
        reanchored: how many claims were moved to another passage than the one they cited.
        removed_markers: markers that named no passage.
    """

    claims: list[Claim]
    dropped: list[str]
    sentences: int
    refusal: bool
    reanchored: int = 0
    removed_markers: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why each dropped sentence went, in the same order


def is_refusal(text: str) -> bool:
    """Does this sentence say the documents do not answer?"""
    return bool(_REFUSAL.search(text))


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """Generated text -> (sentence without markers, its marker numbers), markers after a full stop included."""
    text = text.replace("\r", "")
    spans = split_sentences(text)
    pieces: list[list[str]] = []
    for span in spans:
        part = text[span.start : span.end]
        if pieces and MARKER.sub("", part).strip(" .,;:") == "":  # "[2]." belongs to the sentence before
            pieces[-1].append(part)
        else:
            pieces.append([part])
    out = []
    for piece in pieces:
        joined = " ".join(piece)
        joined = re.sub(r"^\s*([-*•·]|\d+[.)])\s+", "", joined)  # list bullets
        joined = re.sub(r"<{3,}|>{3,}", "", joined)  # the prompt's passage delimiters, echoed by small models
        markers = [int(m.group(1)) for m in MARKER.finditer(joined)]
        sentence = strip_markers(joined)
        if sentence:
            out.append((sentence, markers))
    return out


@dataclass(frozen=True)
class Facts:
    """What a claim asserts that must be found as such: names, and numbers, dates, times, quarters, codes."""

    names: tuple[str, ...] = ()
    quantities: Quantities = field(default_factory=Quantities)
    affirmed: frozenset[str] = frozenset()  # content terms the claim states
    negated: frozenset[str] = frozenset()  # ... and those it denies ("did not approve": approv)

    def __bool__(self) -> bool:
        return bool(self.names or self.quantities)

    @property
    def size(self) -> int:
        """How many words the facts take: each word of each name, each number, date, time and code."""
        return sum(len(n.split()) for n in self.names) + self.quantities.size

    @property
    def name_stems(self) -> set[str]:
        return {t for name in self.names for t in tokenize(name)}


def claim_facts(
    sentence: str, known_lower: set[str], known_capitalised: frozenset[str] = frozenset()
) -> Facts:
    """The names, numbers, dates, times, quarters and codes of a sentence.

    Args:
        known_lower: lower-case words that occur in the passages in lower case; a capitalised word that opens
            the sentence counts as a name only when it is not one of them ("Commander" is a title, not a name)
            nor a common English word that the passages never capitalise (`known_capitalised`, lower-cased).
    """
    found = quantities(sentence)
    first = (_WORD.findall(sentence) or [""])[0]
    names = []
    calendar = _DATE_WORDS | _MONTH_ABBREVIATIONS
    # "Yemen's Houthis", "EU Council": two names, each found on its own.
    separated = re.sub(r"([’']s)\s+(?=[A-Z])", r"\1 , ", sentence)
    separated = re.sub(r"\b([A-Z]{2,8})\s+(?=[A-Z][a-z])", r"\1 , ", separated)
    for entity in entities(separated):
        parts = entity.split()
        words = [
            w
            for n, w in enumerate(parts)
            if re.sub(r"[’']s?$", "", w).lower() not in stopwords()
            and not (n == 0 and re.sub(r"[’']s?$", "", w).lower() in _DISCOURSE)
            and not re.search(r"\d", w)  # codes ("H7N9", "COVID-19") are checked as codes
            and not (
                w == first
                and len(parts) == 1  # "Marvin Price" opening a sentence is a name all the same
                and not w.isupper()  # and so is "US"
                and sentence.lstrip().startswith(w)
                and _opens_as_a_word(w, known_lower, known_capitalised)
            )
        ]
        if words and not (
            len(words) == 1 and words[0].lower() in calendar and (found.dates or found.quarters)
        ):
            names.append(" ".join(words))
    denied = negated_terms(sentence)
    return Facts(tuple(dict.fromkeys(names)), found, frozenset(tokenize(sentence)) - denied, denied)


# A negation, and the words it reaches: "did not approve", "never reached", "cannot be".
_NEGATION = re.compile(r"\b(?:not|never|no|nor|cannot|neither)\b|n[’']t\b", re.IGNORECASE)


def negated_terms(text: str) -> frozenset[str]:
    """The terms a negation in `text` denies: the first term after each "not", "never", "no", "n't" within
    three words ("The board did not approve the merger" -> approv; "which does not border Israel" -> border)."""
    out: set[str] = set()
    for match in _NEGATION.finditer(text):
        following = " ".join(text[match.end() :].split()[:3])
        out |= set(tokenize(following)[:1])
    return frozenset(out)


def _opens_as_a_word(word: str, known_lower: set[str], known_capitalised: frozenset[str]) -> bool:
    """Is the capitalised word that opens a sentence an ordinary word rather than a name: one the passages
    write in lower case ("Commander"), or a common English word ("Members", "Besides") they never write
    capitalised?"""
    lower = word.lower()
    if lower in known_lower:
        return True
    return lower not in known_capitalised and zipf(lower) >= 3.5


@lru_cache(maxsize=4096)
def _passage(text: str) -> tuple[Vocabulary, Quantities, frozenset[str], frozenset[str]]:
    """What a quote gives, read once however many claims and candidate sets it is checked against: its
    names, its quantities, the terms it denies and those it states."""
    denied = negated_terms(text)
    return Vocabulary.of([text]), quantities(text), denied, frozenset(tokenize(text)) - denied


def missing_facts(facts: Facts, text: str) -> list[str]:
    """The claim's names and quantities that `text` (its quotes, joined) does not give in any form, and a
    negation one of them has and the other lacks."""
    vocabulary, given, denied, stated = _passage(text)
    missing = [name for name in facts.names if not vocabulary.has_name(name)]
    missing += missing_quantities(facts.quantities, given, text)
    # "The board approved the merger." against "The board did not approve the merger." (The reverse, a
    # claim that denies what the text states, is often the text's own negation in other words: "failed to
    # notify" for "did not tell".)
    if facts.affirmed & denied - stated:
        missing.append("a negation")
    return missing


def _content_words(sentence: str, facts: Facts) -> dict[str, str]:
    """Stem -> surface word, for the words of a sentence that carry content besides its names and numbers
    (those are checked as facts)."""
    names = facts.name_stems
    out: dict[str, str] = {}
    for word in _WORD.findall(sentence):
        if word.lower() in _DISCOURSE or word[0].isdigit():
            continue
        if facts.quantities.dates and word.lower() in _DATE_WORDS | _MONTH_ABBREVIATIONS:
            continue  # checked as part of its date
        stems = tokenize(word)
        # "mostly" stems to "most", a function word the passages' terms never hold
        if stems and stems[0] not in out and stems[0] not in names and stems[0] not in stopwords():
            out[stems[0]] = word.lower()
    return out


class Verifier:
    """Checks generated sentences against numbered sources; see the module docstring for the rules."""

    def __init__(self, embed: Embed, config: VerifyConfig | None = None) -> None:
        self.embed = embed
        self.config = config or VerifyConfig()
        self._word_vectors: dict[str, np.ndarray] = {}

    def verify(self, text: str, sources: Sequence[Source]) -> Verdict:
        """Check every sentence of `text` (with [n] markers numbering `sources`); see Verdict."""
        by_n = {s.n: s for s in sources}
        pool = [(s, span) for s in sources for span in s.sentences]
        known_lower = set().union(*(set(_WORD.findall(s.text)) for s in sources)) if sources else set()
        known_capitalised = frozenset(w.lower() for w in known_lower if w[:1].isupper())
        known_lower = {w for w in known_lower if w.islower()}
        claims: list[Claim] = []
        dropped: list[str] = []
        reasons: list[str] = []
        removed: list[int] = []
        refusal = False
        reanchored = 0
        sentences = split_answer(text)
        if pool:
            self._embed_sentences([sentence for sentence, _ in sentences] + [s.quote(sp) for s, sp in pool])
        for sentence, markers in sentences:
            invalid = [n for n in markers if n not in by_n]
            removed += invalid
            facts = claim_facts(sentence, known_lower, known_capitalised)
            # "The documents don't say." is the model's refusal; a sentence that says "not specified" and
            # gives a figure ("Its budget, not specified in the agenda, was 500,000 euros.") is a claim.
            if is_refusal(sentence) and not facts.quantities:
                refusal = True
                claims.append(Claim(sentence, ()))
                continue
            if not _content_words(sentence, facts) and not facts:  # "Sure!", "Here is the answer:"
                dropped.append(sentence)
                reasons.append("unsupported")
                continue
            cited = [by_n[n] for n in dict.fromkeys(markers) if n in by_n]
            quotes = (
                self._support(sentence, facts, [(s, sp) for s, sp in pool if s in cited]) if cited else None
            )
            if quotes is None:
                quotes = self._support(sentence, facts, pool)
                if quotes is not None and cited:
                    reanchored += 1
            if quotes is None:
                dropped.append(sentence)
                reasons.append("invalid marker" if invalid and not cited else "unsupported")
            else:
                claims.append(Claim(sentence, quotes))
        return Verdict(claims, dropped, len(sentences), refusal, reanchored, removed, reasons)

    # -- support ----------------------------------------------------------------------------------------------

    def _support(
        self, sentence: str, facts: Facts, pool: Sequence[tuple[Source, tuple[int, int]]]
    ) -> tuple[Quote, ...] | None:
        """The fewest pool sentences (best first) that support `sentence`, as Quotes; None when none do."""
        if not pool:
            return None
        cfg = self.config
        words = _content_words(sentence, facts)
        claim_vec = self._sentence_vector(sentence)
        total = len(facts.names) + facts.quantities.size
        scored = []
        for source, span in pool:
            quote = source.quote(span)
            lexical = len(set(words) & set(tokenize(quote))) / len(words) if words else 0.0
            found = 1.0 - len(missing_facts(facts, quote)) / total if total else 1.0
            similarity = float(self._sentence_vector(quote) @ claim_vec)
            scored.append((lexical + similarity + found, similarity, source, span))
        scored.sort(key=lambda item: -item[0])
        shortlist = scored[: cfg.shortlist]
        chosen = [self._with_named_before(facts, shortlist[0])]
        _, _, main, main_span = chosen[0]
        paraphrased = self._paraphrased(sentence, words, main.quote(main_span))
        while True:
            missing, unmatched = self._gaps(words, facts, [(s, sp) for _, _, s, sp in chosen], paraphrased)
            similarity = max(sim for _, sim, _, _ in chosen)
            if not missing and len(unmatched) <= self._allowance(len(words) + facts.size, similarity):
                break
            if len(chosen) >= cfg.max_quotes:
                return None
            best_gain, best = 0, None
            for item in shortlist + scored[cfg.shortlist :]:
                if item in chosen:
                    continue
                missing_more, unmatched_more = self._gaps(
                    words, facts, [(s, sp) for _, _, s, sp in chosen] + [(item[2], item[3])], paraphrased
                )
                gain = 2 * (len(missing) - len(missing_more)) + (len(unmatched) - len(unmatched_more))
                if gain > best_gain:
                    best_gain, best = gain, item
            if best is None:
                return None
            chosen.append(best)
        return tuple(
            Quote(s.doc_id, s.source, sp[0], sp[1], s.quote(sp), max(0.0, sim), True)
            for _, sim, s, sp in chosen
        )

    def _allowance(self, words: int, similarity: float) -> int:
        """How many of a claim's content words may go unmatched, given how many words it checks (its names'
        and numbers' count: they were found) and its closeness in meaning to the quote."""
        cfg = self.config
        allowed = int(words * cfg.unmatched_per_word)
        if similarity >= cfg.loose_similarity:
            allowed = max(allowed, -(-words // 2))
        elif similarity >= cfg.close_similarity:
            allowed = max(allowed, -(-words // 3))
        elif similarity >= cfg.some_similarity:
            allowed = max(allowed, 1)
        return allowed

    def _with_named_before(
        self, facts: Facts, item: tuple[float, float, Source, tuple[int, int]]
    ) -> tuple[float, float, Source, tuple[int, int]]:
        """The quote, started earlier when a name the claim gives is missing from it but named in one of the
        sentences just before it, in the same passage ("He was then ordered by William Pitt ..." after
        "Loudoun arrived ..." supports "Pitt ordered Loudoun ...")."""
        score, similarity, source, span = item
        missing = [n for n in missing_facts(facts, source.quote(span)) if n in facts.names]
        if not missing:
            return item
        # A sentence that names a person of its own, whom the claim leaves out, is about that person: the
        # claim's name from a sentence before would replace them ("Anna Berg resigned" from "Anna Berg chaired
        # the board. Tom Lund resigned ...").
        claimed = {w.lower() for name in facts.names for w in name.split()}
        if any(is_person_like(name) for name in missing) and any(
            p.person and not {w.lower() for w in p.name.split()} <= claimed
            for p in named_phrases(source.quote(span))
        ):
            return item
        at = source.sentences.index(span) if span in source.sentences else -1
        for back in range(1, self.config.look_back + 1):
            if at - back < 0:
                break
            wider = (source.sentences[at - back][0], span[1])
            if not any(n in facts.names for n in missing_facts(facts, source.quote(wider))):
                return score, similarity, source, wider
        return item

    @staticmethod
    def _gaps(
        words: dict[str, str],
        facts: Facts,
        quotes: Sequence[tuple[Source, tuple[int, int]]],
        paraphrased: set[str],
    ) -> tuple[list[str], set[str]]:
        """(facts missing from the quotes, content words neither in them nor `paraphrased` by the main quote)."""
        text = " ".join(s.quote(sp) for s, sp in quotes)
        quote_stems = set(tokenize(text))
        return missing_facts(facts, text), {stem for stem in words if stem not in quote_stems} - paraphrased

    def _paraphrased(self, claim: str, words: dict[str, str], main: str) -> set[str]:
        """The claim's content words (stems) that the main quote, its first, does not hold but matches by the
        embedder (`word_match`).

        A word may be paraphrased only within the main quote, and only when the claim is close to it in meaning
        (`paraphrase_similarity`): further quotes bring names, numbers and words as written, never near
        meanings, or a few sentences would together "support" anything ("weapons" resting on "war" in one
        sentence, "money" on "support" in another). Read once per claim, however many quotes are tried beside
        the main one."""
        main_stems = set(tokenize(main))
        soft = sorted(stem for stem in words if stem not in main_stems)
        if not soft or float(self._sentence_vector(main) @ self._sentence_vector(claim)) < (
            self.config.paraphrase_similarity
        ):
            return set()
        quote_words = sorted({w.lower() for w in _WORD.findall(main) if tokenize(w)})
        if not quote_words:
            return set()
        sims = self._word_matrix([words[s] for s in soft]) @ self._word_matrix(quote_words).T
        return {stem for stem, row in zip(soft, sims, strict=True) if row.max() >= self.config.word_match}

    # -- embeddings (cached per verifier: one answer's words recur across candidates) -------------------------

    def _embed_sentences(self, texts: Sequence[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self._word_vectors]
        if new:
            for text, vec in zip(new, self.embed(new), strict=True):
                self._word_vectors[text] = np.asarray(vec, dtype=np.float32)

    def _sentence_vector(self, text: str) -> np.ndarray:
        self._embed_sentences([text])
        return self._word_vectors[text]

    def _word_matrix(self, words: Sequence[str]) -> np.ndarray:
        self._embed_sentences(words)
        return np.stack([self._word_vectors[w] for w in words])
