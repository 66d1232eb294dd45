"""What kind of answer a question wants (a person, a time, a number, a place, a list of names, a reason), and
whether a sentence has one.

"When" is answered by any expression of time: a date, a clock time ("22:30", "5 pm", "noon"), a version or
release ("in version 3.4"), a quarter ("Q3", "the third quarter") or a time relative to something else ("two
weeks after the meeting"); "how long" by a duration; "why" by a reason ("because", "due to", "accused ... of",
"after ... failed to").

Regexes and capitalisation go a long way: a "how many" question is not answered by a sentence without a number,
and "Which armed groups ...?" is answered by a sentence that names several ("Hamas, Hezbollah and the Houthis").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from index.lexical import stopwords, tokenize, zipf
from index.linebreaks import join_lines
from qa.answering.ranges import (
    AGE,
    AMOUNT,
    ON_DATE,
    UNIT_QUALIFIER,
    age_ranges,
    amount_labels,
    asked_age,
    holds_amount,
    names_amount,
    takes_in_age,
)


class Kind(str, Enum):
    NUMBER = "number"
    DATE = "date"  # any expression of time: a date, a time of day, a version, a quarter, a relative time
    PERSON = "person"
    PLACE = "place"
    LIST = "list"  # several named things: "Which armed groups belong to ...?"
    REASON = "reason"  # "Why ...?": a sentence that gives a cause
    QUANTITY = "quantity"  # "What was the attack rate ...?": most likely a number, but not always one


# The months by name, lower case, January first.
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = "|".join(MONTH_NAMES) + "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    r"thousands?|millions?|billions?|trillions?|dozens?|half|single|double|twice|thrice|once"
)
# A question's own wh-word decides first ("When ...?", "Where ...?", "Who ...?"); inside a question "when" and
# "where" are usually conjunctions ("What occurs when electron clouds overlap?"), so only phrases count there.
_LEADING_KINDS: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(r"^\W*(when|since when|until when)\b", re.IGNORECASE), Kind.DATE),
    (re.compile(r"^\W*(why|for what reason|how come)\b", re.IGNORECASE), Kind.REASON),
    (re.compile(r"^\W*(where|from where)\b", re.IGNORECASE), Kind.PLACE),
    (re.compile(r"^\W*(who|whom|whose)\b", re.IGNORECASE), Kind.PERSON),
]
# Nouns for someone (or an animal) whose name a question may ask for.
_SOMEONE = (
    r"(?:person|man|woman|boy|girl|child|baby|son|daughter|mother|father|wife|husband|grandmother|grandfather|"
    r"grandson|granddaughter|sister|brother|aunt|uncle|cousin|friend|engineer|author|writer|artist|manager|"
    r"director|teacher|doctor|nurse|officer|founder|leader|captain|owner|keeper|driver|pilot|victim|suspect|"
    r"host|guest|speaker|chef|player|coach|dog|cat|horse|pet|puppy|kitten)"
)
_ASKS_NAME = re.compile(
    rf"\bname of (?:the|his|her|their|your|my|our|this|that) (?:\w+ )?{_SOMEONE}\b"
    rf"|\b{_SOMEONE}'s name\b|^\W*what(?:'s| is| was) (?:the|his|her|their) (?:\w+ )?{_SOMEONE} called\b"
    r"|^\W*what(?:'s| is| was) (?:his|her|their) name\b",
    re.IGNORECASE,
)


def asks_for_name(question: str) -> bool:
    """Does the question ask for someone's name as such ("What was the name of the engineer who ...?"), which
    only a sentence naming someone answers (a "who" question may be answered by a role: "the depot manager")?"""
    return _ASKS_NAME.search(question) is not None


_QUESTION_KINDS: list[tuple[re.Pattern[str], Kind]] = [
    (
        re.compile(
            r"\b(what|which|in what|during what) (year|years|date|day|month|decade|century|era|period|time)\b|"
            r"\bhow long ago\b|\b(since|until) when\b|^\W*(till|by|from) when\b|\b(at|by) what (hour|time)\b|\bwhat time\b|"
            r"\b(which|what) (version|release|quarter)\b",
            re.IGNORECASE,
        ),
        Kind.DATE,
    ),
    (
        re.compile(
            r"\bhow (many|much|long|old|far|large|big|tall|high|deep|wide|fast|often|heavy|powerful|loud|noisy)\b|"
            r"\b(what|which) (number|percentage|percent|proportion|share|amount|age|size|population|"
            r"distance|cost|price|rate|temperature)\b|\b(population|(?<!a )number of|percentage of|amount of)\b",
            re.IGNORECASE,
        ),
        Kind.NUMBER,
    ),
    (re.compile(r"\b(by whom|to whom|which person|what person|whose)\b", re.IGNORECASE), Kind.PERSON),
    # "What was the name of the engineer who ...?", "What was the grandmother's name?", "What's the dog called?":
    # the name of someone (or of an animal), which a sentence that names no one does not give.
    (_ASKS_NAME, Kind.PERSON),
    (
        re.compile(r"\b(what|which) (was|is|were|are) the (main )?(reasons?|cause|causes)\b", re.IGNORECASE),
        Kind.REASON,
    ),
    (
        re.compile(
            r"\b(what|which) (country|city|town|state|region|place|continent|province|nation|location)\b",
            re.IGNORECASE,
        ),
        Kind.PLACE,
    ),
    (
        re.compile(
            r"^\W*(what|which) (is|was|are|were|has been|have been) (the )?([\w'’-]+ ){0,3}?(%s)\b"
            % "|".join(
                "rates? ratios? risks? (?:sero)?prevalence incidence positivity proportions? percentages? shares? "
                "numbers? amounts? levels? loads? half-li(?:fe|ves) salar(?:y|ies) wages? fees? revenues? "
                "profits? budgets? "
                "titers? titres? doses? durations? periods? sizes? lengths? ages? mortality fatality efficacy "
                "effectiveness sensitivity specificity accuracy coverage odds increase decrease reduction growth "
                "range average mean median frequency probability speed temperatures? weights? concentrations? "
                "counts? totals? costs? prices? population density yields? scores? estimates? R0 "
                "identity similarity".split()
            ),
            re.IGNORECASE,
        ),
        Kind.QUANTITY,
    ),
]
# A year, not one inside an identifier ("CVE-2025-41877" gives no time).
_YEAR = r"(?<![A-Za-z]-)\b(1\d{3}|20\d{2})s?\b(?!-\d{3,})"
_UNITS = r"(seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|centur(?:y|ies))"
_RELATIVE_TIME = (
    rf"\b(?:(?:\d+|{_NUMBER_WORDS}|a|an|a few|several|many)\s+{_UNITS}\s+(?:after|before|later|earlier|ago|"
    r"prior to|since|following)|(?:the )?(?:following|next|previous|same|preceding) (?:day|week|month|year|"
    r"morning|evening)|(?:shortly|soon|immediately|just|right|long) (?:after|before)|"
    r"(?:a )?(?:day|week|month|year) (?:later|earlier|before|after))\b"
)
# How often: "monthly", "fortnightly", "every other Sunday", "each quarter", "on Fridays", "twice a year",
# "three times a week".
_FREQUENCY = (
    r"\b(?:hourly|nightly|daily|weekly|fortnightly|biweekly|monthly|quarterly|yearly|annually)\b|"
    r"\b(?:every|each)(?: other| second)? (?:day|night|morning|evening|weekday|week|fortnight|month|quarter|"
    r"year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\bon (?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekdays|weekends)\b|"
    rf"\b(?:once|twice|thrice|(?:\d+|{_NUMBER_WORDS}) times) (?:a|an|per|each|every) (?:hour|day|week|month|"
    r"quarter|year)\b"
)
# A version named as one ("version 3.4", "v2.1", "release 7", "the minimum version is now 12") or "in 3.4".
_NAMED_VERSION = (
    r"\b(?:version|release|v)(?:s? (?:is|was|are|were|will be)(?: now)?)?\s?\d+(?:\.\d+)*\b|"
    r"\bin \d+\.\d+(?:\.\d+)?\b"
)
_DATE = re.compile(
    rf"{_YEAR}|\b({_MONTHS})\b\.?|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\bcentur(y|ies)\b|\bdecades?\b|"
    r"\b(mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|yesterday|today|ago|bc|bce|ad|"
    r"ce)\b|"
    r"\b\d{1,2}(st|nd|rd|th)\b|\b(spring|summer|autumn|fall|winter)\b|\b(after|before|during|until) the\b|"
    # a time of day: "22:30", "5 pm", "5.30 a.m.", "noon", "midnight", "in the evening", "half past nine"
    r"\b\d{1,2}[:.]\d{2}\b(?:\s?[ap]\.?m\b\.?)?|\b\d{1,2}\s?[ap]\.?m\b\.?|\b(noon|midday|midnight|o'clock|"
    r"morning|afternoon|evening|tonight|overnight|dawn|dusk)\b|"
    # ("five to ten" is mostly a range: only a quarter is "to" an hour)
    rf"\b(?:(?:half|(?:a )?quarter|\d{{1,2}}|{_NUMBER_WORDS})(?: minutes)? past|(?:a )?quarter to) (?:\d{{1,2}}|"
    rf"{_NUMBER_WORDS}|noon|midnight)\b|"
    # a version or release (`_NAMED_VERSION`)
    rf"{_NAMED_VERSION}|"
    # a quarter or half of a year: "Q3", "the third quarter", "H1 2024", "FY2024"
    r"\bQ[1-4]\b|\b(first|second|third|fourth|last|next) (quarter|half)\b|\bH[12]\b|\bFY\s?\d{2,4}\b|"
    # a time counted from another, or how often: "after three months", "within 30 days", "every four years",
    # "monthly"
    rf"\b(?:after|within|every|each|in) (?:\d+|{_NUMBER_WORDS}|a|an|a few|several) {_UNITS}\b|"
    # an ordinal one: "from the fourth day of absence", "on the first working day", "by the second week"
    r"\b(?:from|on|after|by|until|in|before) the (?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|last|final) (?:working |business |calendar )?(?:day|night|week|month|year|quarter|shift)\b|"
    rf"{_FREQUENCY}|"
    # a time relative to another: "two weeks after", "a day later", "the following year", "shortly before"
    rf"{_RELATIVE_TIME}",
    re.IGNORECASE,
)
_RELATIVE = re.compile(_RELATIVE_TIME, re.IGNORECASE)
# A question for a version or release ("Which version fixed the shared link problem?", "In which release ...?"),
# which a duration in the sentence ("for up to an hour") does not answer; and what answers it.
_VERSION_QUESTION = re.compile(
    r"^\W*(?:in |from )?(?:which|what) (?:version|release)\b(?! of)", re.IGNORECASE
)
# (a version named as one or "in 3.4", a number of three parts, or one in brackets as changelogs head their
# entries, "[3.0.0]"; not "Python 3.9", another product's version)
_VERSION_SPAN = re.compile(rf"{_NAMED_VERSION}|\b\d+\.\d+\.\d+\b|\[\d+(?:\.\d+)+\]", re.IGNORECASE)
# A question for the point in time something starts, ends or changes, which no "how often" answers.
_POINT_QUESTION = re.compile(
    r"^\W*when\b.*\b(?:start|begin|end|finish|expire|change|launch|ship|take effect|come into (?:force|effect))"
    r"(?:s|ed)?\b",
    re.IGNORECASE,
)
# A time of day, and the questions that ask for one ("What time does the museum close?", "How late is it open?";
# not "What time period ...?", nor "At what time is the rivalry set aside?", which SQuAD answers "every two
# years").
_CLOCK = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b(?:\s?[ap]\.?m\b\.?)?|\b\d{1,2}\s?[ap]\.?m\b\.?|\b(noon|midday|midnight|o'clock|"
    r"morning|afternoon|evening|tonight|overnight|dawn|dusk|lunchtime)\b|"
    rf"\b(?:(?:half|(?:a )?quarter|\d{{1,2}}|{_NUMBER_WORDS})(?: minutes)? past|(?:a )?quarter to) (?:\d{{1,2}}|"
    rf"{_NUMBER_WORDS}|noon|midnight)\b",
    re.IGNORECASE,
)
_CLOCK_QUESTION = re.compile(
    r"^\W*(?:what|which) time\b(?! (?:period|fram\w*|scale|span|zone|of (?:the )?(?:year|day|month|season)))|"
    r"\bat what hour\b|\bhow (?:late|early)\b",
    re.IGNORECASE,
)
_RELATIVE_QUESTION = re.compile(r"\b(relative to|compared (to|with)|in relation to|before or after)\b", re.I)
_HOW_OFTEN = re.compile(r"\bhow often\b|\bhow many times\b", re.IGNORECASE)
_OFTEN = re.compile(_FREQUENCY, re.IGNORECASE)
_HOW_LONG = re.compile(r"\bhow long\b|\bfor how many\b|\bwhat (duration|period)\b", re.IGNORECASE)
# "How long ...?": a duration, in words as well as in numbers ("a fortnight", "an hour", "a decade", "overnight",
# "all day", "indefinitely").
_DURATION = re.compile(
    rf"\b(a|an|one|half an?|several|a few|many)\s+({_UNITS}|generations?)\b|\bfortnight\b|\bovernight\b|"
    r"\ball (day|night|week|weekend|month|year|summer|winter)\b|\bindefinitely\b",
    re.IGNORECASE,
)
# ... or a length ("How long is the cable?"), a span of years or a time since when ("since the 1950s"): a number
# of anything else ("| Battery | 70 Wh |") says nothing of how long the battery lasts.
_SHORT_TIME_UNITS = r"hrs?|mins?|secs?|h|ms"
_DISTANCE_UNITS = r"km|m|cm|mm|miles?|ft|feet|foot|inch(?:es)?|yards?|(?:kilo|centi|milli)?met(?:re|er)s?"
# ... or a text's length ("How long can the abstract be?" / "limited to 1,500 words").
_TEXT_UNITS = r"words?|pages?|characters?|lines?|slides?|paragraphs?"
_LONG = re.compile(
    rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS})[\s-]?(?:{UNIT_QUALIFIER}{_UNITS}|{_SHORT_TIME_UNITS}|{_DISTANCE_UNITS}|{_TEXT_UNITS})\b|"
    r"\b(?:from|between|since|until|till)\b[^.]{0,40}\b\d{3,4}\b|\b\d{3,4}\s?(?:–|-|to)\s?\d{2,4}\b|\bsince\b|"
    rf"\b(?:in|within|for|over|after) {_UNITS}\b|\b\d{{2,4}}s\b|\bcentur(?:y|ies)\b",
    re.IGNORECASE,
)
# ... or a table's cell whose column names the unit ("Minutes: 55", "Duration (hrs): 2", "Length: 90"), as a
# timetable gives a class's length: a row read as a record keeps the column's name before each value.
_TIMED_FIELD = re.compile(
    rf"(?:^|;\s)(?:(?:seconds|minutes|hours|days|weeks|months|years|mins|hrs|duration|length)\b[^:;]{{0,20}}|"
    rf"[^:;]{{0,30}}\((?:{_UNITS}|{_SHORT_TIME_UNITS})\)):\s*\d",
    re.IGNORECASE,
)
# What a number question's noun measures, by the units that give it: a document may state the number with its unit
# and never the noun ("What temperature ...?" / "Heat the oven to 180 °C", "How much warning ...?" / "24 hours'
# written notice", "How much space ...?" / "Leave at least 50 cm free").
_TIME = (
    rf"\b\d[\d,.]*\s?(?:{UNIT_QUALIFIER}{_UNITS}|{_SHORT_TIME_UNITS})\b|"
    rf"\b(?:{_NUMBER_WORDS}|an?|half an?)\s+{UNIT_QUALIFIER}{_UNITS}\b"
)
_DISTANCE = rf"\b\d[\d,.]*\s?(?:{_DISTANCE_UNITS})\b"
_SHARE = r"%|\bper ?cent\b|\d\s?(?:/|per |an? )(?:hour|hr|day|night|week|month|year|annum|head|person)\b"
_MONEY = (
    r"[£$€¥₹¢]|\b\d+(?:\.\d+)?p\b|\b(?:euros?|dollars?|pounds|pence|cents?|usd|eur|gbp|chf|nok|sek|dkk|jpy|cad|"
    r"aud|inr|rs|kr|yen|yuan|rupees?|francs?|kron[aeor]+)\b|\b(?:free|no charge|no cost|at no extra cost)\b"
)
_MEASURE_UNITS: dict[str, str] = {
    **dict.fromkeys(("temperature", "heat", "hot", "warm", "cold"), r"°|\bdegrees?\b|\b\d+\s?[CF]\b"),
    **dict.fromkeys(
        ("warning", "notice", "delay", "wait", "quicker", "faster", "slower", "sooner", "later", "longer"),
        _TIME,
    ),
    **dict.fromkeys(("space", "room", "clearance", "gap", "distance"), _DISTANCE),
    **dict.fromkeys(
        ("weight", "mass"), r"\b\d[\d,.]*\s?(?:kg|g|lbs?|pounds?|grams?|kilos?|tonnes?|tons?|oz)\b"
    ),
    **dict.fromkeys(("calories", "energy"), r"\b(?:k?cal|calories|kj|kilojoules?)\b"),
    **dict.fromkeys(("power", "wattage"), r"\b\d[\d,.]*\s?(?:[kKM]?W|watts?|kilowatts?|hp|bhp|horsepower)\b"),
    **dict.fromkeys(("noise", "loudness"), r"\b\d[\d,.]*\s?(?:dB|dBA|decibels?)\b"),
    **dict.fromkeys(
        ("capacity", "volume"), r"\b\d[\d,.]*\s?(?:l|litres?|liters?|ml|millilitres?|gallons?|cups?)\b"
    ),
    # a score or grade ("What IELTS score do I need?" / "IELTS Academic 6.5 overall", "AAB")
    **dict.fromkeys(("score", "grade", "mark", "rating"), r"\b\d+(?:\.\d+)?\b|\b[A-E]\*?(?:[A-E]\*?){1,4}\b"),
    # a share ("What overhead rate is allowed?" / "up to 15% of direct costs") or an amount per unit of time
    **dict.fromkeys(("rate", "percentage", "share", "proportion"), _SHARE),
    **dict.fromkeys(("money", "cost", "price", "fee", "charge", "fare", "rent", "deposit"), _MONEY),
    # ... a reduction, as a share or an amount ("What discount do groups get?" / "10% off", "£5 off", "half price")
    **dict.fromkeys(
        ("discount", "reduction", "saving", "rebate", "concession"), rf"{_SHARE}|{_MONEY}|\bhalf[- ]price\b"
    ),
}


# Questions that ask for a measure by its adjective or verb, by the measure each asks for.
_ASKED = {
    "weight": r"\bhow heavy\b",
    # (not "How high did the gas bill get?", a sum of money; nor a rate, a score or a level)
    "distance": r"\bhow (?:tall|wide|deep|thick)\b|\bhow high\b(?!.*\b(?:bills?|prices?|costs?|rents?|fees?|"
    r"rates?|salar(?:y|ies)|pay|charges?|tax(?:es)?|interest|inflation|scores?|levels?|numbers?|percentages?|"
    r"temperatures?|pressure|demand|unemployment)\b)",
    "temperature": r"\bhow (?:hot|cold|warm)\b",
    "cost": r"\b(?:how much|what) (?:does|do|did|will|would) .{1,60}\bcost\b",
    "power": r"\bhow powerful\b",
    "noise": r"\bhow (?:loud|noisy)\b",
    "capacity": r"\bhow much (?:does|do|will|can) .{1,40}\bhold\b",
}
# ... and comparisons of such measures ("Which is cheaper, the K100 or the K200?" wants both prices).
_COMPARED = {
    "weight": r"heavier|heaviest|lighter|lightest",
    "distance": r"taller|tallest|wider|widest",
    "temperature": r"hotter|hottest|colder|coldest|warmer|warmest",
    "cost": r"cheaper|cheapest|dearer|dearest|pricier|priciest|more expensive|less expensive|costs? (?:more|less)",
    "power": r"more powerful|most powerful|less powerful",
    "noise": r"louder|loudest|quieter|quietest|noisier|noisiest",
    "capacity": r"holds? (?:more|less|most)|bigger capacity|larger capacity",
}
_ASKED_MEASURE = re.compile("|".join(f"(?P<{m}>{p})" for m, p in _ASKED.items()), re.IGNORECASE)
_COMPARED_MEASURE = re.compile(
    "|".join(rf"(?P<{m}>\b(?:{p})\b)" for m, p in _COMPARED.items()), re.IGNORECASE
)


def asked_measure(question: str) -> str | None:
    """The measure a question asks for by an adjective, a verb or a comparison ("How heavy ...?", "What does
    ... cost?", "Which is cheaper ...?": "weight", "cost", "cost"), or None."""
    found = _ASKED_MEASURE.search(question) or _COMPARED_MEASURE.search(question)
    return found.lastgroup if found else None


def _measure_units(word: str) -> str | None:
    """The pattern of the units of what `word` (or its singular) measures, None when it names no measure."""
    return _MEASURE_UNITS.get(word.lower()) or _MEASURE_UNITS.get(_singular(word.lower()))


def names_measure(word: str) -> bool:
    """Does `word` name a measure this knows the units of ("temperature", "money", "rates")?"""
    return _measure_units(word) is not None


def states_measure(word: str, sentence: str) -> bool | None:
    """Does the sentence give a number in a unit of what `word` measures ("temperature": "180 °C")? None when
    `word` names no measure this knows."""
    pattern = _measure_units(word)
    return None if pattern is None else bool(re.search(pattern, sentence, re.IGNORECASE))


# "Why ...?": words that give a cause or a motive.
_REASON = re.compile(
    r"\b(because|due to|owing to|on account of|as a result|result(s|ed)? (of|from)|caused by|causes?|led to|"
    r"leads? to|reasons?|so that|in order to|in response to|thanks to|for fear|since it|as it|given that|"
    r"motivated|aim(ed)? to|intended to|to (avoid|prevent|protect|ensure|help)|accus\w*\b.{0,60}\bof|"
    r"blam\w*\b.{0,60}\b(for|on)|fail(ed|ure|s)? to|citing|cited|on the grounds|therefore|thus|hence|"
    r"reflect(s|ed|ing)?|driven by|attribut(ed|able) to|explained by|stem(s|med)? from|explain(s|ed)? that|"
    r"follows (the|a|an|our|its|their)|c[ao]mes? from)\b",
    re.IGNORECASE,
)
# A number, also one written against its unit ("10mg/kg", "10p", "5km").
_NUMBER = re.compile(rf"\b\d[\d,.]*(?:\b|(?=[^\W\d_]))|\b({_NUMBER_WORDS})\b|%", re.IGNORECASE)
_DATE_NUMBER = re.compile(
    rf"\b({_MONTHS})\.? \d{{1,2}}\b|\b\d{{1,2}} ({_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b",
    re.IGNORECASE,
)
_CALENDAR = re.compile(
    rf"({_MONTHS})|monday|tuesday|wednesday|thursday|friday|saturday|sunday", re.IGNORECASE
)
_PHRASE = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:of\s+|al-|bin\s+|de\s+|van\s+|von\s+)?[A-Z][\w’'-]*)*")
# Words that make a capitalised phrase an organisation, a place or a title rather than a person's name.
_NOT_PERSON = re.compile(
    r"\b(Force|Forces|Corps|Agency|Brigades?|News|Republic|Ministry|Council|Party|Army|Guards?|University|"
    r"Company|Group|State|States|Union|Nations|Organi[sz]ation|Committee|Court|Parliament|Church|Bank|"
    r"Department|Office|Institute|Association|League|Movement|Revolution|Strip|Sea|River|City|Kingdom|Empire|"
    r"Axis|Resistance|Commander|President|Minister|Leader|General|Chief|King|Queen|Prince|Duke|Pope|"
    r"Works|Glassworks|Inc|Ltd|LLC|GmbH|Corporation|Corp|Foundation|Hospital|School|College|Museum|Factory|"
    r"Mills?|Press|Airlines|Airways|Industries|Systems|Labs?|Laboratories|Society|Club|Team|Studios?|Records|"
    r"Motors|Trust|Fund|Centre|Center|Station|Airport|Bridge|Street|Road|Square|Park|Hotel|Brewery|Castle|"
    r"Palace|Tower|Hall|Cathedral|Abbey|Lake|Mountains?|Island|Valley|Bay|Province|County|District|Region|"
    r"Policy|Act|Treaty|Agreement|War|Battle|Prize|Award|Cup|Championship|Festival|Virus|Syndrome|Disease)\b"
)
# "Which <plural noun> ...?" asks for several things, unless the noun asks for a description ("what kinds of").
_DESCRIPTIVE_PLURALS = frozenset(
    {
        "kinds",
        "types",
        "sorts",
        "ways",
        "reasons",
        "means",
        "effects",
        "things",
        "parts",
        "aspects",
        "factors",
        "problems",
        "methods",
        "steps",
        "changes",
        "benefits",
        "features",
        "results",
        "purposes",
        "rights",
        "roles",
        "duties",
        "characteristics",
        "properties",
        "consequences",
        "series",
        "species",
        "news",
    }
)
_AUXILIARIES = frozenset(
    {
        "are",
        "were",
        "do",
        "did",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "may",
        "might",
        "should",
        "must",
    }
)
_NAME = r"(?:the\s+)?[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*"
_ENUMERATION = re.compile(rf"{_NAME}(?:,\s+(?:and\s+|or\s+)?{_NAME})+|{_NAME},?\s+(?:and|or)\s+{_NAME}")
_ENUMERATION_SEPARATOR = re.compile(r",\s+(?:and\s+|or\s+)?|,?\s+(?:and|or)\s+")
_NUMBER_WORD = re.compile(_NUMBER_WORDS, re.IGNORECASE)
_FUNCTION_STARTS = {"according", "however", "meanwhile", "so", "in", "on", "at", "after", "before", "while"}


@lru_cache(maxsize=20_000)
def _phrases(text: str) -> tuple[tuple[tuple[str, ...], int, bool], ...]:
    """Each capitalised phrase of `text`: its words (possessives trimmed, leading function words dropped),
    where it starts, and whether "the", "a" or "an" introduces it. Cached, as `_words` is."""
    found = []
    for match in _PHRASE.finditer(text):
        words = re.sub(r"[’']s\b", "", match.group(0)).split()
        article = bool(re.search(r"\b(the|a|an)\s+$", text[max(0, match.start() - 5) : match.start()], re.I))
        while words and (words[0].lower() in stopwords() or words[0].lower() in _FUNCTION_STARTS):
            article = article or words[0].lower() in ("the", "a", "an")
            words = words[1:]
        # "Two cases were imported ..." names nothing ("One Direction" does)
        if words and not (len(words) == 1 and (len(words[0]) < 2 or _NUMBER_WORD.fullmatch(words[0]))):
            found.append((tuple(words), match.start(), article))
    return tuple(found)


def entities(text: str) -> list[str]:
    """Capitalised phrases ("Esmail Qaani", "Quds Force"), possessives trimmed, leading function words dropped."""
    return [" ".join(words) for words, _, _ in _phrases(text)]


@dataclass(frozen=True)
class NamedPhrase:
    """A capitalised phrase of a text: the name (as `entities` gives it), where it starts, and whether it
    could be a person (not an organisation, place or title, and not introduced by "the" or "a")."""

    name: str
    start: int
    person: bool


def named_phrases(text: str) -> list[NamedPhrase]:
    """The capitalised phrases of `text` in order, each with whether it could be a person's name; a month or
    a weekday alone is no name."""
    return [
        NamedPhrase(" ".join(words), start, not article and is_person_like(" ".join(words)))
        for words, start, article in _phrases(text)
        if not (len(words) == 1 and _CALENDAR.fullmatch(words[0]))
    ]


def is_person_like(phrase: str) -> bool:
    """Could this capitalised phrase be someone's name? (Not an organisation, title or nationality.)"""
    return not _NOT_PERSON.search(phrase) and not re.search(r"(ian|ese|ish|ic)$", phrase.split()[-1])


# A capitalised word alone at a sentence's start this common (wordfreq's Zipf: "engineers" 4.4, "john" 5.4; not
# "tomas" 3.4) may be a word, not a name.
COMMON_OPENER_ZIPF = 4.0


def person_names(text: str, exclude: str = "", strict: bool = False) -> list[str]:
    """Person-like phrases of `text` that `exclude` (the question) does not already name. `strict`: not a
    common word alone that only opens the sentence ("Engineers later moved the battery."; "John replied." too,
    so only where a name is asked for as such)."""
    asked = exclude.lower()
    return [
        " ".join(words)
        for words, start, _ in _phrases(text)
        if is_person_like(" ".join(words))
        and not any(w.lower() in asked for w in words)
        and not (
            strict
            and len(words) == 1
            and not text[:start].strip()
            and zipf(words[0].lower()) >= COMMON_OPENER_ZIPF
        )
    ]


def _is_plural_noun(word: str) -> bool:
    return (
        len(word) >= 4
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        and word not in stopwords()
        and word not in _DESCRIPTIVE_PLURALS
    )


def asks_for_list(question: str) -> bool:
    """Does the question ask "which <plural noun>": "Which armed groups belong ...", "What countries were ..."?

    English plurals look like verbs ("What causes ..."), so a plural right after the wh-word must be followed
    by an auxiliary ("What companies did ..."); after an adjective ("Which armed groups ...") it stands alone.
    """
    match = re.match(r"\W*(?:which|what)\s+([a-z]+)\s+([a-z]+)(?:\s+([a-z]+))?", question, re.IGNORECASE)
    if not match:
        return False
    first, second = match.group(1).lower(), match.group(2).lower()
    if first in stopwords() or first in _DESCRIPTIVE_PLURALS:
        return False
    if _is_plural_noun(first):
        return second in _AUXILIARIES
    # (a verb takes an object where a plural noun does not: "Which courier collects the kettle?")
    third = (match.group(3) or "").lower()
    return bool(third) and third not in _DETERMINERS and not first.endswith("s") and _is_plural_noun(second)


_DETERMINERS = frozenset("the a an my your our their his her its this these those".split())


_KIND_OF = re.compile(r"^\W*(?:what|which)\s+(?:kinds?|types?|sorts?|forms?)\s+of\s+([a-z]+)", re.IGNORECASE)
# "how much money has", "what weapons did", "which natural resources were": a noun phrase of up to three words
# closed by an auxiliary verb, so that verbs ("What answer denotes ...") and modifiers are not taken for it.
_NOUN_PHRASE = re.compile(
    r"^\W*(?:how\s+(?:much|many)|what|which)\s+((?:[a-z]+\s+){0,2}[a-z]+)\s+(?:%s)\b"
    % "|".join(sorted(_AUXILIARIES | {"is", "was", "has", "does"})),
    re.IGNORECASE,
)
# Nouns that only say which kind of answer is wanted (a name, a number, a date); the kind test covers them.
_GENERIC_FOCUS = frozenset(
    "year date day month decade century time number percentage percent amount people person man woman name "
    "thing one part way place country city group kind type sort form less more fewer greater larger smaller "
    "organisation organization entity individual member figure body version release abbreviation acronym "
    "meaning definition term word toll tally total count".split()
)
# Abstract nouns a sentence answers without saying them ("What was the result of the test?" / "It reduced
# admissions by 80 percent."): no thing to hold an answer to (`named_things`).
_ABSTRACT = frozenset(
    "result outcome finding example instance effect impact reason cause purpose role aim goal function method "
    "approach means difference advantage disadvantage benefit drawback problem issue consequence significance "
    "importance characteristic feature property nature process mechanism use value status state".split()
)


def focus_words(question: str) -> list[str]:
    """The noun a "what/which X" or "how much/many X" question asks about ("money" in "How much money has
    Iran sent?", "weapons" in "What weapons did ...?"), lower-cased; empty when there is none or it only names
    the kind of answer ("what year", "how many people").

    An answer must speak of that thing: a sentence about letters does not say how much money was sent.
    """
    match = _KIND_OF.match(question) or _NOUN_PHRASE.match(question)
    if not match:
        return []
    head = match.group(1).split()[-1].lower()
    generic = head in stopwords() or _singular(head) in _GENERIC_FOCUS or head in _DESCRIPTIVE_PLURALS
    return [] if generic else [head]


# Where else a question names the thing it asks about: "What is the license of tidepool?", "What is the name
# of the restaurant ...?", "Which airline is Jonas booking?", "What wine goes with shakshuka?".
_THING_OF = re.compile(
    r"^\W*(?:what|which)\s+(?:is|was|are|were)\s+(?:the|a|an)\s+(?:[a-z]+\s+){0,2}?([a-z]+)\s+(?:of|for)\b",
    re.IGNORECASE,
)
_NAME_OF = re.compile(r"\bname\s+of\s+(?:the|a|an|this|that|his|her|its|their)\s+([a-z]+)\b", re.IGNORECASE)
_WHICH_THING = re.compile(
    r"^\W*(?:what|which)\s+((?:[a-z]+\s+)?[a-z]+)\s+(?:goes|go|went|came|comes|come|pairs|suits|works|fits)\b",
    re.IGNORECASE,
)


def named_things(question: str) -> list[str]:
    """Every noun that may be the thing a question asks about (`focus_words`, and the looser forms above),
    lower-cased, generic ones left out. Looser than `focus_words`: "What is the purpose of ...?" is answered
    without the word "purpose", so these hold an answer to their word only where no document uses it."""
    found = list(focus_words(question))
    for pattern in (_THING_OF, _NAME_OF, _WHICH_THING):
        match = pattern.search(question)
        if match:
            head = match.group(1).split()[-1].lower()
            if not (
                head in stopwords()
                or head in _AUXILIARIES
                or _singular(head) in _GENERIC_FOCUS
                or _singular(head) in _ABSTRACT
            ):
                found.append(head)
    return list(dict.fromkeys(found))


def _singular(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word


def question_kind(question: str) -> Kind | None:
    """The kind of answer the question asks for, or None when it asks for a description."""
    for pattern, kind in _LEADING_KINDS + _QUESTION_KINDS:
        if pattern.search(question):
            return kind
    # "Which is cheaper, the K100 or the K200?": the figures answer (not "What is the most powerful class of
    # drugs?", which names no alternatives)
    if _COMPARED_MEASURE.search(question) and re.search(r"\b(or|than)\b", question, re.IGNORECASE):
        return Kind.NUMBER
    return Kind.LIST if asks_for_list(question) else None


def listed_names(sentence: str, question: str) -> list[tuple[int, int]]:
    """Spans of the names that `sentence` enumerates ("Hamas, Lebanon’s Hezbollah, the Houthi militia") and the
    question does not name, for enumerations of at least two such names."""
    asked = question.lower()
    spans = []
    for match in _ENUMERATION.finditer(sentence):
        names, pos = [], match.start()
        for part in _ENUMERATION_SEPARATOR.split(match.group(0)):
            start = sentence.index(part, pos)
            pos = start + len(part)
            words = re.sub(r"^the\s+", "", part).split()
            if words and not all(w.lower().strip("’'") in asked for w in words):
                names.append((start, pos))
        if len(names) >= 2:
            spans.extend(names)
    return spans


def has_kind(kind: Kind | None, sentence: str, question: str) -> bool:
    """Does the sentence hold something of that kind that the question does not already say?"""
    if kind is None:
        return True
    asked = question.lower()
    if kind is Kind.DATE:
        return bool(_kind_spans(kind, sentence, question))
    if kind is Kind.QUANTITY:
        return has_kind(Kind.NUMBER, sentence, question)
    if kind is Kind.NUMBER:
        text = _DATE_NUMBER.sub(" ", sentence)
        if not re.search(r"\b(years?|date|when|how long)\b", asked):  # "ruled from 1969 to 2011"
            text = re.sub(_YEAR, " ", text)
        if _HOW_LONG.search(question):  # a duration the question does not give ("the Seven Years' War")
            spans = [*_DURATION.finditer(text), *_LONG.finditer(text)]
            return any(m.group(0).lower() not in asked for m in spans) or bool(_TIMED_FIELD.search(sentence))
        if _HOW_OFTEN.search(question) and _OFTEN.search(sentence):
            return True  # "How often are the servers patched?" / "every other Sunday"
        word = asked_measure(question)
        if word:  # "How heavy ...?" wants a weight, not "a 14-inch laptop"
            return bool(states_measure(word, sentence))
        return any(m.group(0).lower() not in asked for m in _NUMBER.finditer(text))
    if kind is Kind.REASON:
        return bool(_REASON.search(sentence))
    if kind is Kind.PERSON:
        return bool(person_names(sentence, question, strict=asks_for_name(question)))
    if kind is Kind.LIST:
        return bool(listed_names(sentence, question))
    return any(not any(w.lower() in asked for w in e.split()) for e in entities(sentence))


_WORD = re.compile(r"[\w’'-]+")
# Words that say what kind of value follows, not which: "Which version ...?" is answered by "version 2.4".
_MARKERS = frozenset(
    "version versions release releases quarter quarters v q am pm year years month months week weeks day "
    "days hour hours minute minutes percent".split()
)


# "Which version of macOS do I need?": the product whose version is asked for.
_VERSION_OF = re.compile(r"\b(?:which|what) (?:version|release) of ([\w.+-]+)", re.IGNORECASE)


def _kind_spans(kind: Kind | None, sentence: str, question: str) -> list[tuple[int, int]]:
    """Character spans of the things in `sentence` that could answer a question of this kind."""
    asked = question.lower()
    if kind is Kind.DATE:
        # "When ..., relative to X?" is answered by a time relative to something, not by a date.
        # "What time ...?" is answered by a time of day, not by "on Mondays in winter".
        pattern = (
            _RELATIVE
            if _RELATIVE_QUESTION.search(question)
            else _CLOCK
            if _CLOCK_QUESTION.search(question)
            else _VERSION_SPAN
            if _VERSION_QUESTION.search(question)
            else _DATE
        )
        matches = list(_matches(pattern, sentence))
        if pattern is _VERSION_SPAN:  # a version given is the whole number: "3.0.0" is none of "Python 3.8"
            given = set(re.findall(r"\d+(?:\.\d+)*", asked))
            return [(s, e) for s, e, text in matches if re.findall(r"\d+(?:\.\d+)*", text)[0] not in given]
        if _POINT_QUESTION.search(question):  # "When does the new rent start?" is not answered by "weekly"
            matches = [m for m in matches if not _OFTEN.fullmatch(m[2])]
        product = _VERSION_OF.search(question)
        if product:  # "Which version of macOS ...?" / "macOS 12 or later"
            named = re.compile(rf"\b{re.escape(product.group(1))}\s?(v?\d+(?:\.\d+)*)\b", re.IGNORECASE)
            matches += [(m.start(1), m.end(1), m.group(1)) for m in named.finditer(sentence)]
    elif kind in (Kind.NUMBER, Kind.QUANTITY):
        matches = list(_matches(_NUMBER, sentence))
        if _HOW_LONG.search(question):
            matches += _matches(_DURATION, sentence)
    elif kind is Kind.REASON:
        return [(s, e) for s, e, _ in _matches(_REASON, sentence)]
    elif kind is Kind.LIST:
        return listed_names(sentence, question)
    else:
        names = person_names(sentence, question) if kind is Kind.PERSON else entities(sentence)
        matches = []
        for name in names:
            pos = sentence.find(name.split()[0])
            if pos >= 0:
                matches.append((pos, pos + len(name), name))
    # A candidate the question already gives is no answer ("2020" for "What happened in 2020?"); function
    # words inside it ("a fortnight", "the Houthi") say nothing either way.
    # A time of day is given only as a whole: "12:08" is no time of "the 12:00 bus".
    asked_words = set(_WORD.findall(asked)) - _MARKERS
    asked_times = {m.group(0).replace(".", ":") for m in _HH_MM.finditer(asked)}
    return [
        (s, e)
        for s, e, text in matches
        if (
            text.replace(".", ":") not in asked_times
            if _HH_MM.fullmatch(text)
            else not any(w in asked_words for w in _WORD.findall(text.lower()) if w not in stopwords())
        )
    ]


_HH_MM = re.compile(r"\d{1,2}[:.]\d{2}")


@lru_cache(maxsize=50_000)
def _matches(pattern: re.Pattern[str], sentence: str) -> tuple[tuple[int, int, str], ...]:
    """Each match of one of the answer-kind patterns in the sentence: its span and text. Cached, as `_words`
    is (the date pattern alone took a fifth of an answer's time on SQuAD)."""
    return tuple((m.start(), m.end(), m.group(0)) for m in pattern.finditer(sentence))


@lru_cache(maxsize=20_000)
def _words(sentence: str) -> tuple[tuple[int, int, str], ...]:
    """Each word of the sentence: its span and its stem ("" for a stopword). Cached: the same candidate
    sentences recur across a conversation's and an evaluation's questions."""
    out = []
    for m in _WORD.finditer(sentence):
        stems = tokenize(m.group(0))
        out.append((m.start(), m.end(), stems[0] if stems else ""))
    return tuple(out)


def nearest_answer(
    kind: Kind | None, sentence: str, question: str, query_terms: set[str]
) -> tuple[float, str | None]:
    """The candidate answer of the asked kind that stands closest to the question's terms, and how close
    (1 = adjacent, 0 = none): answers sit beside what the question names ("Quds Force commander Esmail
    Qaani", "took over ... in 2020")."""
    words = _words(sentence)
    term_at = [i for i, (_, _, stem) in enumerate(words) if stem in query_terms]
    spans = _kind_spans(kind, sentence, question)
    if not term_at or not spans:
        return 0.0, None
    best, text = 0.0, None
    for start, end in spans:
        inside = [i for i, (s, e, _) in enumerate(words) if s < end and e > start]
        outside = [j for j in term_at if j not in inside]
        if inside and outside:
            gap = min(max(0, abs(i - j) - 1) for i in inside for j in outside)  # words between them
            if 1.0 / (1.0 + gap / 2) > best:
                best, text = 1.0 / (1.0 + gap / 2), sentence[start:end]
    return best, text


def proximity(kind: Kind | None, sentence: str, question: str, query_terms: set[str]) -> float:
    """How close a candidate answer of the asked kind stands to the question's terms (see nearest_answer)."""
    return nearest_answer(kind, sentence, question, query_terms)[0]


# "What is IFITM?", "What does vBNS stand for?", "What is meant by PHEIC?": the question asks what a short form is.
_SHORT_FORM_QUESTION = re.compile(
    r"^\W*(?:what (?:is|are|was|were) (?:meant by |the (?:full (?:form|name)|long form|expansion|meaning) of |"
    r"the (?:acronym|abbreviation|short form)(?: for| of)? )?(?:an? |the )?"
    r"(?:(?:acronym|abbreviation|short form) )?(?P<a>[\w./-]{2,12})(?: short for)?"
    r"|what (?:does|do|did) (?:an? |the )?(?:(?:acronym|abbreviation|short form) )?(?P<b>[\w./-]{2,12}) "
    r"(?:stand for|mean|refer to))\W*$",
    re.IGNORECASE,
)


def asked_short_form(question: str) -> str | None:
    """The word that may be an abbreviation whose meaning the question asks for, as written ("IFITM" for
    "What is IFITM?", "ecdc" for "what is ecdc?"), or None: a word of two to twelve characters that is not
    a common word. Whether it is one is for the documents to say (`Expansions.defined`)."""
    match = _SHORT_FORM_QUESTION.match(" ".join(question.split()))
    if not match:
        return None
    word = (match.group("a") or match.group("b")).strip("./-")
    if sum(ch.isupper() for ch in word) >= 2:
        return word
    return word if len(word) >= 2 and word.lower() not in stopwords() else None


# "What is/are X?" with X of one to five words, not "what is the X of Y" (a value of something, not a term).
_TERM_QUESTION = re.compile(
    r"^\W*what (?:is|are|was|were) (?:an? |the )?(?P<term>(?!(?:the|a|an)\b)[^?,;]{2,60}?)\?*\s*$",
    re.IGNORECASE,
)
# A sentence's opening before its subject: a label of a paper's part ("Abstract:", "Text:", "Background:").
_LEAD_IN = r"^\W*(?:[A-Z][A-Za-z ]{1,20}:\s*)?(?:the |an? )?"
# ... and what says what the subject is: "is a", "are engineered ...", "refers to", "was first described as".
_COPULA = (
    r"\s*(?:\([^()]{1,60}\)\s*)?,?\s+(?:is|are|was|were|refers? to|denotes?|means|describes?)\b"
    r"(?!\s+(?:not|also|estimated|reported|found|thought|shown|seen|used|likely|unknown|unclear)\b)"
)


def asked_term(question: str) -> str | None:
    """The term whose meaning the question asks for: "inovirus-associated vectors" for "What are
    inovirus-associated vectors?"; None for other questions, and for "What is the X of Y?" (a value, not a
    term) or one of more than five words."""
    match = _TERM_QUESTION.match(" ".join(question.split()))
    if not match:
        return None
    term = match.group("term").strip(" .")
    words = term.split()
    if not 1 <= len(words) <= 5 or {"of", "for", "in", "on", "at", "by", "to", "with"} & {
        w.lower() for w in words
    }:
        return None
    return term


def states_what(term: str, sentence: str) -> bool:
    """Does the sentence say what `term` is, with the term as its subject: "Inovirus-associated vectors (IAVs)
    are engineered, non-lytic, filamentous bacteriophages ...", "Abstract: R0, the basic reproduction number,
    is ...", "The National Science Foundation Network (NSFNET) was ..." for NSFNET? A sentence that names the
    term elsewhere ("... are herein termed IAVs for inovirus-associated vectors") does not."""
    spelt = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term)) + "(?:e?s)?"
    subject = rf"(?:{spelt}|[^()]{{2,80}}\(\s*{spelt}\s*\))"
    apposition = r"(?:,[^,]{2,80},)?"
    text = join_lines(sentence)
    if re.search(_LEAD_IN + subject + apposition + _COPULA, text, re.IGNORECASE):
        return True
    # "As a nonpathogenic Gram-positive bacterium, B. subtilis has been regarded as ..." (a binomial name
    # shortened to its initial)
    words = term.split()
    if len(words) == 2:
        spelt = rf"{spelt}|{re.escape(words[0][:1])}\.\s*{re.escape(words[1])}"
    return re.search(rf"^\W*as an? [^,]{{3,80}},\s*(?:the )?(?:{spelt})\b", text, re.IGNORECASE) is not None


