"""Pure scoring of answers against gold data: SQuAD-style normalisation, answer recall, citation support."""

from __future__ import annotations

import re
import statistics
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.linebreaks import join_lines

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | set("“”‘’–—…")
# A reference marker of a scientific text ("[39]", "[1, 2]", "[31–33]"): answers leave them out of their prose
# (the quote keeps them), so gold answers are compared without them.
_REFERENCE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")


def normalize(text: str) -> str:
    """SQuAD's answer normalisation (lower case, no punctuation, articles or extra space), plus no thousands
    separators, so "11,400" and "11400" compare equal, no reference markers ("insulin [39]" is "insulin"), and
    lines joined as answers join them ("pandem-\nic" is "pandemic", `index.linebreaks.join_lines`)."""
    text = _REFERENCE.sub(" ", join_lines(text))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower())
    text = "".join(" " if ch in _PUNCT else ch for ch in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Does the text contain any gold answer, after normalisation (as whole words)?"""
    haystack = f" {normalize(text)} "
    return any(f" {normalize(a)} " in haystack for a in answers if normalize(a))


@dataclass(frozen=True)
class GoldSpan:
    """Where a gold answer or supporting quote lies: a document (by source basename or doc_id) and offsets."""

    doc: str
    start: int
    end: int


def overlaps(doc: str, start: int, end: int, gold: Sequence[GoldSpan]) -> bool:
    """Does [start, end) of `doc` overlap any gold span of the same document?"""
    return any(doc == g.doc and start < g.end and g.start < end for g in gold)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between ranks; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))])


def rate(flags: Sequence[bool]) -> float | None:
    """Share of True values, None when there are none to count."""
    return sum(flags) / len(flags) if flags else None
