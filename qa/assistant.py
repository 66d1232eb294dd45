"""The Python API: `Assistant.open(store=...)`, `.ask()`, `.chat()`, `.cite()`, `.documents()`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.build import Indexer, IndexReport
from index.embed import Embedder
from index.errors import BadInput, NotFound, QAError
from index.load import Document
from index.manifest import DocumentInfo
from index.settings import Settings
from index.store import Store
from qa.answer import AnswerConfig, Draft, ExtractiveAnswerer
from qa.chat import History, rewrite
from qa.cite import Claim, number, passage_in_context
from qa.retrieve import HybridRetriever, RetrievalConfig
from qa.types import Answer, CitedPassage

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
SOURCES = 10
EMPTY_STORE = "No documents indexed yet: run `qa index PATH`."


def refusal_text(question: str) -> str:
    return f"The documents don't say. Nothing in them answers “{question.strip()}”"


def check_question(question: object) -> str:
    """The question, stripped, or BadInput naming what is wrong with it."""
    if not isinstance(question, str):
        raise BadInput("question must be a string")
    if not question.strip():
        raise BadInput("question is empty: ask something, e.g. “Who commands Iran's Quds Force?”")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(f"question is too long: {len(question)} characters, the limit is {MAX_QUESTION_CHARS}")
    return question.strip()


class Assistant:
    """Answers questions over one collection, citing the exact sentences it quotes."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embedder,
        retriever: HybridRetriever | None = None,
        answerer: ExtractiveAnswerer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = retriever or HybridRetriever(store, embedder)
        self.answerer = answerer or ExtractiveAnswerer(store)

    @classmethod
    def open(
        cls,
        store: str | Path | None = None,
        *,
        settings: Settings | None = None,
        retrieval: RetrievalConfig | None = None,
        answering: AnswerConfig | None = None,
        embedder: Embedder | None = None,
        **overrides: Any,
    ) -> Assistant:
        """Open (or create) the index at `store`, with settings from the environment and `overrides`.

        Args:
            store: the store folder (default `QA_STORE` or `./.qa-store`).
            settings: complete settings; when given, `store` and `overrides` change them.
            retrieval: fusion parameters (defaults are the tuned ones).
            answering: answer-selection parameters (defaults are the tuned ones).
            embedder: an embedder to share (its model loads once).
            **overrides: any Settings field, e.g. `collection="docs"`, `chroma_url="http://127.0.0.1:8000"`.
        """
        if store is not None:
            overrides["store"] = store
        settings = settings.with_(**overrides) if settings else Settings.load(overrides)
        st = Store(settings)
        emb = embedder or Embedder()
        return cls(settings, st, emb, HybridRetriever(st, emb, retrieval), ExtractiveAnswerer(st, answering))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- questions ---------------------------------------------------------------------------------------

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer one question; `history` holds earlier (question, answer) turns of the conversation.

        Raises:
            BadInput: the question is empty or longer than 2,000 characters.
        """
        question = check_question(question)
        if self.settings.mode != "extractive":
            raise QAError("--mode llm is not available yet: use --mode extractive (QA_MODE=extractive)")
        started = time.perf_counter()
        standalone = rewrite(question, list(history or []))
        if self.store.manifest.counts()[0] == 0:
            return Answer(question, standalone, EMPTY_STORE, True, mode="extractive")
        retrieval = self.retriever.retrieve(standalone, k=SOURCES)
        retrieved = time.perf_counter()
        draft = self.answerer.draft(retrieval, sources=SOURCES)
        answer = self._compose(question, standalone, draft, draft.passages or retrieval.passages)
        done = time.perf_counter()
        timings = {
            "retrieve": (retrieved - started) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        return Answer(**{**answer.__dict__, "timings_ms": timings})

    def _compose(self, question: str, standalone: str, draft: Draft, passages: Sequence[Any]) -> Answer:
        if draft.refused:
            return Answer(question, standalone, refusal_text(standalone), True, (), tuple(passages), "extractive")
        # Quote in document order when the sentences come from one document, so the answer reads naturally.
        chosen = draft.sentences
        if len({s.doc_id for s in chosen}) == 1:
            chosen = sorted(chosen, key=lambda s: s.start)
        claims = [Claim(s.text, s.doc_id, s.source, s.start, s.end, s.text, s.probability) for s in chosen]
        text, citations = number(claims)
        return Answer(question, standalone, text, False, tuple(citations), tuple(passages), "extractive")

    def chat(self) -> Chat:
        """A conversation: each `.ask()` sees the earlier turns."""
        return Chat(self)

    # -- documents ---------------------------------------------------------------------------------------

    def cite(self, doc_id: str, start: int, end: int, context: int = 200) -> CitedPassage:
        """The cited span with `context` characters either side.

        Raises:
            NotFound: unknown doc_id, or offsets outside the document.
        """
        return passage_in_context(self.store.manifest.document(doc_id), doc_id, start, end, context)

    def documents(self) -> list[DocumentInfo]:
        """Every indexed document (without its text)."""
        return self.store.manifest.documents()

    def document(self, doc_id: str) -> Document:
        """One document with the full text its citations' offsets index into."""
        doc = self.store.manifest.document(doc_id)
        if doc is None:
            raise NotFound(f"unknown doc_id {doc_id!r}")
        return doc

    def indexer(self, progress: bool = True) -> Indexer:
        return Indexer(self.store, self.embedder, progress=progress)

    def index(self, paths: Sequence[str | Path], sync: bool = False, progress: bool = True) -> IndexReport:
        """Add or update files and folders (see `qa index`)."""
        return self.indexer(progress).index_paths([Path(p) for p in paths], sync=sync)

    def remove(self, doc_id: str) -> IndexReport:
        """Remove one document and everything derived from it."""
        self.document(doc_id)
        return self.indexer(progress=False).remove([doc_id])

    def warm_up(self) -> None:
        """Load the model and indexes now rather than on the first question."""
        self.embedder.embed_query("warm up")
        _ = self.store.lexical, self.store.chunks, self.store.sentences


class Chat:
    """A conversation with an Assistant: keeps the turns and rewrites follow-ups."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.history: list[tuple[str, str]] = []

    def ask(self, question: str) -> Answer:
        answer = self.assistant.ask(question, self.history)
        self.history.append((answer.question, answer.answer))
        return answer
