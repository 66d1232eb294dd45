"""Our retriever and query engine as llama-index types, for llama-index users.

    retriever = assistant.as_retriever(top_k=5)      # a BaseRetriever
    nodes = retriever.retrieve("Who commands the Quds Force?")
    engine = assistant.as_query_engine()             # a BaseQueryEngine
    response = engine.query("Who commands the Quds Force?")
    response.response, response.source_nodes, response.metadata["answer"]

Nodes carry the exact text of the passage and its offsets: `metadata = {doc_id, source, start, end}` with
`node.text == document.text[start:end]`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from qa.types import Answer, Citation, Passage

# What the adapters call: retrieval (question, k) -> passages, best first; answering (question) -> an Answer.
Retrieve = Callable[[str, int], list[Passage]]
Ask = Callable[[str], Answer]


def passage_node(passage: Passage | Citation, score: float) -> NodeWithScore:
    """A span of a document as a llama-index node (id derived from the span, so it is stable)."""
    text = passage.quote if isinstance(passage, Citation) else passage.text
    node = TextNode(
        id_=f"{passage.doc_id}:{passage.start}-{passage.end}",
        text=text,
        metadata={
            "doc_id": passage.doc_id,
            "source": passage.source,
            "start": passage.start,
            "end": passage.end,
        },
    )
    return NodeWithScore(node=node, score=score)


class AssistantRetriever(BaseRetriever):
    """Hybrid retrieval (dense + BM25) over the assistant's store, best passages first."""

    def __init__(self, retrieve: Retrieve, top_k: int = 5) -> None:
        super().__init__(callback_manager=CallbackManager([]))
        self.retrieve_passages = retrieve
        self.top_k = top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.retrieve_passages(query_bundle.query_str, self.top_k)
        return [passage_node(p, p.score) for p in passages[: self.top_k]]


class AssistantQueryEngine(BaseQueryEngine):
    """The assistant's verified, cited answer as a llama-index Response."""

    def __init__(self, ask: Ask) -> None:
        super().__init__(callback_manager=CallbackManager([]))
        self.ask = ask

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        answer = self.ask(query_bundle.query_str)
        nodes = [passage_node(c, c.score) for c in answer.citations]
        return Response(response=answer.answer, source_nodes=nodes, metadata={"answer": answer.to_dict()})

    async def _aquery(self, query_bundle: QueryBundle) -> Any:
        import asyncio

        return await asyncio.to_thread(self._query, query_bundle)
