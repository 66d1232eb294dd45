"""Verification of generated answers: every sentence is checked against the passages it cites.

A generated sentence survives only when a small set of sentences from the retrieved passages supports it:
- every number, date and proper name in it occurs, word for word, in those sentences;
- its other content words occur in them too, or have a close match there by the embedder (so "replaced" may rest
  on "predecessor", but "weapons" may not rest on "letter");
- it is cited to the passage that supports it: a sentence cited to the wrong passage is re-anchored to the one
  that supports it, unknown or out-of-range markers are removed, and each citation is narrowed to the exact
  sentences that support the claim, so a quote is always the document's own text.
Sentences nothing supports are dropped and listed for audit. "The documents don't say" sentences are kept as
the model's own refusal signal.

Pure: no model is loaded here. The embedder comes in as a function, so tests can reason about exact geometry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.chunk import split_sentences
from index.lexical import stopwords, tokenize
from qa.answering.kinds import entities
from qa.cite import MARKER, Claim, Quote, strip_markers

Embed = Callable[[Sequence[str]], np.ndarray]

_REFUSAL = re.compile(
    r"\b(documents?|passages?|context|texts?|sources?|articles?)\b[^.]{0,40}\b(do not|don't|does not|doesn't|did not|"
    r"didn't|cannot|can't|never)\b[^.]{0,25}\b(say|mention|contain|provide|state|specify|include|answer|tell|"
    r"give|discuss|address)|\b(no information|not mentioned|not provided|not specified|not stated|not say)\b|"
    r"^\W*(i don't know|i do not know|unknown|no answer)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "hundreds thousand thousands million millions billion billions trillion dozen dozens".split()
)
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december monday "
    "tuesday wednesday thursday friday saturday sunday".split()
)
# Words that open a sentence without naming anything.
_DISCOURSE = frozenset(
    "yes no however also according therefore thus so overall in summary additionally furthermore "
    "moreover meanwhile instead both around nearly approximately roughly almost over under several some "
    "many more less only just there".split()
)
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w’'-]*|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class VerifyConfig:
    """Thresholds of the support test (chosen on the seed questions and the scripted lying server's claims)."""

    word_match: float = 0.55  # a content word is matched by a quote word with at least this cosine
    unmatched_per_word: float = 1 / 6  # a claim may leave one content word in six unmatched (names never)
    max_quotes: int = 3  # sentences one claim may rest on
    shortlist: int = 4  # best pool sentences considered for a claim's quotes


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


def key_terms(sentence: str, known_lower: set[str]) -> set[str]:
    """Numbers, dates and proper-name words of a sentence, lower-cased: each must occur in its quotes.

    Args:
        known_lower: lower-case words that occur in the passages in lower case; a capitalised word that opens
            the sentence counts as a name only when it is not one of them ("Commander" is a title, not a name).
    """
    keys = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(sentence)}
    words = [w.strip("’'").lower() for w in _WORD.findall(sentence)]
    keys |= {w for w in words if w in _NUMBER_WORDS or w in _DATE_WORDS}
    first = words[0] if words else ""
    for entity in entities(sentence):
        for word in entity.split():
            lower = re.sub(r"[’']s?$", "", word).lower()
            if not lower or lower in stopwords() or lower in _DISCOURSE:
                continue
            if lower == first and sentence.lstrip().startswith(word) and lower in known_lower:
                continue
            keys.add(lower)
    return keys


