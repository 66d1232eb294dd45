"""Train the sentence reranker (`qa/answering/reranker.py`): `python -m qa.evaluation.train_reranker DATASET ...`.

The candidates are `qa.evaluation.tune`'s (the real pipeline's, on the same stores), split by article the same
way, so the held-out articles are the ranker's held-out articles too.

1. Each answerable question of the training articles with an answering sentence among the ranker's best
   candidates gives a group: its answering sentences and the ranker's `--negatives` best others. Only low-rank
   adapters on every linear map of the bundled MiniLM and a linear head train (AdamW, linear decay), listwise:
   the softmax of the model's scores over an answering sentence and `--sample` others should put its mass on
   the answering one.
2. The weight of its score beside the ranker's is fitted on scores it gave to questions it did not train on:
   two models, each trained on half of the training articles, score the other half (cross-fitting); the weight
   maximises the likelihood of the answering sentences among the ranker's best `--top`.
3. The model trained on all training articles is written to `--to` (`qa/answering/reranker.npz`); `--evaluate`
   then measures it held out through the answerer's own selection, with and without it, and records those
   figures in the file.

Trained on the ranker's residual instead (the softmax of the ranker's score plus the model's), it learnt
nothing: held-out figures were those of the ranker alone, within 0.001.

About 35 minutes on 2 cores for the SQuAD dev half's 6,078 questions and COVID-QA's 948 (`--cache` keeps the
collected candidates for the next run).
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.answering.features import feature_matrix
from qa.answering.kinds import question_kind
from qa.answering.ranker import Ranker
from qa.answering.ranker import load as load_ranker
from qa.answering.reranker import ADAPTED, DEFAULT_PATH, mean_states
from qa.evaluation.tune import Example, collect, is_positive, per_dataset, split_by_document

log = logging.getLogger(__name__)


def _ranked(ranker: Ranker, e: Example) -> tuple[list[int], np.ndarray]:
    """The candidates' indices, best first by the ranker, and their scores in that order."""
    if not e.candidates:
        return [], np.zeros(0)
    s = ranker.scores(feature_matrix(e.question, question_kind(e.question), e.candidates))
    order = [int(i) for i in np.argsort(-s, kind="stable")]
    return order, s[order]


class _Model:
    """The bundled MiniLM with adapters and a head, in training form (torch)."""

    def __init__(self, rank: int, scale: float, seed: int) -> None:
        import torch
        from torch import nn
        from transformers import AutoModel, AutoTokenizer

        from index.embed import model_path

        torch.manual_seed(seed)

        class Adapted(nn.Module):
            def __init__(self, base: nn.Linear) -> None:
                super().__init__()
                self.base = base
                self.a = nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
                self.b = nn.Parameter(torch.zeros(base.out_features, rank))

            def forward(self, x: Any) -> Any:
                return self.base(x) + (x @ self.a.T @ self.b.T) * scale

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_path())
        self.bert = AutoModel.from_pretrained(model_path())
        for p in self.bert.parameters():
            p.requires_grad = False
        self.adapters: dict[str, Any] = {}
        for n, layer in enumerate(self.bert.encoder.layer):
            for name in ADAPTED:
                parent, _, leaf = name.rpartition(".")
                holder = layer.get_submodule(parent)
                adapted = Adapted(getattr(holder, leaf))
                setattr(holder, leaf, adapted)
                self.adapters[f"{n}.{name}"] = adapted
        self.head = nn.Linear(self.bert.config.hidden_size, 1)

    def parameters(self) -> list[Any]:
        return [p for a in self.adapters.values() for p in (a.a, a.b)] + list(self.head.parameters())

    def scores(self, question: str, texts: Sequence[str]) -> Any:
        return self.head(mean_states(self.tokenizer, self.bert, question, texts)).squeeze(-1)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {}
        for key, a in self.adapters.items():
            out[f"{key}.a"] = a.a.detach().numpy().astype(np.float32)
            out[f"{key}.b"] = a.b.detach().numpy().astype(np.float32)
        out["head.weight"] = self.head.weight.detach().numpy().astype(np.float32)
        out["head.bias"] = self.head.bias.detach().numpy().astype(np.float32)
        return out


