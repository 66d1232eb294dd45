"""Marks boilerplate lines (share links, video embeds, "Next Article" teasers, repeated titles).

Nothing is removed from the text: the chunker skips the marked spans, so offsets into the document stay exact.
The rules are about the shape of a line, not about any one site's strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

_SOCIAL = (
    r"twitter|facebook|instagram|youtube|rumble|telegram|tiktok|linkedin|whatsapp|threads|reddit|"
    r"google news|newsletter|x\.com|pinterest|flipboard|mastodon|bluesky|podcast|rss"
)
# A call to action aimed at the reader, short, naming a channel ("Follow SMNI NEWS in Twitter").
_CALL_TO_ACTION = re.compile(
    rf"^(follow|share|like|subscribe|join|sign up|download|watch|listen|read|get)\b.{{0,80}}\b({_SOCIAL}|"
    r"our app|the app|here|us)\b[.!:]?$",
    re.IGNORECASE,
)
# Lines that are wholly a label of the page, not prose.
_LABEL = re.compile(
    r"^(advertisement|advertising|sponsored( content)?|share( this( article| story)?)?|print|email|"
    r"comments?|related( articles?| stories| posts| news)?|more stories|recommended( for you)?|"
    r"you may also like|trending( now)?|most read|popular|tags?:.*|topics?:.*|read (more|also|next)\b.*|"
    r"also read\b.*|see also\b.*|click here\b.*|scroll (down|to continue).*|photo:.*|image:.*|"
    r"(image|photo|video) (credit|source)s?:.*|copyright\b.*|©.*|all rights reserved\.?)$",
    re.IGNORECASE,
)
# A marker after which the rest of the page is a teaser for other articles.
_TAIL_MARKER = re.compile(
    r"^(next|previous|prev) (article|story|post|news)|^read next$|^up next$|^(related|more) (articles|stories|"
    r"news|from\b.*)$|^(recommended|you may also like|more from\b.*)$",
    re.IGNORECASE,
)
# A cookie or consent banner: it speaks of cookies or consent and asks the reader to accept, agree or manage.
_CONSENT = re.compile(
    r"^(?=.*\b(cookies?|consent)\b)(?=.*\b(accept|agree|allow|reject|decline|manage|preferences|settings|"
    r"continu(e|ing) to (use|browse)|privacy policy)\b)",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^[\[\(<{][^\]\)>}]{0,120}[\]\)>}]$")  # "[Gambas:Video CNBC]"
_URL_ONLY = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
# A Markdown link reference definition ("[2.3.0]: https://github.com/o/r/compare/v2.2.1...v2.3.0"), which the
# page does not show (a footnote, "[^1]: ...", it does)
_LINK_DEFINITION = re.compile(
    r"^ {0,3}\[(?!\^)[^\]]+\]:\s*<?(?:https?://|www\.|/|\.{0,2}/|#|mailto:)\S*>?(?:\s+[\"'(].*)?$"
)
# Decoration without a letter or a figure ("* * *", "———", "|"); "| 2019 | 1,234 |" and "## [3.0.0] - 2025-05-20"
# are content.
_NO_LETTERS = re.compile(r"^[^A-Za-z0-9\u00C0-\u024F\u0370-\uFFFF]*$")
# A teaser that follows a tail marker is short; a long tail is real text and is kept.
_MAX_TAIL_CHARS = 800


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # excludes the newline
    text: str  # stripped


def split_lines(text: str) -> list[Line]:
    """Every line with its exact offsets (the newline excluded)."""
    lines = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    return lines


def _normalise(line: str) -> str:
    return re.sub(r"\W+", " ", line.lower()).strip()


def _is_headline(line: str) -> bool:
    """Short, and not a sentence: no closing punctuation."""
    return 0 < len(line.split()) <= 20 and not re.search(r"[.!?:;\"”’)]$", line)


def boilerplate_lines(text: str) -> list[Line]:
    """The lines of `text` that are page furniture rather than the document's content.

    Args:
        text: the document text.

    Returns:
        Boilerplate lines, in order, with exact offsets.
    """
    every = split_lines(text)
    # A line with a blank line (or the text's edge) on each side: a paragraph of its own, as a teaser is; a
    # line of hard-wrapped prose has its paragraph's other lines around it.
    alone = {
        line.start
        for i, line in enumerate(every)
        if line.text and (i == 0 or not every[i - 1].text) and (i + 1 == len(every) or not every[i + 1].text)
    }
    lines = [line for line in every if line.text]
    marked: dict[int, Line] = {}
    seen: set[str] = set()
    headlines = [_normalise(line.text) for line in lines if _is_headline(line.text)]
    for i, line in enumerate(lines):
        words = line.text.split()
        norm = _normalise(line.text)
        if _TAIL_MARKER.match(line.text) and len(words) <= 6:
            tail = lines[i:]
            if sum(len(t.text) for t in tail[1:]) <= _MAX_TAIL_CHARS:
                marked.update({t.start: t for t in tail})
                break
            marked[line.start] = line
        elif (
            _BRACKETED.match(line.text)
            or _URL_ONLY.match(line.text)
            or _LINK_DEFINITION.match(line.text)
            or _NO_LETTERS.match(line.text)
            or (len(words) <= 12 and (_CALL_TO_ACTION.match(line.text) or _LABEL.match(line.text)))
            or (len(words) <= 80 and _CONSENT.match(line.text))
        ):
            marked[line.start] = line
        elif norm in seen and len(words) <= 30 and not line.text.startswith("#"):
            marked[line.start] = (
                line  # a title or line repeated verbatim (not a Markdown heading: "### Fixed")
            )
        elif (
            line.start in alone
            and _is_headline(line.text)
            and any(h != norm and h in norm and len(h) > 20 for h in headlines)
        ):
            marked[line.start] = line  # a teaser glued to a headline that stands on its own elsewhere
        seen.add(norm)
    return [marked[k] for k in sorted(marked)]


def content_regions(text: str) -> list[tuple[int, int]]:
    """Maximal spans of `text` that hold no boilerplate line: chunks and sentences never cross their ends."""
    regions = []
    pos = 0
    for line in boilerplate_lines(text):
        if line.start > pos:
            regions.append((pos, line.start))
        pos = line.end
    if pos < len(text):
        regions.append((pos, len(text)))
    return [(s, e) for s, e in regions if text[s:e].strip()]


# Format characters (Unicode category Cf): zero-width spaces and joiners, bidi embeddings, overrides and
# isolates, soft hyphens, byte-order marks. They change how text looks or reads, not what it says.
@cache
def _invisible() -> dict[int, None]:
    return {cp: None for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"}


def visible(text: str) -> str:
    """The text without format characters: what is embedded and searched. Documents keep them, so that
    citations' offsets still index into the text as the file has it."""
    return text.translate(_invisible()) if not text.isascii() else text
