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
from collections.abc import Callable, Sequence

from index.lexical import fold, stopwords, zipf
from qa.answering.kinds import (
    CODE,
    MONTH_NAMES,
    PERIODS,
    asked_labels,
    holds_label,
    is_calendar_word,
    is_polar,
    other_label,
)
from qa.answering.names import SHORT_FORMS, same_word, singular
from qa.answering.ranges import AGE, AMOUNT, amounts, asked_age_written, takes_in, takes_in_age

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
_YEAR = re.compile(r"\b(?:1[6-9]|20)\d{2}\b")
_YEAR_BOUND = re.compile(
    r"\b(?:before|after|prior to|since|until|till|by|from|between|through|pre|post)\s+(?:the\s+)?(?:1[6-9]|20)\d{2}"
    r"|\b(?:1[6-9]|20)\d{2}[’']?s\b|\b(?:1[6-9]|20)\d{2}\s*(?:-|–|to|and)\s*(?:1[6-9]|20)?\d{2}\b",
    re.IGNORECASE,
)
# A month written in full with its capital ("may" is a verb as often)
# (capitalised: "may" is a verb)
_MONTH_NAME = f"(?:{'|'.join(name.capitalize() for name in MONTH_NAMES)})"
_MONTH = re.compile(rf"\b{_MONTH_NAME}\b")
_MONTH_BOUND = re.compile(
    rf"\b(?:before|after|prior to|since|until|till|by|from|between|through)\s+(?:the\s+\w+\s+of\s+)?{_MONTH_NAME}\b"
    rf"|\b{_MONTH_NAME}\s*(?:-|–|to|and)\s*{_MONTH_NAME}",
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|me|we|our|us)\b")
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


def says_modifier(swapped: str, sentence: str) -> bool:
    """Does the sentence say the asked words of an `opposite_modifier` finding ("southern europe" of "southern
    europe/northern europe") as they are asked?"""
    asked = swapped.split("/")[0].split()
    said = _words(sentence)
    return any(said[i : i + len(asked)] == asked for i in range(len(said)))


def unmet_premise(question: str, answer: Sequence[str], passages: Sequence[str]) -> str | None:
    """Why the answer sentences do not answer the question although they match it, or None.

    A yes/no question is answered "no" by a sentence that gives another figure or the opposite ("Is the office
    open at 7am?" / "The office is open from 8am."): neither check refuses it.

    Args:
        answer: the sentences that would be quoted, best first.
        passages: the texts the candidates come from (numbers are looked for in all of them).
    """
    quoted = " ".join(answer)
    if _QUESTION_NEGATION.search(_EITHER_WAY.sub(" ", question)) and not _NEGATION.search(quoted):
        return "the question is negated and the passages are not"
    # a sentence that says otherwise ("open from 8am", "closed on Sundays") answers a yes/no question, and
    # is no passage that misses its premise
    polar = is_polar(question)
    if polar and answer and _NUMBER.search(answer[0]):
        return None  # the figure it gives is the answer: "No, from 8am."
    searched = _THOUSANDS.sub("", " ".join(passages))
    # A figure with its unit that a passage's range takes in ("£1,000 or less" for £800), or that the asker gives
    # of their own situation ("if I drive 12,000 miles a year", "my 4 year old"), needs no passage to write it.
    mine = _FIRST_PERSON.search(question) is not None
    own = {
        number
        for amount in amounts(question)
        if mine or any(takes_in(passage, amount) for passage in passages)
        for number in _NUMBER.findall(_THOUSANDS.sub("", amount.written))
    }
    # ... and so does an age ("an 18-month-old" against "Age: 1 to 3 years")
    age = asked_age_written(question)
    if age is not None and (mine or any(takes_in_age(passage, age[1]) for passage in passages)):
        own.update(_NUMBER.findall(age[0]))
    for number in _NUMBER.findall(_THOUSANDS.sub("", question)):
        if number not in searched and number not in own:
            return f"{number} is in no passage"
    # "What was revenue in 2019?" against a row of 2024's and 2023's figures: a year asked, where each answer
    # sentence gives another year (a year of another row of the documents named it: "Appointed: 2019"). Not a
    # decade ("in the 1950's") nor a bound ("prior to 2000", "since 2019"), which other years answer. And so
    # with a month: "How much were the arrears at the end of March?" against "arrears stood at £3,412 at the
    # end of December, down from £4,880 in November" (a question's first word is no month: "May I ...?").
    if not polar:
        for pattern, bound in ((_YEAR, _YEAR_BOUND), (_MONTH, _MONTH_BOUND)):
            asked = {m.group(0) for m in pattern.finditer(question) if m.start() > 0}
            given = [set(pattern.findall(sentence)) for sentence in answer]
            if (
                len(asked) == 1
                and not bound.search(question)
                and given
                and all(found and not found & asked for found in given)
            ):
                return f"the passages give {', '.join(sorted(set().union(*given)))}, not {asked.pop()}"
        sibling = numbered_sibling(question, answer, passages)
        if sibling:
            return sibling
    if answer and not polar:
        swapped = opposite_modifier(question, answer[0])
        if swapped:
            return f"the passages say the opposite ({swapped})"
    return None