Group = tuple[str, list[tuple[str, float]], list[tuple[str, float]]]


def groups_of(examples: Sequence[Example], ranker: Ranker, negatives: int) -> list[Group]:
    """(question, answering sentences, other sentences): the answering ones and the `negatives` best others
    among each question's candidates by the ranker, each sentence with the ranker's score."""
    groups = []
    for e in examples:
        order, scores = _ranked(ranker, e)
        ranked = [(e.candidates[i], float(x)) for i, x in zip(order, scores, strict=True)]
        positive = [(s.text, x) for s, x in ranked[: 2 * negatives] if is_positive(e.item, s)]
        negative = [(s.text, x) for s, x in ranked if not is_positive(e.item, s)][:negatives]
        if positive and negative:
            groups.append((e.question, positive, negative))
    return groups


def train(
    groups: Sequence[Group],
    rank: int,
    scale: float,
    epochs: float,
    sample: int,
    seed: int,
    rate: float = 5e-4,
    accumulate: int = 4,
) -> _Model:
    """Adapters and head fitted to rank each group's answering sentence first."""
    model = _Model(rank, scale, seed)
    torch = model.torch
    torch.set_num_threads(2)
    rng = random.Random(seed)
    params = model.parameters()
    optimizer = torch.optim.AdamW(params, lr=rate, weight_decay=0.01)
    steps = max(1, int(len(groups) * epochs))
    warmup = min(100, steps // 10 + 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps)
    )
    order: list[int] = []
    while len(order) < steps:
        batch = list(range(len(groups)))
        rng.shuffle(batch)
        order += batch
    started, running = time.monotonic(), 0.0
    for step, g in enumerate(order[:steps]):
        question, positive, negative = groups[g]
        drawn = [rng.choice(positive), *rng.sample(negative, min(sample, len(negative)))]
        loss = -torch.log_softmax(model.scores(question, [t for t, _ in drawn]), 0)[0]
        (loss / accumulate).backward()
        if step % accumulate == accumulate - 1 or step == steps - 1:
            torch.nn.utils.clip_grad_norm_(params, 1.0)  # one run without it collapsed to constant scores
            optimizer.step()
            optimizer.zero_grad()
        schedule.step()
        running = 0.98 * running + 0.02 * float(loss.detach())
        if step % 200 == 0:
            log.warning("step %d/%d, loss %.3f, %.0f s", step, steps, running, time.monotonic() - started)
    return model


def cross_scores(model: _Model, examples: Sequence[Example], ranker: Ranker, top: int) -> list[np.ndarray]:
    """The model's scores of each question's best `top` candidates by the ranker (in the ranker's order)."""
    out = []
    with model.torch.inference_mode():
        for e in examples:
            order, _ = _ranked(ranker, e)
            texts = [e.candidates[i].text for i in order[:top]]
            out.append(model.scores(e.question, texts).numpy().astype(float) if texts else np.zeros(0))
    return out


def fit_weight(examples: Sequence[Example], scores: Sequence[np.ndarray], ranker: Ranker, top: int) -> float:
    """The weight w maximising the answering sentences' probability under softmax(ranker + w * reranker)
    over each question's best `top` candidates by the ranker."""
    from scipy.optimize import minimize_scalar

    rows = []
    for e, c in zip(examples, scores, strict=True):
        order, s = _ranked(ranker, e)
        labels = np.array([is_positive(e.item, e.candidates[i]) for i in order[:top]], dtype=float)
        if labels.any():
            rows.append((s[:top], c, labels))

    def loss(w: float) -> float:
        total = 0.0
        for s, c, y in rows:
            z = s + w * c
            p = np.exp(z - z.max())
            total -= float(np.log((p / p.sum()) @ y + 1e-12))
        return total / max(1, len(rows))

    return float(minimize_scalar(loss, bounds=(0.0, 5.0), method="bounded").x)


