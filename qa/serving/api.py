"""The HTTP API of CONTRACT.md: FastAPI routes over `qa.Assistant`, every error as JSON `{"error": ...}`.

`app.py` mounts the chat UI beside these routes on one server.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.build import IndexReport
from index.errors import BadInput, LoadError, NotFound, QAError, Stale, StoreUnavailable
from index.lease import StoreBusy
from index.load import READERS, Document, display_source, load_file, make_doc_id
from index.settings import MODES
from qa.assistant import Assistant
from qa.serving.web import bearer_matches, safe_file_name
from qa.types import Answer, Delta


class AskRequest(BaseModel):
    question: str
    history: list[tuple[str, str]] = Field(default_factory=list)
    mode: str | None = None
    stream: bool = False
    documents: list[str] | None = None  # doc_ids to search within (default: all)


class IndexRequest(BaseModel):
    paths: list[str]
    sync: bool = False


class ChatMessage(BaseModel):
    role: str
    # A string, or OpenAI's list of parts ([{"type": "text", "text": "..."}]) that several clients send.
    content: str | list[dict[str, Any]]

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")


class ChatCompletionRequest(BaseModel):
    model: str | None = None
    messages: list[ChatMessage]
    stream: bool = False


# The answer modes as OpenAI "models": chat frontends (Open WebUI, LibreChat) list models before they send
# anything, and the model a request names chooses the mode.
MODEL_PREFIX = "qa-"
MODELS = tuple(f"{MODEL_PREFIX}{mode}" for mode in MODES)


def mode_of(model: str | None) -> str | None:
    """The answer mode a request's `model` names ("qa-llm" -> "llm"); None (the server's default mode) for
    any other name, as clients that send a fixed model name ("gpt-4o") expect an answer, not an error."""
    if model and model.startswith(MODEL_PREFIX) and model[len(MODEL_PREFIX) :] in MODES:
        return model[len(MODEL_PREFIX) :]
    return None


def model_card(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": 0, "owned_by": "qa-docs"}


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
            pending = message.text
        elif pending is not None:
            history.append((pending, message.text))
            pending = None
    return turns[-1].text, history


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
    """OpenAI `chat.completion.chunk`s: the verified answer's text (with its [n] markers, or the refusal), then
    a last chunk before `[DONE]` that carries `citations` and the `answer` object.

    Chat frontends show what the deltas add up to and cannot take text back, so a model's unverified draft is
    never sent here (`/api/ask` streams drafts, then the verified answer that replaces them): the text arrives
    once it has been checked.
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
            if isinstance(event, Answer):
                data = event.to_dict()
                yield chunk({"content": event.answer})
                yield chunk({}, "stop", citations=data["citations"], answer=data)
    except QAError as exc:
        yield "data: " + json.dumps({"error": {"message": str(exc)}}) + "\n\n"
    yield "data: [DONE]\n\n"


MAX_FILES_PER_UPLOAD = 20


