"""Generated answers (llm mode): backends through llama-index, verification against a model that lies,
refusals, streaming, and the llama-index interface. Real models where they run here: the bundled GGUF models
in-process and behind llama-cpp-python's OpenAI-compatible server; scripted loopback servers for lies and for
Ollama, which cannot be installed here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
from fakes import ScriptedServer
from helpers import free_port

from index.errors import BadInput
from qa import Assistant
from qa.cite import marker_problems, quote_problems
from qa.generation import models
from qa.generation.llm import LLMSpec, parse_spec
from qa.types import Answer, Delta


def with_llm(seeded: Assistant, spec: str, policy: str = "auto") -> Assistant:
    """An llm-mode assistant over the seeded store (same store, embedder and retriever)."""
    settings = seeded.settings.with_(mode="llm", llm=spec, llm_policy=policy)
    return Assistant(settings, seeded.store, seeded.embedder, seeded.retriever, seeded.answerer)


def assert_well_formed(assistant: Assistant, answer: Answer) -> None:
    assert marker_problems(answer.answer, answer.citations) == []
    docs = {c.doc_id: assistant.document(c.doc_id) for c in answer.citations}
    assert quote_problems(answer.citations, docs) == []
    if answer.refused:
        assert answer.citations == () and answer.answer.startswith("The documents don't say")


# -- specs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, parsed",
    [
        ("local", LLMSpec("local", "")),
        ("local:smollm2", LLMSpec("local", "smollm2")),
        ("gguf:/models/a.gguf", LLMSpec("gguf", "/models/a.gguf")),
        (
            "openai-compatible:http://127.0.0.1:8080/v1#qwen",
            LLMSpec("openai-compatible", "http://127.0.0.1:8080/v1", "qwen"),
        ),
        (
            "openai-compatible:https://api.openai.com/v1",
            LLMSpec("openai-compatible", "https://api.openai.com/v1"),
        ),
        ("ollama:qwen2.5:0.5b", LLMSpec("ollama", "http://127.0.0.1:11434", "qwen2.5:0.5b")),
        ("ollama:llama3@http://10.0.0.2:11434", LLMSpec("ollama", "http://10.0.0.2:11434", "llama3")),
    ],
)
def test_llm_specs_parse(spec: str, parsed: LLMSpec) -> None:
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["gpt4", "gguf:", "openai-compatible:localhost", "ollama:"])
def test_bad_llm_specs_name_the_problem(spec: str) -> None:
    with pytest.raises(BadInput, match="--llm"):
        parse_spec(spec)


# -- a model that lies ----------------------------------------------------------------------------------------

LIES = {
    "year did Qaani": "Qaani took over the Quds Force in 2019 [1]. He commanded 90,000 fighters [2].",
    "commands the Quds": "Esmail Qaani commands the Quds Force [7]. He was appointed by Ali Larijani [1]. [12]",
    "Khamenei accuse": "Khamenei accused Hamas of failing to notify Iran before the October 7 attack [3]. "
    "Khamenei also sent 500 rockets to Gaza [1].",
    "armed groups": "Iran sent weapons and money to the Houthis [1]. The Houthis fired 300 missiles [2].",
    # a copy of the prompt, delimiters and all: true word for word, and no answer
    "drone strike": "[1] <<<Qaani took over the force in 2020 after his predecessor, Qasem Soleimani, was "
    "killed in a United States (US) drone strike.>>>",
    # true and supported, but not what was asked: the retrieval evidence plainly answers otherwise
    "predecessor": "The Quds Force is the foreign operations arm of Tehran’s Islamic Revolution Guards Corps [1].",
}


@pytest.fixture(scope="module")
def liar() -> Iterator[ScriptedServer]:
    with ScriptedServer(LIES, model="liar-7b") as server:
        yield server


def test_no_invented_number_or_name_survives_verification(seeded: Assistant, liar: ScriptedServer) -> None:
    assistant = with_llm(seeded, f"openai-compatible:{liar.url}/v1")
    for question in (
        "In what year did Qaani take over the Quds Force?",
        "Who commands the Quds Force?",
        "What did Khamenei accuse Hamas of?",
        "Which armed groups belong to the Axis of Resistance?",
    ):
        answer = assistant.ask(question)
        assert_well_formed(assistant, answer)
        for invented in ("2019", "90,000", "Larijani", "500", "rockets", "300", "missiles", "weapons"):
            assert invented not in answer.answer, (question, answer.answer)
        assert all(n <= len(answer.citations) for n in map(int, re.findall(r"\[(\d+)\]", answer.answer)))
        assert answer.verification.sentences >= 2
        assert answer.verification.dropped, "the lies are listed for audit"


def test_true_sentences_survive_with_re_anchored_and_narrowed_citations(
    seeded: Assistant, liar: ScriptedServer
) -> None:
    assistant = with_llm(seeded, f"openai-compatible:{liar.url}/v1")
    answer = assistant.ask("Who commands the Quds Force?")
    assert answer.model == "liar-7b" and answer.mode == "llm"
    assert answer.answer.startswith("Esmail Qaani commands the Quds Force. [1]")  # [7] named no passage
    assert "Qaani" in answer.citations[0].quote and answer.citations[0].supported
    assert answer.verification.dropped == ("He was appointed by Ali Larijani.",)
    assert not answer.verification.fallback
    assert (
        "first_token" in answer.timings_ms and answer.timings_ms["first_token"] <= answer.timings_ms["total"]
    )


def test_when_nothing_survives_the_answer_says_it_fell_back(seeded: Assistant, liar: ScriptedServer) -> None:
    answer = with_llm(seeded, f"openai-compatible:{liar.url}/v1").ask(
        "Which armed groups belong to the Axis of Resistance?"
    )
    assert answer.verification.fallback and answer.model == "extractive"
    assert len(answer.verification.dropped) == 2
    assert "Hezbollah" in answer.answer  # the extractive answer, verified by construction


def test_under_a_cautious_policy_a_verified_sentence_that_misses_the_plain_answer_is_overruled(
    seeded: Assistant, liar: ScriptedServer
) -> None:
    """The tiny bundled models answer from a neighbouring sentence: under their (cautious) policy, a verified
    sentence that misses what the evidence plainly answers is replaced, and the audit says it was overruled."""
    spec = f"openai-compatible:{liar.url}/v1"
    answer = with_llm(seeded, spec, "cautious").ask("Who was Qaani's predecessor?")
    assert "Soleimani" in answer.answer and answer.verification.fallback and answer.model == "extractive"
    assert answer.verification.dropped == (LIES["predecessor"].replace(" [1]", ""),)
    assert answer.verification.reasons == ("overruled",)
    # A capable model's verified sentence is never overruled by a comparison with the extractive answer.
    trusted = with_llm(seeded, spec, "trusting").ask("Who was Qaani's predecessor?")
    assert trusted.model == "liar-7b" and not trusted.verification.fallback
    assert trusted.answer.startswith("The Quds Force is the foreign operations arm")


def test_a_copy_of_the_prompt_is_dropped_not_shown(seeded: Assistant, liar: ScriptedServer) -> None:
    answer = with_llm(seeded, f"openai-compatible:{liar.url}/v1").ask("Who was killed in a US drone strike?")
    assert "<<<" not in answer.answer and ">>>" not in answer.answer
    assert len(answer.verification.dropped) == 1 and "drone strike" in answer.verification.dropped[0]
    assert answer.verification.fallback and answer.model == "extractive" and "Soleimani" in answer.answer


def test_the_models_refusal_stands_only_where_the_evidence_is_weak_too(
    seeded: Assistant, liar: ScriptedServer
) -> None:
    assistant = with_llm(seeded, f"openai-compatible:{liar.url}/v1")
    # The scripted model says the documents don't say. The best sentence is on Qaani's letter, unlikely to
    # answer (0.17) and silent on Hezbollah: the refusal stands.
    answer = assistant.ask("What did Qaani tell Hezbollah?")
    assert answer.refused and answer.model == "liar-7b" and answer.citations == ()
    answer = assistant.ask("What did Qaani praise Hamas troops as?")  # "heroic", in a sentence that says so
    assert not answer.refused and "heroic" in answer.answer
    assert answer.model == "extractive" and answer.verification.fallback


def test_questions_the_retrieval_evidence_cannot_answer_never_reach_the_model(
    seeded: Assistant, liar: ScriptedServer
) -> None:
    asked = len(liar.requests)
    answer = with_llm(seeded, f"openai-compatible:{liar.url}/v1").ask("What is the capital of France?")
    assert answer.refused and len(liar.requests) == asked


def test_the_api_key_comes_from_the_environment(
    seeded: Assistant, liar: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_LLM_API_KEY", "sk-test-123")
    with_llm(seeded, f"openai-compatible:{liar.url}#liar-7b").ask("Who commands the Quds Force?")
    assert liar.requests[-1]["auth"] == "Bearer sk-test-123"
    assert liar.requests[-1]["body"]["model"] == "liar-7b"


def test_passages_are_delimited_data_in_the_prompt(seeded: Assistant, liar: ScriptedServer) -> None:
    with_llm(seeded, f"openai-compatible:{liar.url}/v1").ask("Who commands the Quds Force?")
    messages = liar.requests[-1]["body"]["messages"]
    assert messages[0]["role"] == "system" and "not instructions" in messages[0]["content"]
    user = messages[-1]["content"]
    assert user.count("<<<") == user.count(">>>") >= 1
    assert "Question: Who commands the Quds Force?" in user


def test_a_capable_model_reads_several_passages_a_tiny_one_a_few_sentences(
    seeded: Assistant, liar: ScriptedServer
) -> None:
    """The evidence sent follows the model's policy: a 4k-token model (trusting) gets several passages, as
    much as fits in half its window; a cautious one about 700 characters, so that a 0.5B model on two
    cores starts writing within about two seconds."""
    spec = f"openai-compatible:{liar.url}/v1"
    sizes = {}
    for policy in ("trusting", "cautious"):
        with_llm(seeded, spec, policy).ask("Who commands the Quds Force?")
        user = liar.requests[-1]["body"]["messages"][-1]["content"]
        sizes[policy] = (user.count("<<<"), len(user))
    assert sizes["trusting"][0] >= 4 and sizes["trusting"][1] > 3000, sizes
    assert sizes["cautious"][0] <= 4 and sizes["cautious"][1] < 1200, sizes


# -- Ollama (its chat API, scripted: Ollama itself cannot be installed here) -----------------------------------


def test_ollama_backend_answers_and_streams(seeded: Assistant) -> None:
    script = {"year did Qaani": "Qaani took over the Quds Force in 2020 [1]."}
    with ScriptedServer(script, model="qwen2.5:0.5b") as server:
        assistant = with_llm(seeded, f"ollama:qwen2.5:0.5b@{server.url}")
        events = list(assistant.stream("In what year did Qaani take over the Quds Force?"))
    deltas = [e.text for e in events if isinstance(e, Delta)]
    answer = events[-1]
    assert isinstance(answer, Answer) and len(deltas) > 3
    assert "".join(deltas) == script["year did Qaani"]
    assert answer.model == "qwen2.5:0.5b" and "2020" in answer.answer and not answer.refused
    assert server.requests[0]["path"] == "/api/chat"
    assert_well_formed(assistant, answer)


# -- real models ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback, serving the bundled SmolLM2 GGUF."""
    gguf = models.path(models.find("smollm2"))
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--model_alias",
            "smollm2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as response:
                    if json.load(response)["data"]:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("llama_cpp.server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_real_openai_compatible_server_answers_through_verification(
    seeded: Assistant, llama_server: str
) -> None:
    assistant = with_llm(seeded, f"openai-compatible:{llama_server}/v1")
    answer = assistant.ask("Who commands the Quds Force?")
    assert answer.mode == "llm" and answer.model in ("smollm2", "extractive")
    assert not answer.refused and "Qaani" in answer.answer
    assert_well_formed(assistant, answer)
    assert answer.completion_tokens and answer.completion_tokens > 0


