"""The sentence reranker: a cross-encoder that reads the question and a candidate sentence together.

The ranker (`ranker.py`) scores a sentence from features measured on it apart from the question's meaning:
word overlap, the two texts' embeddings compared from afar. A cross-encoder attends from every word of the
question to every word of the sentence, so it can tell the sentence that answers from the one that echoes the
question ("Some DUSPs are also known as MAPK phosphatases (MKPs)." against "At least 10 MKPs have been
identified ..."). No such model ships in a registry package, so ours is the bundled embedder
(all-MiniLM-L6-v2) fine-tuned for it: low-rank adapters (LoRA: Hu et al., 2021) on each layer's linear maps
and a linear head on the mean of the last layer's token states, trained listwise (the answering sentence
against the ranker's best other candidates of the same question) by `python -m qa.evaluation.train_reranker`
on the training articles of the SQuAD dev half and COVID-QA. Only the adapters and the head are shipped
(`reranker.npz`, about 2.5 MB); they are merged into the bundled weights at load.

It rescores the ranker's best `top` candidates of each question; the answerer adds its score to the ranker's
with the weight the training fitted on questions it did not train on (`Reranker.weight`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import model_path, onnx_graph
from index.errors import QAError

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("reranker.npz")
# The linear maps of each BERT layer that carry adapters (names under `encoder.layer.N.`).
ADAPTED = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
# Question and sentence together are cut to this many word pieces (a sentence past it loses its end).
MAX_TOKENS = 160
HIDDEN = 384  # all-MiniLM-L6-v2's hidden size
PAIRS_PER_PASS = 4
# Scores kept per (question, sentence) before the cache is emptied (about 100 bytes each).
CACHE_PAIRS = 50_000


@dataclass(frozen=True)
class RerankerInfo:
    """What the shipped file says about itself: adapter rank and scale, how many candidates it rescores, the
    weight of its score beside the ranker's, and what it was trained on."""

    rank: int
    scale: float
    top: int
    weight: float
    about: dict[str, Any]


