"""The HTTP API and the Gradio page, served by the real app (FastAPI TestClient over build_app)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import build_app
from qa import Assistant
from qa.serving.render import answer_html, citation_html, document_html, sources_html
from qa.serving.web import as_text


@pytest.fixture(scope="module")
def client(seeded: Assistant) -> Iterator[TestClient]:
    with TestClient(build_app(seeded), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def test_healthz(client: TestClient) -> None:
    health = client.get("/healthz").json()
    last_change = health.pop("last_change")
    assert health == {
        "status": "ok",
        "documents": 2,
        "chunks": 7,
        "readable": True,
        "mode": "extractive",
        "llm": "local",
    }
    assert isinstance(last_change, float) and last_change > 1.7e9


def test_ask_returns_an_answer_object_with_exact_citations(client: TestClient, seeded: Assistant) -> None:
    response = client.post("/api/ask", json={"question": "Who commands Iran's Quds Force?"})
    assert response.status_code == 200
    answer = response.json()
    assert "Qaani" in answer["answer"] and answer["mode"] == "extractive"
    for c in answer["citations"]:
        assert seeded.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]
    assert all(len(s["text"]) <= 1500 and s["end"] - s["start"] <= 1500 for s in answer["sources"])


def test_ask_with_history_rewrites_the_follow_up(client: TestClient) -> None:
    first = client.post("/api/ask", json={"question": "Who commands the Quds Force?"}).json()
    second = client.post(
        "/api/ask",
        json={
            "question": "When did he take over the force?",
            "history": [[first["question"], first["answer"]]],
        },
    ).json()
    assert "Qaani" in second["standalone_question"] and "2020" in second["answer"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"question": "   "}, "question is empty"),
        ({"question": "x" * 2001}, "too long"),
        ({}, "question: Field required"),
        ({"question": 42}, "question"),
        ({"question": "Who?", "mode": "telepathy"}, "mode"),
    ],
)
def test_bad_ask_requests_get_422_json(client: TestClient, body: dict, message: str) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
    assert message in response.json()["error"]


def test_citation_lookup_and_its_404s(client: TestClient, seeded: Assistant) -> None:
    doc = seeded.documents()[0]
    ok = client.get("/api/citations", params={"doc_id": doc.doc_id, "start": 0, "end": 10, "context": 5})
    assert ok.status_code == 200 and ok.json()["quote"] == seeded.document(doc.doc_id).text[0:10]
    unknown = client.get("/api/citations", params={"doc_id": "nope", "start": 0, "end": 10})
    assert unknown.status_code == 404 and "unknown doc_id" in unknown.json()["error"]
    outside = client.get("/api/citations", params={"doc_id": doc.doc_id, "start": 0, "end": 10**6})
    assert outside.status_code == 404 and "out of range" in outside.json()["error"]


def test_documents_list_and_text(client: TestClient, seeded: Assistant) -> None:
    listed = client.get("/api/documents").json()["documents"]
    assert sorted(d["source"] for d in listed) == sorted(d.source for d in seeded.documents())
    one = client.get(f"/api/documents/{listed[0]['doc_id']}").json()
    assert one["text"] == seeded.document(listed[0]["doc_id"]).text
    assert client.get("/api/documents/nope").status_code == 404


def test_upload_then_delete_a_document(fresh: Assistant, tmp_path: Path) -> None:
    with TestClient(build_app(fresh), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        text = b"The lighthouse of Pharos stood in Alexandria. It was built around 280 BC."
        created = c.post("/api/documents", files={"file": ("pharos.txt", text, "text/plain")})
        assert created.status_code == 201 and created.json()["documents"] == 1
        answer = c.post("/api/ask", json={"question": "Where did the lighthouse of Pharos stand?"}).json()
        assert "Alexandria" in answer["answer"]
        bad = c.post("/api/documents", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
        assert bad.status_code == 422 and "unsupported" in bad.json()["error"]
        doc_id = c.get("/api/documents").json()["documents"][0]["doc_id"]
        assert c.delete(f"/api/documents/{doc_id}").json()["documents"] == 0
        assert c.delete(f"/api/documents/{doc_id}").status_code == 404
        assert fresh.store.chunks.count() == 0 and fresh.store.sentences.count() == 0


def test_openai_compatible_chat_completions_carry_citations(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={
            "model": "qa",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "Who commands the Quds Force?"},
                {
                    "role": "assistant",
                    "content": "Iran’s Quds Force commander Esmail Qaani sent the letter. [1]",
                },
                {"role": "user", "content": "When did he take over the force?"},
            ],
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion"
    assert "2020" in data["choices"][0]["message"]["content"]
    assert data["citations"] and data["citations"] == data["choices"][0]["message"]["citations"]
    bad = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}], "stream": True}
    )
    assert bad.status_code == 422 and "role 'user'" in bad.json()["error"]  # checked before the stream starts


def test_the_chat_page_is_served_and_citations_render_in_context(
    client: TestClient, seeded: Assistant
) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    answer = seeded.ask("Who commands Iran's Quds Force?")
    shown = answer_html(answer, 3)
    assert "<a class='qa-cite' href='#cite-3-1'>[1]</a>" in shown
    cited = answer.citations[0]
    doc = seeded.document(cited.doc_id)
    panel = citation_html(cited, doc, "The title")
    assert f"<mark>{as_text(cited.quote)}</mark>" in panel and "The title" in panel and "score" in panel
    whole = document_html(doc, "The title", cited.start, cited.end)
    assert f"<mark id='qa-span'>{as_text(cited.quote)}</mark>" in whole


def test_sources_are_numbered_once_best_first_with_the_cited_sentence_marked(seeded: Assistant) -> None:
    answer = seeded.ask("Who commands Iran's Quds Force?")
    shown = sources_html(answer)
    assert "<ol" in shown and "1. " not in shown  # the list numbers them; nothing numbers them again
    scores = [float(x) for x in re.findall(r"score (\d\.\d\d)", shown)]
    assert scores == sorted(scores, reverse=True) and len(scores) == min(5, len(answer.sources))
    cited = answer.citations[0]
    assert f"<mark>{as_text(' '.join(cited.quote.split()))}</mark>" in shown
    assert "Closest passages" not in shown


def test_a_refusal_looks_different_and_offers_closest_passages(seeded: Assistant) -> None:
    answer = seeded.ask("What is the capital of France?")
    assert answer.refused
    assert "qa-refusal" in answer_html(answer, 0) and "qa-cite" not in answer_html(answer, 0)
    shown = sources_html(answer)
    assert "Closest passages" in shown and "cited" not in shown


def test_ask_within_chosen_documents(client: TestClient, seeded: Assistant) -> None:
    """The document filter narrows retrieval (issue 11), on POST /api/ask and in the Python API."""
    docs = {d.source.rsplit("/", 1)[-1]: d.doc_id for d in seeded.documents()}
    only = docs["003_16f4160fbc76786d.txt"]
    question = "Who commands the Quds Force?"
    everywhere = seeded.ask(question)
    assert {p.doc_id for p in everywhere.sources} == set(docs.values())  # both documents compete
    within = client.post("/api/ask", json={"question": question, "documents": [only]}).json()
    assert within["sources"] and {p["doc_id"] for p in within["sources"]} == {only}
    assert within["citations"] and {c["doc_id"] for c in within["citations"]} == {only}
    python = seeded.ask(question, documents=[only])
    assert {p.doc_id for p in python.sources} == {only} and not python.refused
    other = seeded.chat().ask(question, documents=[docs["000_8d4618b9783054d8.txt"]])
    assert {p.doc_id for p in other.sources} == {docs["000_8d4618b9783054d8.txt"]}
    assert client.post("/api/ask", json={"question": question, "documents": []}).json()["sources"]


def test_ask_within_an_unknown_document_is_a_clear_error(client: TestClient) -> None:
    reply = client.post("/api/ask", json={"question": "Who?", "documents": ["no-such-doc"]})
    assert reply.status_code == 422 and "unknown doc_id 'no-such-doc'" in reply.json()["error"]
    reply = client.post("/api/ask", json={"question": "Who?", "documents": "abc"})
    assert reply.status_code == 422 and "documents" in reply.json()["error"]


def test_documents_are_listed_with_their_titles(client: TestClient) -> None:
    listed = client.get("/api/documents").json()["documents"]
    titles = {d["source"].rsplit("/", 1)[-1]: d["title"] for d in listed}
    assert (
        titles["003_16f4160fbc76786d.txt"]
        == "Iran’s elite military branch vows to help Hamas ‘whatever it takes’"
    )


def test_a_stale_citation_version_is_409(client: TestClient, seeded: Assistant) -> None:
    c = client.post("/api/ask", json={"question": "Who commands Iran's Quds Force?"}).json()["citations"][0]
    query = {"doc_id": c["doc_id"], "start": c["start"], "end": c["end"]}
    current = client.get("/api/citations", params={**query, "version": c["content_hash"]})
    assert current.status_code == 200 and current.json()["quote"] == c["quote"]
    stale = client.get("/api/citations", params={**query, "version": "f" * 64})
    assert stale.status_code == 409 and "changed since this citation" in stale.json()["error"]
