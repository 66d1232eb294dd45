"""Document text -> sentences and chunks, each an exact (start, end) span of the text.

Chunks are runs of whole sentences that fit the embedder (all-MiniLM-L6-v2 reads 256 word pieces and silently
drops the rest), with one sentence of overlap, and never cross a boilerplate line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from index.clean import content_regions
from index.readers.base import is_record

TokenCounter = Callable[[Sequence[str]], list[int]]

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep pres rev hon no nos vol vols
    fig figs pp p ed eds est approx dept univ inc ltd co corp bros vs etc al cf jan feb mar apr jun jul aug
    sep sept oct nov dec u.s u.k u.n e.g i.e a.m p.m ca c incl excl ch chap sec sect para paras eq eqs ref refs
    tel ext nr dep arr hrs mins wk wks yr yrs""".split()
)
# A sentence ends at . ! ? or … (with closing quotes/brackets), before white space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_NEXT_CHARACTER = re.compile(r"\s*(\S)")
_BULLET = re.compile(r"^\s*([-*•·]|\d+[.)])\s")
# The number that opens an item of a numbered list or a numbered heading ("1.", "2.3."): its full stop ends no
# sentence; a line without it is what the item or heading says.
_NUMBER = r"\d{1,3}(?:\.\d{1,3})*"
# The number that opens a line's item or heading, after any Markdown heading mark or bullet ("## 1.", "- 2.").
_ITEM_NUMBER = re.compile(rf"[ \t]*(?:#{{1,6}}[ \t]+|[-*+•][ \t]+)?{_NUMBER}\.")
_ITEM_NUMBER_REACH = 40  # characters: longer than any line's opening number with its marks and indent
# ... before the words of a title ("2. Mounting the heater"); a number before a dash or a date is what the line
# says ("## 4.2.1 — 14 April 2025").
_OPENING_NUMBER = re.compile(rf"^\s*{_NUMBER}\.?\s+(?=[^\W\d_])")


def without_item_number(line: str) -> str:
    """The line without the number that may open it ("2. Mounting the heater" -> "Mounting the heater"; "4.2.1 —
    14 April 2025" stays whole)."""
    return _OPENING_NUMBER.sub("", line, count=1)


def is_list_item(line: str) -> bool:
    """Does the line start with a bullet or a number ("- Unplug it.", "2) Wait.") as an item of a list does?"""
    return bool(_BULLET.match(line))


@dataclass(frozen=True)
class Span:
    """An exact span of a document's text."""

    start: int
    end: int


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _is_abbreviation(text: str, end: int) -> bool:
    """Does the period just before `end` close an abbreviation or an initial ("U.S.", "Dr.", "J.")?"""
    match = re.search(r"(\S+)\.$", text[max(0, end - 20) : end])
    if not match:
        return False
    word = match.group(1).lower().lstrip("(\"'“‘")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


# A line shorter than this, without closing punctuation, is a heading or the last line of a paragraph ...
_SHORT_LINE = 60
# ... or, in hard-wrapped text, shorter than this share of the width it is wrapped at: text wrapped at 63
# columns (an article exported from a PDF, a plain-text book) has most lines of 45 to 63 characters, each
# ending mid-sentence.
_WRAPPED_SHORT = 0.7
# Columns aligned by runs of spaces or a tab: a row of a fixed-width table, a unit of its own.
_ALIGNED = re.compile(r"\S(?: {3,}|\t)\S")
# A numbered heading: "2.3 Limitations of the design" (not "20 times higher than in previous years (35).").
_NUMBERED_HEADING = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+[A-Z][^.!?…:;,]*[^.!?…:;,\-]$")


def _prose(line: str) -> bool:
    return bool(line.strip()) and not _ALIGNED.search(line.strip()) and not line.lstrip().startswith("|")


def wrap_width(text: str, start: int = 0, end: int | None = None) -> int | None:
    """The column that text[start:end] is hard-wrapped at, or None when it is not hard-wrapped.

    Text counts as hard-wrapped when it has at least 8 pairs of consecutive lines of prose (tables aligned
    with spaces and pipe tables aside), at least 60% of its lines end between 70% and 105% of the 90th
    percentile of their lengths (that percentile is the width; widths above 150 are paragraphs written on one
    line each, not wrapping), and it does not read as verse or a list: of the lines that end without sentence
    punctuation, fewer than half are followed by a line that starts with a capital (in wrapped prose, a line
    starts with one only where a name happens to fall; in verse and in addresses, nearly every line does)."""
    lines = [line.rstrip() for line in text[start:end].split("\n")]
    pairs = [(a, b) for a, b in pairwise(lines) if _prose(a) and _prose(b)]
    if len(pairs) < 8:
        return None
    lengths = sorted(len(line) for line in lines if _prose(line))
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not 20 <= width <= 150:
        return None
    near = sum(1 for n in lengths if _WRAPPED_SHORT * width <= n <= 1.05 * width)
    if near < 0.6 * len(lengths):
        return None
    open_ended = [b for a, b in pairs if not re.search(r"[.!?…:;]$", a)]
    capitals = sum(1 for b in open_ended if b.lstrip()[:1].isupper())
    return width if open_ended and capitals < 0.5 * len(open_ended) else None