# What a question asks for beyond a kind of answer, and the words of a sentence that give it.
_CUES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "definition",  # "What is X?": "X is a ...", "As a ..., X", "X, known as ..."
        re.compile(
            r"^\W*what (is|are|was|were) (?!the (?:\w+ )?(?:of|for|in|on)\b)(a |an |the )?"
            r"(?:(?!(?:of|for|in|on|at|by|to|with|from|between|during|than)\b)[\w’'()./-]+ ?){1,4}\?*\s*$",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(is|are|was|were) (a|an|the|one of)\b|\bknown as\b|\bdefined as\b|\brefers? to\b|\bcalled\b|"
            r"^\W*as an?\b|\bconsists? of\b|\bcomposed of\b|\btype of\b|\bkind of\b|\bform of\b",
            re.IGNORECASE,
        ),
    ),
    (
        "finding",  # "What did the study conclude / show / find?"
        re.compile(
            r"\b(conclu\w*|find|finding|findings|found|result|results|show|shows|showed|suggest\w*|reveal\w*|"
            r"demonstrat\w*|indicat\w*|observ\w*|outcome\w*|effect|effects|implication\w*)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(suggest\w*|indicat\w*|show\w*|demonstrat\w*|reveal\w*|conclu\w*|found|find\w*|observ\w*|"
            r"result\w*|confirm\w*|associated with|led to|caused|increased|decreased|reduced|improved)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "example",  # "What is an example of ...?"
        re.compile(r"\bexamples?\b|\bsuch as\b|\binstances?\b", re.IGNORECASE),
        re.compile(
            r"\bfor example\b|\be\.g\.|\bsuch as\b|\bfor instance\b|\bincluding\b|\bexamples?\b", re.I
        ),
    ),
    (
        "method",  # "How was X measured / detected / made?"
        re.compile(r"^\W*how (is|are|was|were|can|could|do|does|did|has|have)\b", re.IGNORECASE),
        re.compile(r"\b(by|using|used|use|through|via|with|based on|performed|measured|method\w*)\b", re.I),
    ),
)
CUES = tuple(name for name, _, _ in _CUES)