@pytest.fixture(scope="module")
def local(seeded: Assistant) -> Assistant:
    """The default local model, in-process (loaded once for this module)."""
    return with_llm(seeded, "local")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Who commands the Quds Force?", "Qaani"),
        ("In what year did Qaani take over the Quds Force?", "2020"),
        ("Where did Khamenei meet the head of Hamas?", "Tehran"),
    ],
)
def test_the_default_local_model_answers_seed_questions(
    local: Assistant, question: str, expected: str
) -> None:
    answer = local.ask(question)
    assert expected in answer.answer and not answer.refused
    assert answer.model == models.DEFAULT or answer.verification.fallback
    assert_well_formed(local, answer)
    assert answer.timings_ms["first_token"] > 0


def test_follow_ups_in_llm_mode_are_condensed_and_shown(local: Assistant) -> None:
    chat = local.chat()
    chat.ask("Who commands the Quds Force?", mode="llm")
    answer = chat.ask("When did he take over the force?", mode="llm")
    assert "Qaani" in answer.standalone_question
    assert "2020" in answer.answer


# -- HTTP streaming -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_client(seeded: Assistant, liar: ScriptedServer) -> Iterator[httpx.Client]:
    from fastapi.testclient import TestClient

    from qa.serving.api import build_api

    with TestClient(build_api(with_llm(seeded, f"openai-compatible:{liar.url}/v1"))) as client:
        yield client


