"""Hybrid retrieval: dense (Chroma) and BM25 rankings of chunks, fused by weighted reciprocal rank.

Two dense rankings join BM25's: chunks by their best sentence's similarity to the question, and by the chunk's
own vector. One vector for a 1,500-character chunk blurs the one sentence a question is about, and the best
sentence misses a chunk whose sentences each say part of the answer; the fusion weighs them 1 and 0.5 (BM25 2).
Measured on 1,000 questions each (scratch script over the eval stores, 2026-12-07), chunk recall@1 / @5 / @10
by embedding alone is 0.28 / 0.53 / 0.62 by the chunk's vector and 0.39 / 0.65 / 0.73 by its best sentence on
COVID-QA, 0.57 / 0.85 / 0.91 and 0.73 / 0.93 / 0.97 on the SQuAD dev half; fused with BM25, the chunk vector
alone gave 0.45 / 0.76 / 0.84 and 0.77 / 0.95 / 0.98 (k = 10), the best sentence alone 0.54 / 0.79 / 0.86 and
0.82 / 0.96 / 0.98, both (k = 5) 0.53 / 0.79 / 0.86 and 0.82 / 0.97 / 0.99.

This is the boundary with the index: past here, everything is a Passage or a Sentence, never a store row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from os.path import commonprefix

import numpy as np

from index.embed import Embedder
from index.lexical import stopwords, tokenize, zipf
from index.store import Hit, Store
from qa.answering.names import spelled_out, spelling_variant
from qa.types import Passage

_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’"
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")
# A word at least this common in English (wordfreq's Zipf scale: "stand" 5.1, "sand" 4.4, "tumour" 3.4) is no
# misspelling: it is corrected only to another spelling of itself ("colour" -> the documents' "color").
COMMON_WORD_ZIPF = 4.0
# A word this common is an English word, not a misspelling ("replication" 3.4); misspellings people make often
# stay under it ("recieve" 2.8, "thier" 3.0 rounds to 2.99).
ENGLISH_WORD_ZIPF = 3.0
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qa-retrieve")


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion parameters (tuned with `qa eval` on SQuAD; see docs/quality.md)."""

    candidates: int = 30  # how deep each ranking is read
    rrf_k: float = 5.0  # a small k lets the top ranks of each list dominate
    dense_weight: float = 1.0  # chunks by their best sentence
    chunk_weight: float = 0.5  # chunks by their own vector
    lexical_weight: float = 2.0
    sentence_hits: int = 20  # best sentences by dense similarity, offered to the answerer
    # nearest sentences read to rank chunks by their best sentence (60 and 300 ranked the first 10 chunks the
    # same on both data sets above; each 100 more cost about 3 ms)
    sentence_pool: int = 60


@dataclass(frozen=True)
class Retrieval:
    """What the answerer needs: the fused passages and the raw signals behind them."""

    question: str
    query_vector: np.ndarray
    query_tokens: list[str]  # the question's terms, misspellings replaced by the collection's spelling
    passages: list[Passage]
    sentence_hits: list[Hit]
    # the question's words that the collection holds nowhere, nor a close spelling
    unknown: tuple[str, ...] = ()


# "How heavy is the machine?" asks for its weight: a specification says "| Weight | 9.2 kg |", not "heavy".
MEASURES = {
    "heavy": "weight",
    "tall": "height",
    "high": "height",
    "big": "size",
    "large": "size",
    "wide": "width",
    "deep": "depth",
    "fast": "speed",
    "thick": "thickness",
    "loud": "noise",  # "How loud is the X300?" / "| Noise level | 62 dB |"
    "noisy": "noise",
    "powerful": "power",
}
_HOW_MEASURE = re.compile(rf"\bhow ({'|'.join(MEASURES)})\b", re.IGNORECASE)
# Words that ask for a quantity which a table names otherwise: "How much does the K200 cost?" / "| Price | £45 |",
# "Which is cheaper ...?", "How powerful is ...?", "Which holds more ...?". They count only where the collection
# does not use the word itself (a document that says "costs £45" answers by its own word).
QUANTITY_WORDS = {
    **dict.fromkeys(
        ("cost", "costs", "cheap", "cheaper", "cheapest", "expensive", "dearer", "pricier"), "price"
    ),
    **dict.fromkeys(("hold", "holds"), "capacity"),
    **dict.fromkeys(("heavier", "heaviest", "lighter", "lightest", "weigh", "weighs"), "weight"),
    **dict.fromkeys(("faster", "fastest", "quicker"), "speed"),
    **dict.fromkeys(("quieter", "quietest", "louder", "loudest", "noisy", "quiet"), "noise"),
    **dict.fromkeys(("taller", "tallest"), "height"),
}