def cues(question: str) -> list[tuple[str, re.Pattern[str]]]:
    """The cues a question asks for: (name, the pattern of words in a sentence that give it)."""
    return [(name, answer) for name, asks, answer in _CUES if asks.search(question)]


# A thing named by a word and a number or a capital letter: "assignment 3", "zone B", "gate 12", "Apollo 11".
_LABEL = re.compile(r"\b([A-Za-z][a-z]{2,})\s+(\d+(?:\.\d+)*[A-Za-z]?|[A-Z])\b")
# A thing named by a code of capitals and a number written together or with a hyphen ("site W12", "error E11",
# "room B3", "the AP-820"): (CODE + "W", "12"); its siblings share the capitals ("W09", "AP-620").
CODE = "code:"
_CODE = re.compile(r"(?<![\w/.-])([A-Z]{1,2})-?(\d{1,4})(?![\w/-]|\.\d)")


def names_siblings_too(sentence: str, labels: list[tuple[str, str]]) -> bool:
    """Does the sentence name an asked code among others of its kind ("at 6 of the 14 sites: W05, W09, W12 and
    W13" for site W12)? It then speaks of the asked thing in passing."""
    return any(
        word.startswith(CODE) and label in (found := _codes(sentence, word[len(CODE) :])) and len(found) > 1
        for word, label in labels
    )


