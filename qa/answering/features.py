"""The ranker's features: one row per candidate sentence, from the signals `candidates.py` measured.

Besides how well a sentence matches the question, the features say what it adds: an answer of the asked kind
near the question's words, a number or a name the question does not give, terms of its own. And they say
where it stands: a sentence right after one that echoes the question is often the one that answers it
("Some DUSPs are also known as MAPK phosphatases (MKPs)." then "At least 10 MKPs have been identified ...").
"""

from __future__ import annotations

import math
import re

import numpy as np

from qa.answering.evidence import Sentence
from qa.answering.kinds import CUES, Kind

# The question's wh-word: answers to "why" and "how" look different from answers to "who" and "how many".
_WH = (
    ("how_many", re.compile(r"\bhow (many|much)\b", re.IGNORECASE)),
    ("why", re.compile(r"^\W*why\b", re.IGNORECASE)),
    ("how", re.compile(r"^\W*how\b", re.IGNORECASE)),
    ("who", re.compile(r"^\W*(who|whom|whose)\b", re.IGNORECASE)),
    ("when", re.compile(r"^\W*when\b", re.IGNORECASE)),
    ("where", re.compile(r"^\W*where\b", re.IGNORECASE)),
    ("which", re.compile(r"^\W*(which|in which|of which)\b", re.IGNORECASE)),
    ("what", re.compile(r"^\W*(what|in what)\b", re.IGNORECASE)),
)

FEATURES = (
    "dense",  # cosine similarity of sentence and question embeddings
    "overlap",  # IDF-weighted share of the question's terms in the sentence (aliases and pronouns resolved)
    "window",  # the same, over the sentence and the one before it
    "passage",  # fused retrieval score of the best passage holding the sentence (0 when none)
    "passage_rank",  # 1 / (1 + rank) of that passage (0 when none)
    "passage_lexical",  # 1 / (1 + its rank by BM25) (0 when none)
    "passage_dense",  # 1 / (1 + its rank by embedding) (0 when none)
    "doc_share",  # share of the retrieved passages' scores in the sentence's document
    "proximity",  # how close an answer of the asked kind stands to the question's terms
    "dense_gap",  # dense minus the best dense among the candidates
    "overlap_gap",  # overlap minus the best overlap among the candidates
    "dense_rank",  # 1 / (1 + rank) by dense among the candidates
    "overlap_rank",  # 1 / (1 + rank) by overlap among the candidates
    "bigrams",  # share of the question's (stemmed) bigrams found in the sentence
    "run",  # longest unbroken run of the question's terms in the sentence, as a share of them
    "bm25",  # Okapi BM25 of the sentence, over the best among the candidates
    "novelty",  # share of the sentence's terms that the question does not use
    "added",  # log(1 + terms the question does not use)
    "length",  # log(1 + terms in the sentence)
    "short",  # 1 for a sentence of fewer than 4 distinct terms (headings, fragments)
    "before_overlap",  # literal overlap of the sentence before it
    "after_overlap",  # ... and of the sentence after it
    "after_echo",  # how much better the sentence before it matches the question (0 when it does not)
    "number",  # holds a number the question does not give
    "name",  # names something the question does not
    "heading",  # a line of its own without punctuation or numbers
    "resolved",  # its pronoun subject refers to what the question names
    "kind_number",  # the question wants a number and the sentence has one it does not give
    "kind_date",  # ... a time (date, time of day, version, quarter, relative time)
    "kind_person",  # ... a person
    "kind_place",  # ... a place
    "kind_list",  # ... several names
    "kind_reason",  # ... a reason, and the sentence gives one
    "kind_quantity",  # ... most likely a number ("What was the attack rate?"), and the sentence has one
    # How close that answer stands to the question's words, for each kind ("Quds Force commander Esmail
    # Qaani" answers "Who commands the Quds Force?"; a name far from them, less so).
    *(f"near_{kind.value}" for kind in Kind),
    *(f"cue_{name}" for name in CUES),  # the question asks for a definition, a finding, an example, a method
    *(f"wh_{name}" for name, _ in _WH),
)
_KIND_FEATURE = {
    Kind.NUMBER: "kind_number",
    Kind.DATE: "kind_date",
    Kind.PERSON: "kind_person",
    Kind.PLACE: "kind_place",
    Kind.LIST: "kind_list",
    Kind.REASON: "kind_reason",
    Kind.QUANTITY: "kind_quantity",
}
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def wh_word(question: str) -> str | None:
    """The question's wh-word class (`how_many`, `why`, `how`, `who`, ...), or None."""
    return next((name for name, pattern in _WH if pattern.search(question)), None)


