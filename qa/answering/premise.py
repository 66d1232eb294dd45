"""Does the question rest on something the passages do not say?

A question can match a passage closely and still not be answered by it, because it asks about a detail that the
passage contradicts or lacks: "What is *not* the key distinction ...?" against a sentence stating the key
distinction, "Who won the PZPN Championship in *2001*?" against passages that only speak of 2000, or "The
*Second* World War caused what to be shelved?" against "... shelved due to the outbreak of the *First* World
War". The answerer would quote the sentence anyway; these checks make it refuse.

Each check is narrow on purpose. On the candidates `qa.evaluation.tune` collects for the SQuAD 2.0 dev half (relevance gate
at 0.7), the three together refused 581 of the 3,168 unanswerable questions that passed the relevance gate, and
16 of the 2,910 answerable ones, 6 of them answered right without the checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A negation in the question ("What is not ...?", "Why didn't ...?"); "whether or not" asserts nothing.
_QUESTION_NEGATION = re.compile(r"\b(not|never|cannot)\b|n't\b", re.IGNORECASE)
_EITHER_WAY = re.compile(r"\bor not\b", re.IGNORECASE)
# A sentence can answer a negated question with any word of negative meaning ("not allowed" -> "banned").
_NEGATION = re.compile(
    r"\b(not|never|no|none|nor|cannot|without|neither|unable|lacks?|lacking|fail\w*|refus\w*|prohibit\w*|"
    r"forb[ai]d\w*|bann?\w*|absent|unlike|except|instead|rather)\b|n't\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Words that stand for one another's opposite before the same noun ("first war" / "second war").
_OPPOSITES = (
    "first second third fourth fifth sixth seventh eighth ninth tenth last",
    "north south east west",
    "northern southern eastern western",
    "men women",
    "male female",
    "boys girls",
    "more less fewer",
    "most least",
    "increase decrease",
    "increased decreased",
    "increases decreases",
    "before after",
    "earlier later",
    "early late",
    "higher lower",
    "high low",
    "larger smaller",
    "large small",
    "faster slower",
    "fast slow",
    "stronger weaker",
    "strong weak",
    "positive negative",
    "maximum minimum",
    "upper lower",
    "internal external",
    "private public",
    "major minor",
    "best worst",
    "inner outer",
    "heavier lighter",
    "longer shorter",
    "largest smallest",
    "highest lowest",
    "domestic foreign",
    "top bottom",
    "hot cold",
    "old new",
    "ancient modern",
    "open closed",
    "same different",
    "formal informal",
    "direct indirect",
    "legal illegal",
    "civil military",
)
_OPPOSITE: dict[str, set[str]] = {}
for _group in _OPPOSITES:
    for _w in _group.split():
        _OPPOSITE.setdefault(_w, set()).update(set(_group.split()) - {_w})
_NEGATIVE_PREFIXES = ("non-", "un", "in", "dis")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("non ", "non-"))


def opposite_modifier(question: str, sentence: str) -> str | None:
    """A word of the question that the sentence replaces by its opposite before the same word, as
    "second world/first world"; None when there is none. Opposites are the pairs above and negative prefixes
    ("formal" / "informal", "fundamental" / "non-fundamental")."""
    asked = _words(question)
    said = _words(sentence)
    present = set(said)
    pairs = set(zip(said, said[1:], strict=False))
    for word, following in zip(asked, asked[1:], strict=False):
        if word in present:
            continue
        others = set(_OPPOSITE.get(word, ()))
        for prefix in _NEGATIVE_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 5:
                others.add(word[len(prefix) :])
        if len(word) >= 4:
            others |= {"non-" + word, "un" + word}
        for other in sorted(others):
            if (other, following) in pairs:
                return f"{word} {following}/{other} {following}"
    return None


def unmet_premise(question: str, answer: Sequence[str], passages: Sequence[str]) -> str | None:
    """Why the answer sentences do not answer the question although they match it, or None.

    Args:
        answer: the sentences that would be quoted, best first.
        passages: the texts the candidates come from (numbers are looked for in all of them).
    """
    quoted = " ".join(answer)
    if _QUESTION_NEGATION.search(_EITHER_WAY.sub(" ", question)) and not _NEGATION.search(quoted):
        return "the question is negated and the passages are not"
    searched = _THOUSANDS.sub("", " ".join(passages))
    for number in _NUMBER.findall(_THOUSANDS.sub("", question)):
        if number not in searched:
            return f"{number} is in no passage"
    if answer:
        swapped = opposite_modifier(question, answer[0])
        if swapped:
            return f"the passages say the opposite ({swapped})"
    return None
