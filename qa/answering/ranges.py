"""Amounts a question gives and the ranges of them a sentence states: ages ("my 4 year old" against "Age: 4 to
5 years", "infants under 3 months") and amounts with a unit ("I earn £800 a year" against "£1,000 or less",
"120 hours a month" against "101 hours or more").

A question that gives its own figure asks which band, tier or row it falls in: the sentence whose range takes the
figure in answers it, a sentence giving another band does not, and the figure need not be written in any
document for the question to be answerable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# An age the question gives ("my 4 year old", "an 18-month-old", "a baby of 4 months", "aged 70") is asked as
# the label (AGE, months); a sentence takes in the ages of its ranges ("Age: 3 to 5 months", "infants under 3
# months", "aged 16-25", "65 or over"; years where no unit is given). A span of time is an age only in a sentence
# about ages or people: "6 to 8 weeks" is no age in "Delivery takes 6 to 8 weeks".
AGE = "age"
_MONTHS_IN = {"year": 12.0, "yr": 12.0, "month": 1.0, "week": 12 / 52.18, "day": 12 / 365.25}
_N = r"(\d{1,3}(?:\.\d)?)"
_UNIT = r"(?:\s*|-)(year|yr|month|week|day)s?\b"
_ASKED_AGE = re.compile(
    rf"\b{_N}{_UNIT}[\s-]*old\b"
    rf"|\b(?:bab(?:y|ies)|child(?:ren)?|infants?|toddlers?|kids?|boys?|girls?|sons?|daughters?)\s+(?:of|aged)\s+"
    rf"{_N}{_UNIT}"
    rf"|\baged?\s+{_N}(?:{_UNIT})?"
    # "I'm 19", "I am 67", "she's 4", "my son is 15" (a number followed by another unit is no age: "I'm 5 kg over")
    rf"|\b(?:I'?m|I am|(?:he|she)(?:'s|\s+is)|(?:son|daughter|child|kid|baby|boy|girl)(?:'s|\s+is))\s+{_N}"
    rf"\b(?:{_UNIT}(?:[\s-]*old)?|(?!\s*(?:[%°£$€]|[.:,]\d|(?:kg|g|mg|ml|l|cm|mm|m|km|lbs?|st|miles?|mph|kwh|"
    rf"hours?|hrs?|minutes?|mins?|seconds?|percent|pounds?|points?|times|pm|am|p\.m|a\.m|o'clock)\b)))",
    re.IGNORECASE,
)
_AGE_CUE = re.compile(
    r"\b(ages?|aged|old|olds|child|children|infants?|bab(?:y|ies)|toddlers?|adults?|kids?|teens?|teenagers?|"
    r"juniors?|seniors?|youths?|pupils?|people|persons?|patients?|born)\b",
    re.IGNORECASE,
)
# A number without a unit of time is an age only when no other unit follows it ("under 16", not "less than 5 kg").
_NO_UNIT = (
    r"(?!\s*(?:[%°£$€]|(?:kg|g|mg|mcg|ml|l|cm|mm|m|km|lbs?|st|miles?|hours?|hrs?|minutes?|mins?|seconds?|per|"
    r"percent|pounds?|times|doses?|tablets?|pm|am|p\.m|a\.m)\b|[.:]\d))"
)
_SENTENCE_AGES = (  # (pattern, how its numbers bound the ages); groups: number, unit[, number, unit]
    (re.compile(rf"\b{_N}(?:{_UNIT})?\s*(?:to|-|–|—|and)\s*{_N}(?:{_UNIT}|{_NO_UNIT})", re.I), "range"),
    (re.compile(rf"\b(?:under|below|younger than|less than)\s+{_N}(?:{_UNIT}|{_NO_UNIT})", re.I), "under"),
    (re.compile(rf"\b(?:over|above|older than|more than)\s+{_N}(?:{_UNIT}|{_NO_UNIT})", re.I), "over"),
    (re.compile(rf"\b{_N}(?:{_UNIT})?\s*(?:or|and)\s+(?:over|older|above)\b", re.I), "over"),
    (re.compile(rf"\baged?:?\s*{_N}(?:{_UNIT}|{_NO_UNIT})", re.I), "one"),
    (re.compile(rf"\b{_N}{_UNIT}[\s-]*olds?\b", re.I), "one"),
)
# A range without a unit of time is an age only right after the word: "aged 16-25", "Age: 16 to 25".
# ... or in brackets after an age group's name: "Teen (14 to 17)", "Senior (65 and over)", "Young person (16 to
# 21)".
_AGE_BEFORE = re.compile(
    r"\bage[sd]?:?\s*$|\b(?:teens?|juniors?|seniors?|youths?|child(?:ren)?|adults?|kids?|infants?|persons?|"
    r"people|students?|pupils?|toddlers?|bab(?:y|ies))\s*\(\s*$",
    re.IGNORECASE,
)


def _months(number: str, unit: str | None) -> float:
    return float(number) * _MONTHS_IN[(unit or "year").lower()]


def asked_age(question: str) -> float | None:
    """The age a question gives, in months ("my 4 year old" 48, "an 18-month-old" 18), or None."""
    found = asked_age_written(question)
    return found[1] if found else None


def asked_age_written(question: str) -> tuple[str, float] | None:
    """The age a question gives, as written ("18") and in months (18.0), or None."""
    m = _ASKED_AGE.search(question)
    if m is None:
        return None
    number, unit = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5, 7) if m.group(i) is not None)
    return number, _months(number, unit)


def takes_in_age(sentence: str, months: float) -> bool:
    """Does a range of ages the sentence gives take in this age (`age_ranges`)?"""
    return any(low <= months < high for low, high in age_ranges(sentence))


def age_ranges(sentence: str) -> list[tuple[float, float]]:
    """The ranges of age a sentence about ages or people gives, in months, lowest first, the upper bound
    excluded ("Age: 4 to 5 years" -> (48, 72): a child of five and a half is in it; "under 3 months" -> (0, 3);
    "65 or over" -> (780, inf)); none in a sentence that names neither ages nor people."""
    if not _AGE_CUE.search(sentence):
        return []
    found: list[tuple[float, float]] = []
    taken: list[tuple[int, int]] = []
    for pattern, bound in _SENTENCE_AGES:
        for m in pattern.finditer(sentence):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "aged 16-25" is one range, not also the age 16
            if bound == "range":
                low, low_unit, high, high_unit = m.groups()
                unit = high_unit or low_unit
                if unit is None and not _AGE_BEFORE.search(sentence[: m.start()]):
                    continue
                span = (_months(low, low_unit or unit), _months(high, unit) + _months("1", unit))
            else:
                number, unit = m.group(1), m.group(2)
                low = _months(number, unit)
                span = {"under": (0.0, low), "over": (low, math.inf)}.get(
                    bound, (low, low + _months("1", unit))
                )
            found.append(span)
            taken.append((m.start(), m.end()))
    return sorted(found)


# An amount with its unit: a currency before the figure ("£800", "€ 1,200.50") or a unit after it ("120 hours",
# "2.5 kg", "15%"). Units are named by one spelling each.
_UNIT_NAMES = {
    "£": "gbp", "$": "usd", "€": "eur", "%": "percent", "percent": "percent", "per cent": "percent",
    "hour": "hour", "hr": "hour", "h": "hour", "minute": "minute", "min": "minute",
    "day": "day", "night": "night", "week": "week", "month": "month", "year": "year",
    "kg": "kg", "kilo": "kg", "kilogram": "kg", "g": "g", "gram": "g", "mg": "mg", "ml": "ml",
    "litre": "litre", "liter": "litre", "l": "litre", "km": "km", "mile": "mile", "metre": "metre",
    "meter": "metre", "m": "metre", "cm": "cm", "mm": "mm", "word": "word", "page": "page",
    "person": "person", "people": "person", "employee": "employee", "guest": "guest", "item": "item",
    "kwh": "kwh", "mwh": "mwh", "gb": "gb", "mb": "mb", "tb": "tb",
}  # fmt: skip
# Units of one quantity compared in one: "700 g" falls in "Up to 1 kg", "90 minutes" in "1 to 2 hours".
_IN = {
    "g": ("kg", 0.001), "mg": ("kg", 1e-6), "ml": ("litre", 0.001), "cm": ("metre", 0.01), "mm": ("metre", 0.001),
    "km": ("metre", 1000.0), "minute": ("hour", 1 / 60), "mwh": ("kwh", 1000.0), "mb": ("gb", 0.001),
    "tb": ("gb", 1000.0),
}  # fmt: skip
_SUFFIX = (
    r"(?:per cent|percent|%|hours?|hrs?|h|minutes?|mins?|days?|nights?|weeks?|months?|years?|kg|kilos?|kilograms?|"
    r"grams?|g|mg|ml|litres?|liters?|l|km|miles?|metres?|meters?|m|cm|mm|words?|pages?|persons?|people|employees?|"
    r"guests?|items?|kwh|mwh|gb|mb|tb)"
)
_FIGURE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A word that may qualify a unit: "4 complete years", "10 working days", "7 calendar days" (optional).
UNIT_QUALIFIER = (
    r"(?:(?:complete|completed|full|whole|calendar|working|business|clear|consecutive|continuous|school|banking|"
    r"trading)\s+)?"
)
_AMOUNT = rf"(?:([£$€])\s?({_FIGURE})(k\b)?|({_FIGURE})\s?{UNIT_QUALIFIER}({_SUFFIX})(?![\w-]))"


@dataclass(frozen=True)
class Amount:
    """A figure in a unit ("gbp", "hour", "percent"; `_UNIT_NAMES`), as written ("1,000") and as a value."""

    unit: str
    value: float
    written: str


def _amount(match: re.Match[str], offset: int = 0) -> Amount | None:
    currency, figure, thousands, number, unit = match.groups()[offset : offset + 5]
    if currency:
        return Amount(
            _UNIT_NAMES[currency], float(figure.replace(",", "")) * (1000 if thousands else 1), figure
        )
    if number is None:
        return None
    word = unit.lower()
    name = _UNIT_NAMES.get(word) or _UNIT_NAMES.get(word.rstrip("s")) or _UNIT_NAMES.get(word[:-1])
    if not name:
        return None
    name, scale = _IN.get(name, (name, 1.0))
    return Amount(name, float(number.replace(",", "")) * scale, number)


_AMOUNTS = re.compile(_AMOUNT, re.IGNORECASE)
# How a sentence bounds an amount: a range, a floor, a ceiling.
_BAND = re.compile(  # "25 to 50 hours", "£10-£20", "between 5 and 10 kg", "over 2 kg up to 5 kg", "95.0% to less
    # than 99.0%", "95.0% to < 99.0%"; groups: low amount, or figure; high amount
    rf"(?:{_AMOUNT}|\b({_FIGURE}))\s*(?:to(?:\s*(?:less than|under|below|<|≤))?|up to|-|–|—|and)\s*{_AMOUNT}",
    re.IGNORECASE,
)
_CEILING = re.compile(
    rf"\b(?:up to|under|below|less than|fewer than|no more than|not more than|at most|maximum of|a maximum of|"
    rf"max\.?|within)\s+{_AMOUNT}|{_AMOUNT}\s+(?:or|and)\s+(?:less|under|below|fewer|lower)\b|(?:<|≤)\s*{_AMOUNT}",
    re.IGNORECASE,
)
_FLOOR = re.compile(
    rf"\b(?:over|above|more than|at least|minimum of|a minimum of|min\.?|exceeds?|exceeding|from|after)\s+{_AMOUNT}"
    rf"|{_AMOUNT}\s+(?:or|and)\s+(?:more|over|above|greater|higher|upwards)\b|{_AMOUNT}\+|(?:>|≥)\s*{_AMOUNT}",
    re.IGNORECASE,
)


def amounts(text: str) -> list[Amount]:
    """The amounts with a unit a question or a sentence gives ("if I work there 120 hours a month" -> 120
    hours)."""
    found = [_amount(m) for m in _AMOUNTS.finditer(text)]
    return [a for a in found if a is not None]


def high_value(band: re.Match[str]) -> float:
    """The high figure of a `_BAND` match as written, without its unit's scale."""
    currency_figure, number = band.groups()[7], band.groups()[9]
    return float((currency_figure or number).replace(",", ""))


