"""The chat UI (Gradio) and the HTTP API (FastAPI routes on the same server): thin layers over `qa.Assistant`.

Run `python app.py` (or `qa serve`, or `make run`): http://127.0.0.1:7860 serves the chat, `/api/...` the API.
"""

from __future__ import annotations

import json
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
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.build import IndexReport
from index.errors import BadInput, LoadError, NotFound, QAError
from index.lease import ServerLease, StoreBusy
from index.load import READERS, load_file
from index.settings import MODES, Settings
from index.store import folder_of
from qa import Answer, Assistant
from qa.cite import MARKER
from qa.logs import configure_logging
from qa.types import Delta
from qa.web import Guard, Policy, as_text, bearer_matches, check_bind, safe_file_name

log = logging.getLogger("app")

SEEDS = Path(__file__).resolve().parent / "seeds"


# -- HTTP API -------------------------------------------------------------------------------------------------


class AskRequest(BaseModel):
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list)
    mode: str | None = None
    stream: bool = False


class IndexRequest(BaseModel):
    paths: list[str]
    sync: bool = False


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


def final_answer(events: Iterator[Delta | Answer]) -> Answer:
    """The Answer that ends a stream of events."""
    answer = None
    for event in events:
        if isinstance(event, Answer):
            answer = event
    if answer is None:
        raise QAError("the answer stream ended without an answer")
    return answer


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def server_sent_events(events: Iterator[Delta | Answer]) -> Iterator[str]:
    """`delta` events as text arrives, exactly one `answer` event (the verified Answer), then `done`.

    A failure after the stream has begun cannot change the HTTP status: it becomes an `error` event.
    """
    try:
        for event in events:
            if isinstance(event, Delta):
                yield _sse("delta", {"text": event.text})
            else:
                yield _sse("answer", event.to_dict())
    except QAError as exc:
        yield _sse("error", {"error": str(exc)})
    yield _sse("done", {})


def openai_chunks(events: Iterator[Delta | Answer], model: str | None) -> Iterator[str]:
    """OpenAI `chat.completion.chunk`s of the streamed text; the last one before `[DONE]` carries `citations`.

    The streamed text is the model's draft; the final chunk also carries the verified `answer` object, whose
    text replaces the draft (clients that only concatenate deltas see the draft).
    """
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return "data: " + json.dumps({**base, "model": model or "qa", "choices": [choice], **extra}) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        for event in events:
            if isinstance(event, Delta):
                yield chunk({"content": event.text})
            else:
                data = event.to_dict()
                yield chunk({}, "stop", citations=data["citations"], answer=data)
    except QAError as exc:
        yield "data: " + json.dumps({"error": {"message": str(exc)}}) + "\n\n"
    yield "data: [DONE]\n\n"


MAX_FILES_PER_UPLOAD = 20


def save_and_index(assistant: Assistant, uploads: list[UploadFile]) -> IndexReport:
    """Store uploaded files under the store's `uploads/` folder and index them, all or nothing per request.

    Each file is checked (plain name, known type, readable content) in a temporary file before it replaces a
    stored one; temporary files are removed whatever happens, and a rejected upload leaves nothing behind.

    Raises:
        BadInput: a hostile or unsupported name, or content that cannot be read (naming the file).
    """
    folder = Path(assistant.settings.store) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    names = [safe_file_name(u.filename) for u in uploads]
    for name in names:
        if Path(name).suffix.lower() not in READERS:
            raise BadInput(f"file {name!r}: unsupported type (supported: {', '.join(READERS)})")
    staged: list[tuple[Path, Path]] = []
    try:
        for upload, name in zip(uploads, names, strict=True):
            with tempfile.NamedTemporaryFile(
                dir=folder, prefix=".upload-", suffix=f"-{name}", delete=False
            ) as tmp:
                staged.append((Path(tmp.name), folder / name))
                shutil.copyfileobj(upload.file, tmp)
            try:
                load_file(Path(tmp.name))  # readable, of the type it claims, not empty
            except LoadError as exc:
                raise BadInput(f"file {name!r}: {exc.reason}") from None
        backups: list[tuple[Path, Path | None]] = []  # (target, the file it replaced, kept aside)
        try:
            for tmp_path, target in staged:
                aside = target.with_name(f".replaced-{uuid.uuid4().hex[:8]}-{target.name}")
                backups.append((target, aside if target.exists() else None))
                if target.exists():
                    target.replace(aside)
                tmp_path.replace(target)
            report = assistant.index([target for _, target in staged], progress=False)
        except BaseException:  # nothing indexed (busy store, failure): the folder goes back as it was
            for placed, kept in backups:
                placed.unlink(missing_ok=True)
                if kept is not None:
                    kept.replace(placed)
            raise
        for _, kept in backups:
            if kept is not None:
                kept.unlink(missing_ok=True)
    finally:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
    if report.failed:
        raise BadInput(f"file {Path(report.failed[0]['path']).name!r}: {report.failed[0]['error']}")
    return report


