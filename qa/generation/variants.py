"""When two spellings name the same thing: a name and its variants, a number or a date in another format.

A capable model writes the way people do: "EU" for "European Union", "Russian" for "Russia", "Houthis" for
"Houthi", "al Qassam" for "al-Qassam", "Kublai" for "Khublai", "17/11/2023" for "November 17, 2023", "11.4
thousand" for "11,400". Verification must accept these and still refuse a name, number or date the passages do
not give. Pure functions; no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from typing import TypeVar

from index.abbreviations import definitions
from qa.answering.names import fold, same_word
from qa.answering.premise import versions

T = TypeVar("T")

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|sep sept september|"
        "oct october|nov november|dec december".split("|")
    )
    for m in names.split()
}


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
    sequence: tuple[str, ...]  # its words in order (hyphenated ones split), for names of several words
    initialisms: frozenset[str]  # the initials of its names ("EU" for "European Union")
    acronyms: frozenset[str]  # the acronyms it writes ("EU", "U.S.") and the short forms it defines
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
        """Is the name in the passage: its words (as variants) in order, side by side or one word apart, its
        acronym, or its expansion? "North Korea" is not in "South Korea exported chips to the north"."""
        words = [w for w in re.findall(r"[\w’'-]+", name) if w.lower() not in ("of", "the", "and")]
        if words and all(self.has_word(w) for w in words) and self._in_order(words):
            return True
        letters = name.replace(".", "").replace("-", "")
        if len(words) >= 2 and initials(name) in self.acronyms:
            return True  # "European Union" where the passage says "EU"
        if letters.isupper() and 2 <= len(letters) <= 8:
            if letters in self.initialisms or letters in self.acronyms:
                return True  # "EU" where the passage says "European Union"
            long = dict(self.expansions).get(name)
            return long is not None and self.has_name(long)
        return False

    def _in_order(self, words: list[str]) -> bool:
        parts = [p for w in words for p in fold(w).split("-") if p]
        if len(parts) < 2:
            return True
        at: list[list[int]] = [
            [i for i, w in enumerate(self.sequence) if w == part or same_word(part, w)] for part in parts
        ]
        ends = set(at[0])
        for positions in at[1:]:
            ends = {j for j in positions if any(0 < j - i <= 2 for i in ends)}
            if not ends:
                return False
        return True

    def _near(self, folded: str) -> list[str]:
        first = folded[:1]
        return [w for w in self.words if w[:1] == first and abs(len(w) - len(folded)) <= 5]


@lru_cache(maxsize=1024)
def _vocabulary(text: str) -> Vocabulary:
    initialisms = set()
    for run in re.finditer(r"(?:\b[A-Z][\w’'-]*(?:\s+(?:of|the|and|for)\s+|\s+))*\b[A-Z][\w’'-]*", text):
        letters = initials(run.group(0))
        # The whole run, and its ends ("IRGC" in "Tehran's Islamic Revolution Guards Corps"), but not its
        # beginnings: "US" is not in "Ukrainian Security Service".
        initialisms |= {letters[i:] for i in range(len(letters) - 1)}
    found = definitions(text)
    acronyms = set(found) | set(re.findall(r"\b[A-Z]{2,8}\b", text))
    acronyms |= {dotted.replace(".", "") for dotted in re.findall(r"\b(?:[A-Z]\.){2,}", text)}  # "U.S."
    sequence = tuple(p for token in re.findall(r"[\w’'-]+", text) for p in fold(token).split("-") if p)
    return Vocabulary(
        frozenset(word_forms(text)),
        sequence,
        frozenset(initialisms),
        frozenset(acronyms),
        tuple(found.items()),
    )


# -- numbers, dates, times, quarters and codes ----------------------------------------------------------------

DateReading = tuple[int | None, int, int]  # (year or None, month, day)
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b"),  # 17/11/2023, 5.11.23
    re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),  # 2023-11-17
    re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}})\b)?", re.I),
    re.compile(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\b\.?(?:,?\s+(\d{{4}})\b)?", re.I
    ),
)
_TIME = re.compile(
    r"\b(\d{1,2}):(\d{2})\s*([ap])\.?\s?m\b\.?|\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})\s*([ap])\.?\s?m\b\.?|"
    r"\b(noon|midday|midnight)\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(r"\bQ([1-4])\b|\b(first|second|third|fourth)\s+quarter\b", re.IGNORECASE)
_ORDINAL_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# Codes: a version, a strain or gene name, a standard: "v2.5", "3.4.1", "H7N9", "CD40L", "COVID-19", "B.1.1.7".
_CODE = re.compile(
    r"\b(?:[A-Za-z]+-?\d[\w.-]*\w|[A-Za-z]+-?\d|\d+(?:\.\d+){2,}|"
    r"\d+(?!(?:k|m|bn|mn|st|nd|rd|th|s)\b)[A-Za-z][A-Za-z\d-]*)\b(?![.,]?\d)",
    re.IGNORECASE,
)
_ORDINAL_DIGITS = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_NAMED_VERSION = re.compile(r"\b(?:version|release)\s+(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_VERSION_CODE = re.compile(r"^v(\d+(?:\.\d+)*)$", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?:(?<![\w.-])(-|\u2212|minus\s+)|(?<![\w.]))"  # a sign, or none
    r"(\d{1,3}(?:,\d{3})+|\d{1,3}(?:\s\d{3})+(?!\d)|\d+(?:\.\d+)?)"  # 11,400 / 11 400 / 11400 / 11.4
    r"(?:(k|m|bn|mn)\b|\s?(thousand|million|billion|trillion|hundred|bn|mn)\b|\s?(%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
_SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
} | {"thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100}
_WORD_SCALES = {
    "hundred": 100,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "dozen": 12,
}
_ABBREVIATED_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9}
_NUMBER_WORD = re.compile(
    r"\b(?:%s)(?:[\s-]+(?:and\s+)?(?:%s))*\b"
    % (("|".join([*_SMALL, *_TENS, *_ORDINALS, *_WORD_SCALES]),) * 2),
    re.IGNORECASE,
)
# A duration: a number and a unit of time ("two weeks", "14-day", "1.5 hours", "one and a half hours", "half an
# hour", "an hour and a half", "a fortnight"). Units of fixed length compare in seconds, months and years in
# months (a month is no fixed number of days).
_DURATION_UNITS = {
    "sec": ("s", 1.0),
    "min": ("s", 60.0),
    "hour": ("s", 3600.0),
    "hr": ("s", 3600.0),
    "day": ("s", 86400.0),
    "week": ("s", 604800.0),
    "fortnight": ("s", 1209600.0),
    "month": ("mo", 1.0),
    "year": ("mo", 12.0),
    "yr": ("mo", 12.0),
}
_UNIT = r"(sec|min|hour|hr|day|week|fortnight|month|year|yr)(?:ute|ond)?s?"
_CARDINAL = "|".join([*_SMALL, *_TENS, *_WORD_SCALES])
_DURATION = re.compile(
    rf"\b(?:(half)\s+an?\s+{_UNIT}"  # half an hour
    rf"|(?:an?|one)\s+{_UNIT}\s+and\s+a\s+(half)"  # an hour and a half
    rf"|(\d+(?:\.\d+)?|(?:{_CARDINAL})(?:[\s-]+(?:and\s+)?(?:{_CARDINAL}))*|an?)"  # 14, twenty-one, a
    rf"(\s+and\s+a\s+half)?[\s-]{_UNIT})\b",  # one and a half hours
    re.IGNORECASE,
)


_HALF = re.compile(r"\bhalf\b(?!\s+an?\s)(?!-)", re.IGNORECASE)  # not "half an hour", "half-life"


@dataclass(frozen=True)
class Duration:
    """A length of time as `text` gives it: `unit` "s" (value in seconds) or "mo" (in months), and the number
    as written (None for "half an hour"; 1.0 and `definite` False for "a week", which also says "per week":
    "$50 a month")."""

    text: str
    unit: str
    value: float
    written: float | None
    definite: bool = True


@dataclass(frozen=True)
class Quantities:
    """The numbers, dates, times, quarters and codes a text gives, each in one comparable form.

    Attributes:
        numbers: (unit, value): unit "%" for a percentage, "" otherwise; "11,400", "11 400", "11.4 thousand",
            "11.4k" are all ("", 11400.0); "Three hundred" is ("", 300.0), "twenty-five" ("", 25.0), "-40"
            and "minus 40" ("", -40.0).
        dates: each date mentioned, as its possible readings (a numeric date whose day and month could be
            either way round has two).
        times: minutes after midnight ("22:30", "10:30 pm" are 1350; "noon" 720); a time without am or pm of
            12 or under also reads as its afternoon hour.
        quarters: 1 to 4 ("Q3", "the third quarter").
        codes: versions, strains, genes, standards, lower case, without separators ("v2.5" -> "v2.5" as a
            version, "COVID-19" -> "covid19").
        durations: lengths of time ("two weeks" and "14 days" are both 1,209,600 s); their numbers are not
            among `numbers`.
    """

    numbers: frozenset[tuple[str, float]] = frozenset()
    dates: tuple[frozenset[DateReading], ...] = ()
    times: frozenset[int] = frozenset()
    quarters: frozenset[int] = frozenset()
    codes: frozenset[str] = frozenset()
    durations: frozenset[Duration] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.numbers or self.dates or self.times or self.quarters or self.codes or self.durations)

    @property
    def size(self) -> int:
        counted = (self.numbers, self.dates, self.times, self.quarters, self.codes, self.durations)
        return sum(len(c) for c in counted)

    @property
    def readings(self) -> set[DateReading]:
        return set().union(*self.dates) if self.dates else set()


def quantities(text: str) -> Quantities:
    """The text's numbers, dates, times, quarters and codes (see Quantities); each is read once: the numbers
    inside a date, a time, a quarter or a code are not numbers of their own."""
    rest = text
    mentions: list[frozenset[DateReading]] = []
    for pattern in _DATE_PATTERNS:
        dates, rest = _take(pattern, rest, partial(_date_mention, pattern))
        mentions += dates
    times, rest = _take(_TIME, rest, _time_readings)
    durations, rest = _take(_DURATION, rest, _duration)
    quarters, rest = _take(
        _QUARTER, rest, lambda m: int(m.group(1)) if m.group(1) else _ORDINAL_QUARTERS[m.group(2).lower()]
    )
    # "20th" is the number 20, as "twentieth" is; "version 2.4" is the version v2.4.
    ordinals, rest = _take(_ORDINAL_DIGITS, rest, lambda m: ("", float(m.group(1))))
    versions_named, rest = _take(_NAMED_VERSION, rest, lambda m: "v" + m.group(1))
    codes, rest = _take(_CODE, rest, lambda m: _code(m.group(0)))
    figures, rest = _take(_NUMBER, rest, _figure)
    numbers = {*ordinals, *figures}
    for match in _NUMBER_WORD.finditer(rest):
        spelled = _word_number(match.group(0))
        if spelled is not None:
            after = rest[match.end() : match.end() + 12].lower()
            percent = bool(re.match(r"\s*(%|percent|per cent)", after))
            numbers.add(("%" if percent else "", spelled))
    return Quantities(
        frozenset(numbers),
        tuple(mentions),
        frozenset().union(*times),
        frozenset(quarters),
        frozenset(versions_named + codes),
        frozenset(durations),
    )


def _take(
    pattern: re.Pattern[str], text: str, read: Callable[[re.Match[str]], T | None]
) -> tuple[list[T], str]:
    """What `read` makes of each match of `pattern` in `text`, and the text with the matches it read (those
    not None) blanked out, its length kept, so that no later pattern reads them again."""
    found: list[T] = []

    def blank(match: re.Match[str]) -> str:
        value = read(match)
        if value is None:
            return match.group(0)
        found.append(value)
        return " " * len(match.group(0))

    return found, pattern.sub(blank, text)


def _figure(match: re.Match[str]) -> tuple[str, float]:
    """(unit, value) of a number in figures (`_NUMBER`): "11,400", "11.4k", "-40", "12%"."""
    sign, digits, attached, word, percent = match.groups()
    value = float(re.sub(r"[,\s]", "", digits))
    scale = (attached or word or "").lower()
    value *= _ABBREVIATED_SCALES.get(scale, _WORD_SCALES.get(scale, 1))
    return ("%" if percent else "", round(-value if sign else value, 6))


def _date_mention(pattern: re.Pattern[str], match: re.Match[str]) -> frozenset[DateReading] | None:
    """A date's possible readings, or None when it is no valid date ("31/02/2023")."""
    return frozenset(_date_readings(pattern, match)) or None


