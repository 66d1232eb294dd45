"""The embedder's backends: fp32 onnxruntime gives torch's vectors, int8 stays within cosine 0.97 of them, the
default uses int8 only where the CPU makes it pay, and a broken cache is rebuilt."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index.embed import Embedder, TorchEncoder, int8_graph, model_path, onnx_graph

TEXTS = [
    "Who commands the Quds Force?",
    "Esmail Qaani took over the Quds Force in 2020, after a US drone strike killed Qassem Soleimani in Baghdad.",
    "short",
    " ".join(["a long passage about the history of Normandy and its dukes"] * 40),  # past the 256-piece limit
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(backend="torch")


def test_onnx_gives_torchs_vectors(torch_embedder: Embedder) -> None:
    embedder = Embedder(backend="onnx")
    onnx = embedder.embed(TEXTS)
    reference = torch_embedder.embed(TEXTS)
    assert embedder.backend == "onnx" and torch_embedder.backend == "torch"
    assert onnx.shape == (len(TEXTS), 384) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(onnx - reference).max()) < 1e-4
    # Batched by length: a text's vector does not depend on its neighbours.
    assert float(np.abs(embedder.embed(TEXTS[1:2])[0] - onnx[1]).max()) < 1e-5


def test_int8_stays_close_to_fp32(torch_embedder: Embedder) -> None:
    embedder = Embedder(backend="onnx-int8")
    quantised = embedder.embed(TEXTS)
    assert embedder.backend == "onnx-int8"
    reference = torch_embedder.embed(TEXTS)
    assert np.allclose(np.linalg.norm(quantised, axis=1), 1.0, atol=1e-5)
    cosines = (quantised * reference).sum(axis=1)
    assert float(cosines.min()) > 0.97 and float(cosines.mean()) > 0.98, cosines
    assert float(np.abs(quantised - reference).max()) > 1e-4  # really the quantised graph


def test_the_default_uses_int8_where_this_cpu_runs_it_faster(embedder: Embedder) -> None:
    """`auto` measures both graphs once per CPU (at install) and keeps the result beside the graph."""
    import json

    from index.cpu import describe
    from index.embed import INT8_MIN_SPEEDUP

    embedder.embed(TEXTS[:1])
    graph = onnx_graph(model_path())
    record = json.loads(int8_graph(graph).with_name(int8_graph(graph).stem + ".speed.json").read_text())
    assert record["cpu"] == describe() and set(record["seconds"]) == {"fp32", "int8"}
    pays = record["seconds"]["fp32"] >= INT8_MIN_SPEEDUP * record["seconds"]["int8"]
    assert record["int8"] is pays
    assert embedder.backend == ("onnx-int8" if pays else "onnx")


def test_an_unknown_embedder_is_named() -> None:
    from index.errors import BadInput

    with pytest.raises(BadInput, match="QA_EMBEDDER"):
        Embedder(backend="gpu")


def test_word_piece_counts_match_the_models_tokenizer(embedder: Embedder, torch_embedder: Embedder) -> None:
    encoder = torch_embedder.encoder
    assert isinstance(encoder, TorchEncoder)
    expected = [len(ids) for ids in encoder.model.tokenizer(TEXTS, add_special_tokens=False)["input_ids"]]
    assert embedder.count_tokens(TEXTS) == expected and expected[-1] > 256


def test_recent_texts_are_embedded_once_and_the_oldest_forgotten(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.embed

    monkeypatch.setattr(index.embed, "RECENT_TEXTS", 3)
    fresh = Embedder(backend=embedder.backend)
    fresh.encoder = embedder.encoder  # the loaded model, shared; its cache is the fresh one's own
    embedded: list[str] = []
    real = fresh.embed
    monkeypatch.setattr(fresh, "embed", lambda texts: (embedded.extend(texts), real(texts))[1])
    first = fresh.embed_recent(TEXTS[:3])
    again = fresh.embed_recent([TEXTS[1], TEXTS[0], TEXTS[1]])
    assert embedded == TEXTS[:3]  # nothing embedded twice, duplicates in one call included
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    np.testing.assert_allclose(first, embedder.embed(TEXTS[:3]), atol=1e-6)
    fresh.embed_recent([TEXTS[3]])  # a fourth text: the least recently used one (TEXTS[2]) goes
    fresh.embed_recent([TEXTS[0], TEXTS[2]])
    assert embedded == [*TEXTS[:3], TEXTS[3], TEXTS[2]]
    assert fresh.embed_recent([]).shape == (0, 384)


def test_an_unreadable_cached_graph_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("QA_MODEL_DIR", str(tmp_path))
    graph = int8_graph(onnx_graph(model_path()))  # exported and quantised into the empty cache
    graph.write_bytes(b"not an onnx graph")
    fresh = Embedder(backend="onnx-int8")
    with caplog.at_level(logging.WARNING, logger="index.embed"):
        vector = fresh.embed_query("Who commands the Quds Force?")
    assert fresh.backend == "onnx-int8" and "rebuilding" in caplog.text
    assert graph.stat().st_size > 1_000_000 and not list(tmp_path.glob("*.tmp"))
    assert float(np.dot(vector, Embedder(backend="torch").embed(TEXTS[:1])[0])) > 0.99


def test_pooled_vectors_are_the_weighted_mean_of_their_texts() -> None:
    """Pure logic: a span's vector from its texts' vectors, each weighing the square root of its word pieces."""
    from index.embed import pooled

    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    got = pooled(vectors, [1, 4, 9], [(0, 2), (1, 3), (2, 3)])
    expected = np.array([[1.0, 2.0], [0.0 + 3 * 0.6, 2.0 + 3 * 0.8], [0.6, 0.8]])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(got, expected, atol=1e-6)
    assert got.dtype == np.float32
    with pytest.raises(ValueError, match="span 1 holds no text"):
        pooled(vectors, [1, 4, 9], [(0, 1), (2, 2)])


def test_short_and_long_texts_batched_together_get_their_own_vectors() -> None:
    """Short texts go more to a batch than long ones; each text still gets its own vector (fp32, where a
    vector does not depend on its batch: int8's activations are quantised with the batch's range)."""
    embedder = Embedder(backend="onnx")
    words = "harbour lantern granite orchard violin glacier copper meadow falcon ember".split()
    texts = [
        f"The {words[i % 10]} stood near the {words[(i * 3 + 1) % 10]} for {i} years." for i in range(40)
    ]
    texts += TEXTS
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert float(np.abs(together - alone).max()) < 1e-4


def _graph_copies(folder: Path) -> tuple[Path, Path]:
    """The fp32 and int8 graphs copied into `folder` (a model folder of the test's own)."""
    import shutil

    graph = onnx_graph(model_path())
    copies = folder / graph.name, folder / int8_graph(graph).name
    shutil.copy(graph, copies[0])
    shutil.copy(int8_graph(graph), copies[1])
    return copies


@pytest.mark.parametrize(
    "kept",
    [
        {"cpu": "a CPU of long ago", "int8": True},  # a cache carried to another machine, or a CPU upgrade
        {"cpu": "this one", "int8": "false"},  # a string (truthy) is no decision
        ["not", "a", "record"],
    ],
)
def test_a_speed_record_that_does_not_hold_here_is_measured_again(tmp_path: Path, kept: object) -> None:
    import json

    from index.cpu import describe
    from index.embed import int8_pays

    copy, quantised = _graph_copies(tmp_path)
    record = quantised.with_name(quantised.stem + ".speed.json")
    if isinstance(kept, dict):
        kept = {
            **kept,
            "graph": quantised.name,
            "cpu": describe() if kept["cpu"] == "this one" else kept["cpu"],
        }
    record.write_text(json.dumps(kept))
    decision = int8_pays(model_path(), copy, quantised)
    fresh = json.loads(record.read_text())
    assert fresh["cpu"] == describe() and fresh["int8"] is decision
    assert set(fresh["seconds"]) == {"fp32", "int8"}


def test_a_read_only_model_folder_is_measured_without_keeping_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock and the record cannot be written: the decision is still made (no fall back to torch)."""
    import filelock

    from index.embed import int8_pays

    copy, quantised = _graph_copies(tmp_path)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    assert int8_pays(model_path(), copy, quantised) in (True, False)
    assert not list(tmp_path.glob("*.speed.json"))
