"""Scripted model servers on 127.0.0.1, for what cannot run here or must misbehave on purpose.

`ScriptedServer` speaks both OpenAI's chat API (`/v1/chat/completions`, `/v1/models`) and Ollama's (`/api/chat`),
streaming or not. Its reply is chosen by a substring of the last user message (the prompt's question), so a
test decides exactly what the "model" says, including invented numbers, wrong markers and false claims.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptedServer:
    """A loopback server whose model says what `script` maps the question to (else `default`)."""

    def __init__(
        self, script: dict[str, str], default: str = "The documents don't say.", model: str = "scripted"
    ):
        self.script = script
        self.default = default
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply_to(self, messages: list[dict[str, Any]]) -> str:
        last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        question = re.search(r"Question: (.*)", last)
        asked = question.group(1) if question else last
        return next((reply for key, reply in self.script.items() if key in asked), self.default)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _json(self, data: object, status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if self.path.rstrip("/").endswith("/models"):
                    self._json({"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                text = server.reply_to(body.get("messages", []))
                if self.path.endswith("/chat/completions"):
                    self._openai(body, text)
                elif self.path == "/api/chat":
                    self._ollama(body, text)
                else:
                    self._json({"error": "not found"}, 404)

            def _openai(self, body: dict[str, Any], text: str) -> None:
                base = {"id": "chatcmpl-scripted", "created": int(time.time()), "model": server.model}
                if not body.get("stream"):
                    message = {"role": "assistant", "content": text}
                    self._json(
                        {
                            **base,
                            "object": "chat.completion",
                            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                        }
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in _pieces(text):
                    chunk = {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"role": "assistant", "content": piece},
                                "finish_reason": None,
                            }
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                end = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

            def _ollama(self, body: dict[str, Any], text: str) -> None:
                stamp = "2026-11-23T00:00:00Z"
                final = {
                    "model": server.model,
                    "created_at": stamp,
                    "done": True,
                    "done_reason": "stop",
                    "message": {"role": "assistant", "content": "" if body.get("stream", True) else text},
                    "total_duration": 1,
                    "eval_count": 1,
                    "prompt_eval_count": 1,
                }
                if body.get("stream") is False:
                    self._json(final)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                for piece in _pieces(text):
                    line = {
                        "model": server.model,
                        "created_at": stamp,
                        "done": False,
                        "message": {"role": "assistant", "content": piece},
                    }
                    self.wfile.write((json.dumps(line) + "\n").encode())
                    self.wfile.flush()
                self.wfile.write((json.dumps(final) + "\n").encode())

        return Handler


def _pieces(text: str) -> Iterator[str]:
    """The text in word-sized pieces, as a model streams tokens."""
    yield from re.findall(r"\S+\s*|\s+", text)


STYLES = ("verbatim", "concise", "paraphrase", "model", "two facts", "wrong marker")
_PASSAGE = re.compile(r"\[(\d+)\] <<<(.*?)>>>", re.DOTALL)


class TruthfulServer(ScriptedServer):
    """A model that answers correctly, from the passages it is sent, the way capable models write.

    Each case gives a question, a few words of the sentence that answers it (`support`) and the answer in
    several styles with `[S]` where the number of the passage holding that sentence goes. `style` picks how it
    answers: `verbatim` copies the supporting sentence; `concise`, `paraphrase` and `model` (short names, its
    own date formats, acronyms) are the case's own sentences; `two facts` adds the first sentence of another
    passage it was sent, cited to that passage; `wrong marker` cites a passage that does not hold the answer.
    When no passage holds the supporting sentence it says the documents don't say, as a truthful model would.
    """

    def __init__(self, cases: list[dict[str, str]], model: str = "truthful-70b") -> None:
        super().__init__({}, model=model)
        self.cases = {c["question"]: c for c in cases}
        self.style = "concise"

    def reply_to(self, messages: list[dict[str, Any]]) -> str:
        from index.chunk import split_sentences

        last = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        asked = re.search(r"Question: (.*)", last)
        case = self.cases.get(asked.group(1).strip() if asked else "")
        passages = {int(n): text for n, text in _PASSAGE.findall(last)}
        holding = [n for n, text in passages.items() if case and case["support"] in text]
        if case is None or not holding:
            return self.default
        n = holding[0]
        if self.style == "verbatim":
            text = passages[n]
            at = text.index(case["support"])
            sentence = next(text[s.start : s.end] for s in split_sentences(text) if s.start <= at < s.end)
            return f"{sentence} [{n}]"
        if self.style == "wrong marker":
            other = next((m for m in sorted(passages) if m != n), n)
            return case["concise"].replace("[S]", f"[{other}]")
        reply = case[
            "paraphrase" if self.style == "paraphrase" else "model" if self.style == "model" else "concise"
        ]
        reply = reply.replace("[S]", f"[{n}]")
        if self.style == "two facts":
            other = next((m for m in sorted(passages) if m != n), None)
            if other is not None:
                first = split_sentences(passages[other])[0]
                reply += f" {passages[other][first.start : first.end]} [{other}]"
        return reply
