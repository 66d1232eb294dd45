"""Baselines for `qa eval --baseline`: what each part of the pipeline buys, measured the same way.

- `bm25`: chunks ranked by BM25 alone;
- `dense`: chunks ranked by Chroma cosine similarity alone;
- `llamaindex`: the stock LlamaIndex recipe, `VectorStoreIndex.from_documents` with its defaults (1024-token
  SentenceSplitter chunks, in-memory vector store), the same bundled embedder, top 10 nodes.

Each answers with the naive extractive rule: the sentence of the top passage most similar to the question
(by the stored sentence embeddings), cited, never refusing. No LLM: the stock recipe's generation step is the
part issue 2 measured separately (0.41 answer recall at 4.7 s a question with SmolLM2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from index.lexical import tokenize
from qa.assistant import Assistant
from qa.cite import Claim, Quote, number
from qa.types import Answer, Passage

Ranker = Callable[[str, np.ndarray, int], list[Passage]]


class Baseline:
    """Answers with a given passage ranker and the naive top-sentence rule; `chat()` ignores earlier turns."""

    def __init__(self, name: str, assistant: Assistant, ranker: Ranker) -> None:
        self.name = name
        self.assistant = assistant
        self.ranker = ranker

    def chat(self) -> Baseline:
        return self

    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        vector = self.assistant.embedder.embed_query(question)
        passages = self.ranker(question, vector, 10)
        retrieved = time.perf_counter()
        claims = self._top_sentence(passages[0], vector) if passages else []
        text, citations = number(claims)
        done = time.perf_counter()
        timings = {
            "retrieve": (retrieved - started) * 1000,
            "answer": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        return Answer(
            question,
            question,
            text,
            not claims,
            tuple(citations),
            tuple(passages),
            self.name,
            timings,
            self.name,
        )

    def _top_sentence(self, passage: Passage, vector: np.ndarray) -> list[Claim]:
        store = self.assistant.store
        rows = store.manifest.sentences_within(passage.doc_id, passage.start, passage.end)
        vectors = store.sentences.vectors([r.id for r in rows])
        scored = [(float(vectors[r.id] @ vector), r) for r in rows if r.id in vectors]
        if not scored:
            return []
        similarity, best = max(scored, key=lambda pair: pair[0])
        text = self.assistant.document(best.doc_id).text[best.start : best.end]
        return [Claim(text, (Quote(best.doc_id, passage.source, best.start, best.end, text, similarity),))]


def bm25(assistant: Assistant) -> Baseline:
    def rank(question: str, vector: np.ndarray, k: int) -> list[Passage]:
        return assistant.retriever.passages(assistant.store.lexical.search(tokenize(question), k))

    return Baseline("bm25", assistant, rank)


def dense(assistant: Assistant) -> Baseline:
    def rank(question: str, vector: np.ndarray, k: int) -> list[Passage]:
        hits = assistant.store.chunks.query(vector, k)
        return assistant.retriever.passages([(hit.id, hit.similarity) for hit in hits])

    return Baseline("dense", assistant, rank)


def llamaindex(assistant: Assistant) -> Baseline:
    """The stock recipe over the same documents (so offsets are comparable), built in memory now."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from index.embed import model_path

    embed_model = HuggingFaceEmbedding(model_name=model_path(), device="cpu")
    docs = [assistant.document(info.doc_id) for info in assistant.documents()]
    index = VectorStoreIndex.from_documents(
        [Document(text=d.text, id_=d.doc_id, metadata={"source": d.source}) for d in docs],
        embed_model=embed_model,
    )
    retriever: Any = index.as_retriever(similarity_top_k=10)
    sources = {d.doc_id: d.source for d in docs}

    def rank(question: str, vector: np.ndarray, k: int) -> list[Passage]:
        out = []
        for hit in retriever.retrieve(question)[:k]:
            node = hit.node
            doc_id = node.ref_doc_id
            start, end = node.start_char_idx or 0, node.end_char_idx or 0
            out.append(
                Passage(
                    node.node_id, doc_id, sources[doc_id], start, end, node.get_content(), hit.score or 0.0
                )
            )
        return out

    return Baseline("llamaindex", assistant, rank)


BUILDERS: dict[str, Callable[[Assistant], Baseline]] = {
    "bm25": bm25,
    "dense": dense,
    "llamaindex": llamaindex,
}
