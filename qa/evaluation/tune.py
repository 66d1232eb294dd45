"""Fit the answer ranker and check it held out: `python -m qa.evaluation.tune DATASET [DATASET ...]`.

For every question of each dataset (SQuAD 2.0 JSON or seeds-qa JSONL), the real pipeline finds the candidate
sentences; a candidate is positive when it lies in a gold answer span and holds the answer (or part of an
answer that runs over several sentences). Each dataset is split by article: the questions of every other
article (sorted by name) train, the rest are held out, so nothing is learnt about a held-out article. Two rankers
are fitted on the training questions of all datasets together:

- linear: a conditional logit (softmax over each question's candidates, L2-regularised, L-BFGS);
- trees: LightGBM's lambdarank over each question's candidates, its scores scaled by a temperature fitted so
  that their softmax is a calibrated probability (the answerer's `cover` and `join_probability` read it).

Both are measured held out on each dataset through the answerer's own selection (answer recall, answer in
the first sentence, false refusals, refusals of unanswerable questions, median words); the one with the better
mean held-out answer recall is written to `qa/answering/ranker.json` with those figures (`--write`). A grid of
the selection thresholds follows, on the held-out questions.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from index.errors import QAError
from qa.answering.evidence import Sentence
from qa.answering.extractive import AnswerConfig, ExtractiveAnswerer, quoted
from qa.answering.features import FEATURES, feature_matrix
from qa.answering.kinds import question_kind
from qa.answering.ranker import DEFAULT_PATH, LinearRanker, Ranker, TreeRanker, softmax, to_dict
from qa.answering.reranker import Reranker
from qa.cite import number
from qa.evaluation.datasets import Item, load_dataset
from qa.evaluation.eval import open_for
from qa.evaluation.metrics import contains_answer
from qa.generation.verify import split_answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """One question with its candidates as the pipeline finds them."""

    dataset: str
    item: Item
    question: str
    candidates: list[Sentence]
    unknown: tuple[str, ...] = ()  # the question's words no document holds

    @property
    def article(self) -> str:
        return self.item.gold[0].doc if self.item.gold else ""


def collect(dataset: Path, out: Path, sample: int | None, seed: int) -> list[Example]:
    """Every sampled question of a dataset with its candidate sentences (the dataset is indexed under `out`)."""
    loaded = load_dataset(dataset)
    assistant, items = open_for(loaded, None, out)
    if sample and sample < len(items):
        items = random.Random(seed).sample(items, sample)
    assistant.warm_up()
    examples = []
    for item in tqdm(items, desc=f"candidates {loaded.name}", unit="q"):
        retrieval = assistant.retriever.retrieve(item.turns[-1], k=10)
        candidates, _ = assistant.answerer.finder.find(retrieval)
        examples.append(Example(loaded.name, item, item.turns[-1], candidates, retrieval.unknown))
    assistant.close()
    return examples


def is_positive(item: Item, s: Sentence) -> bool:
    """Does the candidate hold a gold answer, or the part of a longer answer that it covers (lying inside a
    gold span that runs over several sentences)? A sentence that holds the answer elsewhere than the annotated
    span counts: it answers as well ("2.2%" stated twice in an article)."""
    if contains_answer(s.text, item.answers):
        return True
    return any(
        g.doc == s.source and g.start < s.end and s.start < g.end and (g.start < s.start or g.end > s.end)
        for g in item.gold
    )


def split_by_document(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """Train and held-out questions, per dataset: every other article (sorted by name) trains; unanswerable
    questions of SQuAD, which carry no gold span, alternate."""
    train: list[Example] = []
    test: list[Example] = []
    for name in sorted({e.dataset for e in examples}):
        ours = [e for e in examples if e.dataset == name]
        docs = sorted({e.article for e in ours if e.article})
        train_docs = set(docs[::2])
        for n, e in enumerate(ours):
            in_train = e.article in train_docs if e.article else n % 2 == 0
            (train if in_train else test).append(e)
    return train, test


def _groups(examples: Sequence[Example]) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = []
    for e in examples:
        if not e.candidates:
            continue
        labels = np.array([is_positive(e.item, s) for s in e.candidates], dtype=float)
        if labels.any():
            groups.append((feature_matrix(e.question, question_kind(e.question), e.candidates), labels))
    return groups


def _softmax_loss(groups: list[tuple[np.ndarray, np.ndarray]], scores: list[np.ndarray], t: float) -> float:
    total = 0.0
    for (_, y), s in zip(groups, scores, strict=True):
        total -= float(np.log(softmax(s * t) @ y + 1e-12))
    return total / len(groups)


# The L2 penalty on the linear ranker's weights. Against 1e-3, 3e-4 put the answer in the first sentence for 0.470
# of the held-out COVID-QA questions against 0.457 and 0.801 of SQuAD's against 0.796 (answer recall 0.551 and
# 0.869 either way), and fitted on the other half of the articles, for 0.580 against 0.576 and 0.776 either way
# (2026-12-07, on the candidates of `--cache`; 1e-4 and 3e-5 did about as well as 3e-4).
L2 = 3e-4


def fit_linear(examples: Sequence[Example], l2: float = L2) -> LinearRanker:
    """Weights maximising the probability of the positive sentences among each question's candidates."""
    from scipy.optimize import minimize

    groups = _groups(examples)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in groups:
            p = softmax(x @ w)
            mass = float(p @ y)
            total -= np.log(mass + 1e-12)
            grad += x.T @ p - x.T @ (p * y / (mass + 1e-12))
        return total / len(groups) + l2 * float(w @ w), grad / len(groups) + 2 * l2 * w

    weights = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x
    return LinearRanker(tuple(float(w) for w in weights))