_FISCAL_YEAR = re.compile(r"(?<![\w/-])((?:19|20)\d{2})[/–-](\d{2})(?![\w/-])")


def numbered_sibling(question: str, answer: Sequence[str], passages: Sequence[str]) -> str | None:
    """Why the passages answer for another member of a numbered series than the one asked, or None: "When are
    Round 4 decisions announced?" where the passages speak of Round 3 only, "How much is Fibre 1000?" against
    the Fibre 900 row, "What changed in protocol version 4.0?" against "Version: 1.0", "What was the audit fee
    for 2024/25?" against the accounts for 2023/24. The asked member (`kinds.asked_labels`: a word and a number,
    or a code) is missing from every passage while another of its word is named, or each answer sentence names
    only another ("Round 3 has a total budget of £2.4 million" for Round 2, which another passage mentions).
    The answerer checks its best sentence against the labels too; this looks at all the passages."""
    for word, label in asked_labels(question):
        if (word in PERIODS and not label.isdigit()) or word == AGE or word.startswith(AMOUNT):
            continue  # a weekday, an age or an amount: other ones answer (`ExtractiveAnswerer.select`)
        asked = [(word, label)]
        if any(holds_label(p, asked) for p in passages):
            if answer and all(other_label(sentence, asked) for sentence in answer):
                return f"the answer speaks of another {word.removeprefix(CODE)} than {label}"
        elif any(other_label(p, asked) for p in passages):
            return f"the passages name another {word.removeprefix(CODE)} than {label}"
    for start, end in _FISCAL_YEAR.findall(question):
        others = {f"{a}/{b}" for p in passages for a, b in _FISCAL_YEAR.findall(p)}
        if others and f"{start}/{end}" not in others:
            return f"the passages give {', '.join(sorted(others))}, not {start}/{end}"
    return None


# How common a word is in general English, on wordfreq's Zipf scale (4: once per 100,000 words; "vaccine" 4.0,
# "malaria" 3.7, "Marburg" 2.6, "remdesivir" 1.1). A name or a code rarer than NAME_ZIPF, or a lower-case
# word rarer than TERM_ZIPF that no common word explains (see `_common_base`), names a particular thing.
NAME_ZIPF = 4.0
TERM_ZIPF = 3.0
COMMON_BASE_ZIPF = 3.5
# A number, an ordinal, or a number written against its unit ("7am", "10mg", "5km"): the number checks of
# `unmet_premise` judge it, not the absent-term check.
_ORDINAL_OR_NUMBER = re.compile(
    r"^\d+(?:st|nd|rd|th|s)?$|^\d+[.,]\d+$|^\d+(?:[.,]\d+)?[a-z]{1,2}$", re.IGNORECASE
)
_SUFFIXES = (
    "ities ity ness ment ments ations ation ions ion ables able ibles ible ically ally ical ial al ic ous ive "
    "izing ized izes ize ising ised ises ise ers er ors or ists ist isms ism ies ied ing ed es s ly y"
).split()
_PREFIXES = "un re dis non in im ir il de mis pre over under anti counter".split()


def _common_base(word: str) -> bool:
    """Is the word a common word with an affix ("likelihoods", "uncooperative", "restated")?"""
    lower = word.lower()
    forms = {lower}
    for suffix in _SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3:
            stem = lower[: -len(suffix)]
            forms |= {stem, stem + "e", stem + "y", stem[:-1] if stem[-1:] == stem[-2:-1] else stem}
    for prefix in _PREFIXES:
        forms |= {f[len(prefix) :] for f in list(forms) if f.startswith(prefix) and len(f) - len(prefix) >= 4}
    return any(zipf(f) >= COMMON_BASE_ZIPF for f in forms - {lower})