def save(model: _Model, path: Path, rank: int, scale: float, top: int, weight: float, about: dict) -> None:
    """The adapters, the head and what they are (`qa/answering/reranker.py` reads them)."""
    meta = {"rank": rank, "scale": scale, "top": top, "weight": round(weight, 4), "about": about}
    _write(path, model.arrays(), meta)


def _write(path: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    arrays = {**arrays, "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    staging = path.with_name(path.name + ".tmp")
    with staging.open("wb") as f:
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    staging.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa.evaluation.train_reranker", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("eval-out/tune"), help="where the stores are kept")
    parser.add_argument(
        "--cache", type=Path, help="keep the collected candidates in this file and reuse them"
    )
    parser.add_argument("--rank", type=int, default=16, help="rank of the adapters")
    parser.add_argument("--scale", type=float, default=2.0, help="the adapters' update is multiplied by this")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument(
        "--negatives", type=int, default=15, help="the ranker's best others a group draws from"
    )
    parser.add_argument("--sample", type=int, default=7, help="other sentences per group and step")
    parser.add_argument("--top", type=int, default=8, help="the ranker's best candidates it rescores")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--to", type=Path, default=DEFAULT_PATH, help="where the model is written")
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="only measure the model at --to held out, and record the figures",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    if args.cache and args.cache.exists():
        examples = pickle.loads(args.cache.read_bytes())
    else:
        examples = [e for path in args.datasets for e in collect(path, args.out / path.stem, 0, args.seed)]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(examples))
    if args.evaluate:
        figures = evaluate(examples, args.to)
        print("held out without the reranker:", figures["without"])
        print("held out with the reranker:   ", figures["with"])
        record(args.to, figures)
        return 0
    ranker = load_ranker()
    training, _ = split_by_document(examples)
    # Cross-fitting: each half of the training articles is scored by a model trained on the other half.
    articles = sorted({e.article for e in training})
    half = set(articles[::2])
    folds = [[e for e in training if (e.article in half) == side] for side in (True, False)]
    out_of_fold: dict[int, np.ndarray] = {}
    for n, (fit_on, score_on) in enumerate([(folds[0], folds[1]), (folds[1], folds[0])]):
        log.warning("fold %d: training on %d questions", n + 1, len(fit_on))
        fold_groups = groups_of(fit_on, ranker, args.negatives)
        model = train(fold_groups, args.rank, args.scale, args.epochs, args.sample, args.seed)
        for e, c in zip(score_on, cross_scores(model, score_on, ranker, args.top), strict=True):
            out_of_fold[id(e)] = c
    weight = fit_weight(training, [out_of_fold[id(e)] for e in training], ranker, args.top)
    print(f"weight of the reranker beside the ranker (fitted out of fold): {weight:.3f}")
    groups = groups_of(training, ranker, args.negatives)
    log.warning("final model: %d groups", len(groups))
    model = train(groups, args.rank, args.scale, args.epochs, args.sample, args.seed)
    path = args.to
    about: dict[str, Any] = {
        "trained_on": {
            name: sorted({e.article for e in training if e.dataset == name})
            for name in sorted({e.dataset for e in training})
        },
        "groups": len(groups),
        "command": "python -m qa.evaluation.train_reranker " + " ".join(str(p) for p in args.datasets),
    }
    save(model, path, args.rank, args.scale, args.top, weight, about)
    print(f"wrote {path}")
    return 0


def evaluate(examples: Sequence[Example], path: Path) -> dict[str, Any]:
    """Held-out figures through the answerer's own selection, without and with the reranker at `path`."""
    from qa.answering.reranker import Reranker
    from qa.evaluation.tune import _answerer

    ranker = load_ranker()
    _, held_out = split_by_document(examples)
    return {
        "without": per_dataset(held_out, _answerer(ranker)),
        "with": per_dataset(held_out, _answerer(ranker, reranker=Reranker(path))),
    }


def record(path: Path, held_out: dict[str, Any]) -> None:
    """Write the held-out figures into the model file's description."""
    arrays = dict(np.load(path))
    meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    meta["about"]["held_out"] = held_out
    _write(path, arrays, meta)


if __name__ == "__main__":
    raise SystemExit(main())
