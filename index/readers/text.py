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


def read_html(raw: bytes, source: str) -> Extracted:
    text = html_text(decode(raw, source))
    if not text:
        raise LoadError(source, "no main text found in the HTML page")
    return Extracted(text)