def _two_words(word: str, known: Callable[[str], bool]) -> bool:
    """Is the word two words run together ("ofwater", "PR8perform")? In a capitalised name a two-letter part
    must be a function word ("of", "in"): wordfreq knows many two-letter tokens ("te", "ak"), and "Teak" is not
    "te" + "ak". (Elsewhere the looser split stays: it keeps typos such as "TEFU" from counting as names.)"""
    lower = word.lower()
    strict = word[:1].isupper() and word[1:].islower()

    def part(piece: str) -> bool:
        return piece in stopwords() if strict and len(piece) == 2 else known(piece)

    return any(part(lower[:i]) and part(lower[i:]) for i in range(2, len(lower) - 1) if len(lower) - i >= 2)


def is_key_term(word: str, known: Callable[[str], bool]) -> bool:
    """Does a word the collection never mentions name a particular thing, so that a question resting on it
    cannot be answered by passages about other things? Names and codes ("Marburg", "RSV", "H7N9") rarer than
    NAME_ZIPF are; so are rare lower-case words ("remdesivir") that are no common word with an affix. Numbers,
    ordinals, function words, their misspellings and words run together are not.

    Args:
        known: is a (lower-case) word a word of the collection or of English?
    """
    from rapidfuzz.distance import OSA

    bare = re.sub(r"[’']s$", "", word).strip("-/")
    lower = bare.lower()
    # a day or a month names no thing the documents must mention: "Is it open on Wednesdays?" is answered by
    # "open Tuesday to Sunday"
    if len(bare) < 3 or _ORDINAL_OR_NUMBER.match(bare) or lower in stopwords() or is_calendar_word(lower):
        return False
    if len(lower) >= 5 and any(OSA.distance(lower, w) <= 1 for w in stopwords() if len(w) >= 4):
        return False  # "betwen"
    if _two_words(bare, known):
        return False
    name_like = bare != lower or any(ch.isdigit() for ch in bare)
    if name_like:
        return zipf(bare) < NAME_ZIPF
    return zipf(bare) < TERM_ZIPF and not _common_base(bare)


def _initials(texts: Sequence[str]) -> set[str]:
    """The initials of every run of capitalised words ("World War II" -> "WWII", "WW", "WII", ...)."""
    found = set()
    for text in texts:
        for run in re.finditer(r"(?:\b[A-Z][\w’'-]*\s+)+[A-Z][\w’'-]*|\b[A-Z][\w’'-]*", text):
            words = run.group(0).split()
            letters = [w if re.fullmatch(r"[IVX]+", w) else w[0] for w in words]
            for i in range(len(letters)):
                for j in range(i + 2, len(letters) + 1):
                    found.add("".join(letters[i:j]).upper())
    return found


def mentioned_nearby(word: str, texts: Sequence[str]) -> bool:
    """Do the passages found for the question mention the word after all: with another accent or a slip of
    spelling ("Celeron" / "Céloron", "isilated" / "isolated", one edit in words of 5 to 7 letters, two from
    8), as the initials of a name they give ("WWII" / "World War II"), or in another form of a name
    ("French" / "France", `names.same_word`)?"""
    from rapidfuzz.distance import OSA

    bare = fold(re.sub(r"[’']s$", "", word).strip("-/"))
    words = {fold(w) for text in texts for w in re.findall(r"[\w’'-]+", text)}
    if bare in words:
        return True
    if len(bare) >= 5:
        limit = 1 if len(bare) < 8 else 2
        if any(abs(len(w) - len(bare)) <= limit and OSA.distance(bare, w) <= limit for w in words):
            return True
    letters = word.replace("-", "")
    if letters.isupper() and letters in _initials(texts):
        return True
    return any(same_word(bare, w) for w in words)


