"""The sentence reranker (issue 20): the shipped cross-encoder loads from its file onto the bundled model, says
what it was trained on, gives torch's scores through ONNX, adds to the ranker's scores only for the best
candidates, and the answerer goes on without it when it cannot load."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index.embed import Embedder
from index.errors import BadInput, QAError
from index.settings import Settings
from qa import Assistant
from qa.answering.extractive import ExtractiveAnswerer
from qa.answering.reranker import DEFAULT_PATH, Reranker, load, rescore
from qa.cite import quote_problems

# Each: a question, a sentence that answers it, and one that repeats the question's words without answering.
PAIRS = [
    (
        "How many MAPK phosphatases exist?",
        "At least 10 MKPs have been identified in mammalian cells so far.",
        "Some DUSPs are also known as MAPK phosphatases (MKPs).",
    ),
    (
        "Why did the council close the bridge?",
        "Engineers found cracks in two of its supporting piers during the spring inspection.",
        "The council closed the bridge in March.",
    ),
    (
        "Who designed the lighthouse?",
        "Its plans were drawn by the engineer Thomas Halloran in 1861.",
        "The lighthouse was designed to withstand winter storms.",
    ),
]


@pytest.fixture(scope="module")
def reranker() -> Reranker:
    return load()


def test_the_shipped_reranker_says_what_it_is(reranker: Reranker) -> None:
    assert reranker.backend == "onnx"
    assert reranker.top >= 4 and reranker.weight > 0
    assert {"squad-dev-v2.0", "covid-qa-dev"} <= set(reranker.info.about["trained_on"])
    assert "held_out" in reranker.info.about


def test_onnx_gives_torch_scores(reranker: Reranker) -> None:
    reference = Reranker(DEFAULT_PATH, backend="torch")
    for question, answers, echoes in PAIRS:
        got = reranker.scores(question, [answers, echoes])
        assert np.allclose(got, reference.scores(question, [answers, echoes]), atol=1e-3)


def test_scores_are_kept_per_pair_and_repeated_sentences_score_alike(reranker: Reranker) -> None:
    question, answers, echoes = PAIRS[0]
    scores = reranker.scores(question, [answers, echoes, answers])
    assert scores[0] == scores[2] and len(scores) == 3
    assert reranker.scores(question, []).shape == (0,)


class _Fixed:
    """A reranker that gives fixed scores (pure logic of `rescore`)."""

    top = 2
    weight = 0.5

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        return np.array([{"a": 4.0, "b": -2.0, "c": 10.0, "d": 10.0}[s] for s in sentences])


def test_rescore_adds_to_the_best_candidates_and_shifts_the_rest_alike() -> None:
    scores = np.array([3.0, 1.0, 2.0, 0.5])  # the best two by the ranker: "a" (3.0) and "c" (2.0)
    got = rescore("q", ["a", "b", "c", "d"], scores, _Fixed())  # type: ignore[arg-type]
    # a: 3 + 0.5 * 4; c: 2 + 0.5 * 10; the others: + 0.5 * 4, the least added among the best two
    assert got.tolist() == [5.0, 3.0, 7.0, 2.5]
    assert rescore("q", [], np.zeros(0), _Fixed()).shape == (0,)  # type: ignore[arg-type]


def test_a_broken_weights_file_is_named_and_the_answerer_goes_on_without(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "reranker.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(QAError, match="reranker.npz"):
        Reranker(broken)
    headless = tmp_path / "headless.npz"
    meta = b'{"rank": 16, "scale": 2.0, "top": 8, "weight": 0.1, "about": {}}'
    np.savez(headless, meta=np.frombuffer(meta, dtype=np.uint8))
    with pytest.raises(QAError, match="headless.npz"):
        Reranker(headless)
    answerer = ExtractiveAnswerer(None, reranker=True)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as mp, caplog.at_level(logging.WARNING):
        mp.setattr("qa.answering.extractive.load_reranker", lambda: Reranker(broken))
        assert answerer.reranker is None
    assert "without the sentence reranker" in caplog.text and "reranker.npz" in caplog.text


def test_qa_reranker_switches_it_off_and_bad_values_are_named() -> None:
    assert Settings.load(env={"QA_RERANKER": "off"}).reranker == "off"
    assert ExtractiveAnswerer(None, reranker=False).reranker is None  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="QA_RERANKER"):
        Settings.load(env={"QA_RERANKER": "maybe"})


def test_qa_reranker_on_reranks_the_real_pipeline_and_off_is_the_default(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "The council closed the Old Mill bridge in March. Engineers had found cracks in two of its piers "
        "during the spring inspection. It reopened in October after repairs costing 2 million euros.",
        encoding="utf-8",
    )
    with Assistant.open(store=tmp_path / "store", embedder=embedder, reranker="on") as on:
        assert not on.index([folder], progress=False).failed
        assert on.answerer.reranker is not None
        answer = on.ask("How much did the repairs of the Old Mill bridge cost?")
        assert not answer.refused and "2 million euros" in answer.answer
        docs = {c.doc_id: on.document(c.doc_id) for c in answer.citations}
        assert quote_problems(answer.citations, docs) == []
    with Assistant.open(store=tmp_path / "store", embedder=embedder) as default:
        assert default.settings.reranker == "off" and default.answerer.reranker is None
