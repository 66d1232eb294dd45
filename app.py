"""The chat UI (Gradio) and the HTTP API (FastAPI routes on the same server): thin layers over `qa.Assistant`.

Run `python app.py` (or `qa serve`, or `make run`): http://127.0.0.1:7860 serves the chat, `/api/...` the API.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from index.errors import BadInput, NotFound, QAError
from index.load import READERS
from index.settings import Settings
from qa import Answer, Assistant
from qa.cite import MARKER

log = logging.getLogger("app")

SEEDS = Path(__file__).resolve().parent / "seeds"


# -- HTTP API -------------------------------------------------------------------------------------------------


class AskRequest(BaseModel):
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list)
    mode: str | None = None


class ChatMessage(BaseModel):
    role: str
    content: str


class ChatCompletionRequest(BaseModel):
    model: str | None = None
    messages: list[ChatMessage]
    stream: bool = False


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


def _error_handler(status: int) -> Any:
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return _error(status, str(exc))

    return handle


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _history_from_messages(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message and the (question, answer) pairs before it."""
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadInput("messages: the last message must have role 'user'")
    history = []
    pending: str | None = None
    for message in turns[:-1]:
        if message.role == "user":
            pending = message.content
        elif pending is not None:
            history.append((pending, message.content))
            pending = None
    return turns[-1].content, history


def build_api(assistant: Assistant, app: FastAPI | None = None) -> FastAPI:
    """The HTTP routes of CONTRACT.md, every error as JSON `{"error": ...}`."""
    app = app or FastAPI(title="Document Q&A", description="Answers with citations of exact passages.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    # Starlette picks the handler of the closest class in the exception's MRO: NotFound before QAError.
    for exc_type, status in ((BadInput, 422), (NotFound, 404), (QAError, 503)):
        app.add_exception_handler(exc_type, _error_handler(status))

    def ask(question: str, history: list[tuple[str, str]], mode: str | None) -> Answer:
        if mode is not None and mode != assistant.settings.mode:
            raise BadInput(f"mode {mode!r} is not served here: this server answers in {assistant.settings.mode!r} mode")
        return assistant.ask(question, history)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        documents, chunks = assistant.store.manifest.counts()
        return {"status": "ok", "documents": documents, "chunks": chunks, "mode": assistant.settings.mode}

    @app.post("/api/ask")
    def api_ask(request: AskRequest) -> dict[str, Any]:
        return ask(request.question, request.history, request.mode).to_dict()

    @app.get("/api/documents")
    def api_documents() -> dict[str, Any]:
        return {"documents": [d.to_dict() for d in assistant.documents()]}

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: str) -> dict[str, Any]:
        doc = assistant.document(doc_id)
        return {"doc_id": doc.doc_id, "source": doc.source, "content_hash": doc.content_hash, "text": doc.text}

    @app.post("/api/documents", status_code=201)
    def api_upload(file: UploadFile = File(...)) -> dict[str, Any]:
        name = Path(file.filename or "").name
        if not name or Path(name).suffix.lower() not in READERS:
            raise BadInput(f"file {name or '(unnamed)'!r}: unsupported type (supported: {', '.join(READERS)})")
        uploads = Path(assistant.settings.store) / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        target = uploads / name
        with tempfile.NamedTemporaryFile(dir=uploads, delete=False, suffix=".part") as tmp:
            shutil.copyfileobj(file.file, tmp)
        Path(tmp.name).replace(target)
        report = assistant.index([target], progress=False)
        if report.failed:
            raise BadInput(f"file {name!r}: {report.failed[0]['error']}")
        return report.to_dict()

    @app.delete("/api/documents/{doc_id}")
    def api_delete(doc_id: str) -> dict[str, Any]:
        return assistant.remove(doc_id).to_dict()

    @app.get("/api/citations")
    def api_citations(
        doc_id: str = Query(...), start: int = Query(...), end: int = Query(...), context: int = Query(200)
    ) -> dict[str, Any]:
        return assistant.cite(doc_id, start, end, context).to_dict()

    @app.post("/v1/chat/completions")
    def chat_completions(request: ChatCompletionRequest) -> dict[str, Any]:
        if request.stream:
            raise BadInput("stream: streaming is not supported; send \"stream\": false")
        question, history = _history_from_messages(request.messages)
        answer = ask(question, history, None)
        data = answer.to_dict()
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model or f"qa-{answer.mode}",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.answer, "citations": data["citations"]},
                    "finish_reason": "stop",
                }
            ],
            "citations": data["citations"],
            "answer": data,
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    return app


# -- Chat UI --------------------------------------------------------------------------------------------------


