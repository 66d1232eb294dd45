"""A folder kept indexed by itself (issue 22): the real app serving a real store while a watcher follows a
real folder; files are written, edited, renamed and deleted, and the answers over HTTP follow.

The seconds each change took to reach the answers are written to tests/artifacts/watch.json (what the issue
measures: within 5 s here); the asserts only bound them at ten times that, against a hang."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import serving

from app import build_app
from index.embed import Embedder
from qa import Assistant

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BOUND = 50.0  # seconds: ten times the 5 s the issue asks for, against a hang
timings: dict[str, float] = {}


def ask(url: str, question: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.load(response))


def until(what: str, check: Callable[[], bool]) -> float:
    """Poll `check` until it holds; the seconds it took (recorded under `what`)."""
    started = time.perf_counter()
    while not check():
        assert time.perf_counter() - started < BOUND, f"{what}: not within {BOUND} s"
        time.sleep(0.1)
    timings[what] = round(time.perf_counter() - started, 2)
    return timings[what]


@pytest.fixture(scope="module")
def watched(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, Path, Assistant]]:
    folder = tmp_path_factory.mktemp("watched")
    (folder / "start.txt").write_text("The north gate opens at six in the morning.\n", encoding="utf-8")
    assistant = Assistant.open(store=tmp_path_factory.mktemp("watch-store"), embedder=embedder)
    assistant.wait_for_store = False
    watcher = assistant.watch([folder])
    thread = watcher.start()
    with serving(build_app(assistant)) as url:
        until("first sync", lambda: watcher.status.last_sync is not None)
        yield url, folder, assistant
    watcher.stop()
    thread.join(timeout=10)
    assistant.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "watch.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")


def cites(url: str, question: str, text: str) -> bool:
    answer = ask(url, question)
    return not answer["refused"] and any(text in c["quote"] for c in answer["citations"])


def test_a_new_file_is_answered(watched: tuple[str, Path, Assistant]) -> None:
    url, folder, _ = watched
    assert cites(url, "When does the north gate open?", "six in the morning")  # the first sync
    (folder / "east.txt").write_text("The east gate code is 4471 until the end of March.\n", encoding="utf-8")
    until("new file answered", lambda: cites(url, "What is the east gate code?", "4471"))


def test_an_edited_file_gives_its_new_text(watched: tuple[str, Path, Assistant]) -> None:
    url, folder, _ = watched
    path = folder / "canteen.txt"
    path.write_text("The canteen serves lunch from 11:00 until 14:00.\n", encoding="utf-8")
    until("file added", lambda: cites(url, "When does the canteen serve lunch?", "11:00"))
    path.write_text("The canteen serves lunch from 12:00 until 15:00.\n", encoding="utf-8")
    until("edit answered", lambda: cites(url, "When does the canteen serve lunch?", "12:00 until 15:00"))
    assert not cites(url, "When does the canteen serve lunch?", "11:00")


def test_a_renamed_file_is_cited_under_its_new_name(watched: tuple[str, Path, Assistant]) -> None:
    url, folder, assistant = watched
    (folder / "parking.txt").write_text("Visitor parking is behind the west wing.\n", encoding="utf-8")
    until("file added", lambda: cites(url, "Where is visitor parking?", "west wing"))
    (folder / "parking.txt").rename(folder / "visitors.txt")

    def renamed() -> bool:
        answer = ask(url, "Where is visitor parking?")
        return [Path(c["source"]).name for c in answer["citations"]] == ["visitors.txt"]

    until("rename followed", renamed)


def test_a_deleted_file_is_never_cited_again(watched: tuple[str, Path, Assistant]) -> None:
    url, folder, assistant = watched
    path = folder / "alarm.txt"
    path.write_text("The fire alarm is tested every Thursday at 10:00.\n", encoding="utf-8")
    until("file added", lambda: cites(url, "When is the fire alarm tested?", "Thursday"))
    path.unlink()
    until("deletion followed", lambda: not cites(url, "When is the fire alarm tested?", "Thursday"))
    for _ in range(5):  # and it stays gone
        assert not cites(url, "When is the fire alarm tested?", "Thursday")
        time.sleep(0.2)
    health = json.load(urllib.request.urlopen(f"{url}/healthz", timeout=30))
    assert health["watch"]["running"] and health["watch"]["last_sync"] and health["watch"]["failed"] == []


def test_a_hundred_files_copied_in_at_once_are_one_batch(
    watched: tuple[str, Path, Assistant], tmp_path: Path
) -> None:
    url, folder, assistant = watched
    status = assistant.watcher.status  # type: ignore[union-attr]
    staging = tmp_path / "staging"
    staging.mkdir()
    for n in range(100):
        (staging / f"room-{n:03d}.txt").write_text(
            f"Meeting room {n} seats {n % 12 + 4} people.\n", encoding="utf-8"
        )
    until("quiet", lambda: time.sleep(1.5) is None)
    before = status.batches
    shutil.copytree(staging, folder / "rooms")
    until("hundred files indexed", lambda: len(assistant.documents()) >= 100)
    time.sleep(2)  # nothing more arrives in a second batch
    assert status.batches == before + 1
    assert len(status.last["added"]) == 100  # type: ignore[arg-type]


def test_a_folder_deleted_and_made_again_is_watched_anew(watched: tuple[str, Path, Assistant]) -> None:
    url, folder, assistant = watched
    shutil.rmtree(folder)
    until("folder deletion followed", lambda: assistant.documents() == [])
    folder.mkdir()
    (folder / "boiler.txt").write_text("The boiler is serviced every May.\n", encoding="utf-8")
    until("recreated folder answered", lambda: cites(url, "When is the boiler serviced?", "every May"))
    (folder / "roof.txt").write_text("The roof was repaired in 2019.\n", encoding="utf-8")
    until("new file in it answered", lambda: cites(url, "When was the roof repaired?", "2019"))
    assert assistant.watcher is not None and assistant.watcher.status.running


def test_ctrl_c_ends_qa_watch(tmp_path: Path) -> None:
    """`qa watch` says "(Ctrl-C stops)": SIGINT while it waits for changes ends it (watchfiles used to swallow
    the interrupt, and the watch began again)."""
    import signal
    import subprocess
    import sys
    import threading

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The harbour of Ostend was rebuilt in 1921.", encoding="utf-8")
    qa = Path(sys.executable).with_name("qa")
    proc = subprocess.Popen(
        [str(qa), "watch", str(folder), "--store", str(tmp_path / "store")],
        stderr=subprocess.PIPE,
        text=True,
        # As in a terminal: a test run started in the background inherits SIGINT ignored, and so would qa watch.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    synced = threading.Event()

    def read() -> None:  # all of it, so that the process never blocks on a full pipe
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "watch: added 1" in line:  # the first sync is done: it now waits for changes
                synced.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert synced.wait(120), lines
        time.sleep(1.0)  # inside watchfiles' wait
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, lines
    finally:
        if proc.poll() is None:
            proc.kill()