def sibling_name(word: str, question: str, texts: Sequence[str]) -> bool:
    """Does a word of the question, written with a capital, name one of a kind of thing whose other members the
    passages name ("the Birmingham plant" where they give "the Leeds plant" and "the Sheffield plant";
    "Project Eagle" where they give "Project Falcon")? Then
    the question asks about a member they do not describe, however common the word. A name elsewhere ("I'm
    travelling to Paris. What is the meal allowance?"), the question's first word, a shortened title or month
    ("Sept") and a question in title case do not count; nor does a sibling in capitals that may shorten it
    ("MS Teams" for "Microsoft Teams", "NYC office" for "New York office")."""
    bare = re.sub(r"[’']s$", "", word).strip("-/")
    if len(bare) < 3 or not bare.isalpha() or not (bare[0].isupper() and bare[1:].islower()):
        return False
    if bare.lower() in SHORT_FORMS or bare.lower() in stopwords():
        return False
    words = re.findall(r"[^\W\d_][\w’'-]*", question)
    if not words or words[0] == word:
        return False  # a question's first word has its capital from the sentence
    content = [w for w in words[1:] if w.lower() not in stopwords()]
    if all(w[0].isupper() for w in content):
        return False  # "What Is The Leave Policy?" capitalises every word
    if word not in words:
        return False
    at = words.index(word)
    # the noun the name stands before, past other capitalised words ("the Birmingham Road depot"), or the one
    # it follows ("Project Eagle")
    following = next((w for w in words[at + 1 :] if not w[0].isupper()), "").lower()
    before = words[at - 1].lower() if at > 1 else ""
    first = at
    while first > 1 and words[first - 1][0].isupper():  # the name's first word: "New" of "New York"
        first -= 1
    # (an owner is no kind of what it owns: "Mum's house" is no sibling of "Northgate House")
    owner = bool(re.search(r"[’']s$", word))
    after_noun = singular(following) if following and following not in stopwords() and not owner else None
    before_noun = singular(before) if before and before not in stopwords() else None
    siblings = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            tokens = re.findall(r"[\w’'-]+", sentence)
            for i in range(1, len(tokens)):
                if not tokens[i][:1].isupper():
                    continue
                if i + 1 < len(tokens) and singular(tokens[i + 1].lower()) == after_noun:
                    siblings.add(tokens[i])  # "the Leeds plant"
                elif singular(tokens[i - 1].lower()) == before_noun:
                    siblings.add(tokens[i])  # "Project Falcon"
    siblings.discard(word)
    if not siblings:
        return False
    return not any(s.isupper() and s.startswith(words[first][0]) for s in siblings)


def sibling_kind(word: str, question: str, texts: Sequence[str]) -> bool:
    """Is a hyphenated word of the question one kind of the thing it stands before, whose other kinds the passages
    name ("the fixed-angle rotor" where they give only "the swing-out rotor")? Then the passages' figures are
    for another kind."""
    bare = word.strip(".,;:!?\"'()")
    if not re.fullmatch(r"[a-z]+(?:-[a-z]+)+", bare):
        return False
    after = re.search(rf"(?<![\w-]){re.escape(bare)}\s+([a-z]+)", question)
    if after is None or after.group(1) in stopwords():
        return False
    noun = singular(after.group(1))
    kinds = re.compile(rf"\b([a-z]+(?:-[a-z]+)+)\s+{re.escape(noun)}s?\b", re.IGNORECASE)
    return any(m.group(1).lower() != bare for text in texts for m in kinds.finditer(text))


def absent_key_term(
    unknown: Sequence[str],
    texts: Sequence[str] = (),
    known: Callable[[str], bool] | None = None,
    question: str = "",
) -> str | None:
    """The first of the question's words that the collection never mentions (nor a close spelling of it, see
    `HybridRetriever.spell` and `mentioned_nearby`) and that names a particular thing (`is_key_term`, or one
    of a kind the passages name other members of, `sibling_name`), or None: a question about "Marburg virus"
    is not answered by passages about other viruses, however well the rest of it matches.

    Args:
        unknown: the question's words that no term of the collection matches.
        texts: the passages found for the question (candidate sentences), read for near spellings.
        question: the question as asked (where its words stand, how it is capitalised).
    """
    check = known or (lambda w: zipf(w) >= COMMON_BASE_ZIPF)
    for word in unknown:
        key = (
            is_key_term(word, check)
            or sibling_name(word, question, texts)
            or sibling_kind(word, question, texts)
        )
        if key and not mentioned_nearby(word, texts):
            return re.sub(r"[’']s$", "", word)
    return None


_YEAR_OR_VERSION = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:version|release|v)\s?\d+(?:\.\d+)*\b|\bv\d+(?:\.\d+)*\b", re.IGNORECASE
)


def versions(text: str) -> set[str]:
    """Years and version numbers a text names, normalised ("Version 3.4" and "v3.4" -> "v3.4")."""
    found = set()
    for match in _YEAR_OR_VERSION.finditer(text):
        value = match.group(0).lower()
        number = re.search(r"\d+(?:\.\d+)*", value)
        assert number is not None
        found.add(number.group(0) if re.fullmatch(r"(19|20)\d{2}", value) else "v" + number.group(0))
    return found
