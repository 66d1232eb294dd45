"""Crash safety (issue 10): `qa index` is SIGKILLed at 20 seeded points of a run over the 16 SQuAD articles, each
in its own process. After a rerun, the store holds exactly what a clean build holds (documents, chunk and
sentence ids, BM25), also when a file was deleted or changed between the crash and the rerun."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from conftest import DATA, ROOT

from index import build
from index.embed import Embedder
from qa import Assistant

KILL_POINTS = 20
SEED = 10


def _articles() -> dict[str, str]:
    """File name -> text: the first paragraph of each SQuAD article (small, so that 20 runs stay quick)."""
    data = json.loads((DATA / "squad-dev-v2.0.json").read_text(encoding="utf-8"))["data"]
    return {f"{n:02d}-{a['title'][:30]}.txt": a["paragraphs"][0]["context"] for n, a in enumerate(data)}


def _state(store: Path, embedder: Embedder) -> dict[str, object]:
    with Assistant.open(store=store, embedder=embedder) as assistant:
        s = assistant.store
        return {
            "documents": sorted((d.doc_id, d.source) for d in assistant.documents()),
            "hashes": sorted(s.manifest.hashes().items()),
            "chunks": sorted(s.chunks.all_ids()),
            "sentences": sorted(s.sentences.all_ids()),
            "manifest chunks": sorted(s.manifest.ids("chunks")),
            "bm25": sorted(s.lexical.ids),
        }


def _write(docs: Path, files: dict[str, str]) -> None:
    for old in docs.glob("*.txt"):
        old.unlink()
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")


def _variant(files: dict[str, str], kind: str) -> dict[str, str]:
    """The files as they stand at the rerun: unchanged, one deleted, or one changed."""
    names = sorted(files)
    if kind == "deleted":
        return {k: v for k, v in files.items() if k != names[3]}
    if kind == "changed":
        return {**files, names[5]: files[names[5]] + "\n\nA sentence added after the crash."}
    return dict(files)


def test_a_killed_index_run_recovers_exactly_at_20_points(tmp_path: Path, embedder: Embedder) -> None:
    files = _articles()
    docs = tmp_path / "docs"  # one folder for every run: document ids derive from the path
    docs.mkdir()
    clean: dict[str, dict[str, object]] = {}
    for kind in ("same", "deleted", "changed"):
        _write(docs, _variant(files, kind))
        before = build._writes
        with Assistant.open(store=tmp_path / f"clean-{kind}", embedder=embedder) as assistant:
            assert not assistant.index([docs], sync=True, progress=False).failed
        if kind == "same":
            writes = build._writes - before  # store writes of a whole run: 5 per document, 1 for BM25
            assert writes == 5 * len(files) + 1
        clean[kind] = _state(tmp_path / f"clean-{kind}", embedder)
        assert len(clean[kind]["documents"]) == len(files) - (kind == "deleted")  # type: ignore[arg-type]

    points = sorted(random.Random(SEED).sample(range(1, writes + 1), KILL_POINTS))
    _write(docs, files)
    killed = {}  # the runs to kill, four processes at a time (most of each is the interpreter's start)
    for batch in range(0, len(points), 4):
        running = {}
        for point in points[batch : batch + 4]:
            env = {**os.environ, "QA_STORE": str(tmp_path / f"run-{point}"), "PYTHONPATH": str(ROOT)}
            env["QA_TEST_KILL_AT_WRITE"] = str(point)
            running[point] = subprocess.Popen(
                [sys.executable, "-m", "qa", "index", "--sync", str(docs)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        for point, process in running.items():
            _, err = process.communicate(timeout=300)
            killed[point] = (process.returncode, err)
    for n, point in enumerate(points):
        returncode, err = killed[point]
        assert returncode == -signal.SIGKILL, (point, err[-2000:])
        kind = ("same", "deleted", "changed")[n % 3]
        _write(docs, _variant(files, kind))
        store = tmp_path / f"run-{point}"
        with Assistant.open(store=store, embedder=embedder) as assistant:
            report = assistant.index([docs], sync=True, progress=False)
        assert not report.failed, (point, report.failed)
        assert _state(store, embedder) == clean[kind], (point, kind)
