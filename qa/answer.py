"""The extractive answerer: picks the sentences that answer the question, or refuses.

Candidates are the sentences of the best passages and the sentences closest to the question by embedding.
Each is scored on dense similarity, IDF-weighted overlap with the question's terms (alone and with the
sentence before it, which often names what a pronoun refers to), the rank of its passage, and whether it holds
the kind of answer asked for. The refusal gate looks at how well the best candidates match the question.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from index.lexical import LexicalIndex, tokenize
from index.manifest import SpanRow
from index.store import Store
from qa.answer_type import Kind, has_kind, proximity, question_kind
from qa.retrieve import Retrieval


@dataclass(frozen=True)
class AnswerConfig:
    """Weights and thresholds (tuned with `qa eval` on SQuAD and the seed questions; README, Quality)."""

    passages: int = 5  # candidates come from this many top passages
    # Grid-searched on 1,500 SQuAD 2.0 questions (answer recall against median answer length).
    dense_weight: float = 2.0
    overlap_weight: float = 1.0
    window_weight: float = 0.3
    passage_weight: float = 0.3
    kind_weight: float = 0.3
    proximity_weight: float = 0.3
    second_margin: float = 0.3  # a second sentence joins the answer when it scores this close to the best
    max_sentences: int = 3
    extra_relevance: float = 0.5  # sentences after the first need at least this dense + overlap
    # Refusal: a candidate is relevant when dense + overlap reaches this; none relevant -> "don't say".
    refuse_below: float = 0.75
    # Number and date questions also need a relevant candidate that holds a number or date.
    kind_refuse_below: float = 0.75


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence with its features and score."""

    id: str
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    dense: float = 0.0
    overlap: float = 0.0
    window: float = 0.0
    passage: float = 0.0
    kind_ok: bool = True
    proximity: float = 0.0
    score: float = 0.0

    @property
    def relevance(self) -> float:
        """Absolute match to the question (unlike `score`, comparable across questions)."""
        return self.dense + self.overlap


@dataclass(frozen=True)
class Draft:
    """The answerer's choice: sentences to quote, best first, or a refusal."""

    sentences: list[Sentence]
    refused: bool
    kind: Kind | None


def term_overlap(lexical: LexicalIndex, query: set[str], text_tokens: set[str]) -> float:
    """IDF-weighted share of the question's terms that the text contains (0..1)."""
    if not query:
        return 0.0
    total = sum(lexical.idf(t) for t in query)
    return sum(lexical.idf(t) for t in query & text_tokens) / total if total else 0.0


class ExtractiveAnswerer:
    """Chooses answer sentences from retrieved passages."""

    def __init__(self, store: Store, config: AnswerConfig | None = None) -> None:
        self.store = store
        self.config = config or AnswerConfig()

    def draft(self, retrieval: Retrieval) -> Draft:
        """Score the candidate sentences and decide: quote the best ones, or refuse."""
        return self.select(retrieval.question, self._candidates(retrieval))

    def select(self, question: str, candidates: list[Sentence]) -> Draft:
        """Score candidates with this answerer's weights, then pick the answer sentences or refuse."""
        cfg = self.config
        kind = question_kind(question)
        if not candidates:
            return Draft([], True, kind)
        ranked = sorted((replace(s, score=self._score(s, kind)) for s in candidates), key=lambda s: -s.score)
        relevant = [s for s in ranked if s.relevance >= cfg.refuse_below]
        if kind in (Kind.NUMBER, Kind.DATE):
            relevant = [s for s in relevant if s.kind_ok and s.relevance >= cfg.kind_refuse_below]
        if not relevant:
            return Draft([], True, kind)
        best = relevant[0]
        chosen = [best]
        for other in ranked[1:]:
            if len(chosen) >= cfg.max_sentences or other.score < best.score - cfg.second_margin:
                break
            if other.relevance >= cfg.extra_relevance and other.text not in {c.text for c in chosen}:
                chosen.append(other)
        return Draft(chosen, False, kind)

    def _candidates(self, retrieval: Retrieval) -> list[Sentence]:
        cfg = self.config
        manifest = self.store.manifest
        passage_score: dict[str, float] = {}
        rows: dict[str, SpanRow] = {}
        for passage in retrieval.passages[: cfg.passages]:
            for row in manifest.sentences_within(passage.doc_id, passage.start, passage.end):
                rows[row.id] = row
                passage_score[row.id] = max(passage_score.get(row.id, 0.0), passage.score)
        dense = {hit.id: hit.similarity for hit in retrieval.sentence_hits}
        for hit in retrieval.sentence_hits:
            rows.setdefault(hit.id, SpanRow(hit.id, hit.doc_id, hit.start, hit.end))
        missing = [i for i in rows if i not in dense]
        vectors = self.store.sentences.vectors(missing)
        for id_, vec in vectors.items():
            dense[id_] = float(np.dot(vec, retrieval.query_vector))
        query = set(retrieval.query_tokens)
        kind = question_kind(retrieval.question)
        docs = {}
        out = []
        for id_, row in rows.items():
            if row.doc_id not in docs:
                docs[row.doc_id] = manifest.document(row.doc_id)
            doc = docs[row.doc_id]
            if doc is None:
                continue
            text = doc.text[row.start : row.end]
            tokens = set(tokenize(text))
            before = doc.text[max(0, row.start - 300) : row.start]
            window_tokens = tokens | set(tokenize(before.rsplit(".", 1)[-1] if "." in before else before))
            sentence = Sentence(
                id=id_,
                doc_id=row.doc_id,
                source=doc.source,
                start=row.start,
                end=row.end,
                text=text,
                dense=dense.get(id_, 0.0),
                overlap=term_overlap(self.store.lexical, query, tokens),
                window=term_overlap(self.store.lexical, query, window_tokens),
                passage=passage_score.get(id_, 0.0),
                kind_ok=has_kind(kind, text, retrieval.question),
                proximity=proximity(kind, text, retrieval.question, query),
            )
            out.append(sentence)
        return out

    def _score(self, s: Sentence, kind: Kind | None) -> float:
        cfg = self.config
        return (
            cfg.dense_weight * s.dense
            + cfg.overlap_weight * s.overlap
            + cfg.window_weight * s.window
            + cfg.passage_weight * s.passage
            + (cfg.kind_weight if kind is not None and s.kind_ok else 0.0)
            + cfg.proximity_weight * s.proximity
        )