def build_api(assistant: Assistant, app: FastAPI | None = None) -> FastAPI:
    """The HTTP routes of CONTRACT.md, every error as JSON `{"error": ...}`."""
    app = app or FastAPI(title="Document Q&A", description="Answers with citations of exact passages.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content={"error": str(exc.detail)}, headers=exc.headers
        )

    # Starlette picks the handler of the closest class in the exception's MRO: NotFound before QAError.
    for exc_type, status in ((BadInput, 422), (NotFound, 404), (QAError, 503)):
        app.add_exception_handler(exc_type, _error_handler(status))

    @app.exception_handler(StoreBusy)
    async def _busy(_: Request, exc: StoreBusy) -> JSONResponse:
        return JSONResponse(
            status_code=503, content={"error": str(exc)}, headers={"Retry-After": str(exc.retry_after)}
        )

    @app.get("/healthz", response_model=None)
    def healthz() -> dict[str, Any] | JSONResponse:
        settings = assistant.settings
        documents, chunks = assistant.store.manifest.counts()
        health: dict[str, Any] = {
            "status": "ok",
            "documents": documents,
            "chunks": chunks,
            "last_change": assistant.store.lexical_saved_at(),
            "readable": True,
            "mode": settings.mode,
            "llm": settings.llm,
        }
        try:
            vectors = assistant.store.chunks.count()
        except Exception as exc:  # the vector store itself failed: say so, with 503 for load balancers
            return JSONResponse(
                status_code=503, content={**health, "status": "error", "readable": False, "error": str(exc)}
            )
        if vectors != chunks:
            health.update(
                status="degraded", error=f"{vectors} chunk vectors for {chunks} chunks in the manifest"
            )
        return health

    @app.post("/api/index", response_model=None)
    def api_index(request: IndexRequest, http: Request) -> dict[str, Any] | JSONResponse:
        """Index local paths on behalf of `qa index` run on this machine (it sends the key that only the
        store's owner can read, index/lease.py); the answers use them as soon as this returns."""
        if not bearer_matches(http.headers.get("authorization", ""), getattr(app.state, "local_key", None)):
            return _error(403, "indexing server-side paths is for `qa index` on the store's own machine")
        return assistant.index(request.paths, sync=request.sync, progress=False).to_dict()

    @app.post("/api/ask", response_model=None)
    def api_ask(request: AskRequest) -> dict[str, Any] | StreamingResponse:
        events = assistant.stream(request.question, request.history, request.mode)  # bad input raises here
        if request.stream:
            return StreamingResponse(server_sent_events(events), media_type="text/event-stream")
        return final_answer(events).to_dict()

    @app.get("/api/documents")
    def api_documents() -> dict[str, Any]:
        return {"documents": [d.to_dict() for d in assistant.documents()]}

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: str) -> dict[str, Any]:
        doc = assistant.document(doc_id)
        return {
            "doc_id": doc.doc_id,
            "source": doc.source,
            "content_hash": doc.content_hash,
            "text": doc.text,
        }

    @app.post("/api/documents", status_code=201)
    def api_upload(
        file: list[UploadFile] | None = File(None), files: list[UploadFile] | None = File(None)
    ) -> dict[str, Any]:
        uploads = [*(file or []), *(files or [])]
        if not uploads:
            raise BadInput("no file in the request: send multipart form field 'file' (or 'files')")
        if len(uploads) > MAX_FILES_PER_UPLOAD:
            raise BadInput(f"{len(uploads)} files in one request: at most {MAX_FILES_PER_UPLOAD}")
        return save_and_index(assistant, uploads).to_dict()

    @app.delete("/api/documents/{doc_id}")
    def api_delete(doc_id: str) -> dict[str, Any]:
        return assistant.remove(doc_id).to_dict()

    @app.get("/api/citations")
    def api_citations(
        doc_id: str = Query(...), start: int = Query(...), end: int = Query(...), context: int = Query(200)
    ) -> dict[str, Any]:
        return assistant.cite(doc_id, start, end, context).to_dict()

    @app.post("/v1/chat/completions", response_model=None)
    def chat_completions(request: ChatCompletionRequest) -> dict[str, Any] | StreamingResponse:
        question, history = _history_from_messages(request.messages)
        events = assistant.stream(question, history)
        if request.stream:
            return StreamingResponse(openai_chunks(events, request.model), media_type="text/event-stream")
        answer = final_answer(events)
        data = answer.to_dict()
        tokens = answer.completion_tokens or 0
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model or answer.model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": answer.answer,
                        "citations": data["citations"],
                    },
                    "finish_reason": "stop",
                }
            ],
            "citations": data["citations"],
            "answer": data,
            "usage": {"prompt_tokens": 0, "completion_tokens": tokens, "total_tokens": tokens},
        }

    return app


