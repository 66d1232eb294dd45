"""The Python API: `Assistant.open(store=...)`, `.ask()`, `.chat()`, `.cite()`, `.documents()`."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from index.build import Indexer, IndexReport
from index.clean import visible
from index.embed import Embedder
from index.errors import BadInput, NotFound, Stale
from index.load import Document
from index.manifest import DocumentInfo
from index.settings import MODES, Settings
from index.store import Store
from index.watch import Watcher
from qa.answering.answerer import Answerer, Reply
from qa.answering.extractive import AnswerConfig, ExtractiveAnswerer
from qa.answering.retrieve import HybridRetriever, RetrievalConfig
from qa.cite import number, passage_in_context
from qa.types import Answer, Citation, CitedPassage, Delta, History, Passage

log = logging.getLogger(__name__)

_Spanned = TypeVar("_Spanned", Citation, Passage)
_HASH = re.compile(r"[0-9a-f]{12,64}")  # a content_hash, or a prefix of it as messages show it

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
    """Answers questions over one collection, citing the exact sentences it rests on.

    One pipeline for both modes: retrieval, the extractive evidence (ranked sentences, refusal gate, sentence
    windows), an answerer chosen by mode (`extractive`, or `llm` with the model of `settings.llm`), verification,
    then one Answer.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embedder,
        retriever: HybridRetriever | None = None,
        answerer: ExtractiveAnswerer | None = None,
        generative: Answerer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = retriever or HybridRetriever(store, embedder)
        self.answerer = answerer or ExtractiveAnswerer(
            store, embedder=embedder, reranker=settings.reranker == "on"
        )
        # Generative answerers by model spec (a browser session may pick another model); loaded on first use.
        self._generative: dict[str, Answerer] = {settings.llm: generative} if generative else {}
        self._loading = threading.Lock()
        # How this process's writes are named to others waiting for the store, and whether they wait for
        # another writer (the CLI) or fail at once with StoreBusy (a server, whose clients retry).
        self.writer = "qa index"
        self.wait_for_store = True
        self.watcher: Watcher | None = None  # the folder watcher of `qa watch` or `QA_WATCH`, when one runs

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
            **overrides: any Settings field, e.g. `collection="docs"`, `mode="llm"`, `llm="ollama:qwen2.5"`.
        """
        if store is not None:
            overrides["store"] = store
        settings = settings.with_(**overrides) if settings else Settings.load(overrides)
        st = Store(settings)
        emb = embedder or Embedder()
        return cls(
            settings,
            st,
            emb,
            HybridRetriever(st, emb, retrieval),
            ExtractiveAnswerer(st, answering, emb, reranker=settings.reranker == "on"),
        )

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answerers -------------------------------------------------------------------------------------------

    def answerer_for(self, mode: str | None = None, llm: str | None = None) -> Answerer:
        """The answerer of a mode (default: the settings' mode); in llm mode, of the model `llm` (default: the
        settings' `llm` spec), loaded on first use and kept.

        Raises:
            BadInput: an unknown mode or a malformed `--llm` spec. QAError: the model cannot be loaded.
        """
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise BadInput(f"mode {mode!r} is not valid: choose one of {', '.join(MODES)}")
        if mode == "extractive":
            return self.answerer
        spec = llm or self.settings.llm
        with self._loading:
            if spec not in self._generative:
                from qa.generation.generative import GenerativeAnswerer
                from qa.generation.llm import build
                from qa.generation.policy import policy_for

                generator = build(spec)
                policy = policy_for(
                    self.settings.llm_policy, generator.name, generator.bundled, generator.context_window
                )
                log.info("model %s: %s policy", generator.name, policy.name)
                self._generative[spec] = GenerativeAnswerer(generator, self.store, self.embedder, policy)
            return self._generative[spec]

    # -- questions ---------------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: History | None = None,
        mode: str | None = None,
        *,
        documents: Sequence[str] | None = None,
        llm: str | None = None,
    ) -> Answer:
        """Answer one question; `history` holds earlier (question, answer) turns of the conversation.

        Args:
            documents: doc_ids to search within (None or empty: the whole collection).
            llm: in llm mode, the model spec to write with (default: the settings' `llm`).

        Raises:
            BadInput: the question is empty or longer than 2,000 characters, the mode is unknown, or
                `documents` names a doc_id that is not indexed.
        """
        answer = None
        for event in self.stream(question, history, mode, documents=documents, llm=llm):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None  # stream() always ends with the Answer
        return answer

    def stream(
        self,
        question: str,
        history: History | None = None,
        mode: str | None = None,
        *,
        documents: Sequence[str] | None = None,
        llm: str | None = None,
    ) -> Iterator[Delta | Answer]:
        """Answer text as it is generated (Delta events), then the final, verified Answer (always last).

        Raises:
            BadInput: as `ask`, before anything is yielded.
        """
        question = check_question(question)
        mode = mode or self.settings.mode
        self.store.refresh()  # with a Chroma server: take up what other processes wrote
        doc_ids = self._check_documents(documents)
        answerer = self.answerer_for(mode, llm)
        return self._stream(question, list(history or []), mode, answerer, doc_ids)

    def _check_documents(self, documents: Sequence[str] | None) -> list[str]:
        if documents is None:
            return []
        if isinstance(documents, str) or not all(isinstance(d, str) for d in documents):
            raise BadInput("documents must be a list of doc_id strings")
        known = self.store.manifest.hashes(list(documents))
        unknown = [d for d in documents if d not in known]
        if unknown:
            raise BadInput(f"documents: unknown doc_id {unknown[0]!r} (GET /api/documents lists them)")
        return list(dict.fromkeys(documents))

    def _stream(
        self,
        question: str,
        history: list[tuple[str, str]],
        mode: str,
        answerer: Answerer,
        doc_ids: list[str],
    ) -> Iterator[Delta | Answer]:
        started = time.perf_counter()
        standalone = answerer.condense(question, history)
        if self.store.manifest.is_empty():
            yield Answer(question, standalone, EMPTY_STORE, True, mode=mode)
            return
        condensed = time.perf_counter()
        retrieval = self.retriever.retrieve(standalone, k=SOURCES, doc_ids=doc_ids)
        evidence = self.answerer.draft(retrieval, sources=SOURCES)
        retrieved = time.perf_counter()
        replying = answerer.reply(standalone, evidence)
        while True:
            try:
                yield Delta(next(replying))
            except StopIteration as stop:
                reply: Reply = stop.value
                break
        done = time.perf_counter()
        timings = {
            "retrieve": (retrieved - condensed) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        if condensed - started > 0.001:
            timings["condense"] = (condensed - started) * 1000
        if reply.first_token_ms is not None:
            timings["first_token"] = (retrieved - started) * 1000 + reply.first_token_ms
        if reply.generate_ms is not None:
            timings["generate"] = reply.generate_ms
        sources = tuple(evidence.passages or retrieval.passages)
        refused = reply.refused or not reply.claims
        text, numbered = (refusal_text(standalone), []) if refused else number(reply.claims)
        citations, sources = self._placed(numbered), self._placed(sources)
        yield Answer(
            question,
            standalone,
            text,
            refused,
            citations,
            sources,
            mode,
            timings,
            model=reply.model,
            verification=reply.verification,
            completion_tokens=reply.tokens,
        )

    def _placed(self, spans: Sequence[_Spanned]) -> tuple[_Spanned, ...]:
        """Citations or passages with where they lie (page, slide, row; OCR) and, for citations, the version of
        the document they quote."""
        manifest = self.store.manifest
        located = manifest.locations([(s.doc_id, s.start, s.end) for s in spans])
        if spans and isinstance(spans[0], Citation):
            hashes = manifest.hashes(list({s.doc_id for s in spans}))
            return tuple(
                replace(s, location=where, content_hash=hashes.get(s.doc_id, ""))  # type: ignore[call-arg]
                for s, where in zip(spans, located, strict=True)
            )
        return tuple(replace(s, location=where) for s, where in zip(spans, located, strict=True))

    def search(self, query: str, top_k: int = 5) -> tuple[Passage, ...]:
        """The retrieved passages for a query, best first, with their locations (no answer is chosen).

        Raises:
            BadInput: an empty or over-long query.
        """
        query = check_question(query)
        self.store.refresh()
        return self._placed(self.retriever.retrieve(query, k=top_k).passages[:top_k])

    # -- llama-index ------------------------------------------------------------------------------------------

    def as_retriever(self, top_k: int = 5) -> Any:
        """A llama-index `BaseRetriever` over this store (nodes hold exact passages with doc_id and offsets)."""
        from qa.llamaindex import AssistantRetriever  # llama-index loads only for its users (about 1 s)

        return AssistantRetriever(lambda question, k: self.retriever.retrieve(question, k=k).passages, top_k)

    def as_query_engine(self, mode: str | None = None) -> Any:
        """A llama-index `BaseQueryEngine`: response text is the answer, `source_nodes` the cited passages,
        `metadata["answer"]` the Answer dict."""
        from qa.llamaindex import AssistantQueryEngine

        return AssistantQueryEngine(lambda question: self.ask(question, mode=mode))

    def chat(self) -> Chat:
        """A conversation: each `.ask()` sees the earlier turns."""
        return Chat(self)

    # -- documents ---------------------------------------------------------------------------------------

    def cite(
        self, doc_id: str, start: int, end: int, context: int = 200, version: str | None = None
    ) -> CitedPassage:
        """The cited span with `context` characters either side, its location and the document's version.

        Args:
            version: the `content_hash` the citation was given with; a document changed since is an error.

        Raises:
            NotFound: unknown doc_id, or offsets outside the document.
            Stale: `version` is given and the document has changed since.
        """
        doc = self.store.manifest.document(doc_id)
        if version is not None and not _HASH.fullmatch(version.strip().lower()):
            raise BadInput(
                f"version {version!r} is not a content_hash (64 hexadecimal digits, or at least 12 of them)"
            )
        if (
            doc is not None
            and version is not None
            and not doc.content_hash.startswith(version.strip().lower())
        ):
            raise Stale(
                f"document changed since this citation: {doc.source} is now version {doc.content_hash[:12]}, "
                f"the citation quotes version {version[:12]}; ask again for a current citation"
            )
        passage = passage_in_context(doc, doc_id, start, end, context)
        (where,) = self.store.manifest.locations([(doc_id, start, end)])
        return replace(passage, location=where, content_hash=doc.content_hash if doc else "")

    def page_image(self, doc_id: str, page: int, start: int = 0, end: int = 0) -> bytes:
        """PNG of a PDF document's page with the lines of text[start:end] highlighted (`qa/serving/pages.py`).

        Raises:
            NotFound: unknown document, not a PDF file, no such page, or the file is gone.
            Stale: the file has changed since it was indexed.
        """
        from qa.serving.pages import page_png

        doc = self.document(doc_id)
        return page_png(doc, self.store.manifest.regions(doc_id), page, start, end)

    def documents(self) -> list[DocumentInfo]:
        """Every indexed document (without its text)."""
        self.store.refresh()
        return self.store.manifest.documents()

    def document(self, doc_id: str) -> Document:
        """One document with the full text its citations' offsets index into."""
        doc = self.store.manifest.document(doc_id)
        if doc is None:
            raise NotFound(f"unknown doc_id {doc_id!r}")
        return doc

    def indexer(self, progress: bool = True) -> Indexer:
        return Indexer(self.store, self.embedder, progress, self.writer, self.wait_for_store)

    def index(self, paths: Sequence[str | Path], sync: bool = False, progress: bool = True) -> IndexReport:
        """Add or update files and folders (see `qa index`)."""
        return self.indexer(progress).index_paths([Path(p) for p in paths], sync=sync)

    def watch(self, folders: Sequence[str | Path]) -> Watcher:
        """A watcher keeping these folders indexed (`index/watch.py`); `.start()` runs it in a thread, `.run()`
        here. Its batches wait for other writers rather than fail.

        Raises:
            QAError: a path that is not a folder.
        """
        self.watcher = Watcher(
            self.store, lambda: Indexer(self.store, self.embedder, False, "qa watch", wait=True), folders
        )
        return self.watcher

    def remove(self, doc_id: str) -> IndexReport:
        """Remove one document and everything derived from it."""
        self.document(doc_id)
        return self.indexer(progress=False).remove([doc_id])

    def warm_up(self) -> None:
        """Load the models and indexes now rather than on the first question (the LLM too in llm mode)."""
        self.embedder.embed_query("warm up")
        _ = self.store.lexical, self.store.chunks, self.store.sentences
        visible("’")  # builds the table of format characters (0.2 s) now, not on the first non-ASCII question
        reranker = self.answerer.reranker
        if reranker is not None:
            reranker.scores("warm up", ["A first sentence."])
        if self.settings.mode == "llm":
            self.answerer_for("llm")


class Chat:
    """A conversation with an Assistant: keeps the turns and rewrites follow-ups."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.history: list[tuple[str, str]] = []

    def ask(self, question: str, mode: str | None = None, **options: Any) -> Answer:
        """Ask within this conversation; `options` as for `Assistant.ask` (documents, llm)."""
        answer = self.assistant.ask(question, self.history, mode, **options)
        self.history.append((answer.question, answer.answer))
        return answer
