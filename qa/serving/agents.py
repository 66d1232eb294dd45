"""The documents as tools for agents: an MCP server (the official `mcp` SDK) over stdio (`qa mcp`) and over
streamable HTTP at `/mcp` on the running server (behind the same guard as `/api`).

Tools: `ask` (a cited answer), `search` (passages with exact spans), `cite` (a span in context), and
`list_documents`; each document's text is a resource, `document://{doc_id}`. Bad arguments come back as tool
errors that name the problem (the SDK marks the result `isError`), never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from index.errors import QAError
from index.settings import MODES
from qa.assistant import Assistant

log = logging.getLogger(__name__)

T = TypeVar("T")
INSTRUCTIONS = (
    "Answers questions from the indexed documents. Every answer cites exact spans: quote them as they are. "
    "`ask` answers (or says the documents don't say); `search` finds passages; `cite` shows a span in context; "
    "`list_documents` names what is indexed."
)
MAX_TOP_K = 50


def _citation(c: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "n",
        "doc_id",
        "source",
        "location",
        "page",
        "start",
        "end",
        "quote",
        "supported",
        "content_hash",
        "ocr",
    )
    return {k: c[k] for k in keep if k in c}


def build_mcp(assistant: Assistant) -> Any:
    """The MCP server over an assistant (an `mcp.server.MCPServer`)."""
    import anyio.to_thread
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer(name="qa-docs", instructions=INSTRUCTIONS, log_level="WARNING")

    async def run(call: Callable[[], T]) -> T:
        """Run blocking work in a thread; the assistant's own errors become tool errors naming the problem."""
        try:
            return await anyio.to_thread.run_sync(call)
        except QAError as exc:
            raise ToolError(str(exc)) from None

    @server.tool()
    async def ask(
        question: str, documents: list[str] | None = None, mode: str | None = None
    ) -> dict[str, Any]:
        """Answer a question from the documents, citing the exact spans it rests on.

        Args:
            question: the question, in words.
            documents: doc_ids to answer from (default: all; `list_documents` names them).
            mode: "extractive" (quotes the sentences that answer) or "llm" (a language model writes the
                answer, every sentence verified against its citations); default: the server's.

        Returns the answer text with [n] markers, whether the documents did not answer (`refused`), and the
        citations: doc_id, source, location (page, slide, row), start and end offsets into the document's
        text, the exact quote, and whether verification supported it.
        """
        if not isinstance(question, str) or not question.strip():
            raise ToolError("question: must be a non-empty string")
        if mode is not None and mode not in MODES:
            raise ToolError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        answer = await run(lambda: assistant.ask(question, mode=mode, documents=documents))
        return {
            "answer": answer.answer,
            "refused": answer.refused,
            "citations": [_citation(c.to_dict()) for c in answer.citations],
            "mode": answer.mode,
            "model": answer.model,
        }

    @server.tool()
    async def search(query: str, top_k: int = 5) -> dict[str, Any]:
        """Find the passages that best match a query (hybrid dense + BM25 retrieval), best first.

        Args:
            query: what to look for.
            top_k: how many passages (1 to 50).

        Returns `passages`: each with doc_id, source, location, exact start/end offsets, its text and a score.
        """
        if not isinstance(query, str) or not query.strip():
            raise ToolError("query: must be a non-empty string")
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise ToolError(f"top_k: must be an integer from 1 to {MAX_TOP_K}")
        return {"passages": await run(lambda: [p.to_dict() for p in assistant.search(query, top_k)])}

    @server.tool()
    async def cite(doc_id: str, start: int, end: int, context: int = 200) -> dict[str, Any]:
        """A span of a document with up to `context` characters either side: the way to check a quote.

        Args:
            doc_id: the document (from a citation or `list_documents`).
            start: offset of the span's first character in the document's text.
            end: offset just past its last character.
            context: characters of text to show either side (0 to 5000).
        """
        if not 0 <= context <= 5000:
            raise ToolError("context: must be from 0 to 5000 characters")
        return await run(lambda: assistant.cite(doc_id, start, end, context).to_dict())

    @server.tool()
    async def list_documents() -> dict[str, Any]:
        """Every indexed document (`documents`): doc_id, source file, title, size, chunks, content hash."""
        return {"documents": await run(lambda: [d.to_dict() for d in assistant.documents()])}

    @server.resource("document://{doc_id}", mime_type="text/plain")
    async def document(doc_id: str) -> str:
        """A document's full text: the text every citation's offsets index into."""
        from mcp.server.mcpserver.exceptions import ResourceNotFoundError

        try:
            return await anyio.to_thread.run_sync(lambda: assistant.document(doc_id).text)
        except QAError as exc:
            raise ResourceNotFoundError(str(exc)) from None

    return server


def serve_stdio(assistant: Assistant) -> None:
    """Serve the MCP tools over stdin and stdout until the client closes them (`qa mcp`)."""
    build_mcp(assistant).run("stdio")


MCP_PATH = "/mcp"


def mount_mcp(api: Any, assistant: Assistant) -> None:
    """Serve the MCP tools over streamable HTTP at `/mcp` on a FastAPI app (stateless: each request stands
    alone, so any number of clients and app processes serve it). Host, Origin and token checks are the app's
    `Guard` (qa/serving/web.py), as for `/api`; the SDK's own DNS-rebinding check is left off so the two
    never disagree."""
    import contextlib

    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.routing import Route

    server = build_mcp(assistant)
    endpoint = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    api.router.routes.append(Route(MCP_PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    outer = api.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Any:
        async with server.session_manager.run(), outer(app) as state:
            yield state

    api.router.lifespan_context = lifespan