def _inverse_ranks(values: np.ndarray) -> np.ndarray:
    """1 / (1 + rank), best first, equal values sharing the better rank (candidates come in no meaningful
    order, so a tie must not depend on it)."""
    ranks = (values[None, :] > values[:, None]).sum(axis=1)
    return 1.0 / (1.0 + ranks)


def feature_matrix(question: str, kind: Kind | None, candidates: list[Sentence]) -> np.ndarray:
    """One FEATURES row per candidate (shape: candidates x FEATURES) for `question`, which asks for `kind`."""
    x = np.zeros((len(candidates), len(FEATURES)), dtype=float)
    if not candidates:
        return x
    dense = np.array([s.dense for s in candidates])
    overlap = np.array([s.overlap for s in candidates])
    x[:, _INDEX["dense_rank"]] = _inverse_ranks(dense)
    x[:, _INDEX["overlap_rank"]] = _inverse_ranks(overlap)
    best_dense, best_overlap = dense.max(), overlap.max()
    best_bm25 = max(s.bm25 for s in candidates)
    kind_column = _INDEX[_KIND_FEATURE[kind]] if kind is not None else None
    wh = wh_word(question)
    for i, s in enumerate(candidates):
        row = x[i]
        row[_INDEX["dense"]] = s.dense
        row[_INDEX["overlap"]] = s.overlap
        row[_INDEX["window"]] = s.window
        row[_INDEX["passage"]] = s.passage
        row[_INDEX["passage_rank"]] = 1.0 / (1 + s.passage_rank) if s.passage_rank >= 0 else 0.0
        row[_INDEX["passage_lexical"]] = 1.0 / (1 + s.lexical_rank) if s.lexical_rank >= 0 else 0.0
        row[_INDEX["passage_dense"]] = 1.0 / (1 + s.dense_rank) if s.dense_rank >= 0 else 0.0
        row[_INDEX["doc_share"]] = s.doc_share
        row[_INDEX["proximity"]] = s.proximity
        row[_INDEX["dense_gap"]] = s.dense - best_dense
        row[_INDEX["overlap_gap"]] = s.overlap - best_overlap
        row[_INDEX["bigrams"]] = s.bigrams
        row[_INDEX["run"]] = s.run
        row[_INDEX["bm25"]] = s.bm25 / best_bm25 if best_bm25 > 0 else 0.0
        row[_INDEX["novelty"]] = s.novelty
        row[_INDEX["added"]] = math.log1p(s.added)
        row[_INDEX["length"]] = math.log1p(s.terms)
        row[_INDEX["short"]] = float(s.terms < 4)
        row[_INDEX["before_overlap"]] = s.before_overlap
        row[_INDEX["after_overlap"]] = s.after_overlap
        row[_INDEX["after_echo"]] = max(0.0, s.before_overlap - s.overlap)
        row[_INDEX["number"]] = float(s.number)
        row[_INDEX["name"]] = float(s.name)
        row[_INDEX["heading"]] = float(s.heading)
        row[_INDEX["resolved"]] = float(s.antecedent is not None)
        if kind_column is not None and s.kind_ok:
            row[kind_column] = 1.0
        if kind is not None:
            row[_INDEX[f"near_{kind.value}"]] = s.proximity
        for name in s.cues:
            row[_INDEX[f"cue_{name}"]] = 1.0
        if wh is not None:
            row[_INDEX[f"wh_{wh}"]] = 1.0
    return x
