"""BM25 over the chunks (bm25s, stemmed, English stopwords), persisted beside the manifest."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.clean import visible

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"(?u)\b\w\w+\b|\b\d\b")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


# Function words, question words included: they carry no evidence that a passage answers a question.
_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom whose why will with would you your yours also s t many much
    """.split()
)


# Irregular past forms -> base form, so "took" matches "take" (a stemmer only strips suffixes).
_IRREGULAR = {
    form: base
    for base, forms in {
        "arise": "arose arisen",
        "become": "became",
        "begin": "began begun",
        "bear": "bore born borne",
        "beat": "beaten",
        "bring": "brought",
        "build": "built",
        "buy": "bought",
        "catch": "caught",
        "choose": "chose chosen",
        "come": "came",
        "deal": "dealt",
        "draw": "drew drawn",
        "drive": "drove driven",
        "eat": "ate eaten",
        "fall": "fell fallen",
        "feel": "felt",
        "fight": "fought",
        "find": "found",
        "flee": "fled",
        "fly": "flew flown",
        "forbid": "forbade forbidden",
        "forget": "forgot forgotten",
        "freeze": "froze frozen",
        "get": "got gotten",
        "give": "gave given",
        "go": "went gone",
        "grow": "grew grown",
        "hang": "hung",
        "hear": "heard",
        "hide": "hid hidden",
        "hold": "held",
        "keep": "kept",
        "know": "knew known",
        "lay": "laid",
        "lead": "led",
        "leave": "left",
        "lend": "lent",
        "lose": "lost",
        "make": "made",
        "mean": "meant",
        "meet": "met",
        "pay": "paid",
        "ride": "rode ridden",
        "ring": "rang rung",
        "rise": "rose risen",
        "run": "ran",
        "say": "said",
        "see": "saw seen",
        "seek": "sought",
        "sell": "sold",
        "send": "sent",
        "shake": "shook shaken",
        "shoot": "shot",
        "sing": "sang sung",
        "sink": "sank sunk",
        "sit": "sat",
        "sleep": "slept",
        "speak": "spoke spoken",
        "spend": "spent",
        "stand": "stood",
        "steal": "stole stolen",
        "strike": "struck stricken",
        "swear": "swore sworn",
        "swim": "swam swum",
        "take": "took taken",
        "teach": "taught",
        "tear": "tore torn",
        "tell": "told",
        "think": "thought",
        "throw": "threw thrown",
        "understand": "understood",
        "wake": "woke woken",
        "wear": "wore worn",
        "win": "won",
        "write": "wrote written",
        "overthrow": "overthrew overthrown",
        "undertake": "undertook undertaken",
    }.items()
    for form in forms.split()
}


# Letters that carry no accent to strip: "Đằng" is "Dang", "Ørsted" is "Orsted", "Łódź" is "Lodz".
_LETTERS = str.maketrans({"đ": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})


def fold(word: str) -> str:
    """Lower case without accents ("Céloron" -> "celoron", "Ørsted" -> "orsted", "München" -> "munchen")."""
    lower = word.lower().translate(_LETTERS)
    return "".join(ch for ch in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in English, on wordfreq's Zipf scale (log10 of its count per billion words: "the"
    7.7, "stand" 5.1, "vaccine" 4.0, "remdesivir" 1.1, a word wordfreq does not know 0)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def stopwords() -> frozenset[str]:
    return _STOPWORDS


def tokenize(text: str) -> list[str]:
    """Lower-cased, stopwords dropped, Snowball-stemmed tokens ("commanders" and "command" match). An identifier
    joined by underscores is a token, and so is each of its words ("idempotency_key": "idempotency_key",
    "idempot", "key"), so that "How long are idempotency keys kept?" finds the parameter."""
    words = []
    for word in _TOKEN.findall(visible(text).lower()):
        words.append(word)
        if "_" in word.strip("_"):
            words += [part for part in word.split("_") if len(part) > 1]
    words = [_IRREGULAR.get(w, w) for w in words if w not in _STOPWORDS]
    return list(_stemmer().stemWords(words))


@lru_cache(maxsize=50_000)
def terms(text: str) -> tuple[str, ...]:
    """`tokenize(text)`, cached: candidate sentences recur across the questions of a chat or an evaluation."""
    return tuple(tokenize(text))


# Endings a stem takes in English words ("volunt" + "eers"), for `LexicalIndex.closest_by_word`.
_ENDINGS = (
    "",
    "s",
    "e",
    "es",
    "ed",
    "er",
    "ers",
    "eer",
    "eers",
    "ing",
    "ion",
    "ions",
    "y",
    "ies",
    "al",
    "ly",
)


