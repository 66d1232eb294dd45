"""Fit the answerer's feature weights and check its thresholds: `python -m qa.evaluation.tune DATASET [--sample N]`.

The weights in `qa.answering.extractive.WEIGHTS` come from here. It ranks each question's candidate sentences with a
conditional logit (softmax over the candidates; the positives are the sentences that hold a gold answer inside a
gold span), fitted on the questions of half the documents and checked on the other half, so the printed held-out
figures are honest. It then prints answer recall, false refusals, refusal accuracy and answer length for a grid of
`join_probability`, `cover` and `refuse_below` values, on the held-out half.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.answering.evidence import Sentence
from qa.answering.extractive import FEATURES, AnswerConfig, ExtractiveAnswerer, feature_matrix
from qa.answering.kinds import question_kind
from qa.evaluation.datasets import Item, load_dataset
from qa.evaluation.eval import open_for
from qa.evaluation.metrics import contains_answer

log = logging.getLogger(__name__)

Example = tuple[Item, str, list[Sentence]]


def collect(dataset: Path, out: Path, sample: int | None, seed: int) -> list[Example]:
    """Every sampled question with its candidate sentences, as the real pipeline finds them."""
    assistant, items = open_for(load_dataset(dataset), None, out)
    if sample and sample < len(items):
        items = random.Random(seed).sample(items, sample)
    assistant.warm_up()
    examples = []
    for item in tqdm(items, desc="candidates", unit="q"):
        retrieval = assistant.retriever.retrieve(item.turns[-1], k=10)
        candidates, _ = assistant.answerer._candidates(retrieval)
        examples.append((item, item.turns[-1], candidates))
    assistant.close()
    return examples


def is_positive(item: Item, s: Sentence) -> bool:
    return contains_answer(s.text, item.answers) and any(
        g.start < s.end and s.start < g.end for g in item.gold
    )


def fit(examples: list[Example], l2: float = 1e-3) -> np.ndarray:
    """Weights maximising the probability of the positive sentences among each question's candidates."""
    from scipy.optimize import minimize

    groups = []
    for item, question, candidates in examples:
        labels = np.array([is_positive(item, s) for s in candidates], dtype=float)
        if candidates and labels.any():
            groups.append((feature_matrix(question_kind(question), candidates), labels))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mass = float(p @ y)
            total -= np.log(mass + 1e-12)
            grad += x.T @ p - x.T @ (p * y / (mass + 1e-12))
        return total / len(groups) + l2 * float(w @ w), grad / len(groups) + 2 * l2 * w

    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x


def measure(examples: list[Example], config: AnswerConfig) -> dict[str, float]:
    """Answer recall, answer in the first sentence, false refusals, refusal accuracy and median words."""
    answerer = ExtractiveAnswerer(None, config)  # type: ignore[arg-type]  # select() needs no store
    hits, top1, false_refusals, refusals, words = [], [], [], [], []
    for item, question, candidates in examples:
        draft = answerer.select(question, candidates)
        text = " ".join(s.text for s in draft.sentences)
        if not item.answerable:
            refusals.append(draft.refused)
            continue
        false_refusals.append(draft.refused)
        hits.append(not draft.refused and contains_answer(text, item.answers))
        top1.append(bool(draft.sentences) and contains_answer(draft.sentences[0].text, item.answers))
        if not draft.refused:
            words.append(len(text.split()))
    return {
        "answer_recall": float(np.mean(hits)),
        "first_sentence": float(np.mean(top1)),
        "false_refusal": float(np.mean(false_refusals)),
        "refusal_accuracy": float(np.mean(refusals)) if refusals else float("nan"),
        "median_words": statistics.median(words) if words else 0.0,
    }


def split_by_document(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Two halves whose answerable questions come from different documents (nothing is learnt about a held-out
    article); unanswerable questions, which have no gold span, alternate between the halves."""
    docs = sorted({item.gold[0].doc for item, _, _ in examples if item.gold})
    train_docs = set(docs[::2])
    train: list[Example] = []
    test: list[Example] = []
    for n, example in enumerate(examples):
        item = example[0]
        in_train = item.gold[0].doc in train_docs if item.gold else n % 2 == 0
        (train if in_train else test).append(example)
    return train, test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa.evaluation.tune", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("dataset", type=Path)
    parser.add_argument(
        "--out", type=Path, default=Path("eval-out"), help="where the dataset's store is kept"
    )
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    examples = collect(args.dataset, args.out, args.sample, args.seed)
    train, test = split_by_document(examples)
    weights = fit(train)
    print(f"{len(train)} training questions, {len(test)} held out (other documents)")
    print("WEIGHTS = (" + ", ".join(f"{w:.2f}" for w in weights) + ")  # " + ", ".join(FEATURES))
    current = AnswerConfig()
    variants = (
        ("current", current),
        ("current, lead by score", replace(current, lead_by_kind=False)),
        ("fitted", replace(current, weights=tuple(weights))),
    )
    for name, config in variants:
        print(name, "held out:", {k: round(v, 3) for k, v in measure(test, config).items()})
    fitted = replace(current, weights=tuple(round(float(w), 2) for w in weights))
    print("join_probability cover -> held-out figures with the fitted weights")
    for join in (0.08, 0.1, 0.105, 0.11, 0.12):
        for cover in (0.7, 0.8, 0.9):
            config = replace(fitted, join_probability=join, cover=cover)
            print(f"{join:5} {cover:5}", {k: round(v, 3) for k, v in measure(test, config).items()})
    print("refuse_below -> held-out figures with the fitted weights")
    for refuse in (0.6, 0.65, 0.7, 0.75, 0.8):
        config = replace(fitted, refuse_below=refuse, kind_refuse_below=refuse)
        print(f"{refuse:5}", {k: round(v, 3) for k, v in measure(test, config).items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
