"""Who a sentence's pronoun subject is: "She was born in 1861." after "... founded in 1893 by Margit Lindqvist."

A sentence whose subject is a pronoun ("she", "it", "they") or a definite description ("the company", "the
factory") speaks of something named in a sentence before it. The answerer reads such a sentence as if it named
that thing, so that "When was Margit Lindqvist born?" is answered by "She was born in 1861.", and the citation
then takes in the sentence that names her. Rules, not a model: "he", "she" and "the president" / "the supreme
leader" are the first person named in the sentence before (a titled name counts by its name: "Supreme Leader
Ali Khamenei" is Ali Khamenei) (subjects come first: "Loudoun arrived in New York. He ..."), else in the one before that; "it",
"its" and "the company" the first named thing that is not a person; "they" the first named thing or group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.answering.kinds import named_phrases

# The subject at the start of a sentence, or after a short opening phrase ("In 1870, she ...").
_OPENING = r"^\W*(?:(?:in|on|at|by|after|before|during|from|since|later|then|there)\b[^,.;]{0,40},\s*)?"
_TITLES = (
    r"supreme leader|leader|president|prime minister|minister|commander|general|king|queen|emperor|chief|head|"
    r"director|chairman|chairwoman|chair|governor|senator|judge|pope|prince|princess|duke|founder|secretary"
)
_PERSON_SUBJECT = re.compile(_OPENING + rf"(she|he|her|his|the (?:{_TITLES}))\b", re.IGNORECASE)
# A title before a name: "Supreme Leader Ali Khamenei", "President Joe Biden".
_TITLED = re.compile(rf"\b(?:{_TITLES})\s+((?:[A-Z][\w’'-]+\s*){{1,3}})$", re.IGNORECASE)
_THING_SUBJECT = re.compile(
    _OPENING + r"(it|its|the (?:company|firm|factory|plant|works|business|brand|group|organi[sz]ation|agency|"
    r"institution|city|town|village|country|region|band|team|club|school|university|college|museum|hospital|"
    r"ship|building|church|station|site|project|programme|program|product|policy|law|act|treaty|virus|disease|"
    r"drug|vaccine|study|trial|device|system|model|party|movement|festival|prize|award|river|lake|island))\b",
    re.IGNORECASE,
)
_GROUP_SUBJECT = re.compile(_OPENING + r"(they|their)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """What a sentence's subject refers to: the name, and how many sentences back it is named (1 = the one
    just before)."""

    name: str
    back: int


def subject_kind(sentence: str) -> str | None:
    """ "person", "thing" or "group" when the sentence's subject is a pronoun or a definite description."""
    if _PERSON_SUBJECT.match(sentence):
        return "person"
    if _THING_SUBJECT.match(sentence):
        return "thing"
    if _GROUP_SUBJECT.match(sentence):
        return "group"
    return None


def resolve(sentence: str, before: Sequence[str]) -> Reference | None:
    """The name the sentence's pronoun subject refers to, looked for in `before` (the sentences preceding it,
    in document order), or None. The two sentences before it are read, and further back while they too speak
    of "her" or "it" ("... founded by Karin Lindgren. She was born in 1851. She studied in Berlin. She died in
    1922.").

    A sentence that names its own subject ("She met Ada Quill.") still refers back: the subject is the
    pronoun, whatever else it names.
    """
    kind = subject_kind(sentence)
    if kind is None:
        return None
    subject = _PERSON_SUBJECT.match(sentence)
    title = subject.group(1).lower()[4:] if subject and subject.group(1).lower().startswith("the ") else None
    for back, previous in enumerate(reversed(before), 1):
        if back > 2 and subject_kind(before[-back + 1]) != kind:
            break  # the chain of sentences about the same one has ended
        if subject_kind(previous) == kind:
            continue  # "She studied chemistry in Berlin.": about her too; Berlin is not who she is
        phrases = named_phrases(previous)
        if title:  # "the supreme leader" after "Supreme Leader Ali Khamenei": that title first
            titled = [(m.group(1).strip(), p.name) for p in phrases if (m := _TITLED.search(p.name))]
            matching = [n for n, full in titled if title in full.lower()] or [n for n, _ in titled]
            if matching:
                return Reference(matching[0], back)
        if kind == "person":
            found = [p.name for p in phrases if p.person or _TITLED.search(p.name)]
            found = [m.group(1).strip() if (m := _TITLED.search(f)) else f for f in found]
        elif kind == "thing":
            found = [p.name for p in phrases if not p.person]
        else:
            found = [p.name for p in phrases]
        if found:
            return Reference(found[0], back)
    return None
