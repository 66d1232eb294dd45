"""Spaces that OCR left out, put back: "Inheritancetaxof38,480waspaid" reads "Inheritance tax of 38,480 was paid".

The bundled recogniser (RapidOCR's PP-OCRv4 model, trained mostly on Chinese, where words are not spaced) often
drops the space between English words, most on small print: a known fault of the model (RapidOCR issues #6,
#341, #636), with no English model in a registry package. Glued words match no question's terms, so the
recognised lines are spaced again here, by rules of written English and by word frequencies (wordfreq's Zipf
scale), the way word segmenters split run-together text (a cost per word that falls as the word gets commoner,
minimised over the ways to split by dynamic programming):

- a comma, colon or semicolon before a letter, a full stop before a capitalised word ("me.The"), a possessive
  before a word ("mother'sestate"), a number before a word ("2025and"; not "1st", "28a") and a common word or
  a month before a number ("dated9", "June2016"; not "Glu142", "pH7") mark a space;
- in a run of letters that wordfreq does not know as it is written (mixed case included: "PowerPoint",
  "iPhone", "McDonald's", "macOS" stay whole), a change of case marks a space ("LauraPell", "theProbate",
  "withHM"; "VATat" is "VAT at", "HMRevenue" is "HM Revenue", "IgGantibodies" is "IgG antibodies",
  "youriPhone" is "your iPhone");
- a run of letters that is no word wordfreq knows is split into common words where it splits into nothing
  else ("waspaid", "administrationofyour"), every piece a common word (Zipf >= 3, more for short pieces; a
  piece of two letters a function word; of one letter, "a" or "I"). Left whole: any word wordfreq knows,
  however rare ("atorvastatin", "Whitcombe"), unless only function words run together ("ofthe"); a word with
  a prefix or an ending that makes words ("pseudovirus", "neutralisation"); a capitalised run of two pieces
  unless both are very common words ("Netrent"; not "Harbourline", "Cheffins"); capitals-only runs
  ("SOLICITORS", "NR13LB");
- e-mail addresses and web addresses are left as they are.

Measured on 22 scanned pages a review helper made (9 to 16 pt, six fonts, two columns, skew, noise, tables, a
page upside down; scratch, not in the project), the share of the source's words found in the text read: 0.375
as the recogniser reads, 0.864 with the first version of these rules, 0.867 with these (which also keep the 30
names, brands and rare words it had found split, "Mac Donald", "Java Script", "at or vast at in", whole).
Only OCR text goes through here: a text layer's spaces are the author's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from index.lexical import stopwords, zipf

# A word this common (wordfreq's Zipf scale) is a word of its own ("administration" 4.5) ...
WHOLE_ZIPF = 2.5
# ... and one wordfreq knows at all is not split ("atorvastatin" 1.9, "nitrofurantoin" 1.5, "Whitcombe" 1.7;
# words run together, "waspaid", "atapriceof", are unknown to it).
KNOWN_ZIPF = 1.0
# ... and a run of mixed case this common is a name as written ("OneDrive" 2.4, "LibreOffice" 2.2).
MIXED_CASE_ZIPF = 2.0
# How common each piece of a split must be, by its length: two-letter words are mostly fragments ("nk", "ut")
# unless very common ("of", "to", "we"); one letter only as "a" or "I"; a long piece is rarely an accident
# ("executors" 2.6).
PIECE_ZIPF = {2: 5.0, 3: 4.0, 4: 3.0, 5: 3.0, 6: 3.0}
LONG_PIECE_ZIPF = 2.0
# Each piece of a capitalised run of two that wordfreq does not know must be this common: "Net rent", not
# "Harbour line" or "Chef fins" (a run of three or more, "Busesrunevery", is words if they are not short).
CAPITALISED_PIECE_ZIPF = 4.0
# A word before a number must be this common to be a word of its own ("dated9"; not "Glu142").
WORD_BEFORE_NUMBER_ZIPF = 3.0
LONGEST_WORD = 20
# The cost of a word in a split: one per word, plus how much rarer than "the" (Zipf 7.7) it is. The first term
# keeps splits few ("executors have", not "exec ut or shave"); the second prefers common words.
WORD_COST = 3.0
COMMONEST_ZIPF = 8.0
# Beginnings and endings that make words of other words: a run that opens or ends with one is a word of its
# own, not words run together ("thermostable", "pseudovirus", "neutralisation", "thermostability").
_PREFIXES = (
    "anti auto bio counter electro geo hydro hyper hypo immuno inter intra macro micro multi neuro non over "
    "photo poly pseudo semi sero sub super thermo trans under"
).split()
_SUFFIXES = ("ability ibility ation ations ition isation ization ness ment ments ity ism ist ists ous ive ible "
             "able ably ion ions ise ize ised ized ical").split()  # fmt: skip

# Letters in capitals, this many or more, that are no word: words of a heading run together.
_GLUED_CAPITALS = 10
_ADDRESS = re.compile(r"@|://|^www\.", re.IGNORECASE)
_BOUNDARIES = [
    re.compile(r"(?<=[A-Za-z][,;:])(?=[A-Za-z0-9])|(?<=\d[,;:])(?=[A-Za-z])"),  # "VAT,in", "house,22"
    re.compile(r"(?<=[a-z0-9]\.)(?=[A-Z][a-z])"),  # "me.The", "486,200.Inheritance"
    re.compile(r"(?<=[a-z][’']s)(?=[a-z]{3,})"),  # "mother'sestate"
    # "1stdayofeachmonth": a day's ordinal, then the rest ("1st dayofeachmonth"; not "5thousand") ...
    re.compile(
        r"(?:(?<=\b[1-9](?:st|nd|rd|th))|(?<=\b[12]\d(?:st|nd|rd|th))|(?<=\b3[01](?:st|nd|rd|th)))"
        r"(?!ousand)(?=[a-z]{2,})"
    ),
    re.compile(r"(?<=\d)(?=(?!(?:st|nd|rd|th)\b)[a-z]{2,}|[A-Z][a-z])"),  # "2025and", "12March" (not "21st")
]
_WORD_BEFORE_NUMBER = re.compile(r"([A-Za-z]+)(?=\d)")
_RUN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")
_CALENDAR = re.compile(
    r"(?:jan|febr)uary|march|april|may|june|july|august|(?:sept|nov|dec)ember|october|(?:mon|tues|wednes|thurs|fri|"
    r"satur|sun)day",
    re.IGNORECASE,
)
_CASE_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")


def spaced(line: str) -> str:
    """One recognised line with its missing spaces put back (see the module docstring); spaces it has stay."""
    return " ".join(_spaced_word(word) for word in line.split(" "))


def _spaced_word(word: str) -> str:
    for boundary in _BOUNDARIES:
        word = boundary.sub(" ", word)
    word = _WORD_BEFORE_NUMBER.sub(_before_number, word)
    return " ".join(
        part
        if _ADDRESS.search(part)
        else "".join(" ".join(_letters(run)) if run.isalpha() else run for run in _RUN.findall(part))
        for part in word.split(" ")
    )


def _before_number(match: re.Match[str]) -> str:
    """ "dated9" -> "dated 9", "June2016" -> "June 2016": a lower-case word (of two or three letters, a common
    one), or a month or weekday, before a number; a code ("Glu142", "pH7", "macOS14", "NR13", "v2") stays
    whole."""
    letters = match.group(1)
    glued = _letters(letters)
    last = glued[-1]
    word = last.islower() and (len(last) > 3 or (len(last) > 1 and zipf(last) >= WORD_BEFORE_NUMBER_ZIPF))
    if word or _CALENDAR.fullmatch(last):
        return " ".join(glued) + " "
    return letters


@lru_cache(maxsize=20_000)
def _letters(run: str) -> tuple[str, ...]:
    """A run of letters as the words it was glued from: case changes first, then `split_run` on each part."""
    if run.isupper() and len(run) >= _GLUED_CAPITALS and zipf(run.lower()) == 0:
        # a heading in capitals glued together ("NOTICEOFRENTINCREASE"): split where its words are common and
        # one is a function word ("NOTICE OF RENT INCREASE"; an acronym or a code has none)
        pieces = split_run(run.lower())
        if len(pieces) > 1 and any(p in stopwords() for p in pieces):
            starts = [sum(len(p) for p in pieces[:n]) for n in range(len(pieces) + 1)]
            return tuple(run[a:b] for a, b in pairwise(starts))
    if run.isupper() or len(run) < 2:
        return (run,)
    mixed = run[1:] != run[1:].lower() and not run[1:].isupper()
    if mixed and zipf(run.lower()) >= MIXED_CASE_ZIPF:
        return (run,)  # "PowerPoint", "iPhone", "McDonald", "macOS"
    parts = _case_parts(run) if mixed else [run]
    return tuple(piece for part in parts for piece in split_run(part))


def _case_parts(run: str) -> list[str]:
    """A run split where its case changes: "theProbate" -> the, Probate; "withHM" -> with, HM; "HMRevenue" ->
    HM, Revenue. A capital that ends a name wordfreq knows goes with it where the lower case after it reads
    better alone ("VATat" -> VAT, at; "PDFhandout" -> PDF, handout; "IgGantibodies" -> IgG, antibodies)."""
    parts: list[str] = []
    for piece in _CASE_PARTS.findall(run):
        # "youriPhone": an "i" or "e" opens a name written in mixed case ("iPhone", "eBay")
        if parts and parts[-1][-1:] in ("i", "e") and len(parts[-1]) > 1 and piece[1:].islower():
            if zipf((parts[-1][-1] + piece).lower()) >= WHOLE_ZIPF and zipf(parts[-1]) < WHOLE_ZIPF:
                parts[-1], piece = parts[-1][:-1], parts[-1][-1] + piece
        if parts and len(piece) > 1 and piece[0].isupper() and piece[1:].islower():
            rest = piece[1:]
            alone = zipf(rest) or (LONG_PIECE_ZIPF if len(split_run(rest)) > 1 else 0.0)
            # (after a mixed-case part, only before a word of three letters or more: "NguynThMai" is no "ThM")
            known = zipf((parts[-1] + piece[0]).lower()) >= MIXED_CASE_ZIPF
            if known and (parts[-1].isupper() or len(rest) > 2) and alone > zipf(piece.lower()):
                parts[-1], piece = parts[-1] + piece[0], rest
        parts.append(piece)
    return parts


def _piece_zipf(piece: str) -> float:
    """How common a piece of a split is (0 when it may not be one)."""
    low = piece.lower()
    if len(low) == 1:
        return 7.0 if piece in ("a", "I") else 0.0  # ("cant i levers": "I" is written as a capital)
    if len(low) == 2 and low not in stopwords():
        return 0.0  # "monte luka st"
    found = zipf(low)
    return found if found >= PIECE_ZIPF.get(len(low), LONG_PIECE_ZIPF) else 0.0


@lru_cache(maxsize=20_000)
def split_run(run: str) -> tuple[str, ...]:
    """A run of letters of one case pattern as the words it was glued from, or whole: ("was", "paid") for
    "waspaid", ("Unthank",) for "Unthank". Left whole (see the module docstring): capitals only; any word
    wordfreq knows unless function words only are glued together (it counts the typo "ofthe" at 3.3); a word
    cut just after a prefix or before an ending that makes words; a capitalised run without a function word that
    wordfreq knows at all, or of two pieces not both very common, or of short pieces ("Whit com be")."""
    if len(run) < 4 or run.isupper():
        return (run,)
    pieces = _best_split(run)
    low = run.lower()
    function = [p.lower() in stopwords() for p in pieces]
    # a word wordfreq knows, however rare, is no words run together ("atorvastatin", not "at or vast at in";
    # "Whitcombe"), unless function words only ("ofthe", a typo it counts at 3.3)
    if len(pieces) < 2 or (zipf(low) >= KNOWN_ZIPF and not all(function)):
        return (run,)
    # a cut just after a prefix, or an ending cut off: "pseudo virus", "neutral is at ion" (not
    # "electrocardiogram confirmed", "Our liability")
    first, last = pieces[0].lower(), pieces[-1].lower()
    if any(low.startswith(p) and len(first) <= len(p) + 2 for p in _PREFIXES) and not function[0]:
        return (run,)
    if last in _SUFFIXES:
        return (run,)
    if run[0].isupper() and not any(function):
        if zipf(low) > 0:
            return (run,)
        if len(pieces) == 2 and any(zipf(p.lower()) < CAPITALISED_PIECE_ZIPF for p in pieces):
            return (run,)
        if len(pieces) > 2 and len(run) / len(pieces) < 4:  # "Whit com b e"
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
