"""Words and their forms: when two spellings are one word's, and when two words name the same thing (a name
and its plural, a country and its people, a title or a month and its short form, a spelling one letter apart:
"Russia" / "Russian", "Sept" / "September", "Kublai" / "Khublai").

Read by verification (`qa.generation.variants`), which accepts a model's variant of a passage's name, by the
premise checks (`premise.py`), which do not refuse a question for a name the passages give in another form, and
by retrieval's spelling correction (`retrieve.py`). Pure functions; no model.
"""

from __future__ import annotations

import re

from index.lexical import fold as lexical_fold

# Letters British and American spellings swap: "analyse" / "analyze", "licence" / "license", "centre" / "center"
# (the last as two swaps).
_SWAPS = ({"s", "z"}, {"s", "c"}, {"e", "r"})


def spelling_variant(a: str, b: str) -> bool:
    """Are two spellings British and American forms of one word? Every difference must be one that sets them
    apart: s for z or c ("analyse" / "analyze", "licence" / "license"), "re" for "er" ("centre" / "center"), a
    "u" ("colour" / "color", "catalogue" / "catalog"), an "a" or "o" before an "e" ("haemoglobin" /
    "hemoglobin", "oestrogen" / "estrogen"), an "e" beside an "r", a doubled "l" ("travelled" / "traveled").
    Other words one letter apart are not ("stand" / "sand", "lunch" / "launch", "track" / "truck")."""
    from rapidfuzz.distance import Levenshtein

    x, y = a.lower(), b.lower()
    for op in Levenshtein.editops(x, y):
        if op.tag == "replace":
            if {x[op.src_pos], y[op.dest_pos]} not in _SWAPS:
                return False
            continue
        word, at = (x, op.src_pos) if op.tag == "delete" else (y, op.dest_pos)
        letter, after, before = word[at], word[at + 1 : at + 2], word[at - 1 : at] if at else ""
        if not (
            letter == "u"
            or (letter in "ao" and after == "e")
            or (letter == "e" and "r" in (before, after))
            or (letter == "l" and "l" in (before, after))
        ):
            return False
    return True


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
# Abbreviations so common that a document may never spell them out, nor use them, written in capitals: "Who is
# the CEO?" of a press release that says "Alicia Moreno, Chief Executive Officer".
_ABBREVIATIONS = (
    "CEO chief executive officer|CFO chief financial officer|COO chief operating officer|CTO chief technology "
    "officer|CIO chief information officer|HR human resources|R&D research and development|FAQ frequently asked "
    "questions|VAT value added tax|EPS earnings per share|AGM annual general meeting|HQ headquarters|NDA "
    "non-disclosure agreement|SLA service level agreement|KPI key performance indicator|ROI return on "
    "investment|YOY year on year|YTD year to date|P&L profit and loss|IPO initial public offering|Q&A questions "
    "and answers|ETA estimated time of arrival|PTO paid time off|GP general practitioner|A&E accident and "
    "emergency|NHS national health service|UK united kingdom|US united states|USA united states|EU european "
    "union|UN united nations|DOB date of birth|PIN personal identification number|ID identification"
)
ABBREVIATIONS = dict(pair.split(" ", 1) for pair in _ABBREVIATIONS.split("|"))


def spelled_out(word: str) -> str | None:
    """What a common abbreviation written in capitals stands for ("CEO" -> "chief executive officer", "R&D" ->
    "research and development"), or None."""
    return ABBREVIATIONS.get(word) if word.isupper() else None


# The words people shorten ("gen", "sept") and what they shorten to.
SHORT_FORMS = {word for pair in _SHORT_FORMS.split("|") for word in pair.split(" ")}
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
    "o",
    "ary",
    "istan",
)


def fold(word: str) -> str:
    """Lower case, accents and apostrophes dropped, possessive trimmed ("Céloron's" -> "celoron")."""
    plain = lexical_fold(re.sub(r"[’']s$", "", word.strip()))
    return plain.replace("’", "").replace("'", "")


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_PEOPLE = re.compile(r"(?<=\w{4})(?:man|men|woman|women)$")  # "Frenchmen", "Englishwoman"


def same_word(a: str, b: str) -> bool:
    """Do two words (of names) name the same thing: equal once folded, singular and plural, a country and its
    people ("Russia" / "Russian", "Mexico" / "Mexican", "Afghanistan" / "Afghan", "French" / "Frenchmen"), or
    one letter more or less in names of six letters or more ("Kublai" / "Khublai")?"""
    x, y = (_PEOPLE.sub("", fold(w)) for w in (a, b))
    if x == y or singular(x) == singular(y):
        return True
    if any(ch.isdigit() for ch in x + y):
        return False  # numbers are equal or not: "11400" is not "11500"
    if y in _SAME.get(x, ()) or singular(y) in _SAME.get(singular(x), ()):
        return True
    short, long = sorted((singular(x), singular(y)), key=len)
    for cut in range(max(4, len(short) - 3), len(short) + 1):
        if long.startswith(short[:cut]) and short[cut:] in _ENDINGS and long[cut:] in _ENDINGS:
            return True
    # One letter more or less in a longer name is a spelling ("Kublai" / "Khublai"); one letter changed is
    # mostly another name ("Boston" / "Bolton", "Martin" / "Marvin", "Ireland" / "Iceland").
    short, long = sorted((x, y), key=len)
    return (
        len(short) >= 6
        and len(long) == len(short) + 1
        and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
    )