class LexicalIndex:
    """A BM25 index over chunk texts, with document frequencies for IDF-weighted term overlap."""

    def __init__(self, ids: list[str], bm25: object | None, df: dict[str, int]) -> None:
        self.ids = ids
        self._bm25 = bm25
        self._df = df
        self._vocab: dict[str, int] = getattr(bm25, "vocab_dict", None) or {}
        self._position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._terms: list[str] | None = None  # the vocabulary, sorted, for spelling lookups
        self._folded: dict[str, str] = {}  # each term without accents -> the term

    @classmethod
    def build(cls, items: Iterable[tuple[str, Sequence[str]]]) -> LexicalIndex:
        """Index (id, terms) pairs; the terms are `tokenize(text)`."""
        import bm25s

        logging.getLogger("bm25s").setLevel(
            logging.WARNING
        )  # it logs every build at DEBUG on its own handler
        ids: list[str] = []
        corpus: list[Sequence[str]] = []
        df: Counter[str] = Counter()
        for chunk_id, tokens in items:
            ids.append(chunk_id)
            corpus.append(tokens)
            df.update(set(tokens))
        if not ids:
            return cls([], None, {})
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        return cls(ids, bm25, dict(df))

    def save(self, folder: Path) -> None:
        """Write the index to `folder`, whole or not at all: it is built beside it and swapped in, so a process
        killed meanwhile leaves the old index or none (which the next run rebuilds), never ids of one build
        with the arrays of another."""
        staging = folder.with_name(f"{folder.name}.{os.getpid()}.new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / "ids.json").write_text(json.dumps({"ids": self.ids, "df": self._df}), encoding="utf-8")
        if self._bm25 is not None:
            self._bm25.save(str(staging / "bm25"), show_progress=False)  # type: ignore[attr-defined]
        old = folder.with_name(f"{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        meta_path = folder / "ids.json"
        if not meta_path.exists():
            return cls([], None, {})
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not meta["ids"]:
            return cls([], None, {})
        import bm25s

        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return cls(meta["ids"], bm25, meta["df"])

    def __len__(self) -> int:
        return len(self.ids)

    def knows(self, token: str) -> bool:
        """Does any chunk hold this term?"""
        return token in self._vocab

    def closest(self, token: str) -> str | None:
        """The collection's term closest in spelling to `token`, a term it does not hold, or None.

        A misspelt question ("carageenan") finds the document's word ("carrageenan"): the closest term within
        one edit for terms of 5 to 7 characters, two from 8, sharing the first character (misspellings keep it,
        and other words that happen to be one edit away mostly do not: "ebola" is not "bola"). Shorter terms
        are not corrected: too many words lie one edit apart.
        """
        from rapidfuzz import distance, process

        if len(token) < 5 or not self._vocab:
            return None
        terms = self._sorted_terms()
        limit = 1 if len(token) < 8 else 2
        found = process.extract(
            token, terms, scorer=distance.Levenshtein.distance, score_cutoff=limit, limit=8
        )
        same_start = [(term, d) for term, d, _ in found if term[0] == token[0]]
        if not same_start:
            return None
        # Nearest first; among equals, the more common term.
        return min(same_start, key=lambda td: (td[1], -self._df.get(td[0], 0), td[0]))[0]

    def closest_by_word(self, word: str) -> str | None:
        """The collection's term whose word, written whole, is one slip from a misspelt `word`, or None: the
        stemmer cuts a misspelling elsewhere than the word ("voluntears" to "voluntear", "volunteers" to
        "volunt"), so stems alone lie too far apart. A term counts when, with an ending (`_ENDINGS`) that makes
        it an English word (wordfreq knows it: "monkey" + "ion" makes none), it lies one edit from the word,
        which shares its first three letters; the most common such term wins."""
        from rapidfuzz import distance, process

        word = word.lower()
        if len(word) < 5 or not self._vocab:
            return None
        terms = self._sorted_terms()  # (only those with the word's first three letters: a slice of them)
        same_start = terms[bisect_left(terms, word[:3]) : bisect_left(terms, word[:3] + "\uffff")]
        found = process.extract(
            word, same_start, scorer=distance.Levenshtein.distance, score_cutoff=5, limit=20
        )
        near = [
            (-self._df.get(term, 0), term)
            for term, _, _ in found
            if len(term) >= 4
            and any(
                distance.Levenshtein.distance(word, term + ending) <= 1 and zipf(term + ending)
                for ending in _ENDINGS
            )
        ]
        return min(near)[1] if near else None

    def unaccented(self, word: str) -> str | None:
        """The collection's term for a word written without the accents or letters the documents use
        ("Orsted" for "Ørsted", "Zurich" for "Zürich"), or None. Words, not stems: the stemmer leaves
        "ørsted" whole but cuts "orsted" to "orst"."""
        if not self._vocab:
            return None
        self._sorted_terms()
        return self._folded.get(fold(word))

    def _sorted_terms(self) -> list[str]:
        if self._terms is None:
            self._terms = sorted(self._vocab)
            self._folded = {}
            for term in self._terms:
                self._folded.setdefault(fold(term), term)
        return self._terms

    def idf(self, token: str) -> float:
        """Inverse document frequency over chunks; unseen terms get the highest value."""
        n = max(1, len(self.ids))
        return math.log(1 + (n - self._df.get(token, 0) + 0.5) / (self._df.get(token, 0) + 0.5))

    def search(
        self, query_tokens: Sequence[str], k: int, within: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """The `k` best chunks for the tokens, as (chunk id, BM25 score), best first, zero scores dropped.

        Args:
            within: only these chunk ids compete (a filter by document); None for all.
        """
        known = [t for t in query_tokens if t in self._vocab]
        if self._bm25 is None or not known:
            return []
        scores = self._bm25.get_scores(known)  # type: ignore[attr-defined]
        if within is not None:
            keep = np.zeros(len(scores), dtype=bool)
            keep[[self._position[c] for c in within if c in self._position]] = True
            scores = np.where(keep, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
