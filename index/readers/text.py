"""Plain text, Markdown and HTML.

Plain text and Markdown are the file itself (decoded, universal newlines), so `open(path).read()[start:end]`
is the quote (CONTRACT.md). HTML pages are reduced to their main text by trafilatura.
"""

from __future__ import annotations

import re

from index.errors import LoadError
from index.readers.base import Extracted, decode, record


def read_text(raw: bytes, source: str) -> Extracted:
    # Universal newlines, as open(path, encoding="utf-8").read() gives (CONTRACT.md).
    return Extracted(decode(raw, source).replace("\r\n", "\n").replace("\r", "\n"))


_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    found = _ROW.match(line)
    return [c.strip() for c in found.group(1).split("|")] if found else []


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
                row = _cells(lines[i])
                line = record(list(zip(header + [""] * (len(row) - len(header)), row, strict=False)))
                if line:
                    out.append(line)
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def html_text(html: str) -> str:
    """The main text of an HTML page (navigation, share links and footers dropped; tables as one line per row
    with its headers), "" when none."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""
    return tables_as_records(text)


_BLOCKS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt", "dd", "figcaption"}
)


def html_blocks(html: str) -> str:
    """Every block of an HTML document that is all content (an EPUB chapter), in order, one per line: headings,
    paragraphs, list items, and table rows as records with their headers. Unlike `html_text`, nothing is judged
    boilerplate and dropped."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html.encode("utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return ""
    for junk in root.xpath("//script|//style|//head|//nav"):
        junk.drop_tree()

    def tag(element: object) -> str:
        name = getattr(element, "tag", None)
        return name.split("}")[-1].lower() if isinstance(name, str) else ""

    lines: list[str] = []
    for element in root.iter():
        name = tag(element)
        if not name or any(tag(a) in _BLOCKS or tag(a) == "table" for a in element.iterancestors()):
            continue
        if name == "table":
            rows = [
                [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
                for row in element.iter("tr")
            ]
            rows = [r for r in rows if any(r)]
            header, body = (
                (rows[0], rows[1:]) if len(rows) > 1 else ([""] * len(rows[0]) if rows else [], rows)
            )
            lines += [
                record(list(zip(header + [""] * (len(r) - len(header)), r, strict=False))) for r in body
            ]
        elif name in _BLOCKS:
            lines.append(" ".join(element.text_content().split()))
    text = "\n".join(line for line in lines if line)
    return text or " ".join(root.text_content().split())


def read_html(raw: bytes, source: str) -> Extracted:
    text = html_text(decode(raw, source))
    if not text:
        raise LoadError(source, "no main text found in the HTML page")
    return Extracted(text)