def fit_trees(examples: Sequence[Example], rounds: int = 300, leaves: int = 15, seed: int = 1) -> TreeRanker:
    """LightGBM lambdarank over each question's candidates, then a temperature that calibrates the softmax."""
    try:
        import lightgbm
    except ImportError:
        raise QAError("fitting trees needs LightGBM: pip install -e '.[tune]'") from None
    from scipy.optimize import minimize_scalar

    groups = _groups(examples)
    x = np.vstack([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    params = {
        "objective": "lambdarank",
        "num_leaves": leaves,
        "learning_rate": 0.05,
        "min_data_in_leaf": 20,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambdarank_truncation_level": 10,
        "seed": seed,
        "deterministic": True,
        "num_threads": 2,
        "verbose": -1,
    }
    data = lightgbm.Dataset(x, y, group=[len(g[1]) for g in groups], feature_name=list(FEATURES))
    booster = lightgbm.train(params, data, num_boost_round=rounds)
    scores = [np.asarray(booster.predict(g[0], raw_score=True), dtype=float) for g in groups]
    t = minimize_scalar(lambda t: _softmax_loss(groups, scores, t), bounds=(0.05, 20), method="bounded").x
    return TreeRanker(booster.model_to_string(), float(t))


def measure(examples: Sequence[Example], answerer: ExtractiveAnswerer) -> dict[str, float]:
    """Answer recall, answer in the first sentence, false refusals, refusals of unanswerable questions and
    median words, through the answerer's selection and the Answer's own text."""
    hits, first, false_refusals, refusals, words = [], [], [], [], []
    for e in examples:
        draft = answerer.select(e.question, e.candidates, e.unknown)
        text = "" if draft.refused else number(quoted(draft.sentences))[0]
        if not e.item.answerable:
            refusals.append(draft.refused)
            continue
        false_refusals.append(draft.refused)
        hits.append(not draft.refused and contains_answer(text, e.item.answers))
        lead = split_answer(text)[0][0] if text else ""
        first.append(not draft.refused and contains_answer(lead, e.item.answers))
        if not draft.refused:
            words.append(len(text.split()))
    return {
        "answer_recall": float(np.mean(hits)) if hits else float("nan"),
        "first_sentence": float(np.mean(first)) if first else float("nan"),
        "false_refusal": float(np.mean(false_refusals)) if false_refusals else float("nan"),
        "refusal_accuracy": float(np.mean(refusals)) if refusals else float("nan"),
        "median_words": statistics.median(words) if words else 0.0,
    }


def per_dataset(examples: Sequence[Example], answerer: ExtractiveAnswerer) -> dict[str, dict[str, float]]:
    names = sorted({e.dataset for e in examples})
    return {
        name: {
            k: round(v, 3) for k, v in measure([e for e in examples if e.dataset == name], answerer).items()
        }
        for name in names
    }


def _answerer(
    ranker: Ranker, config: AnswerConfig | None = None, reranker: Reranker | None = None
) -> ExtractiveAnswerer:
    # select() needs no store
    return ExtractiveAnswerer(None, config, ranker=ranker, reranker=reranker or False)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa.evaluation.tune", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("eval-out/tune"), help="where the stores are kept")
    parser.add_argument("--sample", type=int, default=3000, help="questions per dataset at most")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the winner to qa/answering/ranker.json")
    parser.add_argument(
        "--cache", type=Path, help="keep the collected candidates in this file and reuse them"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.cache and args.cache.exists():
        examples = pickle.loads(args.cache.read_bytes())
    else:
        examples = [
            e for path in args.datasets for e in collect(path, args.out / path.stem, args.sample, args.seed)
        ]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(examples))
    train, test = split_by_document(examples)
    print(f"{len(train)} training questions, {len(test)} held out (other articles)")
    rankers: dict[str, Ranker] = {"linear": fit_linear(train), "trees": fit_trees(train)}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, ranker in rankers.items():
        results[name] = per_dataset(test, _answerer(ranker))
        print(name, "held out:", results[name])
    linear = rankers["linear"]
    assert isinstance(linear, LinearRanker)
    print("linear weights:", {f: round(w, 2) for f, w in zip(FEATURES, linear.weights, strict=True)})
    winner = max(results, key=lambda n: statistics.fmean(r["answer_recall"] for r in results[n].values()))
    best = rankers[winner]
    print(f"winner: {winner}")
    print("join_probability cover -> held-out figures")
    base = AnswerConfig()
    for join in (0.08, 0.11, 0.15, 0.2):
        for cover in (0.7, 0.8, 0.9):
            config = replace(base, join_probability=join, cover=cover)
            print(f"{join:5} {cover:5}", per_dataset(test, _answerer(best, config)))
    print("refuse_below -> held-out figures")
    for refuse in (0.6, 0.65, 0.7, 0.75):
        config = replace(base, refuse_below=refuse, kind_refuse_below=refuse)
        print(f"{refuse:5}", per_dataset(test, _answerer(best, config)))
    if args.write:
        about: dict[str, Any] = {
            "fitted_on": {
                name: sorted({e.article for e in train if e.dataset == name and e.article})
                for name in sorted({e.dataset for e in train})
            },
            "training_questions": len(train),
            "held_out": results[winner],
            "command": "python -m qa.evaluation.tune " + " ".join(str(p) for p in args.datasets),
        }
        DEFAULT_PATH.write_text(json.dumps(to_dict(best, about), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