def _date_readings(pattern: re.Pattern[str], match: re.Match[str]) -> set[DateReading]:
    groups = match.groups()
    if pattern is _DATE_PATTERNS[0]:
        d, m, y = (int(g) for g in groups)
        year = y + (2000 if len(groups[2]) == 2 else 0)
        return {(year, mm, dd) for dd, mm in ((d, m), (m, d)) if _valid(year, mm, dd)}
    if pattern is _DATE_PATTERNS[1]:
        y, m, d = (int(g) for g in groups)
        return {(y, m, d)} if _valid(y, m, d) else set()
    month_name, day_text, year_text = (
        groups if pattern is _DATE_PATTERNS[2] else (groups[1], groups[0], groups[2])
    )
    reading = (int(year_text) if year_text else None, _MONTHS[month_name.lower()], int(day_text))
    return {reading} if _valid(reading[0] or 2000, reading[1], reading[2]) else set()


def _time_readings(match: re.Match[str]) -> set[int]:
    h1, m1, ap1, h2, m2, h3, ap3, word = match.groups()
    if word:
        return {0 if word.lower() == "midnight" else 720}
    if h1 is not None:
        hour, minute, half = int(h1) % 12, int(m1), ap1.lower()
    elif h3 is not None:
        hour, minute, half = int(h3) % 12, 0, ap3.lower()
    else:
        hour, minute = int(h2), int(m2)
        readings = {hour * 60 + minute}
        if 1 <= hour <= 12:
            readings.add(((hour % 12) + 12) * 60 + minute)
        return readings
    return {(hour + (12 if half == "p" else 0)) * 60 + minute}


