"""Chroma server mode (issue 12): vectors in a real `chroma run` on loopback; while it is down the API answers
503 with a JSON error and /healthz says so; after a restart the same app answers again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS
from helpers import free_port, serving

from app import build_app
from index.embed import Embedder
from qa import Assistant

CHROMA = Path(sys.executable).with_name("chroma")


class ChromaServer:
    """`chroma run` on 127.0.0.1, stoppable and restartable on the same data and port."""

    def __init__(self, path: Path) -> None:
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert shutil.which(str(CHROMA)), "the chroma CLI ships with chromadb"
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return
            except OSError:
                assert self.process.poll() is None, "chroma run exited"
                time.sleep(0.2)
        raise AssertionError("chroma run did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-data")
    server.start()
    yield server
    server.stop()


def _call(method: str, url: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return (
                response.status,
                dict(json.load(response)),
                {k.lower(): v for k, v in response.headers.items()},
            )
    except urllib.error.HTTPError as exc:
        return exc.code, dict(json.loads(exc.read() or b"{}")), {k.lower(): v for k, v in exc.headers.items()}


def test_answers_through_a_chroma_server_and_503_while_it_is_down(
    chroma: ChromaServer, tmp_path: Path, embedder: Embedder
) -> None:
    assistant = Assistant.open(store=tmp_path / "local", chroma_url=chroma.url, embedder=embedder)
    report = assistant.index([SEEDS], progress=False)
    assert (
        report.chunks == 7 and not (tmp_path / "local" / "chroma.sqlite3").exists()
    )  # vectors on the server
    question = {"question": "Who commands the Quds Force?"}
    with serving(build_app(assistant)) as url:
        status, answer, _ = _call("POST", f"{url}/api/ask", question)
        assert status == 200 and "Qaani" in answer["answer"] and answer["citations"]
        assert _call("GET", f"{url}/healthz")[1]["readable"] is True

        chroma.stop()
        status, error, headers = _call("POST", f"{url}/api/ask", question)
        assert status == 503 and f"Chroma server {chroma.url}" in error["error"], error
        assert headers.get("retry-after") == "5"
        status, health, _ = _call("GET", f"{url}/healthz")
        assert status == 503 and health["readable"] is False and health["status"] == "error"

        chroma.start()  # the same data, the same port
        deadline = time.monotonic() + 30
        while (status := _call("POST", f"{url}/api/ask", question)[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        status, again, _ = _call("POST", f"{url}/api/ask", question)
        assert status == 200 and again["citations"] == answer["citations"]
        assert _call("GET", f"{url}/healthz")[1]["readable"] is True
    assistant.close()


def _serve(store: Path, chroma_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "QA_STORE": str(store),
        "QA_CHROMA_URL": chroma_url,
        "QA_PORT": str(port),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    process = subprocess.Popen([sys.executable, "-m", "qa", "serve"], env=env, stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def _until(check, seconds: float) -> float:
    """Poll `check` until it is true; how long that took (fails after `seconds`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.2)
    return time.monotonic() - started


def _healthy(url: str) -> bool:
    try:
        return _call("GET", f"{url}/healthz")[0] == 200
    except OSError:
        return False


def _upload(url: str, name: str, text: str) -> int:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"{url}/api/documents",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def test_two_app_processes_share_one_chroma_server(chroma: ChromaServer, tmp_path: Path) -> None:
    """Each `qa serve` keeps only a cache of its own (manifest, BM25); what one writes, the other answers from
    and lists within 5 s, and a removal reaches both."""
    first, a = _serve(tmp_path / "a", chroma.url)
    try:
        _until(lambda: _healthy(a), 120)  # the first indexes the seeds into the empty collection
        second, b = _serve(tmp_path / "b", chroma.url)
        try:
            _until(lambda: _healthy(b), 120)
            listed = _call("GET", f"{b}/api/documents")[1]["documents"]
            assert len(listed) == 2  # the seeds, taken from the server, not indexed again

            assert (
                _upload(a, "zephyrine.txt", "The Zephyrine Lighthouse was built by Ada Quill in 1871.") == 201
            )
            question = {"question": "Who built the Zephyrine Lighthouse?"}
            # Measured 1.1 s (printed below); the bound, ten times that, only catches "never".
            seen = _until(
                lambda: "Ada Quill" in _call("POST", f"{b}/api/ask", question)[1].get("answer", ""), 15
            )
            docs = _call("GET", f"{b}/api/documents")[1]["documents"]
            new = next(d for d in docs if d["source"].endswith("zephyrine.txt"))

            assert _call("DELETE", f"{b}/api/documents/{new['doc_id']}")[0] == 200
            gone = _until(
                lambda: all(
                    not d["source"].endswith("zephyrine.txt")
                    for d in _call("GET", f"{a}/api/documents")[1]["documents"]
                ),
                15,
            )
            answer = _call("POST", f"{a}/api/ask", question)[1]
            assert "Ada Quill" not in answer["answer"] and answer["refused"], answer
            print(f"upload seen by the other process after {seen:.1f} s, removal after {gone:.1f} s")
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        first.terminate()
        first.wait(timeout=30)
