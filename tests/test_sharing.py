"""One store, many processes (issue 10): `qa serve` holds the store and the CLI sends it work; writers that must
wait name the holder; HTTP writers never hang in silence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from fastapi.testclient import TestClient
from helpers import free_port

from app import build_app
from index.lease import live_server, write_lock
from index.store import folder_of
from qa import Assistant

NEW = "The Zephyrine Lighthouse was built by the engineer Ada Quill in 1871, on the cliffs of Varn."
QUESTION = "Who built the Zephyrine Lighthouse?"


def _env(store: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "QA_STORE": str(store), "PYTHONPATH": str(ROOT), **extra}


def _qa(*args: str, cwd: Path, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa", *args],
        cwd=cwd,
        env=_env(store),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _ask(url: str, question: str) -> dict:
    request = urllib.request.Request(
        f"{url}/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return dict(json.load(response))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A real `qa serve` on a free port over a store holding the seeds; yields (url, store, working dir)."""
    cwd = tmp_path_factory.mktemp("shared")
    store = cwd / "store"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "qa", "serve"],
        cwd=cwd,
        env=_env(store, QA_PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if json.load(response)["documents"] == 2:
                    break
        except OSError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("qa serve did not start")
    yield url, store, cwd
    process.terminate()
    process.wait(timeout=30)
    assert live_server(folder_of(_settings(store))) is None  # the record goes with the server


def _settings(store: Path):  # type: ignore[no-untyped-def]
    from index.settings import Settings

    return Settings(store=store)


def test_the_cli_indexes_through_the_running_server(server: tuple[str, Path, Path]) -> None:
    url, store, cwd = server
    holder = live_server(folder_of(_settings(store)))
    assert holder is not None and holder.url == url and "qa serve" in holder.what
    note = cwd / "docs" / "zephyrine.txt"
    note.parent.mkdir()
    note.write_text(NEW, encoding="utf-8")
    indexed = _qa("index", "--json", "docs", cwd=cwd, store=store)
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["added"] == ["docs/zephyrine.txt"]
    answer = _ask(url, QUESTION)  # the running server answers from it at once, without a restart
    assert "Ada Quill" in answer["answer"] and answer["citations"][0]["source"] == "docs/zephyrine.txt"
    asked = _qa("ask", "--json", QUESTION, cwd=cwd, store=store)  # qa ask goes through the server too
    assert asked.returncode == 0 and "Ada Quill" in json.loads(asked.stdout)["answer"], asked.stderr
    health = json.load(urllib.request.urlopen(f"{url}/healthz", timeout=5))
    assert (
        health["documents"] == 3 and health["readable"] and health["status"] == "ok" and health["last_change"]
    )

    note.unlink()
    synced = _qa("index", "--sync", "--json", "docs", cwd=cwd, store=store)
    assert synced.returncode == 0 and json.loads(synced.stdout)["removed"] == ["docs/zephyrine.txt"], (
        synced.stderr
    )
    after = _ask(url, QUESTION)
    assert all(c["source"] != "docs/zephyrine.txt" for c in after["citations"])
    assert all(s["source"] != "docs/zephyrine.txt" for s in after["sources"])


def test_a_second_server_on_the_store_is_refused_naming_the_first(server: tuple[str, Path, Path]) -> None:
    url, store, cwd = server
    second = subprocess.run(
        [sys.executable, "-m", "qa", "serve"],
        cwd=cwd,
        env=_env(store, QA_PORT=str(free_port())),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode != 0 and "store in use by PID" in second.stderr and url in second.stderr
    assert "Traceback" not in second.stderr


def test_a_waiting_writer_names_the_holder_within_a_second(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = folder_of(_settings(store))
    folder.mkdir(parents=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "qa", "index", str(SEEDS)],
        cwd=tmp_path,
        env=_env(store),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with write_lock(folder, "a test that holds the store"):
        lines = []
        assert process.stderr is not None
        deadline = time.monotonic() + 60  # the command's own start (imports) is not the wait being measured
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "store in use" in line:
                break
        assert f"store in use by PID {os.getpid()} (a test that holds the store)" in "".join(lines)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0 and "added 2" in out, err


def test_an_upload_while_the_store_is_busy_gets_503_naming_the_holder(fresh: Assistant) -> None:
    fresh.wait_for_store = False  # as under `qa serve`
    with TestClient(build_app(fresh), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        with write_lock(fresh.store.folder, "qa index"):
            # A write that waited for the lock would wait here until the test let go of it: forever.
            started = time.monotonic()
            busy = client.post("/api/documents", files={"file": ("z.txt", NEW.encode(), "text/plain")})
            assert time.monotonic() - started < 10
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert f"store in use by PID {os.getpid()} (qa index)" in busy.json()["error"]
        assert fresh.documents() == [] and not list((Path(fresh.settings.store) / "uploads").glob("*"))
        retried = client.post("/api/documents", files={"file": ("z.txt", NEW.encode(), "text/plain")})
        assert retried.status_code == 201
