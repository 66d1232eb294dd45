"""Conversations: follow-up questions rewritten into standalone ones from the earlier turns.

"Who commands the Quds Force?" then "When did he take over the force?" becomes "When did Esmail Qaani take
over the force?": pronouns are replaced by the entities of earlier questions and answers (names, capitalised
phrases), so retrieval sees what the user means. Only the text of earlier turns is used, so a client that
sends its own history over HTTP gets the same rewrite as a Python chat.
"""

from __future__ import annotations

import re

from index.lexical import stopwords, tokenize
from qa.answering.kinds import entities, named_phrases
from qa.cite import MARKER
from qa.types import History

_PERSON_PRONOUNS = {"he": "", "she": "", "him": "", "his": "’s", "her": "’s", "hers": "’s"}
_THING_PRONOUNS = {"it": "", "its": "’s", "they": "", "them": "", "their": "’s"}
_PRONOUN = re.compile(r"\b(" + "|".join([*_PERSON_PRONOUNS, *_THING_PRONOUNS]) + r")\b", re.IGNORECASE)
# A follow-up that leaves out what it is about: "And the H3?", "What about for jury service?"; or corrects
# what the last question asked about: "No, I meant the H3", "Sorry, I mean for Seville".
_ELLIPSIS_OPENER = (
    r"^\s*(?:(?:no|sorry|oh|oops)\b[,.!]?\s*)?(?:and what about|what about|how about|and|i meant|i mean)\b"
)
_ELLIPSIS = re.compile(_ELLIPSIS_OPENER, re.IGNORECASE)


# "the flight", "the hotel in Seville": a thing a question asks about, with the name that places it
_DEFINITE = re.compile(r"\bthe ([a-z]{3,})\b(?: (?:in|at|of|on|for|from) [A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*)?")
# Nouns that name the kind of answer asked for, not the thing asked about ("the name of the hotel").
_ANSWER_NOUNS = frozenset(
    "name number date time year day price cost amount kind type way reason address size length age total rest "
    "best most first last same".split()
)


def _person(question: str, answer: str) -> str | None:
    """Who "he" or "she" most likely is: the person the question named, else one its answer names. After "Who
    commands the Quds Force?", "he" is the commander the answer names; after "Who did Esmail Qaani replace?",
    "he" is still Esmail Qaani, not the predecessor the answer names."""
    in_question = [
        p.name for p in named_phrases(question) if p.person and not p.name.lower().startswith("wh")
    ]
    # The answer's people, but not a name the question gives whole (a surname shared with a company it asks
    # about still makes a new person: "Who founded the Lindqvist Glassworks?" - "Margit Lindqvist").
    asked = question.lower()
    in_answer = [p.name for p in named_phrases(answer) if p.person and p.name.lower() not in asked]
    ranked = in_question + in_answer
    ranked = sorted(ranked, key=lambda e: -min(len(e.split()), 2))  # stable: full names before single words
    return ranked[0] if ranked else None


def _topic(turns: History) -> str | None:
    """What "it" or "they" most likely is: the main named thing of the latest question, else the thing it asks
    about ("the flight", "the hotel in Seville"), else the main named thing of its answer, else of the turns
    before; never a person ("it" after "Who founded the Lindqvist Glassworks?" and "When was she born?" is still
    the glassworks). A person only when no turn names a thing."""
    texts = [text for question, answer in reversed(turns) for text in (question, answer)]
    not_things = stopwords() | _ANSWER_NOUNS
    for n, text in enumerate(texts):
        found = [
            p.name
            for p in named_phrases(text)
            if not p.person and not p.name.lower().startswith(("wh", "how"))
        ]
        if found:
            return max(found, key=len)
        # the latest question names nothing but asks about "the flight": "it" is the flight, not a name its
        # answer gives ("London Gatwick"); the last such thing ("the name of the hotel" is about the hotel)
        things = [m for m in _DEFINITE.finditer(text) if m.group(1) not in not_things] if n == 0 else []
        if things:
            return things[-1].group(0)
    for text in texts[:2]:
        found = [e for e in entities(text) if not e.lower().startswith(("wh", "how"))]
        if found:
            return max(found, key=len)
    return None


# A model or a code ("H3", "T-40", "K200s") or a year: what a follow-up like "And the H3?" swaps in.
_CODE_OR_YEAR = r"(?<![\w-])(?:[A-Z][A-Za-z]{0,3}-?\d+[A-Za-z]?|(?:19|20)\d{2})(?![\w-])"
# ... with the capitalised words that name its edition ("H3 Pro", "T-40 Max")
_NAMED_BY_CODE = re.compile(rf"{_CODE_OR_YEAR}(?:\s+[A-Z][a-z]+\b(?!\s+[a-z]))*")


