"""Answer, Citation and Passage: what the answering side returns, shaped as CONTRACT.md fixes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from index.readers.base import Location

# A conversation's earlier turns: (question, answer text) pairs, oldest first.
History = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: its exact span, its text and its fused retrieval score (higher is better)."""

    chunk_id: str
    doc_id: str
    source: str
    start: int
    end: int
    text: str
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    location: Location = Location()

    def to_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "text": self.text,
            **self.location.to_dict(),
        }


@dataclass(frozen=True)
class Citation:
    """The exact text an answer rests on: `quote == document.text[start:end]`."""

    n: int
    doc_id: str
    source: str
    start: int
    end: int
    quote: str
    score: float
    supported: bool
    location: Location = Location()  # page ("p. 3"), slide, row or chapter; OCR mark
    content_hash: str = ""  # the document's version when the answer was given (`qa cite --version`)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "n": self.n,
            "doc_id": self.doc_id,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "score": round(self.score, 4),
            "supported": self.supported,
            **self.location.to_dict(),
        }
        if self.content_hash:
            data["content_hash"] = self.content_hash
        return data


@dataclass(frozen=True)
class Verification:
    """How an answer's sentences fared against the passages they cite.

    Attributes:
        sentences: answer sentences checked.
        dropped: the text of sentences removed (kept for audit).
        fallback: True when no generated sentence survived and the answer is the extractive one or a refusal.
        reasons: why each dropped sentence went, in the same order: `unsupported` (no passage supports it),
            `invalid marker` (it cited only passages that do not exist) or `overruled` (verified, but replaced
            by the model's policy: it missed what the evidence plainly answers, or copied the prompt).
    """

    sentences: int = 0
    dropped: tuple[str, ...] = ()
    fallback: bool = False
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "sentences": self.sentences,
            "dropped": list(self.dropped),
            "reasons": list(self.reasons),
            "fallback": self.fallback,
        }


@dataclass(frozen=True)
class Answer:
    """One answer: text with [n] markers, its citations, the passages it was drawn from, and how it was made."""

    question: str
    standalone_question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    sources: tuple[Passage, ...] = ()
    mode: str = "extractive"
    timings_ms: dict[str, float] = field(default_factory=dict)
    model: str = "extractive"
    verification: Verification = field(default_factory=Verification)
    completion_tokens: int | None = None  # pieces of text the model streamed (llm mode)

    def to_dict(self) -> dict[str, object]:
        usage = (
            {} if self.completion_tokens is None else {"usage": {"completion_tokens": self.completion_tokens}}
        )
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "sources": [p.to_dict() for p in self.sources],
            "mode": self.mode,
            "model": self.model,
            "verification": self.verification.to_dict(),
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            **usage,
        }


@dataclass(frozen=True)
class CitedPassage:
    """A span of a document with the text around it, for showing a citation in context."""

    doc_id: str
    source: str
    start: int
    end: int
    quote: str
    before: str
    after: str
    location: Location = Location()
    content_hash: str = ""

    def to_dict(self) -> dict[str, object]:
        data = {k: v for k, v in asdict(self).items() if k != "location"}
        return {**data, **self.location.to_dict()}


@dataclass(frozen=True)
class Delta:
    """A piece of answer text as it is generated (streaming); the final, verified Answer follows it."""

    text: str
