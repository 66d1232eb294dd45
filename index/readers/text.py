"""Plain text, Markdown and HTML.

Plain text and Markdown are the file itself (decoded, universal newlines), so `open(path).read()[start:end]`
is the quote (CONTRACT.md). HTML pages are reduced to their main text by trafilatura.
"""

from __future__ import annotations

from index.errors import LoadError
from index.readers.base import Extracted, decode


def read_text(raw: bytes, source: str) -> Extracted:
    # Universal newlines, as open(path, encoding="utf-8").read() gives (CONTRACT.md).
    return Extracted(decode(raw, source).replace("\r\n", "\n").replace("\r", "\n"))


def html_text(html: str) -> str:
    """The main text of an HTML page (navigation, share links and footers dropped), "" when none."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True) or ""


def read_html(raw: bytes, source: str) -> Extracted:
    text = html_text(decode(raw, source))
    if not text:
        raise LoadError(source, "no main text found in the HTML page")
    return Extracted(text)