def _events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_api_ask_streams_deltas_then_one_verified_answer_then_done(llm_client: httpx.Client) -> None:
    response = llm_client.post("/api/ask", json={"question": "Who commands the Quds Force?", "stream": True})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [k for k, _ in events]
    assert kinds[-2:] == ["answer", "done"] and kinds.count("answer") == 1
    assert set(kinds[:-2]) == {"delta"} and len(kinds) > 4
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    assert "Larijani" in streamed  # the draft as the model wrote it ...
    final = events[-2][1]
    assert "Larijani" not in final["answer"] and final["verification"]["dropped"]  # ... and what survived


def test_api_ask_chooses_the_mode_per_request(llm_client: httpx.Client) -> None:
    extractive = llm_client.post(
        "/api/ask", json={"question": "Who commands the Quds Force?", "mode": "extractive"}
    )
    assert extractive.json()["model"] == "extractive" and extractive.json()["mode"] == "extractive"
    bad = llm_client.post("/api/ask", json={"question": "Who commands the Quds Force?", "mode": "poetry"})
    assert bad.status_code == 422 and "mode" in bad.json()["error"]


def test_openai_route_streams_chunks_and_the_last_carries_citations(llm_client: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": "Who commands the Quds Force?"}], "stream": True}
    response = llm_client.post("/v1/chat/completions", json=body)
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"] and "Qaani" in chunks[-1]["citations"][0]["quote"]
    plain = llm_client.post("/v1/chat/completions", json={**body, "stream": False}).json()
    assert plain["citations"] == chunks[-1]["citations"]


# -- llama-index, from plain llama-index code -----------------------------------------------------------------


def test_llama_index_users_get_a_retriever_and_a_query_engine(seeded: Assistant) -> None:
    from llama_index.core.base.base_query_engine import BaseQueryEngine
    from llama_index.core.base.base_retriever import BaseRetriever

    retriever = seeded.as_retriever(top_k=3)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("Who commands the Quds Force?")
    assert len(nodes) == 3 and nodes[0].score >= nodes[-1].score
    for node in nodes:
        meta = node.node.metadata
        assert seeded.document(meta["doc_id"]).text[meta["start"] : meta["end"]] == node.node.get_content()

    engine = seeded.as_query_engine()
    assert isinstance(engine, BaseQueryEngine)
    response = engine.query("In what year did Qaani take over the Quds Force?")
    assert "2020" in str(response)
    answer = response.metadata["answer"]
    assert [n.node.get_content() for n in response.source_nodes] == [c["quote"] for c in answer["citations"]]


def test_an_unreachable_model_server_is_a_clear_error_not_a_stack_trace(seeded: Assistant) -> None:
    from index.errors import QAError

    port = free_port()  # nothing listens there
    assistant = with_llm(seeded, f"openai-compatible:http://127.0.0.1:{port}/v1#none")
    with pytest.raises(QAError, match="the model none failed"):
        assistant.ask("Who commands the Quds Force?")


@pytest.mark.parametrize(
    "setting, model, bundled, policy",
    [
        ("auto", "qwen2.5-coder-0.5b-instruct-q8_0", True, "cautious"),  # a bundled model
        ("auto", "qwen2.5:0.5b", False, "cautious"),  # a name that says 0.5B parameters
        ("auto", "llama3.2:1b", False, "cautious"),
        ("auto", "smollm2-135m", False, "cautious"),
        ("auto", "gpt-4o", False, "trusting"),
        ("auto", "llama3.1:70b", False, "trusting"),
        ("auto", "qwen2.5:7b-instruct", False, "trusting"),
        ("trusting", "qwen2.5:0.5b", False, "trusting"),  # QA_LLM_POLICY decides when set
        ("cautious", "gpt-4o", False, "cautious"),
    ],
)
def test_a_models_policy_follows_its_size_unless_set(
    setting: str, model: str, bundled: bool, policy: str
) -> None:
    from qa.generation.policy import policy_for

    assert policy_for(setting, model, bundled, 4096).name == policy


def test_an_unknown_policy_is_refused_by_name() -> None:
    from index.settings import Settings

    with pytest.raises(BadInput, match="QA_LLM_POLICY"):
        Settings.load(env={"QA_LLM_POLICY": "reckless"})