# -- Chat UI --------------------------------------------------------------------------------------------------


def render_answer(answer: Answer, assistant: Assistant) -> str:
    """Answer text, then each citation as a collapsible quote shown in its surrounding text. A refusal is shown
    muted, so that it does not read like an answer."""
    esc = as_text
    parts = []
    if answer.refused:
        parts.append(f"<p style='color:#6b7280'><i>{esc(answer.answer)}</i></p>")
    else:
        # Markers are found before escaping ("[" becomes an entity), then each piece of text is escaped.
        pieces = MARKER.split(answer.answer)  # text, n, text, n, ..., text
        parts.append(
            "".join(esc(p) if i % 2 == 0 else f"<sup><b>[{p}]</b></sup>" for i, p in enumerate(pieces))
        )
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


def _preview(text: str, start: int, quote: tuple[int, int] | None, width: int = 300) -> str:
    """About `width` characters of a passage (starting at document offset `start`), as safe text, with the cited
    span (document offsets) marked when it falls inside."""

    def flat(part: str) -> str:
        return as_text(re.sub(r"\s+", " ", part))

    if quote is None or not start <= quote[0] < start + len(text):
        return flat(text[:width]) + ("…" if len(text) > width else "")
    a, b = quote[0] - start, min(quote[1] - start, len(text))
    lead = max(0, a - width // 3)
    tail = min(len(text), max(b, lead + width))
    return (
        ("…" if lead else "")
        + flat(text[lead:a])
        + f"<mark>{flat(text[a:b])}</mark>"
        + flat(text[b:tail])
        + ("…" if tail < len(text) else "")
    )


def render_sources(answer: Answer | None) -> str:
    """The retrieved passages, each once, best first, numbered once, the cited sentence marked in its preview.
    For a refusal they are the closest passages, not sources."""
    if answer is None or not answer.sources:
        return "<p><i>Sources of the last answer appear here.</i></p>"
    items = []
    for p in sorted(answer.sources, key=lambda p: -p.score)[:5]:
        cited = next(
            (c for c in answer.citations if c.doc_id == p.doc_id and p.start <= c.start < p.end), None
        )
        mark = f" · ✓ cited [{cited.n}]" if cited else ""
        preview = _preview(p.text, p.start, (cited.start, cited.end) if cited else None)
        items.append(
            f"<li><b>{as_text(p.source)}</b> <small>score {p.score:.2f} · {p.start}–{p.end}{mark}</small>"
            f"<br><small>{preview}</small></li>"
        )
    title = "<p><i>Closest passages (none of them answers the question)</i></p>" if answer.refused else ""
    return f"{title}<ol style='padding-left:1.2em'>{''.join(items)}</ol>"


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat: answers with citations that open onto the quoted passage, a sources panel, a status line."""
    with gr.Blocks(title="Document Q&A") as ui:
        gr.Markdown("## Ask your documents\nEvery answer cites the exact sentences it rests on.")
        turns = gr.State([])  # (question, plain answer) pairs: what follow-up rewriting reads
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520)
                question = gr.Textbox(
                    label="Question", placeholder="Who commands Iran's Quds Force?", lines=1
                )
                with gr.Row():
                    send = gr.Button("Ask", variant="primary")
                    clear = gr.Button("New conversation")
                    mode = gr.Radio(
                        list(MODES),
                        value=assistant.settings.mode,
                        label="Answers",
                        info=f"extractive: quoted sentences · llm: written by {assistant.settings.llm}, verified",
                    )
                status = gr.Markdown("")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(None))
                docs = assistant.documents()
                gr.Markdown(
                    f"<small>{len(docs)} documents indexed: {', '.join(d.source for d in docs[:10])}</small>"
                )

        def respond(message: str, messages: list, pairs: list, chosen: str) -> Iterator[tuple]:
            messages = list(messages or [])
            asked = {"role": "user", "content": as_text(message)}
            draft = ""
            answer = None
            try:
                for event in assistant.stream(message, pairs, chosen):
                    # The model's draft as it arrives; the verified answer replaces it.
                    if isinstance(event, Delta):
                        draft += event.text
                        partial = {"role": "assistant", "content": as_text(draft)}
                        yield [*messages, asked, partial], pairs, "Writing…", gr.update(), ""
                    else:
                        answer = event
            except QAError as exc:
                yield messages, pairs, f"⚠️ {exc}", gr.update(), message
                return
            assert answer is not None
            messages += [asked, {"role": "assistant", "content": render_answer(answer, assistant)}]
            pairs = [*pairs, (answer.question, answer.answer)]
            took = answer.timings_ms.get("total", 0.0)
            note = (
                "refused: the documents don't answer this"
                if answer.refused
                else f"{len(answer.citations)} citation(s)"
            )
            yield messages, pairs, f"Answered in {took:.0f} ms · {note}", render_sources(answer), ""

        for trigger in (send.click, question.submit):
            trigger(lambda: "Searching…", None, status, queue=False).then(
                respond, [question, chatbot, turns, mode], [chatbot, turns, status, sources, question]
            )
        clear.click(lambda: ([], [], "", render_sources(None)), None, [chatbot, turns, status, sources])
        # The chat's own trash button starts a new conversation too: no follow-up of a cleared question.
        chatbot.clear(lambda: ([], "", render_sources(None)), None, [turns, status, sources])
    return ui


def build_app(assistant: Assistant, local_key: str | None = None) -> FastAPI:
    """The API routes with the Gradio chat mounted at `/` on the same FastAPI server, behind the `Guard`
    (qa/web.py): Host and Origin checks, the bearer token, upload limits.

    Args:
        local_key: the serving process's lease key, with which `qa index` on this machine sends work.
    """
    settings = assistant.settings
    api = build_api(assistant)
    api.state.local_key = local_key
    policy = Policy.of(
        settings.host,
        settings.allowed_hosts.split(","),
        settings.api_token,
        settings.max_upload_mb,
        local_key,
    )
    api.add_middleware(Guard, policy=policy)
    login = tuple(settings.auth.split(":", 1)) if settings.auth else None
    return gr.mount_gradio_app(
        api,
        build_ui(assistant),
        path="/",
        auth=login,
        max_file_size=policy.max_upload_bytes,
        allowed_paths=[],
        blocked_paths=[str(Path(settings.store).resolve())],
        enable_monitoring=False,
        footer_links=[],
    )


def open_assistant(settings: Settings, index_seeds: bool = True) -> Assistant:
    """Open the store; on first start (an empty store) index the bundled seed articles."""
    assistant = Assistant.open(settings=settings)
    # A crash or kill since the last run is mended (and logged) now.
    assistant.indexer(progress=False).repair()
    if index_seeds and not assistant.documents() and SEEDS.is_dir():
        log.warning("store is empty: indexing %s", SEEDS)
        report = assistant.index([SEEDS])
        log.warning("%s", report.summary())
    assistant.warm_up()
    return assistant


def serve(settings: Settings) -> None:
    """Serve the chat and the API until interrupted.

    Raises:
        BadInput: a non-loopback `host` without `QA_API_TOKEN` (checked before anything loads).
    """
    import uvicorn

    check_bind(settings.host, settings.api_token)
    folder = folder_of(settings)
    folder.mkdir(parents=True, exist_ok=True)
    lease = ServerLease(folder)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    holder = lease.acquire(f"http://{shown}:{settings.port}")  # a second server on the store stops here
    try:
        assistant = open_assistant(settings)
        assistant.writer, assistant.wait_for_store = holder.what, False  # HTTP writers get 503, not a wait
        log.warning("serving on http://%s:%d", settings.host, settings.port)
        uvicorn.run(
            build_app(assistant, lease.key), host=settings.host, port=settings.port, log_level="warning"
        )
    finally:
        lease.release()


def main() -> None:
    configure_logging(verbose=False)
    try:
        serve(Settings.load())
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
