"""Example questions for a first visit, drawn from the indexed documents' titles.

A headline with a verb ("Iran's elite military branch vows to help Hamas 'whatever it takes'") becomes a question
about its subject ("Who vows to help Hamas?"); a short title ("Normans") becomes "What do the documents say about Normans?".
The casing of each word follows the document's own text, so that Title Case headlines read as sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Verbs that headlines use in the present tense; any "...s to" (vows to, plans to) counts too.
HEADLINE_VERBS = frozenset(
    "says vows warns plans calls urges sends seeks wants pledges threatens claims accuses announces denies "
    "launches meets agrees rejects backs promises offers orders asks confirms reveals admits blames".split()
)
_SITE_SUFFIX = re.compile(r"\s+[–—|-]\s+.*$")  # "Title – 6 hours ago", "Title | Site"
_QUOTES = "\"'‘’“”"
MAX_WORDS = 12


def _cased(word: str, lowercase_words: set[str]) -> str:
    """The word as the body writes it: lower case when the body uses it so (Title Case headlines)."""
    return word.lower() if word.lower() in lowercase_words else word


def _proper_nouns(words: list[str], body: str) -> list[str]:
    """Names in a title: runs of capitalised words that the body also writes capitalised and never in lower case
    (so not Title Case common words), without possessives and adjectives of nationality."""
    names: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        bare = re.sub(r"[’']s$", "", word).strip(",;:")
        is_name = (
            bare[:1].isupper()
            and re.search(rf"[\w,] {re.escape(bare)}\b", body) is not None  # capitalised mid-sentence
            and re.search(rf"\b{re.escape(bare.lower())}\b", body) is None
            and not bare.endswith(("ian", "ese", "ish"))
        )
        if is_name:
            run.append(bare)
        elif run:
            names.append(" ".join(run))
            run = []
    return names


def questions_from_title(title: str, body: str = "") -> list[str]:
    """Questions the document can answer, made from its title (best first; none when the title gives none)."""
    title = _SITE_SUFFIX.sub("", title).strip().strip(_QUOTES).rstrip(".:!?")
    words = [w.strip(_QUOTES) for w in title.split()]
    words = [w for w in words if w]
    if not words:
        return []
    body = body.split("\n", 1)[1] if body.startswith(title) and "\n" in body else body  # the title line
    lowercase_words = set(re.findall(r"\b[a-z][a-z-]+\b", body))
    found = []
    for i, word in enumerate(words[1:], 1):
        low = word.lower()
        is_verb = low in HEADLINE_VERBS or (
            low.endswith("s")
            and not low.endswith(("ss", "'s", "’s"))
            and i + 1 < len(words)
            and words[i + 1].lower() == "to"
        )
        if is_verb:
            # The verb phrase up to its first proper noun: "vows to help Hamas", not "... fight Israel news".
            rest = [low]
            for w in words[i + 1 : i + MAX_WORDS]:
                rest.append(_cased(w, lowercase_words))
                if rest[-1][:1].isupper():
                    break
            found.append("Who " + " ".join(rest) + "?")
            break
    if not found and len(words) <= 6:  # a topic, as SQuAD's article titles ("Normans")
        return [f"What do the documents say about {' '.join(words)}?"]
    return found + [f"What do the documents say about {name}?" for name in _proper_nouns(words, body)]


def example_questions(documents: Iterable[tuple[str, str]], n: int = 3) -> list[str]:
    """Up to `n` distinct example questions from (title, opening text) pairs: each title's best question first,
    then their other ones."""
    per_title = [questions_from_title(title, body) for title, body in documents]
    found: list[str] = []
    for rank in range(max((len(q) for q in per_title), default=0)):
        for questions in per_title:
            if rank < len(questions) and questions[rank].lower() not in {q.lower() for q in found}:
                found.append(questions[rank])
    return found[:n]
