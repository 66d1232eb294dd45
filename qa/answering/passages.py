"""Source passages: the best candidate sentences, each grown into a window of its neighbours.

A window starts at one sentence and takes whole neighbouring sentences, first from the same paragraph, until it
would pass the size budget. It never crosses text that is not a sentence (boilerplate, which has no sentences)
and never enters another window, so the sources a user sees are distinct and free of share links and teasers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from index.manifest import Manifest
from qa.types import Passage


class Candidate(Protocol):
    """A scored sentence (read-only attributes, so frozen dataclasses qualify)."""

    @property
    def doc_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def probability(self) -> float: ...


def grow(
    text: str,
    spans: Sequence[tuple[int, int]],
    seed: int,
    budget: int,
    barriers: Sequence[tuple[int, int]] = (),
) -> tuple[int, int]:
    """The window around `spans[seed]`: neighbours added one at a time, nearest paragraph first, balanced.

    Args:
        text: the document's text.
        spans: the document's sentences near the seed, in order, as (start, end).
        seed: index of the sentence the window grows from.
        budget: the window's largest size in characters.
        barriers: spans the window must not overlap (other windows).
    """
    lo = hi = seed

    def option(i: int, inner: int, growth: int, side: str) -> tuple[bool, int, str] | None:
        """Taking sentence i next to sentence `inner`: (crosses a paragraph break, growth, side), or None."""
        s, e = spans[i]
        gap = text[min(e, spans[inner][1]) : max(s, spans[inner][0])]
        if gap.strip() or _overlaps_any((s, e), barriers):  # boilerplate in between, or another window
            return None
        if max(e, spans[hi][1]) - min(s, spans[lo][0]) > budget:
            return None
        return gap.count("\n") > 1, growth, side

    while True:
        options = [
            o
            for o in (
                option(lo - 1, lo, spans[seed][0] - spans[lo - 1][0], "left") if lo > 0 else None,
                option(hi + 1, hi, spans[hi + 1][1] - spans[seed][1], "right")
                if hi + 1 < len(spans)
                else None,
            )
            if o
        ]
        if not options:
            return spans[lo][0], spans[hi][1]
        _, _, side = min(options)  # same paragraph first, then the side that has grown less
        if side == "left":
            lo -= 1
        else:
            hi += 1


def _overlaps_any(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in others)


def sentence_windows(
    manifest: Manifest,
    texts: Mapping[str, tuple[str, str]],
    ranked: Sequence[Candidate],
    k: int,
    budget: int,
    fallback: Sequence[Passage] = (),
) -> list[Passage]:
    """Up to `k` windows around the best candidates, best first; retrieval passages fill up when too few.

    A passage's score is the probability mass of the candidate sentences inside it.

    Args:
        texts: doc_id -> (source, text) of every candidate's document.
        ranked: candidate sentences, best first, with their probabilities.
        fallback: retrieval passages, used (where they do not overlap a window) when the windows are fewer than k.
    """
    windows: list[Passage] = []
    for s in ranked:
        if len(windows) >= k:
            break
        taken = [(w.start, w.end) for w in windows if w.doc_id == s.doc_id]
        if _overlaps_any((s.start, s.end), taken):
            continue
        source, text = texts[s.doc_id]
        rows = manifest.sentences_within(s.doc_id, max(0, s.start - budget), s.end + budget)
        near = [(r.start, r.end) for r in rows]
        seed = next((i for i, span in enumerate(near) if span == (s.start, s.end)), None)
        if seed is None:  # not a stored sentence (cannot happen with one writer): the sentence alone
            near, seed = [(s.start, s.end)], 0
        start, end = grow(text, near, seed, budget, taken)
        windows.append(
            Passage(f"{s.doc_id}:w{start}-{end}", s.doc_id, source, start, end, text[start:end], 0.0)
        )
    for p in fallback:
        if len(windows) >= k:
            break
        if not _overlaps_any((p.start, p.end), [(w.start, w.end) for w in windows if w.doc_id == p.doc_id]):
            windows.append(p)
    return [replace(w, score=_mass(ranked, w)) for w in windows]


def _mass(ranked: Sequence[Candidate], passage: Passage) -> float:
    """The probability that the answer lies in the passage: the candidates' probabilities inside it."""
    return sum(
        c.probability
        for c in ranked
        if c.doc_id == passage.doc_id and passage.start <= c.start and c.end <= passage.end
    )