def render_answer(answer: Answer, assistant: Assistant) -> str:
    """Answer text, then each citation as a collapsible quote shown in its surrounding text."""
    esc = html.escape
    body = MARKER.sub(lambda m: f"<sup><b>[{m.group(1)}]</b></sup>", esc(answer.answer))
    parts = [body]
    if answer.standalone_question != answer.question:
        parts.append(f"<p><small>Searched for: <i>{esc(answer.standalone_question)}</i></small></p>")
    for c in answer.citations:
        around = assistant.cite(c.doc_id, c.start, c.end, context=300)
        parts.append(
            f"<details><summary>[{c.n}] {esc(c.source)} · characters {c.start}–{c.end}</summary>"
            f"<blockquote>…{esc(around.before)}<mark>{esc(around.quote)}</mark>{esc(around.after)}…</blockquote>"
            "</details>"
        )
    return "\n".join(parts)


def render_sources(answer: Answer | None) -> str:
    if answer is None or not answer.sources:
        return "<p><i>Sources of the last answer appear here.</i></p>"
    cited = {(c.doc_id, c.start) for c in answer.citations}
    items = []
    for i, p in enumerate(answer.sources[:5], 1):
        snippet = html.escape(re.sub(r"\s+", " ", p.text)[:300])
        mark = " ✓ cited" if any(d == p.doc_id and p.start <= s < p.end for d, s in cited) else ""
        items.append(
            f"<li><b>{i}. {html.escape(p.source)}</b> <small>score {p.score:.2f} · {p.start}–{p.end}{mark}</small>"
            f"<br><small>{snippet}…</small></li>"
        )
    return f"<ol style='padding-left:1em'>{''.join(items)}</ol>"


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat: answers with citations that open onto the quoted passage, a sources panel, a status line."""
    with gr.Blocks(title="Document Q&A") as ui:
        gr.Markdown("## Ask your documents\nEvery answer cites the exact sentences it rests on.")
        turns = gr.State([])  # (question, plain answer) pairs: what follow-up rewriting reads
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520)
                question = gr.Textbox(label="Question", placeholder="Who commands Iran's Quds Force?", lines=1)
                with gr.Row():
                    send = gr.Button("Ask", variant="primary")
                    clear = gr.Button("New conversation")
                status = gr.Markdown("")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(None))
                docs = assistant.documents()
                gr.Markdown(f"<small>{len(docs)} documents indexed: {', '.join(d.source for d in docs[:10])}</small>")

        def respond(message: str, messages: list, pairs: list) -> Iterator[tuple]:
            messages = list(messages or [])
            try:
                answer = assistant.ask(message, pairs)
            except QAError as exc:
                yield messages, pairs, f"⚠️ {exc}", gr.update(), message
                return
            messages += [
                {"role": "user", "content": html.escape(message)},
                {"role": "assistant", "content": render_answer(answer, assistant)},
            ]
            pairs = [*pairs, (answer.question, answer.answer)]
            took = answer.timings_ms.get("total", 0.0)
            note = "refused: the documents don't answer this" if answer.refused else f"{len(answer.citations)} citation(s)"
            yield messages, pairs, f"Answered in {took:.0f} ms · {note}", render_sources(answer), ""

        for trigger in (send.click, question.submit):
            trigger(
                lambda: "Searching…", None, status, queue=False
            ).then(respond, [question, chatbot, turns], [chatbot, turns, status, sources, question])
        clear.click(lambda: ([], [], "", render_sources(None)), None, [chatbot, turns, status, sources])
    return ui


def build_app(assistant: Assistant) -> FastAPI:
    """The API routes with the Gradio chat mounted at `/` on the same FastAPI server."""
    api = build_api(assistant)
    return gr.mount_gradio_app(api, build_ui(assistant), path="/")


def open_assistant(settings: Settings, index_seeds: bool = True) -> Assistant:
    """Open the store; on first start (an empty store) index the bundled seed articles."""
    assistant = Assistant.open(settings=settings)
    if index_seeds and not assistant.documents() and SEEDS.is_dir():
        log.warning("store is empty: indexing %s", SEEDS)
        report = assistant.index([SEEDS])
        log.warning("%s", report.summary())
    assistant.warm_up()
    return assistant


def serve(settings: Settings) -> None:
    import uvicorn

    assistant = open_assistant(settings)
    log.warning("serving on http://%s:%d", settings.host, settings.port)
    uvicorn.run(build_app(assistant), host=settings.host, port=settings.port, log_level="warning")


def main() -> None:
    from qa.cli import configure_logging

    configure_logging(verbose=False)
    try:
        settings = Settings.load()
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None
    serve(settings)


if __name__ == "__main__":
    main()