def _line_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets of single newlines in [start, end) that end a unit: a heading, a list item, a table row, a
    closed line.

    A line that ends in a word broken by a hyphen continues on the next when that starts in lower case. A line
    that ends without punctuation continues on the next unless it is short: under 60 characters. In
    hard-wrapped text (`wrap_width`), a line ends a unit only where it ended early: the next line's first word
    would have fitted on it, and it is under 70% of the width or a numbered heading; or where it ends with
    closing punctuation and the next line starts with a capital (a title without a full stop, then its text).
    """
    width = wrap_width(text, start, end)
    breaks = []
    for match in re.finditer(r"\n", text[start:end]):
        pos = start + match.start()
        line_start = text.rfind("\n", 0, pos) + 1
        raw = text[line_start:pos].rstrip()
        line = raw.strip()
        next_end = text.find("\n", pos + 1)
        following = text[pos + 1 : end if next_end == -1 else min(next_end, end)]
        if re.search(r"[^\W\d_]-$", line) and following.lstrip()[:1].islower():
            continue  # a word broken at the line's end ("per-" + "cent") goes on, however short the line
        if (
            not line
            or not following.strip()
            or _BULLET.match(following)
            or line.startswith("|")  # a row of a pipe table is a unit of its own
            or following.lstrip().startswith("|")
            or _ALIGNED.search(line)  # so is a row of columns aligned with spaces
            or _ALIGNED.search(following.strip())
        ):
            breaks.append(pos)
        elif width is None:
            if re.search(r"[.!?…:;\"”’)]$", line) or len(line) < _SHORT_LINE:
                breaks.append(pos)
        elif (
            len(raw) + 1 + len(following.split()[0]) <= width
            and (len(raw) < min(_SHORT_LINE, _WRAPPED_SHORT * width) or _NUMBERED_HEADING.match(line))
        ) or (
            re.search(r"[.!?…:;\"”’)]$", line)
            and following.lstrip()[:1].isupper()
            and not (line.endswith(".") and _is_abbreviation(text, line_start + len(raw)))  # "by Dr." "Rowan"
        ):
            breaks.append(pos)
    return breaks


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split text[start:end] into sentences with exact offsets.

    Sentences end at terminal punctuation followed by white space (not after an abbreviation or initial, and
    not before a lower-case word), and at line breaks that close a heading, a list item or a paragraph.
    """
    end = len(text) if end is None else end
    cuts = set(_line_breaks(text, start, end))
    for match in _END.finditer(text, start, end):
        stop = match.end()
        nxt = _NEXT_CHARACTER.match(text, stop, end)  # not text[stop:end]: a copy per sentence is quadratic
        if nxt and nxt.group(1).islower():
            continue
        if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(text, stop):
            continue
        # Only the last few characters can hold a line's opening number: searching further back for the line's
        # start would make a long paragraph without line breaks quadratic.
        reach = max(0, stop - _ITEM_NUMBER_REACH)
        line_start = text.rfind("\n", reach, stop) + 1 or (0 if reach == 0 else -1)
        if line_start >= 0 and _ITEM_NUMBER.fullmatch(text, line_start, stop):
            continue  # "1. Unplug the cable.", "## 2. Mounting the heater": the number opens the line's item
        if _inside_record(text, stop, start, end):
            continue
        cuts.add(stop)
    spans = []
    pos = start
    for cut in sorted(cuts) + [end]:
        span = _trim(text, pos, cut)
        if span:
            spans.append(span)
        pos = cut
    return spans


# How far from a sentence's end a table row's line may start or end for the row to be kept one sentence.
_RECORD_REACH = 2000


def _inside_record(text: str, stop: int, start: int, end: int) -> bool:
    """Does `stop`, a sentence end, fall inside a table's row written as a record, a line that goes on after
    it? A row is one unit: "Parameter: idempotency_key; ...; Description: Send a unique key ... if you retry.
    Keys are remembered for 24 hours." cut after "retry." would leave its second sentence without the row it
    speaks of. Lines longer than `_RECORD_REACH` either side are not looked at."""
    reach = max(start, stop - _RECORD_REACH)
    newline = text.rfind("\n", reach, stop)
    if newline < 0 and reach > start:
        return False
    line_start = newline + 1 if newline >= 0 else start
    line_end = text.find("\n", stop, min(end, stop + _RECORD_REACH))
    if line_end < 0:
        if end - stop >= _RECORD_REACH:
            return False
        line_end = end
    return bool(text[stop:line_end].strip()) and _is_row(text[line_start:line_end])


_FIELD = re.compile(r"([^:;\n]{1,60}): \S")


def _named(cell: str) -> bool:
    """Does a cell open with a field's name ("Price (GBP): 59"), its brackets closed ("The Normans (Norman:
    Nourmands" is prose)?"""
    found = _FIELD.match(cell.strip())
    return found is not None and found.group(1).count("(") == found.group(1).count(")")


