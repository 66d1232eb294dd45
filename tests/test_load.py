"""Load with writers (issue 10): 8 clients ask for 60 s through a real server while another client uploads and
deletes documents; no request fails, and no answer cites a document whose DELETE had already returned."""

from __future__ import annotations

import json
import logging
import statistics
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from conftest import SEEDS
from helpers import serving

from app import build_app
from index.embed import Embedder
from qa import Assistant

SECONDS = 60
ASKERS = 8
QUESTIONS = [
    "Who commands the Quds Force?",
    "Where did Khamenei meet the head of Hamas?",
    "What is the Axis of Resistance?",
    "Who built the Zephyrine Lighthouse?",
    "When was the Zephyrine Lighthouse finished?",
]
log = logging.getLogger(__name__)


def _call(
    method: str, url: str, body: bytes | None = None, ctype: str = "application/json"
) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(json.load(response))
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode("utf-8", "replace")}


def _multipart(name: str, text: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_eight_askers_and_a_writer_for_a_minute(tmp_path: Path, embedder: Embedder) -> None:
    assistant = Assistant.open(store=tmp_path / "store", embedder=embedder)
    assistant.index([SEEDS], progress=False)
    assistant.wait_for_store = False  # as under `qa serve`
    with serving(build_app(assistant)) as url:
        _run(assistant, url)


def _run(assistant: Assistant, url: str) -> None:
    deadline = time.monotonic() + SECONDS
    answers: list[tuple[float, float, int, set[str]]] = []  # (start, seconds, status, cited doc_ids)
    deleted: dict[str, float] = {}  # doc_id -> when its DELETE returned
    writes: list[int] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            started = time.monotonic()
            status, body = _call("POST", f"{url}/api/ask", json.dumps({"question": question}).encode())
            cited = {c["doc_id"] for c in body.get("citations", [])}
            with lock:
                answers.append((started, time.monotonic() - started, status, cited))

    def write() -> None:
        cycle = 0
        while time.monotonic() < deadline - 2:
            cycle += 1
            text = f"The Zephyrine Lighthouse was built by Ada Quill and finished in {1800 + cycle}."
            body, ctype = _multipart(f"zephyrine-{cycle}.txt", text)
            status, report = _call("POST", f"{url}/api/documents", body, ctype)
            writes.append(status)
            if status != 201:
                continue
            time.sleep(1.0)
            docs = _call("GET", f"{url}/api/documents")[1]["documents"]
            doc_id = next(d["doc_id"] for d in docs if d["source"].endswith(f"zephyrine-{cycle}.txt"))
            status, _ = _call("DELETE", f"{url}/api/documents/{doc_id}")
            writes.append(status)
            with lock:
                deleted[doc_id] = time.monotonic()
            time.sleep(0.5)

    workers = [threading.Thread(target=ask, args=(n,)) for n in range(ASKERS)]
    workers.append(threading.Thread(target=write))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=SECONDS + 120)
    assistant.close()

    latencies = sorted(seconds for _, seconds, _, _ in answers)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    log.warning(
        "load: %d answers in %d s by %d clients, p50 %.0f ms, p95 %.0f ms; %d writes",
        len(answers), SECONDS, ASKERS, 1000 * statistics.median(latencies), 1000 * p95, len(writes),
    )  # fmt: skip
    assert [status for _, _, status, _ in answers if status != 200] == []
    assert writes and all(status in (200, 201) for status in writes), writes
    assert len(deleted) >= 5
    assert sum(bool(cited & deleted.keys()) for _, _, _, cited in answers) >= 10  # uploads were answered from
    stale = [
        (doc_id, started)
        for started, _, _, cited in answers
        for doc_id in cited
        if started > deleted.get(doc_id, 1e18)
    ]
    assert stale == []
    assert p95 < 5.0
