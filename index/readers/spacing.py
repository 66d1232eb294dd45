"""Spaces that OCR left out, put back: "Inheritancetaxof38,480waspaid" reads "Inheritance tax of 38,480 was paid".

The bundled recogniser (RapidOCR's PP-OCRv4 model, trained mostly on Chinese, where words are not spaced) often
drops the space between English words, most on small print: a known fault of the model (RapidOCR issues #6,
#341, #636), with no English model in a registry package. Glued words match no question's terms, so the
recognised lines are spaced again here, by rules of written English and by word frequencies (wordfreq's Zipf
scale), the way word segmenters split run-together text (a cost per word that falls as the word gets commoner,
minimised over the ways to split by dynamic programming):

- a lower-case letter before a capitalised word ("LauraPell", "theProbate"), a number before a word or a word
  before a number ("12March", "2025and", "dated9"), a comma, colon or semicolon before a letter, and a full stop
  before a capitalised word ("me.The"), mark a space;
- a run of letters that is no common word is split into common words where it splits into nothing else
  ("waspaid", "administrationofyour"); a rare name ("Unthank", "Wymondham") is left whole: every piece of a
  split must be a common word (Zipf >= 3, or more for short pieces), and capitals-only runs ("SOLICITORS",
  "NR13LB") are never split;
- e-mail addresses and web addresses are left as they are.

Only OCR text goes through here: a text layer's spaces are the author's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.lexical import stopwords, zipf

# A word this common (wordfreq's Zipf scale) is left whole, however it might split ("administration" 4.5).
WHOLE_ZIPF = 2.5
# How common each piece of a split must be, by its length: two-letter words are mostly fragments ("nk", "ut")
# unless very common ("of", "to", "we"); one letter only as "a" or "I"; a long piece is rarely an accident
# ("executors" 2.6).
PIECE_ZIPF = {2: 5.0, 3: 4.0, 4: 3.0, 5: 3.0, 6: 3.0}
LONG_PIECE_ZIPF = 2.0
LONGEST_WORD = 20
# The cost of a word in a split: one per word, plus how much rarer than "the" (Zipf 7.7) it is. The first term
# keeps splits few ("executors have", not "exec ut or shave"); the second prefers common words.
WORD_COST = 3.0
COMMONEST_ZIPF = 8.0

_ADDRESS = re.compile(r"@|://|^www\.", re.IGNORECASE)
_BOUNDARIES = [
    re.compile(r"(?<=[A-Z])(?=[A-Z][a-z]{2})"),  # "HMRevenue"
    re.compile(r"(?<=[A-Za-z][a-z])(?=[A-Z][a-z])"),  # "LauraPell", "MsPell" (not "iPhone", "eBay")
    re.compile(r"(?<=[a-z]{2})(?=[A-Z]{2,}\b|[A-Z]+\d)"),  # "withHM", "plusVAT", "SalfordM54PF"
    re.compile(r"(?<=[a-z]{2})(?=\d)|(?<=\d)(?=[a-z]{2,}|[A-Z][a-z])"),  # "dated9", "2025and", "12March"
    re.compile(r"(?<=[A-Za-z][,;:])(?=[A-Za-z0-9])|(?<=\d[,;:])(?=[A-Za-z])"),  # "VAT,in", "house,22"
    re.compile(r"(?<=[a-z0-9]\.)(?=[A-Z][a-z])"),  # "me.The", "486,200.Inheritance"
    re.compile(r"(?<=[a-z][’']s)(?=[a-z]{3,})"),  # "mother'sestate"
]
_RUN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")


def spaced(line: str) -> str:
    """One recognised line with its missing spaces put back (see the module docstring); spaces it has stay."""
    return " ".join(_spaced_word(word) for word in line.split(" "))


def _spaced_word(word: str) -> str:
    for boundary in _BOUNDARIES:
        word = boundary.sub(" ", word)
    return " ".join(
        part
        if _ADDRESS.search(part)
        else "".join(" ".join(split_run(run)) if run.isalpha() else run for run in _RUN.findall(part))
        for part in word.split(" ")
    )


def _piece_zipf(piece: str) -> float:
    """How common a piece of a split is (0 when it may not be one)."""
    low = piece.lower()
    if len(low) == 1:
        return 7.0 if low in ("a", "i") else 0.0
    found = zipf(low)
    return found if found >= PIECE_ZIPF.get(len(low), LONG_PIECE_ZIPF) else 0.0


@lru_cache(maxsize=20_000)
def split_run(run: str) -> tuple[str, ...]:
    """A run of letters as the words it was glued from, or whole: ("was", "paid") for "waspaid",
    ("Unthank",) for "Unthank". Capitals-only runs stay whole, and so do common words unless they are function
    words glued together (wordfreq counts the typo "ofthe" at 3.3). A capitalised run that wordfreq knows, as
    a name, is split only where a function word is among its pieces ("Eachyear"): "Northgate" stays whole,
    "Netrent" does not."""
    if len(run) < 4 or run.isupper():
        return (run,)
    pieces = _best_split(run)
    if len(pieces) < 2 or (
        zipf(run.lower()) >= WHOLE_ZIPF and not all(p.lower() in stopwords() for p in pieces)
    ):
        return (run,)
    if run[0].isupper() and zipf(run.lower()) > 0 and not any(p.lower() in stopwords() for p in pieces):
        return (run,)
    return pieces


def _best_split(run: str) -> tuple[str, ...]:
    """The split of `run` into common words of least cost (dynamic programming over where words end), or the
    run alone when it has none."""
    n = len(run)
    cost = [0.0] + [float("inf")] * n
    start = [0] * (n + 1)
    for end in range(1, n + 1):
        for begin in range(max(0, end - LONGEST_WORD), end):
            if cost[begin] == float("inf"):
                continue
            common = _piece_zipf(run[begin:end])
            if common and cost[begin] + WORD_COST + COMMONEST_ZIPF - common < cost[end]:
                cost[end] = cost[begin] + WORD_COST + COMMONEST_ZIPF - common
                start[end] = begin
    if cost[n] == float("inf"):
        return (run,)
    pieces = []
    end = n
    while end > 0:
        pieces.append(run[start[end] : end])
        end = start[end]
    return tuple(reversed(pieces))
