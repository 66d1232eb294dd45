"""The answerer seam: what the Assistant asks of an answerer, whichever writes the answer.

Retrieval and the extractive evidence (ranked candidate sentences, the refusal gate, sentence windows) are
shared; an answerer turns them into claims, streaming text as it goes. The Assistant then numbers the
citations and builds the one Answer type for both modes.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Protocol

from qa.answering.evidence import Draft
from qa.cite import Claim
from qa.types import History, Verification


@dataclass(frozen=True)
class Reply:
    """An answerer's result: verified claims (or a refusal) and how they were made.

    Attributes:
        model: what wrote the claims (`extractive` or the LLM's name).
        first_token_ms: when the first generated token arrived, from the start of the reply (llm mode).
    """

    claims: list[Claim]
    refused: bool
    model: str
    verification: Verification = field(default_factory=Verification)
    first_token_ms: float | None = None
    tokens: int | None = None  # pieces of text streamed by a model
    generate_ms: float | None = None  # from the first streamed piece to the last


class Answerer(Protocol):
    """Writes the answer from the evidence; yields text as it is generated and returns the Reply."""

    name: str

    def condense(self, question: str, history: History) -> str:
        """The question made standalone from the conversation (the question itself on a first turn)."""
        ...

    def reply(self, question: str, evidence: Draft) -> Generator[str, None, Reply]:
        """Yield answer text as it arrives; return the final Reply."""
        ...