def measured(question: str, unknown: Sequence[str] = ()) -> list[str]:
    """The terms of what a question measures: "how heavy / tall / wide ..." ("weight", "height", "width"), and
    what a word of `QUANTITY_WORDS` asks for where it is among `unknown`, the question's words that the
    collection holds nowhere ("cheaper": "price")."""
    asked = [MEASURES[m.lower()] for m in _HOW_MEASURE.findall(question)]
    asked += [QUANTITY_WORDS[w.lower()] for w in unknown if w.lower() in QUANTITY_WORDS]
    return [t for m in dict.fromkeys(asked) for t in tokenize(m)]


class HybridRetriever:
    """Dense + BM25 over the chunks of one Store."""

    def __init__(self, store: Store, embedder: Embedder, config: RetrievalConfig | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config or RetrievalConfig()

    def retrieve(self, question: str, k: int = 10, doc_ids: Sequence[str] | None = None) -> Retrieval:
        """The `k` best passages for a question, best first, each with a fused score in (0, 1].

        Args:
            doc_ids: search only these documents (None or empty: all of them).
        """
        cfg = self.config
        vector = self.embedder.embed_query(question)
        tokens, unknown = self.spell(question)
        tokens += [t for t in measured(question, unknown) if t not in tokens and self.store.lexical.knows(t)]
        doc_ids = list(doc_ids or ())
        within = self.store.manifest.chunk_ids_of(doc_ids) if doc_ids else None
        # The vector searches run beside BM25 (Chroma's queries release the GIL).
        nearest = _POOL.submit(
            self.store.sentences.query, vector, max(cfg.sentence_hits, cfg.sentence_pool), doc_ids
        )
        chunks = _POOL.submit(self.store.chunks.query, vector, cfg.candidates, doc_ids)
        lexical = self.store.lexical.search(tokens, cfg.candidates, within)
        hits = nearest.result()
        dense = self._by_best_sentence(hits)[: cfg.candidates]
        dense_rank = {chunk_id: rank for rank, chunk_id in enumerate(dense)}
        chunk_rank = {hit.id: rank for rank, hit in enumerate(chunks.result())}
        lexical_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(lexical)}
        fused: dict[str, float] = {}
        for ranks, weight in (
            (dense_rank, cfg.dense_weight),
            (chunk_rank, cfg.chunk_weight),
            (lexical_rank, cfg.lexical_weight),
        ):
            for chunk_id, rank in ranks.items():
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (cfg.rrf_k + rank + 1)
        best_possible = (cfg.dense_weight + cfg.chunk_weight + cfg.lexical_weight) / (cfg.rrf_k + 1)
        top = sorted(fused, key=lambda c: -fused[c])[:k]
        passages = self.passages([(c, fused[c] / best_possible) for c in top], dense_rank, lexical_rank)
        return Retrieval(question, vector, tokens, passages, hits[: cfg.sentence_hits], unknown)

    def _by_best_sentence(self, hits: Sequence[Hit]) -> list[str]:
        """Chunk ids ordered by the similarity of their best sentence among `hits` (nearest first); a sentence
        that two overlapping chunks share counts for both."""
        holding = self.store.manifest.chunks_holding([(hit.doc_id, hit.start) for hit in hits])
        best: dict[str, float] = {}
        for hit in hits:  # nearest first, so a chunk's first hit is its best
            for chunk_id in holding.get((hit.doc_id, hit.start), ()):
                best.setdefault(chunk_id, hit.similarity)
        return sorted(best, key=lambda c: -best[c])

    def spell(self, question: str) -> tuple[list[str], tuple[str, ...]]:
        """The question's terms, each absent one replaced by the collection's closest spelling when there is one
        ("carageenan" -> "carrageenan"), and the words that stay absent (as the question writes them). A common
        word is corrected only to another spelling of it: "What does WHO stand for?" is not a question about
        the documents' "sand". Words the question writes apart and the collection as one ("back up" and
        "backup", "log in" and "login") are the collection's word (`_joined`); a word the question writes as one
        is not cut into the collection's words ("takeaway" is no "take").

        Returns:
            (terms in order, absent words in order).
        """
        lexical = self.store.lexical
        terms: list[str] = []
        unknown: list[str] = []
        words = question.split()
        i = 0
        while i < len(words):
            word = words[i]
            joined = self._joined(word, words[i + 1]) if i + 1 < len(words) and len(lexical) else []
            if joined:
                terms.extend(joined)
                i += 2
                continue
            i += 1
            bare = word.strip(_PUNCTUATION)
            found = tokenize(word)
            expansion = self._spelled_out(bare, found)
            if expansion:
                terms.extend(expansion)
                continue
            if "_" in word and any(lexical.knows(t) for t in found):
                # an identifier a store indexed before its words were tokens too ("idempotency_key" whole)
                found = [t for t in found if lexical.knows(t)]
            for term in found:
                if lexical.knows(term) or not len(lexical):
                    terms.append(term)
                    continue
                # The document's word with its accents ("Orsted" is "Ørsted"), else its closest spelling ("K200s"
                # is "K200"), else its letters and digits as the documents write them apart ("COVID19").
                close = lexical.unaccented(bare) or self._respelt(bare, term)
                apart = [] if close else self._cut_at_digits(term)
                if apart:
                    terms.extend(apart)
                    continue
                terms.append(close or term)
                if close is None:
                    unknown.append(bare)
        return terms, tuple(dict.fromkeys(unknown))

    def _spelled_out(self, word: str, own: list[str]) -> list[str]:
        """The collection's terms for a common abbreviation it does not hold but spells out ("CEO" where a release
        says "Chief Executive Officer", `names.spelled_out`), or []. `own`: the word's own terms."""
        lexical = self.store.lexical
        meaning = spelled_out(word.removesuffix("s").removesuffix("'")) if len(lexical) else None
        if not meaning or (own and all(lexical.knows(t) for t in own)):
            return []
        spelled = tokenize(meaning)
        return spelled if spelled and all(lexical.knows(t) for t in spelled) else []

    def _cut_at_digits(self, term: str) -> list[str]:
        """The collection's terms for a term it does not hold that runs letters and digits together, as the
        collection writes them apart ("covid19" -> "covid" where the documents say "COVID-19", "pr8perform" ->
        "pr", "perform"), or [] when it holds not every part. Words of letters alone are not cut
        ("takeaway" is no "take")."""
        parts = _LETTERS_OR_DIGITS.findall(term)
        # A number of one or two digits alone matches any date or count ("19" in "5 to 19 February" for
        # "COVID19"): the letters find the name and the premise checks read the number from the question.
        terms = [t for part in parts if not part.isdigit() or len(part) > 2 for t in tokenize(part)]
        if (
            len(parts) < 2
            or not any(t.isalpha() for t in terms)
            or not all(self.store.lexical.knows(t) for t in terms)
        ):
            return []
        return terms

    def _joined(self, first: str, second: str) -> list[str]:
        """The collection's term for two words of the question that it writes as one ("back up" -> "backup",
        "log in" -> "login", "gun powder" -> "gunpowder"), or [] when it has no such term ("to tally" is never
        "totally"). Where the collection uses the words apart more often than as one, their own terms come first
        ("set up" is mostly the documents' verb, "rank in" no "Rankin")."""
        second = second.strip(_PUNCTUATION)
        if not (first.isalpha() and second.isalpha()) or first.lower() in stopwords():
            return []  # "back, up" is no compound
        joined = tokenize(first + second)
        lexical = self.store.lexical
        if len(joined) != 1 or not lexical.knows(joined[0]):
            return []
        apart = [t for t in tokenize(first) + tokenize(second) if lexical.knows(t)]
        if apart and min(lexical.idf(t) for t in apart) < lexical.idf(joined[0]):
            return [*apart, *joined]
        return joined

    def _respelt(self, word: str, term: str) -> str | None:
        """The collection's closest spelling of a question's term it does not hold, or None (see `spell`). A
        common word is corrected only to another spelling of itself; a rarer English word (`ENGLISH_WORD_ZIPF`)
        of more than five letters also to a form with another ending ("spokesman" -> "spokesmen", "occurrence"
        -> "occur"), not to a word that differs inside ("replication" is not "replace", "strive" not "strike");
        a shorter one by a slip anywhere ("beech" -> "beach")."""
        close = self.store.lexical.closest(term) or self.store.lexical.closest_by_word(word)
        if not close or spelling_variant(term, close):
            return close
        frequency = zipf(word)
        if frequency >= COMMON_WORD_ZIPF:
            return None
        shorter = min(len(term), len(close))
        if (
            frequency >= ENGLISH_WORD_ZIPF
            and shorter > 5
            and len(commonprefix([term, close])) < 0.75 * shorter
        ):
            return None
        return close

    def passages(
        self,
        ranked: Sequence[tuple[str, float]],
        dense_rank: Mapping[str, int] | None = None,
        lexical_rank: Mapping[str, int] | None = None,
    ) -> list[Passage]:
        """Chunk ids with their scores, best first, as Passages (chunks whose manifest row is gone are skipped)."""
        rows = self.store.manifest.chunks_by_id([chunk_id for chunk_id, _ in ranked])
        docs = {}
        passages = []
        for chunk_id, score in ranked:
            row = rows.get(chunk_id)
            if row is None:  # vectors of a document whose manifest write did not land: ignore them
                continue
            if row.doc_id not in docs:
                docs[row.doc_id] = self.store.manifest.document(row.doc_id)
            doc = docs[row.doc_id]
            if doc is None:
                continue
            passages.append(
                Passage(
                    chunk_id=chunk_id,
                    doc_id=doc.doc_id,
                    source=doc.source,
                    start=row.start,
                    end=row.end,
                    text=doc.text[row.start : row.end],
                    score=score,
                    dense_rank=(dense_rank or {}).get(chunk_id),
                    lexical_rank=(lexical_rank or {}).get(chunk_id),
                )
            )
        return passages