def _duration(match: re.Match[str]) -> Duration | None:
    """The Duration of a `_DURATION` match, or None when its words make no number."""
    half, half_unit, and_half_unit, and_half, amount, plus_half, unit = match.groups()
    text = match.group(0)
    kind, seconds = _DURATION_UNITS[(half_unit or and_half_unit or unit).lower()]
    if half:
        return Duration(text, kind, 0.5 * seconds, None)
    if and_half:
        return Duration(text, kind, 1.5 * seconds, None)
    if amount.lower() in ("a", "an"):
        return Duration(text, kind, seconds, 1.0, definite=False)
    value = float(amount) if amount[0].isdigit() else _word_number(amount)
    if value is None:
        return None
    if plus_half:
        return Duration(text, kind, (value + 0.5) * seconds, None)
    return Duration(text, kind, value * seconds, value)


def _code(token: str) -> str:
    version = _VERSION_CODE.match(token)
    if version:
        return "v" + version.group(1)
    if re.fullmatch(r"\d+(?:\.\d+)+", token):  # "3.4.1" is a version
        return "v" + token
    return re.sub(r"[-.]", "", token.lower())


def _word_number(phrase: str) -> float | None:
    """The value of a number in words: "Three hundred" 300, "twenty-five" 25, "two million" 2e6, "first" 1."""
    total, current = 0.0, 0.0
    seen = False
    for word in re.findall(r"[a-z]+", phrase.lower()):
        if word == "and":
            continue
        if word in _SMALL:
            current += _SMALL[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _ORDINALS:
            current += _ORDINALS[word]
        elif word in _WORD_SCALES:
            scale = _WORD_SCALES[word]
            current = (current or 1) * scale
            if scale >= 1000:
                total, current = total + current, 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def missing_quantities(claim: Quantities, quote: Quantities, quote_text: str) -> list[str]:
    """The claim's numbers, dates, times, quarters and codes that the quote does not give in any form.

    A date the claim gives with a year matches a date of the quote without one only when the quote names that
    year too; a year on its own ("in 2023") matches a date's year.
    """
    given = set(quote.numbers) | {("", float(y)) for y, _, _ in quote.readings if y is not None}
    given |= {("", d.written) for d in quote.durations if d.written is not None}
    if _HALF.search(quote_text):  # "half of the staff" gives "50% of the staff"
        given.add(("%", 50.0))
    missing = [f"{v:g}{unit}" for unit, v in claim.numbers if (unit, v) not in given]
    # "two weeks" is "14 days", "90 minutes" "an hour and a half"; "14 days" is also "for 14 consecutive days".
    lengths = {(d.unit, round(d.value, 3)) for d in quote.durations}  # 0.3 h is 1080 s, not 1079.9999...
    missing += [
        d.text
        for d in claim.durations
        if d.definite and (d.unit, round(d.value, 3)) not in lengths and ("", d.written) not in given
    ]
    for mention in claim.dates:
        if not any(_same_reading(c, q, given) for c in mention for q in quote.readings):
            missing.append("a date")
    missing += [f"{t // 60}:{t % 60:02d}" for t in claim.times if t not in quote.times]
    missing += [f"Q{n}" for n in claim.quarters if n not in quote.quarters]
    quote_versions = versions(quote_text)
    flat = re.sub(r"[\s.-]", "", quote_text.lower())
    for code in claim.codes:
        found = code in quote.codes or (
            code.startswith("v") and code[1:2].isdigit() and code in quote_versions
        )
        if not found and not (len(code) >= 4 and code in flat and not code.startswith("v")):
            missing.append(code)
    return missing


def _same_reading(claim: DateReading, quote: DateReading, given: set[tuple[str, float]]) -> bool:
    (cy, cm, cd), (qy, qm, qd) = claim, quote
    if (cm, cd) != (qm, qd):
        return False
    if cy is None or cy == qy:
        return True
    return qy is None and ("", float(cy)) in given