def amount_ranges(sentence: str) -> list[tuple[str, float, float]]:
    """The ranges of amounts a sentence states, as (unit, low, high), both ends included: "25 to 50 hours" ->
    ("hour", 25, 50) (and so does "50 to 25 hours"), "£1,000 or less" -> ("gbp", 0, 1000), "101 hours or more" -> ("hour", 101, inf)."""
    found: list[tuple[str, float, float]] = []
    taken: list[tuple[int, int]] = []
    for m in _BAND.finditer(sentence):
        low, high = _amount(m, 0), _amount(m, 6)
        if high is None or (low is not None and low.unit != high.unit):
            continue
        bare = m.groups()[5]  # the low figure written without its unit ("25" of "25 to 50 hours")
        # (in the high figure's unit: "2 to 500 g" is 0.002 to 0.5 kg)
        low_value = (
            low.value if low is not None else float(bare.replace(",", "")) * high.value / high_value(m)
        )
        # (a range counted down, "62 to 29 days" before departure, spans the same amounts as "29 to 62 days")
        found.append((high.unit, min(low_value, high.value), max(low_value, high.value)))
        taken.append(m.span())
    for pattern, bound in ((_CEILING, "ceiling"), (_FLOOR, "floor")):
        for m in pattern.finditer(sentence):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            amount = next(
                (a for a in (_amount(m, i) for i in range(0, len(m.groups()), 5)) if a is not None), None
            )
            if amount is None:
                continue
            found.append(
                (amount.unit, 0.0, amount.value)
                if bound == "ceiling"
                else (amount.unit, amount.value, math.inf)
            )
            taken.append(m.span())
    return found


