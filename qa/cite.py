"""Pure citation code: number citations, parse and check [n] markers, check support, cut a passage in context."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.errors import NotFound
from index.lexical import tokenize
from index.load import Document
from qa.types import Citation, CitedPassage

MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Claim:
    """A piece of answer text and the exact span it rests on."""

    text: str
    doc_id: str
    source: str
    start: int
    end: int
    quote: str
    score: float


def supports(claim: str, quote: str, threshold: float = 0.6) -> bool:
    """Does the quote carry the claim? True when most of the claim's content terms are in the quote.

    For extractive answers the claim is the quote itself; for generated answers this catches citations that
    point at text that says something else.
    """
    claim_terms = set(tokenize(MARKER.sub(" ", claim)))
    if not claim_terms:
        return False
    return len(claim_terms & set(tokenize(quote))) / len(claim_terms) >= threshold


def number(claims: Sequence[Claim]) -> tuple[str, list[Citation]]:
    """Join claims into answer text with [n] markers; one citation per distinct span, numbered by first use."""
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    parts = []
    for claim in claims:
        key = (claim.doc_id, claim.start, claim.end)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(
                Citation(
                    n=numbers[key],
                    doc_id=claim.doc_id,
                    source=claim.source,
                    start=claim.start,
                    end=claim.end,
                    quote=claim.quote,
                    score=claim.score,
                    supported=supports(claim.text, claim.quote),
                )
            )
        parts.append(f"{claim.text.strip()} [{numbers[key]}]")
    return " ".join(parts), citations


def marker_problems(answer: str, citations: Sequence[Citation]) -> list[str]:
    """What is wrong between an answer's [n] markers and its citations (empty when all is well).

    Every marker must have a citation, every citation a marker, and numbers must run 1, 2, ... in order of first
    appearance.
    """
    problems = []
    seen: list[int] = []
    for match in MARKER.finditer(answer):
        n = int(match.group(1))
        if n not in seen:
            seen.append(n)
    cited = [c.n for c in citations]
    for n in seen:
        if n not in cited:
            problems.append(f"marker [{n}] has no citation")
    for n in cited:
        if n not in seen:
            problems.append(f"citation {n} has no marker")
    if len(set(cited)) != len(cited):
        problems.append("citation numbers repeat")
    if seen != list(range(1, len(seen) + 1)):
        problems.append(f"markers are not numbered 1, 2, ... in order of first appearance: {seen}")
    return problems


def quote_problems(citations: Sequence[Citation], documents: dict[str, Document]) -> list[str]:
    """Citations whose quote is not exactly the document text between start and end."""
    problems = []
    for c in citations:
        doc = documents.get(c.doc_id)
        if doc is None:
            problems.append(f"citation {c.n}: unknown document {c.doc_id}")
        elif doc.text[c.start : c.end] != c.quote:
            problems.append(f"citation {c.n}: quote differs from {c.source}[{c.start}:{c.end}]")
    return problems


def passage_in_context(doc: Document | None, doc_id: str, start: int, end: int, context: int = 200) -> CitedPassage:
    """The span [start, end) of a document with up to `context` characters either side.

    Raises:
        NotFound: unknown document, or offsets outside its text.
    """
    if doc is None:
        raise NotFound(f"unknown doc_id {doc_id!r}")
    if not 0 <= start < end <= len(doc.text):
        raise NotFound(
            f"offsets {start}-{end} are out of range for {doc.source} (its text has {len(doc.text)} characters; "
            "need 0 <= start < end <= length)"
        )
    context = max(0, context)
    return CitedPassage(
        doc_id=doc.doc_id,
        source=doc.source,
        start=start,
        end=end,
        quote=doc.text[start:end],
        before=doc.text[max(0, start - context) : start],
        after=doc.text[end : end + context],
    )