def _codes(sentence: str, prefix: str) -> set[str]:
    """The numbers of the codes with these capitals that a sentence names, leading zeros dropped ("W09" -> "9")."""
    return {str(int(number)) for found, number in _CODE.findall(sentence) if found == prefix}


# A period the question names by its day of the week or its quarter: ("day", "thursday"), ("quarter", "1").
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})s?\b", re.IGNORECASE)
# ... and a run of days a sentence names: "Monday to Friday", "Tue-Sun", "Mondays to Saturdays".
_DAY_STEMS = tuple(day[:3] for day in _WEEKDAYS)
_DAY_NAME = rf"({'|'.join(_DAY_STEMS)})(?:day|s|sday|nesday|rsday|urday)?s?\.?"
_DAY_RANGE = re.compile(rf"\b{_DAY_NAME}\s*(?:to|-|–|—|through|until|till)\s*{_DAY_NAME}\b", re.IGNORECASE)
_ORDINAL_QUARTER = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
_QUARTER_NAMED = re.compile(r"\bQ([1-4])\b|\b(first|second|third|fourth)\s+quarter\b", re.IGNORECASE)
# ... or by its season ("in the summer" -> ("season", "summer"); not "fall", a verb as often).
_SEASON = re.compile(r"\b(spring|summer|autumn|winter)s?\b", re.IGNORECASE)
PERIODS = ("day", "quarter", "season", "time", "date")
# A journey named by its time ("the 12:00 route 7 bus", "the 7.40 from Harbour Square", "the 9:30 train").
_NAMED_TIME = re.compile(r"\bthe\s+(\d{1,2})[:.](\d{2})(?:\s?([ap])\.?m\b\.?)?", re.IGNORECASE)
_TIME_OF_DAY = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?![\d.:])(?:\s?([ap])\.?m\b\.?)?", re.IGNORECASE)