def save_and_index(assistant: Assistant, uploads: Sequence[tuple[str | None, BinaryIO]]) -> IndexReport:
    """Store uploaded files under the store's `uploads/` folder and index them, all or nothing per request.

    Each (file name, binary content) is checked (plain name, known type, readable content) in a temporary file
    before it replaces a stored one; temporary files are removed whatever happens, and a rejected upload leaves
    nothing behind.

    Raises:
        BadInput: a hostile or unsupported name, or content that cannot be read (naming the file).
    """
    folder = Path(assistant.settings.store) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    names = [safe_file_name(name) for name, _ in uploads]
    for name in names:
        if Path(name).suffix.lower() not in READERS:
            raise BadInput(f"file {name!r}: unsupported type (supported: {', '.join(READERS)})")
    staged: list[tuple[Path, Path]] = []
    documents: list[Document] = []
    try:
        for (_, content), name in zip(uploads, names, strict=True):
            with tempfile.NamedTemporaryFile(
                dir=folder, prefix=".upload-", suffix=f"-{name}", delete=False
            ) as tmp:
                staged.append((Path(tmp.name), folder / name))
                shutil.copyfileobj(content, tmp)
            try:  # readable, of the type it claims, not empty: read once (a scan is OCR'd once), indexed as is
                doc = load_file(Path(tmp.name))
            except LoadError as exc:
                raise BadInput(f"file {name!r}: {exc.reason}") from None
            target = (folder / name).resolve()
            documents.append(
                replace(
                    doc,
                    doc_id=make_doc_id(name, str(target)),
                    source=display_source(target),
                    path=str(target),
                )
            )
        backups: list[tuple[Path, Path | None]] = []  # (target, the file it replaced, kept aside)
        try:
            for tmp_path, target in staged:
                aside = target.with_name(f".replaced-{uuid.uuid4().hex[:8]}-{target.name}")
                backups.append((target, aside if target.exists() else None))
                if target.exists():
                    target.replace(aside)
                tmp_path.replace(target)
            report = assistant.indexer(progress=False).index_documents(documents)
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
    for exc_type, status in ((BadInput, 422), (NotFound, 404), (Stale, 409), (QAError, 503)):
        app.add_exception_handler(exc_type, _error_handler(status))

    async def _retry_later(_: Request, exc: Exception) -> JSONResponse:
        retry_after = getattr(exc, "retry_after", 5)
        return JSONResponse(
            status_code=503, content={"error": str(exc)}, headers={"Retry-After": str(retry_after)}
        )

    for retry_type in (StoreBusy, StoreUnavailable):  # the store is held, or down: both pass
        app.add_exception_handler(retry_type, _retry_later)

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
        if assistant.watcher is not None:  # the folders kept indexed: when last synced, what failed
            health["watch"] = assistant.watcher.status.to_dict()
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
        events = assistant.stream(  # bad input raises here, before the stream starts
            request.question, request.history, request.mode, documents=request.documents
        )
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

    @app.get("/api/documents/{doc_id}/pages/{page}", response_model=None)
    def api_page(doc_id: str, page: int, start: int = Query(0), end: int = Query(0)) -> Response:
        """A PDF page rendered as PNG, the lines of [start, end) highlighted (a citation's page)."""
        return Response(assistant.page_image(doc_id, page, start, end), media_type="image/png")

    @app.post("/api/documents", status_code=201)
    def api_upload(
        file: list[UploadFile] | None = File(None), files: list[UploadFile] | None = File(None)
    ) -> dict[str, Any]:
        uploads = [*(file or []), *(files or [])]
        if not uploads:
            raise BadInput("no file in the request: send multipart form field 'file' (or 'files')")
        if len(uploads) > MAX_FILES_PER_UPLOAD:
            raise BadInput(f"{len(uploads)} files in one request: at most {MAX_FILES_PER_UPLOAD}")
        return save_and_index(assistant, [(u.filename, u.file) for u in uploads]).to_dict()

    @app.delete("/api/documents/{doc_id}")
    def api_delete(doc_id: str) -> dict[str, Any]:
        return assistant.remove(doc_id).to_dict()

    @app.get("/api/citations")
    def api_citations(
        doc_id: str = Query(...),
        start: int = Query(...),
        end: int = Query(...),
        context: int = Query(200),
        version: str | None = Query(
            None, description="the citation's content_hash: 409 if the document changed"
        ),
    ) -> dict[str, Any]:
        return assistant.cite(doc_id, start, end, context, version).to_dict()

    @app.get("/v1/models")
    def list_models() -> dict[str, Any]:
        """The answer modes as models: `qa-extractive`, `qa-llm`."""
        return {"object": "list", "data": [model_card(m) for m in MODELS]}

    @app.get("/v1/models/{model}")
    def get_model(model: str) -> dict[str, Any]:
        if model not in MODELS:
            raise NotFound(f"model {model!r} not found: the models are {', '.join(MODELS)}")
        return model_card(model)

    @app.post("/v1/chat/completions", response_model=None)
    def chat_completions(request: ChatCompletionRequest) -> dict[str, Any] | StreamingResponse:
        question, history = _history_from_messages(request.messages)
        events = assistant.stream(question, history, mode=mode_of(request.model))
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
