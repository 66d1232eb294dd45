"""The OpenAI-compatible route driven by the official `openai` client, as chat frontends (Open WebUI, LibreChat)
use it: they list the models first, then chat with the one a user picks (issue 22)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import serving

from app import build_app
from qa import Assistant

openai = pytest.importorskip("openai", reason="installed with llama-index's OpenAI-like LLM")

QUESTION = "Who commands the Quds Force?"


@pytest.fixture(scope="module")
def client(seeded: Assistant) -> Iterator[object]:
    with serving(build_app(seeded)) as url:
        yield openai.OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=300, max_retries=0)


def _exact(seeded: Assistant, citations: list[dict[str, object]]) -> None:
    assert citations
    for c in citations:
        text = seeded.document(str(c["doc_id"])).text
        assert text[int(c["start"]) : int(c["end"])] == c["quote"]  # type: ignore[call-overload]


def test_the_client_lists_the_answer_modes_as_models(client: object) -> None:
    ids = [m.id for m in client.models.list()]  # type: ignore[attr-defined]
    assert ids == ["qa-extractive", "qa-llm"]
    assert client.models.retrieve("qa-llm").id == "qa-llm"  # type: ignore[attr-defined]
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", ["qa-extractive", "qa-llm"])
def test_each_model_answers_with_exact_citations(client: object, seeded: Assistant, model: str) -> None:
    reply = client.chat.completions.create(  # type: ignore[attr-defined]
        model=model, messages=[{"role": "user", "content": QUESTION}]
    )
    extra = reply.model_extra or {}
    assert reply.model == model and extra["answer"]["mode"] == model.removeprefix("qa-")
    assert "Qaani" in reply.choices[0].message.content
    _exact(seeded, extra["citations"])


@pytest.mark.parametrize("model", ["qa-extractive", "qa-llm"])
def test_each_model_streams_with_citations_in_the_last_chunk(
    client: object, seeded: Assistant, model: str
) -> None:
    chunks = list(
        client.chat.completions.create(  # type: ignore[attr-defined]
            model=model, messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = next(c for c in reversed(chunks) if (c.model_extra or {}).get("citations"))
    final = last.model_extra["answer"]
    assert final["mode"] == model.removeprefix("qa-") and "Qaani" in final["answer"]
    assert text == final["answer"]  # what a frontend shows is the verified answer, markers and all, no draft
    _exact(seeded, last.model_extra["citations"])


def test_a_streamed_refusal_says_so(client: object) -> None:
    question = "What is the boiling point of mercury?"
    chunks = list(
        client.chat.completions.create(  # type: ignore[attr-defined]
            model="qa-extractive", messages=[{"role": "user", "content": question}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("The documents don't say")


def test_content_as_a_list_of_parts(client: object) -> None:
    reply = client.chat.completions.create(  # type: ignore[attr-defined]
        model="qa-extractive", messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}]}]
    )
    assert "Qaani" in reply.choices[0].message.content
