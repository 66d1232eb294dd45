"""Lines joined back into prose: a word broken by a hyphen at a line's end is healed, a compound keeps its hyphen.

Used where text laid out in lines becomes running text: a PDF page or an OCR result read into a document, and
a sentence of hard-wrapped text read as prose in an answer (its quote keeps the document's own text).
"""

from __future__ import annotations

import re

from index.lexical import zipf


def _compound(first: str, second: str) -> bool:
    """Is "first-second" a hyphenated compound ("well-known", "long-term") rather than one word broken at a
    line's end ("main-tenance")? Both halves are common words (Zipf >= 3, wordfreq) and the joined form is not."""
    return zipf(first.lower()) >= 3 and zipf(second.lower()) >= 3 and zipf((first + second).lower()) < 3


_BROKEN = re.compile(r"([A-Za-z]+)-$")
_WORD = re.compile(r"^([a-z]+)(-?)")


def line_joiner(before: str, after: str) -> tuple[str, str]:
    """How a line ends before the next: (its text, separator). A word broken by a hyphen at the line's end
    ("main-" + "tenance") is joined without it; a hyphenated compound ("well-" + "known", "up-" + "to-date")
    keeps its hyphen, without a space."""
    broken = _BROKEN.search(before)
    if broken and after[:1].isalnum():
        following = _WORD.match(after)
        if following is None or following.group(2) or _compound(broken.group(1), following.group(1)):
            return before, ""  # "Roman-" + "Gaulish", "well-" + "known", "up-" + "to-date"
        return before[:-1], ""
    return before, " "


_BREAK = re.compile(r"[ \t]*\n\s*")


def join_lines(text: str) -> str:
    """`text` on one line: each line break (with the white space around it) becomes a space, or nothing
    where it broke a word ("per-\\ncent" -> "percent"; "well-\\nknown" -> "well-known"), as `line_joiner`
    decides."""
    if "\n" not in text:
        return text
    out = []
    pos = 0
    for match in _BREAK.finditer(text):
        before = text[pos : match.start()]
        head, sep = line_joiner(before, text[match.end() : match.end() + 40])
        out.append(head + sep)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)
