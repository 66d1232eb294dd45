"""Plain text, Markdown and HTML.

Plain text and Markdown are the file itself (decoded, universal newlines), so `open(path).read()[start:end]`
is the quote (CONTRACT.md). HTML pages are reduced to their main text by trafilatura.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from index.errors import LoadError
from index.readers.base import Extracted, decode, html_table_records, under


def read_text(raw: bytes, source: str) -> Extracted:
    # Universal newlines, as open(path, encoding="utf-8").read() gives (CONTRACT.md).
    return Extracted(decode(raw, source).replace("\r\n", "\n").replace("\r", "\n"))


_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    found = _ROW.match(line)
    return [c.strip() for c in found.group(1).split("|")] if found else []


def pipe_record(text: str, start: int) -> str | None:
    """The row of a pipe table that begins at `start` of `text`, as a record under the table's headers
    ("| 10 to 15 kg | 5 ml |" under "| Body weight | Single dose |" / "|---|---|" -> "Body weight: 10 to 15 kg;
    Single dose: 5 ml."), as `tables_as_records` writes it; None where no such row begins there, or it is the
    header."""
    end = text.find("\n", start)
    cells = _cells(text[start : end if end >= 0 else len(text)])
    at = start
    while cells and at > 0:
        above = text.rfind("\n", 0, at - 1) + 1
        line = text[above : at - 1]
        if _RULE.match(line):
            header_start = text.rfind("\n", 0, max(0, above - 1)) + 1
            header = _cells(text[header_start : max(header_start, above - 1)])
            return under(header, cells) or None if header else None
        if not _cells(line):
            return None
        at = above
    return None


def tables_as_records(text: str) -> str:
    """Pipe tables ("| Product | Weight |" / "|---|---|" / "| Atlas desk | 31 kg |", as trafilatura writes an
    HTML table) as one line per row that keeps the headers: "Product: Atlas desk; Weight: 31 kg."."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _cells(lines[i]) and _RULE.match(lines[i + 1]):
            header = _cells(lines[i])
            i += 2
            while i < len(lines) and _cells(lines[i]):
                line = under(header, _cells(lines[i]))
                if line:
                    out.append(line)
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def tables_as_paragraphs(html: str) -> str:
    """The page with each <table> replaced by one paragraph per row that keeps the headers, so the main-text
    extractor keeps rows whole whatever way it writes tables."""
    import lxml.html

    if "<table" not in html.lower():
        return html
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    for table in reversed(root.xpath("//table")):
        rows = [
            [(c.tag.lower(), " ".join(c.text_content().split())) for c in row.xpath("./th|./td")]
            for row in table.xpath(".//tr")
        ]
        records = html_table_records(rows)
        if not records or table.xpath(".//table"):
            continue  # a layout table holding tables: left to the extractor
        holder = lxml.html.Element("div")
        for _, line in records:
            paragraph = lxml.html.Element("p")
            paragraph.text = line
            holder.append(paragraph)
        holder.tail = table.tail
        table.getparent().replace(table, holder)
    return str(lxml.html.tostring(root, encoding="unicode"))


def html_text(html: str) -> str:
    """The main text of an HTML page (navigation, share links and footers dropped; tables as one line per row
    with its headers), "" when none."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(
        logging.CRITICAL
    )  # "Document is empty": we report that ourselves
    text = trafilatura.extract(
        tables_as_paragraphs(html), include_comments=False, include_tables=True, favor_recall=True
    )
    return with_headings(html, tables_as_records(text or ""))


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_html(raw: bytes, source: str) -> str:
    """An HTML page's text: by byte-order mark or UTF-8, else by the charset its <meta> declares, else as
    Windows-1252 (what pages without a declaration that are not UTF-8 mostly are)."""
    try:
        return decode(raw, source)
    except LoadError:
        declared = _CHARSET.search(raw[:4096])
        for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["cp1252"]:
            try:
                return raw.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
        raise


_BLOCKS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt", "dd", "figcaption"}
)


def html_blocks(content: bytes) -> str:
    """Every block of an (X)HTML document that is all content (an EPUB chapter), in order, one per line:
    headings (marked by level, "## Method", as Markdown writes them), paragraphs, list items, and table rows as
    records with their headers. Unlike `html_text`, nothing is judged boilerplate and dropped. The encoding is
    the one the document declares (UTF-8 by default)."""
    import lxml.etree
    import lxml.html

    root = None
    try:  # well-formed XHTML as XML, so its declaration (encoding="iso-8859-1") is honoured; else as HTML
        root = lxml.etree.fromstring(content, lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    except lxml.etree.XMLSyntaxError:
        root = None
    if root is None:
        try:
            root = lxml.html.fromstring(content)
        except (ValueError, lxml.etree.ParserError):
            return ""
    # blocks apart by a blank line, as Markdown writes them; the items of a list, and the rows of a table, on
    # lines of their own one under another
    text, previous = "", ""
    for name, line in _blocks(root):
        if line:
            listed = name in ("li", "tr") and name == previous
            text += ("\n" if listed else "\n\n") + line if text else line
            previous = name
    return text or " ".join(_content(root).split())


def _blocks(root: Any) -> list[tuple[str, str]]:
    """The blocks of a parsed (X)HTML document in order, as (tag, line): see `html_blocks`. Scripts, styles,
    the head and navigation are removed from the tree."""
    for junk in [e for e in root.iter() if _name(e) in ("script", "style", "head", "nav")]:
        parent = junk.getparent()
        if parent is not None:
            parent.remove(junk)
    blocks: list[tuple[str, str]] = []
    for element in root.iter():
        name = _name(element)
        if not name or any(_name(a) in _BLOCKS or _name(a) == "table" for a in element.iterancestors()):
            continue
        if name == "table":
            rows = [
                [(_name(c), " ".join(_content(c).split())) for c in row if _name(c) in ("th", "td")]
                for row in element.iter()
                if _name(row) == "tr"
            ]
            blocks += [("tr", line) for _, line in html_table_records(rows)]
        elif name in _BLOCKS:
            line = " ".join(_content(element).split())
            if name == "li" and line:
                line = f"{_item_mark(element)}{line}"
            elif re.fullmatch(r"h[1-6]", name) and line:
                # a heading as Markdown writes it, so that its level nests the sections under it ("Method"
                # under "Lemon Drizzle Loaf": a step is about the recipe it belongs to)
                line = f"{'#' * int(name[1])} {line}"
            blocks.append((name, line))
    return blocks


# How many lines past the last one placed a heading kept as a plain line may stand.
_HEADING_REACH = 3
_MARK = re.compile(r"^(?:#{1,6}|[-*•]|\d+[.)])\s+")


def _bare(line: str) -> str:
    """A line without its heading or list mark, its white space collapsed, lower case."""
    return _MARK.sub("", " ".join(line.split())).lower()


def with_headings(html: str, text: str) -> str:
    """The main text of a page (`html_text`'s) with the page's headings put back, each on a line of its own
    before the first block under it that the text kept, marked by level ("## Rate limits") as Markdown writes
    them. trafilatura drops every heading of some pages (one with a <nav>, or past some size), and the
    sections a heading opens are what an answer is about. A heading whose first two blocks were both dropped
    (a "Related articles" list) stays out; one whose first block alone was (a thread's title above its tags
    line) heads the next."""
    import lxml.html

    if not re.search(r"<h[1-6][\s>]", html, re.IGNORECASE) or not text:
        return text
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return text
    lines = text.split("\n")
    bare = [_bare(line) for line in lines]
    before: dict[int, list[str]] = {}  # line index -> headings to put before it
    marked: dict[int, str] = {}  # line index -> the heading that line is, kept by the text without its mark
    waiting: list[str] = []
    dropped = 0  # blocks dropped since the waiting headings
    cursor = 0
    for name, line in _blocks(root):
        if not line:
            continue
        key = _bare(line)
        if re.fullmatch(r"h[1-6]", name):
            # a heading the text kept as a plain line, among the next few
            kept = next(
                (i for i in range(cursor, min(cursor + _HEADING_REACH, len(lines))) if bare[i] == key), None
            )
            if kept is not None:
                marked[kept] = line
                cursor = kept + 1
            else:
                waiting.append(line)
                dropped = 0
            continue
        found = next((i for i in range(cursor, len(lines)) if key[:40] and key[:40] in bare[i]), None)
        if found is None:
            dropped += 1
            if dropped >= 2:
                waiting = []  # the heading's first blocks were dropped: it heads boilerplate
            continue
        if waiting:
            before.setdefault(found, []).extend(waiting)
            waiting = []
        cursor = found
    if not before and not marked:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out += before.get(i, [])
        out.append(marked.get(i, line))
    # the page's title, above a blank line as a document's title stands, is no section's parent
    if out[0].startswith("# "):
        out.insert(1, "")
    return "\n".join(out)


def _item_mark(item: object) -> str:
    """What marks a list item as Markdown writes it: "- " in a bulleted list, "3. " as the third of a numbered one
    (from the list's `start`)."""
    parent = item.getparent()  # type: ignore[attr-defined]
    if parent is None or _name(parent) != "ol":
        return "- "
    siblings = [c for c in parent if _name(c) == "li"]
    try:
        first = int(parent.get("start", "1"))
    except ValueError:
        first = 1
    return f"{first + siblings.index(item)}. "


def _name(element: object) -> str:
    """An element's tag without its namespace, lower-case ("" for comments and processing instructions)."""
    name = getattr(element, "tag", None)
    return name.split("}")[-1].lower() if isinstance(name, str) else ""


def _content(element: object) -> str:
    """All the text inside an element (lxml.etree elements have no text_content())."""
    return "".join(element.itertext())  # type: ignore[attr-defined]


def read_html(raw: bytes, source: str) -> Extracted:
    text = html_text(decode_html(raw, source))
    if not text:
        raise LoadError(source, "no main text found in the HTML page")
    return Extracted(text)