def _clock(hour: str, minute: str, half: str | None) -> str | None:
    """A time of day as "HH:MM" on the 24-hour clock ("7.40" -> "07:40", "5:15 pm" -> "17:15"), or None."""
    h, m = int(hour), int(minute)
    if half and half.lower() == "p" and h < 12:
        h += 12
    elif half and half.lower() == "a" and h == 12:
        h = 0
    return f"{h:02d}:{m:02d}" if h < 24 and m < 60 else None


# A yes/no question ("Is the office open at 7am?", "Can a 17 year old open an account?").
_POLAR = re.compile(
    r"^\W*(is|are|was|were|does|do|did|can|could|will|would|has|have|had|should|must|may)\b", re.IGNORECASE
)


def is_polar(question: str) -> bool:
    """Is it a yes/no question (it opens with an auxiliary verb: "Is ...", "Can ...", "Should ...")?"""
    return _POLAR.match(question) is not None


def asked_labels(question: str) -> list[tuple[str, str]]:
    """The things the question names by a word and a number or letter, as (word, label) pairs, lower-cased word
    ("When is assignment 3 due?" -> [("assignment", "3")]; a function word is no such word: "in 2019"), the
    periods it names by a weekday, a quarter or a season ("on Thursday" -> ("day", "thursday"), "in Q1 2025" ->
    ("quarter", "1"), "in the summer" -> ("season", "summer"), "the 12:00 bus" -> ("time", "12:00")), and the age
    it gives, in months ("my 4 year old" -> (AGE, "48")), or else the amounts with a unit ("120 hours a month"
    -> ("amount:hour", "120"), `ranges.amount_labels`)."""
    labels = [
        (word.lower(), label)
        for word, label in _LABEL.findall(question)
        if word.lower() not in stopwords()
        and word.lower() not in _MONTH_WORDS  # "September 17" is a date
        and not _WEEKDAY.fullmatch(word)  # ... and so is "Friday 6 June" (its weekday is a label below)
        and not re.fullmatch(r"(?:1[6-9]|20)\d{2}", label)  # "the late 1950s", "June 2004": years
        and word.lower() not in ("age", "aged")  # an age (below)
    ]
    labels += [
        (CODE + prefix, str(int(number))) for prefix, number in _CODE.findall(question) if prefix != "Q"
    ]
    labels += [("day", day.lower()) for day in _WEEKDAY.findall(question)]
    labels += [("quarter", _quarter(m)) for m in _QUARTER_NAMED.finditer(question)]
    labels += [("season", season.lower()) for season in _SEASON.findall(question)]
    labels += [("time", t) for t in (_clock(*m.groups()) for m in _NAMED_TIME.finditer(question)) if t]
    # the day of a month a question names without its year, as a timetable's reader asks ("What exam do I have
    # on Friday 6 June?"): a row or sentence that names it (a date with its year, "on October 9, 2004", is no
    # label: prose tells of a day in many ways)
    undated = _YEAR_AFTER.sub(" ", question)
    labels += [("date", day) for day in sorted(_day_months(undated, numeric=False))]
    age = asked_age(question)
    if age is not None:
        labels.append((AGE, f"{age:g}"))
    else:
        labels += amount_labels(question)
    # a date the asker gives of their own plans: "If we paid off the mortgage in September 2025, ...?"
    own = _OWN_PLANS.search(question) and _dates(question)
    if own and len(own) == 1:
        year, month, day = own[0]
        labels.append((ON_DATE, f"{year:04d}-{month:02d}-{day or 15:02d}"))  # a month: its middle
    return list(dict.fromkeys(labels))


