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
class Quote:
    """An exact span of a document that an answer sentence rests on: `text == document.text[start:end]`.

    `supported` is the verifier's verdict when one ran; None lets `number` check term overlap itself.
    """

    doc_id: str
    source: str
    start: int
    end: int
    text: str
    score: float
    supported: bool | None = None


@dataclass(frozen=True)
class Claim:
    """A sentence of answer text and the exact spans it rests on (one or more)."""

    text: str
    quotes: tuple[Quote, ...]


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
    """Join claims into answer text with [n] markers; one citation per distinct span, numbered by first use.

    Any [n] markers already in a claim's text are replaced by the numbers of its own quotes.
    """
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    parts = []
    for claim in claims:
        markers = []
        for quote in claim.quotes:
            key = (quote.doc_id, quote.start, quote.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                supported = supports(claim.text, quote.text) if quote.supported is None else quote.supported
                citations.append(
                    Citation(
                        n=numbers[key],
                        doc_id=quote.doc_id,
                        source=quote.source,
                        start=quote.start,
                        end=quote.end,
                        quote=quote.text,
                        score=quote.score,
                        supported=supported,
                    )
                )
            if f"[{numbers[key]}]" not in markers:
                markers.append(f"[{numbers[key]}]")
        text = strip_markers(claim.text)
        parts.append(f"{text} {''.join(markers)}" if markers else text)
    return " ".join(parts), citations


def strip_markers(text: str) -> str:
    """The text without [n] markers, white space tidied ("Qaani [1]." -> "Qaani.")."""
    text = MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


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


def passage_in_context(
    doc: Document | None, doc_id: str, start: int, end: int, context: int = 200
) -> CitedPassage:
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