def _surface_words(text: str) -> set[str]:
    """Lower-case words and normalised numbers of a text, possessives trimmed (for key-term lookups)."""
    words = {re.sub(r"[’']s?$", "", w).lower() for w in _WORD.findall(text)}
    words |= {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    return words


def _content_words(sentence: str) -> dict[str, str]:
    """Stem -> surface word, for the words of a sentence that carry content (numbers are key terms instead)."""
    out: dict[str, str] = {}
    for word in _WORD.findall(sentence):
        if word.lower() in _DISCOURSE or word[0].isdigit():
            continue
        stems = tokenize(word)
        if stems and stems[0] not in out:
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
        known_lower = {w for w in known_lower if w.islower()}
        claims: list[Claim] = []
        dropped: list[str] = []
        removed: list[int] = []
        refusal = False
        reanchored = 0
        sentences = split_answer(text)
        if pool:
            self._embed_sentences([sentence for sentence, _ in sentences] + [s.quote(sp) for s, sp in pool])
        for sentence, markers in sentences:
            removed += [n for n in markers if n not in by_n]
            if is_refusal(sentence):
                refusal = True
                claims.append(Claim(sentence, ()))
                continue
            keys = key_terms(sentence, known_lower)
            if not _content_words(sentence) and not keys:  # "Sure!", "Here is the answer:"
                dropped.append(sentence)
                continue
            cited = [by_n[n] for n in dict.fromkeys(markers) if n in by_n]
            quotes = (
                self._support(sentence, keys, [(s, sp) for s, sp in pool if s in cited]) if cited else None
            )
            if quotes is None:
                quotes = self._support(sentence, keys, pool)
                if quotes is not None and cited:
                    reanchored += 1
            if quotes is None:
                dropped.append(sentence)
            else:
                claims.append(Claim(sentence, quotes))
        return Verdict(claims, dropped, len(sentences), refusal, reanchored, removed)

    # -- support ----------------------------------------------------------------------------------------------

    def _support(
        self, sentence: str, keys: set[str], pool: Sequence[tuple[Source, tuple[int, int]]]
    ) -> tuple[Quote, ...] | None:
        """The fewest pool sentences (best first) that support `sentence`, as Quotes; None when none do."""
        if not pool:
            return None
        cfg = self.config
        words = _content_words(sentence)
        claim_vec = self._sentence_vector(sentence)
        scored = []
        for source, span in pool:
            quote = source.quote(span)
            lexical = len(set(words) & set(tokenize(quote))) / len(words) if words else 0.0
            keys_found = len(keys & _surface_words(quote)) / len(keys) if keys else 1.0
            similarity = float(self._sentence_vector(quote) @ claim_vec)
            scored.append((lexical + similarity + keys_found, similarity, source, span))
        scored.sort(key=lambda item: -item[0])
        shortlist = scored[: cfg.shortlist]
        chosen = [shortlist[0]]
        while True:
            missing_keys, unmatched = self._gaps(words, keys, [(s, sp) for _, _, s, sp in chosen])
            if not missing_keys and len(unmatched) <= int(len(words) * cfg.unmatched_per_word):
                break
            if len(chosen) >= cfg.max_quotes:
                return None
            best_gain, best = 0, None
            for item in shortlist + scored[cfg.shortlist :]:
                if item in chosen:
                    continue
                keys_more, unmatched_more = self._gaps(
                    words, keys, [(s, sp) for _, _, s, sp in chosen] + [(item[2], item[3])]
                )
                gain = 2 * (len(missing_keys) - len(keys_more)) + (len(unmatched) - len(unmatched_more))
                if gain > best_gain:
                    best_gain, best = gain, item
            if best is None:
                return None
            chosen.append(best)
        return tuple(
            Quote(s.doc_id, s.source, sp[0], sp[1], s.quote(sp), max(0.0, sim), True)
            for _, sim, s, sp in chosen
        )

    def _gaps(
        self, words: dict[str, str], keys: set[str], quotes: Sequence[tuple[Source, tuple[int, int]]]
    ) -> tuple[set[str], set[str]]:
        """(key terms missing from the quotes, content words neither in them nor matched by the embedder)."""
        text = " ".join(s.quote(sp) for s, sp in quotes)
        surface = _surface_words(text)
        missing_keys = {k for k in keys if k not in surface}
        quote_stems = set(tokenize(text))
        unmatched = {stem for stem in words if stem not in quote_stems}
        key_stems = {t for k in keys for t in tokenize(k)}
        soft = [stem for stem in unmatched if stem not in key_stems]
        if soft:
            quote_words = sorted({w.lower() for w in _WORD.findall(text) if tokenize(w)})
            if quote_words:
                sims = self._word_matrix([words[s] for s in soft]) @ self._word_matrix(quote_words).T
                unmatched -= {
                    stem for stem, row in zip(soft, sims, strict=True) if row.max() >= self.config.word_match
                }
        return missing_keys, unmatched

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