# A question about the asker's own plans, whose date a period in the documents may take in.
_OWN_PLANS = re.compile(r"\b(?:if|when|suppose)\s+(?:I|we)\b|\b(?:I|we)\s+(?:plan|want|intend|hope)\b", re.I)


_NUMERIC_DATE = re.compile(
    r"\b(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d{2})\b|\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b"
)
_WRITTEN_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({_MONTHS})\.?(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?,?)?\s+((?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)


def _month_number(name: str) -> int:
    """A month's number from its name or abbreviation ("June", "Sept" -> 6, 9)."""
    return next(i for i, full in enumerate(MONTH_NAMES, 1) if full.startswith(name.lower()[:3]))


def _found_dates(text: str, written: bool = True) -> list[tuple[int, tuple[int, int, int]]]:
    """(offset, (year, month, day)) of each date a text gives in figures ("09/06/2023", day first; "2024-03-18")
    and, with `written`, in words ("6 April 2024", "April 6, 2024", "April 2024": day 0); not checked for sense."""
    found: list[tuple[int, tuple[int, int, int]]] = []
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(1):
            found.append((m.start(), (int(m.group(3)), int(m.group(2)), int(m.group(1)))))
        else:
            found.append((m.start(), (int(m.group(4)), int(m.group(5)), int(m.group(6)))))
    for m in _WRITTEN_DATE.finditer(text) if written else ():
        found.append(
            (m.start(), (int(m.group(4)), _month_number(m.group(2)), int(m.group(1) or m.group(3) or 0)))
        )
    return found


def _dates(text: str) -> list[tuple[int, int, int]]:
    """The dates a text gives with a month, as (year, month, day), day 0 where it gives none, in order."""
    return [date for _, date in sorted(_found_dates(text)) if 1 <= date[1] <= 12]


_DATE_TEXT = rf"(?:{_NUMERIC_DATE.pattern}|{_WRITTEN_DATE.pattern})"
# A period a sentence states: "01/08/2025 to 31/07/2026", "6 April 2024 - 5 April 2025", "From 01/08/2029",
# "Completion to 31/07/2025" (from whenever it starts), "until 31 July 2029".
_PERIOD = re.compile(
    rf"(?P<low>{_DATE_TEXT})?\s*(?:to|until|till|through|-|–|—)\s*(?P<high>{_DATE_TEXT})|"
    rf"\b(?:from|after|since)\s+(?P<floor>{_DATE_TEXT})",
    re.IGNORECASE,
)


def takes_in_date(sentence: str, label: str) -> bool:
    """Does a period the sentence states take in the date `label` ("YYYY-MM-DD"): "01/08/2025 to 31/07/2026" for
    2025-09-15? A period's end given without its start ("Completion to 31/07/2025") runs from whenever; "From
    01/08/2029" runs on."""
    asked = tuple(int(part) for part in label.split("-"))
    # (a record's fields read as the period they give: "From: 01/08/2025; To: 31/07/2026")
    text = re.sub(
        r"\bfrom:\s*", "from ", re.sub(r"[;,]?\s*\bto:\s*", " to ", sentence, flags=re.I), flags=re.I
    )
    for m in _PERIOD.finditer(text):
        if m.group("floor"):
            low, high = _dates(m.group("floor")), [(9999, 12, 31)]
        else:
            low, high = _dates(m.group("low") or "") or [(0, 0, 0)], _dates(m.group("high"))
        if low and high and low[0] <= asked <= high[0]:
            return True
    return False


def latest_date(text: str) -> tuple[int, int, int] | None:
    """The latest date a text gives, as (year, month, day) (0 for a part it leaves out): "09/06/2023" (day
    first), "2024-03-18", "6 April 2024", "April 6, 2024", "April 2024"; a year alone counts as (year, 0, 0).
    None when it gives none."""
    found = [date for _, date in _found_dates(text)]
    found += [(int(y), 0, 0) for y in re.findall(r"\b((?:19|20)\d{2})\b", text)]
    return max(found) if found else None


def is_calendar_word(word: str) -> bool:
    """Is the word a day of the week ("Wednesdays") or a month written in full ("March")?"""
    lower = word.lower()
    return bool(_WEEKDAY.fullmatch(lower)) or lower in MONTH_NAMES


def _quarter(match: re.Match[str]) -> str:
    return match.group(1) or _ORDINAL_QUARTER[match.group(2).lower()]


def _periods(sentence: str, word: str) -> set[str]:
    """The weekdays (`word` "day"), quarters ("quarter"), seasons ("season") or times of day ("time", as
    "HH:MM") a sentence names."""
    if word == "day":
        days = {day.lower() for day in _WEEKDAY.findall(sentence)}
        for first, last in _DAY_RANGE.findall(sentence):
            start, end = _DAY_STEMS.index(first.lower()), _DAY_STEMS.index(last.lower())
            days |= {_WEEKDAYS[(start + n) % 7] for n in range((end - start) % 7 + 1)}
        return days
    if word == "season":
        return {season.lower() for season in _SEASON.findall(sentence)}
    if word == "time":
        return {t for t in (_clock(*m.groups()) for m in _TIME_OF_DAY.finditer(sentence)) if t}
    if word == "date":
        return _day_months(sentence)
    return {_quarter(m) for m in _QUARTER_NAMED.finditer(sentence)}


# A day of a month, with or without its year: "6 June", "6th of June", "June 6", "06/06/2025".
_DAY_MONTH = re.compile(
    rf"(?<![\d.,])\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTHS})\b\.?|\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?![.:/]\d)",
    re.IGNORECASE,
)


# A day of a month with its year: "6 June 2025", "June 6, 2025", "06/06/2025".
_YEAR_AFTER = re.compile(
    rf"(?:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?)"
    r",?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


def _day_months(text: str, numeric: bool = True) -> set[str]:
    """The days of a month a text names, as "month-day" ("6-6" for "6 June", "June 6th", and with `numeric`
    "06/06/2025")."""
    found = set()
    for m in _DAY_MONTH.finditer(text):
        day, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(day) <= 31:
            found.add(f"{_month_number(name)}-{int(day)}")
    for _, (_, month, day) in _found_dates(text, written=False) if numeric else ():
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.add(f"{month}-{day}")
    return found


# A version number ("2.5.0", "3.10").
DOTTED = re.compile(r"\d+(?:\.\d+)+")


_MONTH_WORDS = frozenset(_MONTHS.split("|"))
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _label_forms(label: str) -> str:
    """The ways a sentence writes a label, as a pattern: a number up to 12 in Roman numerals too ("World War
    1" / "World War I", "Type I" / "Type 1")."""
    if label.isdigit() and 1 <= int(label) <= len(_ROMAN):
        return f"(?:{label}|{_ROMAN[int(label) - 1]})"
    if label in _ROMAN:
        return f"(?:{label}|{_ROMAN.index(label) + 1})"
    return re.escape(label)


def _labelled(word: str, label: str) -> re.Pattern[str]:
    """How a sentence names the labelled thing: "Assignment 3", "assignments 3"; a version by its number alone
    too ("## [2.5.0] - 2025-01-14")."""
    if DOTTED.fullmatch(label):  # ... or by the line it belongs to ("2.5.x" for 2.5.1)
        parts = label.split(".")
        lines = [re.escape(".".join(parts[:n])) + r"\.x" for n in range(1, len(parts))]
        return re.compile(rf"(?<![\w.])(?:{'|'.join([re.escape(label), *lines])})(?!\w|\.\d)")
    return re.compile(rf"\b(?i:{re.escape(word)}s?)\W{{0,3}}{_label_forms(label)}(?!\w|\.\d)")


def holds_label(sentence: str, labels: list[tuple[str, str]]) -> bool:
    """Does the sentence name one of the labelled things ("Assignment 3 (Fri 21 Feb)", "| Q1 2025 | 118.7 |"),
    or a range of them that takes it in ("Years 3 to 6" for "Year 5", "Age: 4 to 5 years" for a 4-year-old)?"""
    return any(
        label in _periods(sentence, word)
        if _is_period(word, label)
        else takes_in_age(sentence, float(label))
        if word == AGE
        else holds_amount(sentence, word, label)
        if word.startswith(AMOUNT)
        else takes_in_date(sentence, label)
        if word == ON_DATE
        else label in _codes(sentence, word[len(CODE) :])
        if word.startswith(CODE)
        else bool(_labelled(word, label).search(sentence)) or _in_range(sentence, word, label)
        for word, label in labels
    )


def _in_range(sentence: str, word: str, label: str) -> bool:
    if not label.isdigit():
        return False
    pattern = rf"\b(?i:{re.escape(word)}s?)\W{{0,3}}(\d+)\s*(?:to|-|–|—|through|and)\s*(\d+)\b"
    return any(int(m.group(1)) <= int(label) <= int(m.group(2)) for m in re.finditer(pattern, sentence))


def other_label(sentence: str, labels: list[tuple[str, str]]) -> bool:
    """Does the sentence name a thing of the same word by another label, and none of that word that is asked
    ("Assignment 1" when "assignment 3" is asked about; another version number when "version 2.5.0" is; another
    weekday, quarter or season)?"""
    by_word: dict[str, list[tuple[str, str]]] = {}
    for word, label in labels:
        by_word.setdefault(word, []).append((word, label))
    # "closed on Mondays in winter" names another day, whatever season, when Wednesdays in winter are asked
    return any(
        not holds_label(sentence, same) and any(_names_another(sentence, word, label) for word, label in same)
        for word, same in by_word.items()
    )


def _is_period(word: str, label: str) -> bool:
    """Is the label a period of `PERIODS` ("monday", "Q3" as ("quarter", "3"), "09:30"), not a numbered thing of
    the same word ("Day 2" of a conference, "season 2" of a series)?"""
    return word in PERIODS and (word == "quarter" or not label.isdigit())


def _names_another(sentence: str, word: str, label: str) -> bool:
    if _is_period(word, label):  # "| Friday | Pizza |" when Thursday is asked about
        return bool(_periods(sentence, word))
    if word == AGE:  # "Age: 6 to 11 months" when a four-month-old is asked about
        return bool(age_ranges(sentence))
    if word.startswith(AMOUNT):  # "25 to 50 hours | £10" when 120 hours a month are asked about
        return names_amount(sentence, word)
    if word == ON_DATE:  # "Period: Completion to 31/07/2025" when September 2025 is asked about
        return _PERIOD.search(re.sub(r"[;,]?\s*\bto:\s*", " to ", sentence, flags=re.I)) is not None
    if word.startswith(CODE):  # "at W09" when site W12 is asked about
        return bool(_codes(sentence, word[len(CODE) :]))
    if DOTTED.fullmatch(label) and re.search(rf"(?<![\w.]){DOTTED.pattern}(?!\w|\.\d)", sentence):
        return True
    return bool(re.search(rf"\b(?i:{re.escape(word)}s?)\W{{0,3}}(?:\d|[A-Z]\b)", sentence))