def band_width(sentence: str, amount: Amount) -> float:
    """How narrow the narrowest range the sentence states that takes the amount in is, for choosing between
    bands that both take it in ("after 2 complete years" and "after 4 complete years" for 4 years: the second):
    its width, or for a floor with no ceiling, minus its floor (a higher floor is the tighter band); inf when no
    range takes it in."""
    value = amount.value * (1 - 1e-9)
    widths = [
        (high - low) if math.isfinite(high) else -low
        for unit, low, high in amount_ranges(sentence)
        if unit == amount.unit and low * (1 - 2e-9) <= value <= high
    ]
    return min(widths, default=math.inf)


def takes_in(sentence: str, amount: Amount) -> bool:
    """Does a range the sentence states take the amount in ("£1,000 or less" for £800)?"""
    value = amount.value * (1 - 1e-9)  # "700 g" is 0.7000000000000001 kg, which "up to 0.7 kg" takes in
    return any(
        unit == amount.unit and low * (1 - 2e-9) <= value <= high
        for unit, low, high in amount_ranges(sentence)
    )


# An amount asked about is a label of the question (`kinds.asked_labels`): (AMOUNT + unit, its value).
AMOUNT = "amount:"


def amount_labels(question: str) -> list[tuple[str, str]]:
    """The question's amounts as labels: "120 hours a month" -> ("amount:hour", "120")."""
    return [(AMOUNT + a.unit, f"{a.value:g}") for a in amounts(question)]


def holds_amount(sentence: str, word: str, label: str) -> bool:
    """Does the sentence give the labelled amount, or a range that takes it in?"""
    unit, value = word.removeprefix(AMOUNT), float(label)
    return takes_in(sentence, Amount(unit, value, label)) or any(
        a.unit == unit and math.isclose(a.value, value, rel_tol=1e-6) for a in amounts(sentence)
    )


def names_amount(sentence: str, word: str) -> bool:
    """Does the sentence give any amount in the labelled amount's unit?"""
    unit = word.removeprefix(AMOUNT)
    return any(a.unit == unit for a in amounts(sentence))


# The label of a date the asker gives of their own plans ("if we paid off the mortgage in September 2025"), as
# "YYYY-MM-DD" (`kinds.asked_labels`), which a period a sentence states takes in ("01/08/2025 to 31/07/2026").
ON_DATE = "date:"


def is_figure(word: str) -> bool:
    """Is the label's word an age, an amount or a date (`AGE`, `AMOUNT`, `ON_DATE`): a figure the asker gives of
    their own?"""
    return word == AGE or word.startswith(AMOUNT) or word == ON_DATE