def _is_row(line: str) -> bool:
    """Is the line a table's row as the readers write it, its cells named ("Type: string; Required: No;
    Description: ...")? Its first cell and two in three of them, at least two, open with a field's name: a
    paragraph that merely opens with a label ("Abstract: OBJECTIVE: ...; ...") or gives names in brackets
    ("The Normans (Norman: Nourmands; French: Normands; Latin: Normanni) were ...") is no row."""
    if not is_record(line):
        return False
    cells = line.split("; ")
    named = sum(1 for cell in cells if _named(cell))
    return _named(cells[0]) and named >= 2 and 3 * named >= 2 * len(cells)


def _split_long(text: str, span: Span, tokens: int, max_tokens: int) -> list[Span]:
    """Cut a sentence longer than the budget at clause marks (or else at spaces) into parts that fit."""
    parts = max(2, -(-tokens // max_tokens))
    target = (span.end - span.start) / parts
    pieces = []
    pos = span.start
    while span.end - pos > target * 1.2:
        window = text[pos : min(span.end, pos + int(target * 1.2))]
        cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" – "))
        if cut < len(window) * 0.4:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = len(window)
        piece = _trim(text, pos, pos + cut + 1)
        if piece:
            pieces.append(piece)
        pos = pos + cut + 1
    last = _trim(text, pos, span.end)
    if last:
        pieces.append(last)
    return pieces


# A run of text with no sentence punctuation (a long line of keywords, a log line, a table exported without
# stops) is cut into pieces of at most about this many characters, so that a quote of it stays short.
MAX_UNPUNCTUATED_CHARS = 300
_STOP = re.compile(r"[.!?…][\"'”’)\]]*(\s|$)")


def _bounded(text: str, span: Span) -> list[Span]:
    """The span itself, or, when it is longer than `MAX_UNPUNCTUATED_CHARS` and has no sentence punctuation,
    pieces of at most that size cut at clause marks or spaces."""
    if span.end - span.start <= MAX_UNPUNCTUATED_CHARS or _STOP.search(text, span.start, span.end):
        return [span]
    pieces = []
    pos = span.start
    while span.end - pos > MAX_UNPUNCTUATED_CHARS:
        window = text[pos : pos + MAX_UNPUNCTUATED_CHARS]
        cut = max(window.rfind("; "), window.rfind(", "), window.rfind(" – "), window.rfind(" | "))
        if cut < len(window) * 0.5:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = len(window) - 1
        piece = _trim(text, pos, pos + cut + 1)
        if piece:
            pieces.append(piece)
        pos += cut + 1
    last = _trim(text, pos, span.end)
    if last:
        pieces.append(last)
    return pieces


def sentences(text: str, count_tokens: TokenCounter, max_tokens: int) -> tuple[list[Span], list[int]]:
    """All content sentences of a document (boilerplate excluded), each within `max_tokens` word pieces, and
    none longer than `MAX_UNPUNCTUATED_CHARS` unless it has sentence punctuation.

    Returns:
        The sentence spans in order, and their token counts.
    """
    spans = [
        piece
        for region in content_regions(text)
        for s in split_sentences(text, *region)
        for piece in _bounded(text, s)
    ]
    counts = count_tokens([text[s.start : s.end] for s in spans]) if spans else []
    out: list[Span] = []
    out_counts: list[int] = []
    for span, n in zip(spans, counts, strict=True):
        if n <= max_tokens:
            out.append(span)
            out_counts.append(n)
            continue
        pieces = _split_long(text, span, n, max_tokens)
        piece_counts = count_tokens([text[p.start : p.end] for p in pieces])
        for piece, m in zip(pieces, piece_counts, strict=True):
            if m > max_tokens:  # pathological text without spaces: fall back to a hard cut by characters
                step = max(1, (piece.end - piece.start) * max_tokens // (m + 1))
                for s in range(piece.start, piece.end, step):
                    out.append(Span(s, min(piece.end, s + step)))
                    out_counts.append(max_tokens)
            else:
                out.append(piece)
                out_counts.append(m)
    return out, out_counts


def chunk(
    text: str,
    sents: Sequence[Span],
    counts: Sequence[int],
    max_tokens: int,
    max_chars: int = 1500,
    overlap: int = 1,
) -> list[Span]:
    """Pack consecutive sentences into chunks that fit the embedder, with `overlap` sentences shared.

    A chunk never spans a boilerplate line: sentences of different content regions are never joined.
    """
    regions = content_regions(text)

    def region_of(span: Span) -> int:
        return next(i for i, (s, e) in enumerate(regions) if s <= span.start < e)

    chunks: list[Span] = []
    i = 0
    n = len(sents)
    while i < n:
        region = region_of(sents[i])
        j = i
        tokens = 0
        while j < n and region_of(sents[j]) == region:
            extra = counts[j] + 1
            if j > i and (tokens + extra > max_tokens or sents[j].end - sents[i].start > max_chars):
                break
            tokens += extra
            j += 1
        chunks.append(Span(sents[i].start, sents[j - 1].end))
        if j >= n:
            break
        # Step back `overlap` sentences unless that would not move forward or would cross a region.
        back = min(overlap, j - i - 1)
        i = j - back if back > 0 and region_of(sents[j - back]) == region_of(sents[j]) else j
    return chunks
