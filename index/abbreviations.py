"""Abbreviations a document defines: "mitogen-activated protein kinase phosphatases (MKPs)", "European Union (EU)".

Scientific and official texts define a short form once and use it after: a question about "MAPK phosphatases"
is answered by a sentence about "MKPs", and a model that writes "EU" is supported by a passage that says
"European Union". The definitions are found with Schwartz and Hearst's rule (2003, "A simple algorithm for
identifying abbreviation definitions in biomedical text"): a short form in parentheses, whose characters occur
in order in the words just before it, its first character starting one of them. A species name shortened to
its genus's initial ("B. subtilis" for "Bacillus subtilis") counts too.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations are defined early: a long document's first half million characters are read for them.
READ_CHARS = 500_000

_PARENTHESIS = re.compile(r"\(([^()]{1,12})\)")
_SHORT = re.compile(r"^[A-Za-z0-9][\w.\-/]{0,10}$")
_SPECIES = re.compile(r"\b([A-Z][a-z]{2,}) ([a-z]{3,})\b")


def _long_form(short: str, before: str) -> str | None:
    """The words before `(short)` that `short` abbreviates, or None (Schwartz and Hearst's match)."""
    words = before.split()[-min(len(short) + 5, 2 * len(short)) :]
    candidate = " ".join(words)
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        ch = short[s].lower()
        if not ch.isalnum():
            s -= 1
            continue
        while c >= 0 and (candidate[c].lower() != ch or (s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        s -= 1
        c -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    found = candidate[start:].strip(" ,;:")
    if not found or len(found) <= len(short) or found.lower() == short.lower():
        return None
    return found


def definitions(text: str) -> dict[str, str]:
    """Short form -> long form for each abbreviation `text` defines ("MKPs" -> "MAPK phosphatases").

    About 11 ms for a 30 kB article: the indexer finds a document's once and keeps them in the manifest, so
    that questions do not pay for it (at 100k chunks they did, for every document they touched first)."""
    return dict(_definitions(text))


@lru_cache(maxsize=256)
def _definitions(text: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for match in _PARENTHESIS.finditer(text):
        short = match.group(1).strip()
        capitals = sum(ch.isupper() for ch in short)
        # An abbreviation has capitals ("EU", "MKPs", "SARS-CoV-2") or is very short ("Ig"); "(Qiagen)" is a name.
        if not _SHORT.match(short) or not capitals or (capitals < 2 and len(short) > 3):
            continue
        before = text[max(0, match.start() - 200) : match.start()]
        before = re.split(r"[.;:!?\n(]\s", before)[-1]
        long = _long_form(short, before)
        if long and short not in found:
            found[short] = long
    for match in _SPECIES.finditer(text):
        short = f"{match.group(1)[0]}. {match.group(2)}"
        if short not in found and short in text:
            found[short] = match.group(0)
    return tuple(found.items())
