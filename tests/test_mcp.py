"""The MCP server driven by the official `mcp` SDK's own client: over stdio (`qa mcp` as a subprocess, as a
desktop client starts it) and over streamable HTTP at `/mcp` on the real app (issue 22)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import ROOT, SEEDS
from helpers import serving

from app import build_app
from index.embed import Embedder
from qa import Assistant

mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters  # noqa: E402

QUESTION = "Who commands the Quds Force?"
TOOLS = ["ask", "cite", "list_documents", "search"]


def _payload(result: Any) -> Any:
    assert not result.is_error, result
    return json.loads(result.content[0].text)


async def _session(server: Any, texts: dict[str, str]) -> None:
    """What every transport must do: list the tools, answer with exact quotes, refuse bad arguments."""
    async with Client(server) as client:
        assert sorted(t.name for t in (await client.list_tools()).tools) == TOOLS
        answer = _payload(await client.call_tool("ask", {"question": QUESTION}))
        assert "Qaani" in answer["answer"] and answer["citations"]
        for c in answer["citations"]:
            assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
            shown = _payload(
                await client.call_tool("cite", {"doc_id": c["doc_id"], "start": c["start"], "end": c["end"]})
            )
            assert shown["quote"] == c["quote"]
        passages = _payload(await client.call_tool("search", {"query": "Quds Force commander", "top_k": 3}))[
            "passages"
        ]
        assert 1 <= len(passages) <= 3 and all(
            texts[p["doc_id"]][p["start"] : p["end"]] == p["text"] for p in passages
        )
        listed = _payload(await client.call_tool("list_documents", {}))["documents"]
        assert sorted(d["doc_id"] for d in listed) == sorted(texts)
        doc_id = sorted(texts)[0]
        read = await client.read_resource(f"document://{doc_id}")
        assert read.contents[0].text == texts[doc_id]
        with pytest.raises(Exception, match="unknown doc_id 'nope'"):
            await client.read_resource("document://nope")
        for name, arguments, message in [
            ("ask", {"question": "  "}, "question: must be a non-empty string"),
            ("ask", {"question": QUESTION, "mode": "poetry"}, "mode: 'poetry' is not one of"),
            ("search", {"query": "x", "top_k": 0}, "top_k: must be an integer from 1 to 50"),
            ("cite", {"doc_id": "nope", "start": 0, "end": 5}, "unknown doc_id"),
        ]:
            failed = await client.call_tool(name, arguments)
            assert (
                failed.is_error
                and message in failed.content[0].text
                and "Traceback" not in failed.content[0].text
            )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, dict[str, str]]:
    """A store of its own with the seeds (the stdio server opens it in another process)."""
    folder = tmp_path_factory.mktemp("mcp-store")
    with Assistant.open(store=folder, embedder=embedder) as assistant:
        assistant.index([SEEDS], progress=False)
        texts = {d.doc_id: assistant.document(d.doc_id).text for d in assistant.documents()}
    return folder, texts


def test_over_stdio_as_a_desktop_client_starts_it(store: tuple[Path, dict[str, str]]) -> None:
    folder, texts = store
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "qa", "mcp", "--store", str(folder)], cwd=str(ROOT)
    )
    anyio.run(_session, server, texts)


@pytest.fixture(scope="module")
def site(seeded: Assistant) -> Iterator[str]:
    with serving(build_app(seeded)) as url:
        yield url


def test_over_http_on_the_running_server(site: str, seeded: Assistant) -> None:
    texts = {d.doc_id: seeded.document(d.doc_id).text for d in seeded.documents()}
    anyio.run(_session, f"{site}/mcp", texts)


def test_http_refuses_a_foreign_origin(site: str) -> None:
    hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    refused = httpx.post(f"{site}/mcp", json=hello, headers={"Origin": "http://evil.example"}, timeout=30)
    assert refused.status_code == 403 and "cross-origin" in refused.json()["error"]


def test_http_requires_the_token_when_one_is_set(seeded: Assistant) -> None:
    guarded = Assistant(
        seeded.settings.with_(api_token="s3cret"),
        seeded.store,
        seeded.embedder,
        seeded.retriever,
        seeded.answerer,
    )
    with serving(build_app(guarded)) as url:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        assert httpx.post(f"{url}/mcp", json=hello, timeout=30).status_code == 401

        async def with_token() -> None:
            headers = {"Authorization": "Bearer s3cret"}
            async with httpx.AsyncClient(headers=headers, timeout=60) as http:
                from mcp.client.streamable_http import streamable_http_client

                async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                    assert sorted(t.name for t in (await client.list_tools()).tools) == TOOLS

        anyio.run(with_token)