def _swapped(question: str, previous: str) -> str | None:
    """The previous question with the one model, code or year of a follow-up in place of its own of the same
    shape: "And the H3?" after "How heavy is the Halo H2?" is "How heavy is the Halo H3?", "What about 2023?"
    after "What was revenue in 2024?" is "What was revenue in 2023?"; None where that is not clear."""
    new = [m.group(0) for m in _NAMED_BY_CODE.finditer(question)]
    if len(new) != 1:
        return None
    shape = _shape(new[0])
    old = [
        w for w in dict.fromkeys(m.group(0) for m in _NAMED_BY_CODE.finditer(previous)) if _shape(w) == shape
    ]
    if len(old) != 1 or old[0] == new[0]:
        return None
    swapped = re.sub(rf"(?<![\w-]){re.escape(old[0])}(?![\w-])", new[0], previous.rstrip().rstrip("?"))
    return swapped + "?"


# What an ellipsis asks about: "And for Seville?" -> ("for", "Seville"); "And maternity leave?" -> ("",
# "maternity leave").
_ELLIPSIS_PHRASE = re.compile(
    rf"{_ELLIPSIS_OPENER}\s+(?:(for|in|at|on|with|from|to|by|during)\s+)?"
    r"(?:the\s+)?([\w’'-]+(?:\s+[\w’'-]+)?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)


def _swapped_phrase(question: str, previous: str) -> str | None:
    """The previous question with a follow-up's place or thing in place of its own: "And for Seville?" after
    "What should we bring for Lisbon?" is "What should we bring for Seville?" (a capitalised name after the same
    preposition), "And maternity leave?" after "Is paternity leave paid?" is "Is maternity leave paid?" (a
    phrase of two words ending in the same noun); None where that is not clear."""
    match = _ELLIPSIS_PHRASE.match(question)
    if not match:
        return None
    preposition, phrase = (match.group(1) or "").lower(), match.group(2)
    base = previous.rstrip().rstrip("?")
    if phrase[:1].isupper() and preposition:
        named = re.compile(rf"(\b{preposition}\s+(?:the\s+)?)([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)")
        old = named.findall(base)
        if len(old) == 1 and old[0][1] != phrase:  # (replaced where it follows the preposition)
            return named.sub(lambda m: m.group(1) + phrase, base, count=1) + "?"
        return None
    words = phrase.split()
    if len(words) == 2 and words[0].islower():
        old = re.findall(rf"\b([a-z]+)\s+{re.escape(words[1])}\b", base, re.IGNORECASE)
        if len(old) == 1 and old[0].lower() != words[0].lower():
            return (
                re.sub(rf"\b{re.escape(old[0])}(?=\s+{re.escape(words[1])}\b)", words[0], base, count=1) + "?"
            )
    return None


def _shape(word: str) -> str:
    """A code's shape, its numbers and edition aside ("H2" and "H3 Pro": "H#"; "T-20": "T-#"; a year: "#")."""
    return re.sub(r"\d+", "#", word.split()[0].rstrip("s"))


def rewrite(question: str, history: History) -> str:
    """The question made standalone using the conversation so far (unchanged when it already is)."""
    if not history:
        return question
    standalone_before: list[str] = []
    for i, (q, _) in enumerate(history):  # earlier questions may be follow-ups themselves
        standalone_before.append(rewrite(q, history[:i]) if i else q)
    answers = [MARKER.sub(" ", a) for _, a in history]
    answers = [
        "" if a.lower().startswith(("the documents don't say", "no documents")) else a for a in answers
    ]
    previous, answer = standalone_before[-1], answers[-1]
    person = _person(previous, answer)
    topic = _topic(list(zip(standalone_before, answers, strict=True)))

    def substitute(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in _PERSON_PRONOUNS and person:
            return person + _PERSON_PRONOUNS[lower]
        if lower in _THING_PRONOUNS and topic:
            return topic + _THING_PRONOUNS[lower]
        return word

    rewritten = _PRONOUN.sub(substitute, question)
    if rewritten != question:
        return rewritten
    if _ELLIPSIS.match(question) or len(tokenize(question)) <= 1:
        swapped = _swapped(question, previous) or _swapped_phrase(question, previous)
        if swapped:
            return swapped
        context = topic or person
        if context and context.lower() not in question.lower():
            return f"{question.rstrip()} ({previous.rstrip('?')})"
    return question
