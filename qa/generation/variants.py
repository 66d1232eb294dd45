"""When two spellings name the same thing: a name and its variants, a number or a date in another format.

A capable model writes the way people do: "EU" for "European Union", "Russian" for "Russia", "Houthis" for
"Houthi", "al Qassam" for "al-Qassam", "Kublai" for "Khublai", "17/11/2023" for "November 17, 2023", "11.4
thousand" for "11,400". Verification must accept these and still refuse a name, number or date the passages do
not give. Pure functions; no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from qa.answering.abbreviations import definitions

# Country and people, where one is not the other plus a suffix.
_IRREGULAR = (
    "france french|netherlands dutch|holland dutch|britain british|uk british|england english|spain spanish|"
    "poland polish|wales welsh|switzerland swiss|greece greek|denmark danish|sweden swedish|finland finnish|"
    "norway norwegian|ireland irish|scotland scottish|philippines filipino|portugal portuguese|"
    "turkey turkish|lebanon lebanese|iraq iraqi|yemen yemeni|israel israeli|pakistan pakistani|"
    "bangladesh bangladeshi|peru peruvian|china chinese|japan japanese|vietnam vietnamese|"
    "germany german|belgium belgian|hungary hungarian|thailand thai|arabia arab|arabia saudi|"
    "us american|usa american|america american|united states american|mongolia mongol|mongolia mongolian"
)
# Titles and months people shorten: "Gen. Amherst", "Sept. 1760", "Ft. Duquesne".
_SHORT_FORMS = (
    "gen general|col colonel|lt lieutenant|sgt sergeant|capt captain|cmdr commander|adm admiral|gov governor|"
    "sen senator|rep representative|pres president|rev reverend|dr doctor|prof professor|st saint|st street|"
    "mt mount|ft fort|dept department|univ university|corp corporation|co company|jan january|feb february|"
    "mar march|apr april|jun june|jul july|aug august|sep september|sept september|oct october|nov november|"
    "dec december"
)
_SAME: dict[str, set[str]] = {}
for _pair in _SHORT_FORMS.split("|"):
    _a, _b = _pair.split(" ")
    _SAME.setdefault(_a, set()).add(_b)
    _SAME.setdefault(_b, set()).add(_a)
for _pair in _IRREGULAR.split("|"):
    _a, _b = _pair.rsplit(" ", 1)
    _SAME.setdefault(_a, set()).add(_b)
    _SAME.setdefault(_b, set()).add(_a)
# What tells a people or a language from its country: Russia / Russian, Iran / Iranian, Italy / Italian.
_ENDINGS = (
    "",
    "a",
    "e",
    "y",
    "n",
    "an",
    "ian",
    "ans",
    "ians",
    "i",
    "is",
    "ese",
    "ish",
    "ic",
    "on",
    "ia",
    "ary",
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|sep sept september|"
        "oct october|nov november|dec december".split("|")
    )
    for m in names.split()
}
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "hundred": 1e2,
    "dozen": 12,
    "percent": 1,
    "%": 1,
}
_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def fold(word: str) -> str:
    """Lower case, accents and apostrophes dropped, possessive trimmed ("Céloron's" -> "celoron")."""
    word = re.sub(r"[’']s$", "", word.strip()).lower().translate(_LETTERS)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    return plain.replace("’", "").replace("'", "")


# Letters that carry no accent to strip: "Đằng" is "Dang", "Łódź" is "Lodz".
_LETTERS = str.maketrans({"đ": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def same_word(a: str, b: str) -> bool:
    """Do two words (of names) name the same thing: equal once folded, singular and plural, a country and its
    people ("Russia" / "Russian"), or one slip of spelling apart in words of five letters or more ("Kublai"
    / "Khublai")?"""
    x, y = fold(a), fold(b)
    if x == y or _singular(x) == _singular(y):
        return True
    if any(ch.isdigit() for ch in x + y):
        return False  # numbers are equal or not: "11400" is not "11500"
    if y in _SAME.get(x, ()) or _singular(y) in _SAME.get(_singular(x), ()):
        return True
    short, long = sorted((_singular(x), _singular(y)), key=len)
    for cut in range(max(4, len(short) - 3), len(short) + 1):
        if long.startswith(short[:cut]) and short[cut:] in _ENDINGS and long[cut:] in _ENDINGS:
            return True
    if min(len(x), len(y)) >= 5:
        from rapidfuzz.distance import OSA

        return OSA.distance(x, y) <= (1 if max(len(x), len(y)) < 9 else 2)
    return False


def word_forms(text: str) -> list[str]:
    """The words of a text, hyphenated ones also in their parts and run together ("al-Qassam" -> "al-qassam",
    "al", "qassam", "alqassam")."""
    out = []
    for token in re.findall(r"[\w’'-]+", text):
        word = fold(token).strip("-")
        if not word:
            continue
        out.append(word)
        if "-" in word:
            parts = [p for p in word.split("-") if p]
            out.extend(parts)
            out.append("".join(parts))
    return out


def initials(phrase: str) -> str:
    """The acronym of a name ("European Union" -> "EU", "Islamic Revolution Guards Corps" -> "IRGC")."""
    words = [w for w in re.findall(r"[\w’'-]+", phrase) if w.lower() not in ("of", "the", "and", "for", "de")]
    return "".join(w if re.fullmatch(r"[IVX]+", w) else w[0] for w in words).upper()


@dataclass(frozen=True)
class Vocabulary:
    """What a passage names, for looking up a claim's names in it."""

    words: frozenset[str]
    acronyms: frozenset[str]  # initials of its runs of capitalised words, and the short forms it defines
    expansions: tuple[tuple[str, str], ...]  # short form -> long form, as the passage defines them

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        joined = " ".join(texts)
        return _vocabulary(joined)

    def has_word(self, word: str) -> bool:
        """Is the word, or a variant of it (`same_word`), in the passage?"""
        folded = fold(word)
        if folded in self.words:
            return True
        return any(same_word(folded, w) for w in self._near(folded))

    def has_name(self, name: str) -> bool:
        """Is the name in the passage: every word of it (as variants), its acronym, or its expansion?"""
        words = [w for w in re.findall(r"[\w’'-]+", name) if w.lower() not in ("of", "the", "and")]
        if words and all(self.has_word(w) for w in words):
            return True
        letters = name.replace(".", "").replace("-", "")
        if len(words) >= 2 and initials(name) in self.acronyms:
            return True  # "European Union" where the passage says "EU"
        if letters.isupper() and 2 <= len(letters) <= 8:
            if letters in self.acronyms:
                return True  # "EU" where the passage says "European Union"
            long = dict(self.expansions).get(name)
            return long is not None and self.has_name(long)
        return False

    def _near(self, folded: str) -> list[str]:
        first = folded[:1]
        return [w for w in self.words if w[:1] == first and abs(len(w) - len(folded)) <= 5]


