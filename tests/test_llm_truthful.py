"""A capable model's correct answers are shown, in whatever style it writes them; its refusals stand.

A scripted OpenAI-compatible server (`tests/fakes.py`, `TruthfulServer`) answers 48 questions about the seed
articles and three SQuAD articles correctly, the way a GPT-4-class or 70B model writes: copying the supporting
sentence, concisely, in paraphrase, in its own style (short names, its own date formats, acronyms), with a
second fact from another passage, or citing the wrong passage. A second server refuses every question; it is
asked the unanswerable SQuAD questions of the same articles. Issue 20's floors: answers shown (not replaced by
the extractive fallback) for >= 0.95 of the questions in every style, >= 0.9 in paraphrase; refusals stand for
>= 0.8 of the unanswerable questions; every quote is the document's text.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator

import pytest
from conftest import DATA, SEEDS
from fakes import STYLES, ScriptedServer, TruthfulServer

from index.embed import Embedder
from qa import Assistant
from qa.cite import quote_problems

log = logging.getLogger(__name__)
ARTICLES = ("European_Union_law", "Yuan_dynasty", "French_and_Indian_War")
pytestmark = pytest.mark.usefixtures("frozen_heap")
CASES = [
    json.loads(line) for line in (DATA / "truthful-answers.jsonl").read_text(encoding="utf-8").splitlines()
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Assistant]:
    """The seeds and three SQuAD articles, each a text file."""
    folder = tmp_path_factory.mktemp("library")
    for f in SEEDS.iterdir():
        shutil.copy(f, folder / f.name)
    squad = json.loads((DATA / "squad-dev-v2.0.json").read_text(encoding="utf-8"))
    for article in squad["data"]:
        if article["title"] in ARTICLES:
            text = "\n\n".join(p["context"] for p in article["paragraphs"])
            (folder / f"{article['title']}.txt").write_text(text, encoding="utf-8")
    assistant = Assistant.open(store=tmp_path_factory.mktemp("library-store"), embedder=embedder)
    assert not assistant.index([folder], progress=False).failed
    yield assistant
    assistant.close()


def _with(library: Assistant, url: str) -> Assistant:
    settings = library.settings.with_(mode="llm", llm=f"openai-compatible:{url}/v1")
    return Assistant(settings, library.store, library.embedder, library.retriever, library.answerer)


def test_a_truthful_models_answers_are_shown_in_every_style(library: Assistant) -> None:
    rates: dict[str, float] = {}
    misses: dict[str, list[str]] = {}
    with TruthfulServer(CASES) as server:
        assistant = _with(library, server.url)
        for style in STYLES:
            server.style = style
            shown = 0
            for case in CASES:
                answer = assistant.ask(case["question"])
                docs = {c.doc_id: assistant.document(c.doc_id) for c in answer.citations}
                assert quote_problems(answer.citations, docs) == [], (style, case["question"])
                if answer.model == server.model and not answer.verification.fallback and not answer.refused:
                    if style in ("verbatim", "concise"):  # the model's own words, so its answer is there
                        assert case["answer"].lower() in answer.answer.lower(), (style, answer.answer)
                    shown += 1
                else:
                    misses.setdefault(style, []).append(
                        f"{case['question']} -> {answer.answer[:120]} {answer.verification.to_dict()}"
                    )
            rates[style] = shown / len(CASES)
    log.warning("truthful model, answers shown by style: %s", rates)
    for style, rate in rates.items():
        floor = 0.9 if style == "paraphrase" else 0.95
        assert rate >= floor, (style, rate, "\n".join(misses.get(style, [])))


def _unanswerable(limit: int) -> list[str]:
    squad = json.loads((DATA / "squad-dev-v2.0.json").read_text(encoding="utf-8"))
    questions = [
        qa["question"]
        for article in squad["data"]
        if article["title"] in ARTICLES
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
        if qa.get("is_impossible")
    ]
    return questions[:: max(1, len(questions) // limit)][:limit]


def test_a_models_refusals_stand_on_unanswerable_questions(library: Assistant) -> None:
    questions = _unanswerable(60)
    with ScriptedServer({}, model="careful-70b") as server:
        assistant = _with(library, server.url)
        answers = [assistant.ask(q) for q in questions]
    refused = [a for a in answers if a.refused]
    rate = len(refused) / len(answers)
    log.warning("refusing model: %d of %d refusals stand (%.2f)", len(refused), len(answers), rate)
    assert rate >= 0.8, [(a.question, a.answer[:100]) for a in answers if not a.refused]
    assert all(a.citations == () for a in refused)


def test_the_lying_model_still_gets_nothing_past_a_trusting_policy(library: Assistant) -> None:
    """Under the trusting policy a model's sentences are never overruled; what it invents is still dropped."""
    # Every name, number and place invented here occurs nowhere in the library.
    lies = {
        "Kublai move the Mongol capital": "Kublai moved the capital from Karakorum to Nanjing in 1287 [1]. "
        "He was advised by Ibn Battuta [2].",
        "Marin's orders": "Marin was ordered to burn Fort Detroit and take 7,500 prisoners [1].",
        "Council composed of": "The Council is composed of 27 elected commissioners [1][9].",
    }
    with ScriptedServer(lies, model="liar-70b") as server:
        assistant = _with(library, server.url)
        for question in (
            "Where did Kublai move the Mongol capital?",
            "What were Marin's orders?",
            "What is the Council composed of?",
        ):
            answer = assistant.ask(question)
            for invented in ("Nanjing", "1287", "Ibn Battuta", "Detroit", "7,500", "27", "[9]"):
                assert invented not in answer.answer, (question, answer.answer)
            assert set(answer.verification.reasons) <= {"unsupported", "invalid marker"}
            assert answer.verification.dropped
