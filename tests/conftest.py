"""Fixtures: the real bundled embedder (loaded once), real embedded Chroma stores in temporary folders."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import Embedder
from index.settings import Settings
from qa import Assistant

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Assistant]:
    """An assistant over the two seed articles (read-only: tests that write use `fresh`)."""
    store = tmp_path_factory.mktemp("seeded-store")
    assistant = Assistant.open(store=store, embedder=embedder)
    report = assistant.index([SEEDS], progress=False)
    assert report.added and not report.failed
    yield assistant
    assistant.close()


@pytest.fixture
def fresh(tmp_path: Path, embedder: Embedder) -> Iterator[Assistant]:
    """An assistant over an empty store of its own."""
    assistant = Assistant.open(store=tmp_path / "store", embedder=embedder)
    yield assistant
    assistant.close()


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder holding a copy of the seed articles, free to edit."""
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder


@pytest.fixture(scope="module")
def frozen_heap() -> Iterator[None]:
    """The objects alive now (torch, the loaded data of earlier tests) kept out of garbage collection for a
    module. A model's stream stopped early ends in a full collection (`qa.generation.generative._abandon`):
    about 10 ms in a `qa serve` process, 200 ms in this test process's heap, for each such answer."""
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def squad_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """Settings of a store holding the SQuAD dev half (16 articles, about 700 chunks), indexed once per run
    and shared read-only by the tests that need a collection of that size."""
    from qa.evaluation.datasets import load_dataset

    settings = Settings(store=tmp_path_factory.mktemp("squad-store"), collection="squad")
    dataset = load_dataset(DATA / "squad-dev-v2.0.json")
    assert dataset.documents is not None
    with Assistant.open(settings=settings, embedder=embedder) as assistant:
        assistant.indexer(progress=False).index_documents(dataset.documents)
    return settings