@lru_cache(maxsize=1024)
def _vocabulary(text: str) -> Vocabulary:
    acronyms = set()
    for run in re.finditer(r"(?:\b[A-Z][\w’'-]*(?:\s+(?:of|the|and|for)\s+|\s+))*\b[A-Z][\w’'-]*", text):
        letters = initials(run.group(0))
        for i in range(len(letters)):  # every part of the run: "Tehran's Islamic Revolution Guards Corps"
            for j in range(i + 2, min(len(letters), i + 8) + 1):
                acronyms.add(letters[i:j])
    found = definitions(text)
    acronyms |= set(found)
    acronyms |= {token for token in re.findall(r"\b[A-Z]{2,8}\b", text)}
    return Vocabulary(frozenset(word_forms(text)), frozenset(acronyms), tuple(found.items()))


# -- numbers and dates ---------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(thousand|million|billion|trillion|hundred|bn|mn|k|m)\b"
    r"|\s?(%|percent)\b)?",
    re.IGNORECASE,
)


def numbers(text: str) -> set[float]:
    """The values of the numbers a text gives: "11,400", "11.4 thousand" and "11400" are all 11400.0 (a
    number with a scale word counts at its scaled value only); "twelve" is 12.0."""
    found = set()
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        scale = (match.group(2) or "").lower()
        found.add(round(value * _SCALES[scale], 6) if scale in _SCALES else value)
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _WORD_NUMBERS:
            found.add(float(_WORD_NUMBERS[word]))
    return found


def dates(text: str) -> set[tuple[int | None, int, int]]:
    """The dates a text gives, as (year or None, month, day): "17/11/2023", "2023-11-17", "November 17, 2023",
    "17 Nov 2023" and "Friday (17/11/2023)" are all (2023, 11, 17). A numeric date whose day and month could
    be either way round counts both ways."""
    found: set[tuple[int | None, int, int]] = set()
    for d, m, y in re.findall(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b", text):
        year = int(y) + (2000 if len(y) == 2 else 0)
        for day, month in ((int(d), int(m)), (int(m), int(d))):
            if _valid(year, month, day):
                found.add((year, month, day))
    for y, m, d in re.findall(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text):
        if _valid(int(y), int(m), int(d)):
            found.add((int(y), int(m), int(d)))
    month_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    for m, d, y in re.findall(
        rf"\b({month_names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?", text, re.I
    ):
        found.add((int(y) if y else None, _MONTHS[m.lower()], int(d)))
    for d, m, y in re.findall(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({month_names})\.?(?:,?\s+(\d{{4}}))?", text, re.I
    ):
        found.add((int(y) if y else None, _MONTHS[m.lower()], int(d)))
    return found


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def same_date(claim: set[tuple[int | None, int, int]], quote: set[tuple[int | None, int, int]]) -> bool:
    """Does every date of the claim occur in the quote (a year the claim leaves out matches any)?"""
    return all(
        any(m == qm and d == qd and (y is None or qy is None or y == qy) for qy, qm, qd in quote)
        for y, m, d in claim
    )