class Reranker:
    """Scores (question, sentence) pairs: higher means more likely to answer. On CPU, like the embedder: the
    merged model exported to a fused ONNX graph once (cached beside the embedder's, `index.embed.cache_dir()`),
    in fp32: int8 weights moved its scores by up to 1.3 and changed the best of 8 sentences for 7.5% of 40
    COVID-QA questions. Torch (the reference, the same scores within 1e-4) with `backend="torch"` or
    `QA_EMBEDDER=torch`, or when no graph can be made; `backend` says which runs.

    Raises:
        QAError: the weights file is missing, unreadable or made for another model shape.
    """

    def __init__(self, path: Path = DEFAULT_PATH, backend: str | None = None) -> None:
        try:
            arrays = dict(np.load(path))
            meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
            self.info = RerankerInfo(
                int(meta["rank"]),
                float(meta["scale"]),
                int(meta["top"]),
                float(meta["weight"]),
                meta["about"],
            )
            self.head_w = arrays.pop("head.weight").astype(np.float32).reshape(-1)
            self.head_b = float(arrays.pop("head.bias").reshape(-1)[0])
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise QAError(f"cannot read the sentence reranker's weights {path}: {exc!r}") from None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder: never reach for a hub
        self.backend = backend or ("torch" if os.environ.get("QA_EMBEDDER") == "torch" else "onnx")
        folder = merged_model(path, arrays, self.info.scale)
        self._encode: Any
        if self.backend != "torch":
            try:
                self._encode = _OnnxPairs(folder, onnx_graph(folder, name="sentence-reranker"))
            except Exception as exc:  # torch gives the same scores, slower
                log.warning("ONNX reranker unavailable (%s); using torch", str(exc).splitlines()[0][:200])
                self.backend = "torch"
        if self.backend == "torch":
            self._encode = _TorchPairs(folder)
        self._cache: dict[tuple[str, str], float] = {}
        log.info("sentence reranker loaded from %s (%s)", path, self.backend)

    @property
    def top(self) -> int:
        """How many of the ranker's best candidates it rescores."""
        return self.info.top

    @property
    def weight(self) -> float:
        """The weight of its score beside the ranker's."""
        return self.info.weight

    def scores(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """One score per sentence (shape: len(sentences)); an empty input gives an empty array. Scores are
        kept per (question, sentence), a bounded number of them: evaluations and conversations repeat."""
        known = {s: self._cache.get((question, s)) for s in dict.fromkeys(sentences)}
        missing = [s for s, x in known.items() if x is None]
        if missing:
            if len(self._cache) > CACHE_PAIRS:
                self._cache.clear()
            pooled = self._encode(question, missing)
            for s, x in zip(missing, pooled @ self.head_w + self.head_b, strict=True):
                known[s] = self._cache[(question, s)] = float(x)
        return np.array([known[s] for s in sentences], dtype=float)


class _OnnxPairs:
    """Mean of the last layer's token states for (question, sentence) pairs, by onnxruntime."""

    def __init__(self, folder: str, graph: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        self.tokenizer.no_padding()

    def __call__(self, question: str, sentences: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([(question, s) for s in sentences])
        out = np.zeros((len(sentences), HIDDEN), dtype=float)
        # By length, a few to a pass: little padding, where one pass pads every pair to the longest.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for at in range(0, len(order), PAIRS_PER_PASS):
            batch = order[at : at + PAIRS_PER_PASS]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                e = encodings[i]
                n = len(e.ids)
                ids[row, :n], types[row, :n], mask[row, :n] = e.ids, e.type_ids, 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            hidden = self.session.run(None, feed)[0]
            out[batch] = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return out


class _TorchPairs:
    """The same by torch (the reference)."""

    def __init__(self, folder: str) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder).eval()

    def __call__(self, question: str, sentences: list[str]) -> np.ndarray:
        with self.torch.inference_mode():
            return np.asarray(mean_states(self.tokenizer, self.model, question, sentences), dtype=float)


def mean_states(tokenizer: Any, model: Any, question: str, sentences: Sequence[str]) -> Any:
    """Mean of the last layer's token states for (question, sentence) pairs by a transformers tokenizer and
    model: a torch tensor (shape: len(sentences) x hidden size). Training and the torch path share it."""
    batch = tokenizer(
        [question] * len(sentences),
        list(sentences),
        truncation="only_second",
        max_length=MAX_TOKENS,
        padding=True,
        return_tensors="pt",
    )
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1)


def merged_model(path: Path, arrays: dict[str, np.ndarray], scale: float) -> str:
    """A model folder holding the bundled model with the adapters merged in (made once, cached by the weights
    file's content and the bundled model's path; the tokenizer and configuration are the bundled model's).

    Raises:
        QAError: an adapter does not fit the bundled model.
    """
    from filelock import FileLock

    from index.embed import cache_dir

    base = Path(model_path())
    key = hashlib.sha256(path.read_bytes() + str(base.resolve()).encode()).hexdigest()[:12]
    folder = cache_dir() / f"reranker-{key}"
    if (folder / "model.safetensors").exists():
        return str(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if not (folder / "model.safetensors").exists():
            from transformers import AutoModel
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            log.info("merging the sentence reranker into the bundled model at %s (once)", folder)
            staging = folder.with_name(folder.name + f".{os.getpid()}.tmp")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(base, staging, ignore=shutil.ignore_patterns("model.safetensors", "*.onnx"))
            model = AutoModel.from_pretrained(str(base)).eval()
            merge(model, arrays, scale)
            model.save_pretrained(str(staging))
            shutil.rmtree(folder, ignore_errors=True)
            staging.replace(folder)
    return str(folder)


def merge(model: Any, arrays: dict[str, np.ndarray], scale: float) -> None:
    """Add each adapter's low-rank update to the weight it adapts: W + scale * B @ A (in place).

    Raises:
        QAError: an adapter does not fit the model (another base model, another shape).
    """
    import torch

    layers = model.encoder.layer
    for n, layer in enumerate(layers):
        for name in ADAPTED:
            a, b = arrays.get(f"{n}.{name}.a"), arrays.get(f"{n}.{name}.b")
            if a is None or b is None:
                raise QAError(f"the sentence reranker's weights lack layer {n}'s {name}: refit it")
            linear = layer.get_submodule(name)
            if linear.weight.shape != (b.shape[0], a.shape[1]):
                raise QAError("the sentence reranker was trained on another model: refit it")
            with torch.no_grad():
                linear.weight += scale * torch.from_numpy((b @ a).astype(np.float32))


def rescore(question: str, texts: Sequence[str], scores: np.ndarray, reranker: Reranker) -> np.ndarray:
    """The ranker's scores with the reranker's added (times its weight) for the ranker's best `reranker.top`
    candidates; the others get the lowest of those additions, so that their order among themselves stays.

    Args:
        texts: the candidates' sentences; scores: the ranker's scores of them (shape: len(texts)).
    """
    if len(scores) == 0:
        return scores
    top = np.argsort(-scores, kind="stable")[: reranker.top]
    added = reranker.weight * reranker.scores(question, [texts[i] for i in top])
    out = scores + added.min()
    out[top] = scores[top] + added
    return out


@lru_cache(maxsize=2)
def load(path: Path = DEFAULT_PATH) -> Reranker:
    """The shipped reranker (loaded once per process)."""
    return Reranker(path)


def main() -> int:
    """`python -m qa.answering.reranker`: merge the shipped reranker and export its graph now (`make install`
    does), not at the first question."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        reranker = load()
    except QAError as exc:
        log.error("%s", exc)
        return 1
    reranker.scores("Is it ready?", ["It is ready."])
    log.info("sentence reranker ready (%s)", reranker.backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
