"""The ranker: scores candidate sentences from their features (`features.py`); a softmax over a question's
candidates makes the scores probabilities that each holds the answer.

Two kinds share one interface: a linear model (a conditional logit, fitted over each question's candidates)
and gradient-boosted trees (LightGBM). `python -m qa.evaluation.tune` fits both on the training articles of
SQuAD and COVID-QA, checks them on the held-out articles of each, and writes the winner to `ranker.json`, which
is loaded here. The file says what it was fitted on and how it did held out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.errors import QAError
from qa.answering.features import FEATURES

DEFAULT_PATH = Path(__file__).with_name("ranker.json")


class Ranker(Protocol):
    """Scores candidates: one float per row of a feature matrix (candidates x FEATURES), higher is better."""

    def scores(self, x: np.ndarray) -> np.ndarray: ...


def softmax(scores: np.ndarray) -> np.ndarray:
    """The probability that each of a question's candidates holds the answer, from their scores (shape: n)."""
    odds = np.exp(scores - scores.max())
    return odds / odds.sum()


@dataclass(frozen=True)
class LinearRanker:
    """score = x @ weights (one weight per feature)."""

    weights: tuple[float, ...]

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ np.asarray(self.weights, dtype=float)

    @classmethod
    def of(cls, **weights: float) -> LinearRanker:
        """Weights by feature name; the others are 0."""
        unknown = set(weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features: {sorted(unknown)}")
        return cls(tuple(weights.get(f, 0.0) for f in FEATURES))


@dataclass(frozen=True)
class TreeRanker:
    """Gradient-boosted trees (LightGBM); the score is the model's raw score times `scale`, a temperature
    fitted so that the softmax of the scores is a calibrated probability."""

    model: str  # LightGBM's text format (`Booster.model_to_string`)
    scale: float = 1.0
    _booster: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        import lightgbm

        object.__setattr__(self, "_booster", lightgbm.Booster(model_str=self.model))

    def scores(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        return self.scale * np.asarray(self._booster.predict(x, raw_score=True, num_threads=1), dtype=float)


def from_dict(data: dict[str, Any]) -> Ranker:
    """A ranker from its saved form (`to_dict`).

    Raises:
        QAError: the file was written for other features than this build computes.
    """
    if list(data.get("features", [])) != list(FEATURES):
        raise QAError("the answer ranker was fitted on other features: run `make tune` to refit it")
    if data["kind"] == "linear":
        return LinearRanker(tuple(float(w) for w in data["weights"]))
    if data["kind"] == "trees":
        return TreeRanker(data["model"], float(data["scale"]))
    raise QAError(f"unknown ranker kind {data['kind']!r} in the ranker file")


def to_dict(ranker: Ranker, about: dict[str, Any]) -> dict[str, Any]:
    """The saved form of a ranker, with `about` (what it was fitted on, held-out figures)."""
    if isinstance(ranker, LinearRanker):
        body: dict[str, Any] = {"kind": "linear", "weights": [round(w, 4) for w in ranker.weights]}
    elif isinstance(ranker, TreeRanker):
        body = {"kind": "trees", "scale": ranker.scale, "model": ranker.model}
    else:
        raise TypeError(type(ranker))
    return {"features": list(FEATURES), **body, "about": about}


@lru_cache(maxsize=4)
def load(path: Path = DEFAULT_PATH) -> Ranker:
    """The shipped ranker (read once per process)."""
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
