"""HTML for the chat UI: answers whose `[n]` markers are links, the citation panel, the whole-document view,
the sources list and the documents table. Pure functions of an Answer or a Document.

Every piece of document or model text passes through `as_text` (qa/serving/web.py) before it reaches HTML, so that a
document cannot inject markup, Markdown, links or remote images into the reader's browser.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Sequence

from index.load import Document
from index.manifest import DocumentInfo
from qa.cite import MARKER
from qa.serving.web import as_text
from qa.types import Answer, Citation

# The citation link's address: "#cite-<turn>-<n>", the turn being the answer's place in the conversation.
CITE_HREF = re.compile(r"#cite-(\d+)-(\d+)")
PARAGRAPH_CHARS = 700  # at most this much text either side of a quote in the citation panel
DOCUMENT_CHARS = 30_000  # the whole-document view shows at most this much text either side of the quote


def file_name(source: str) -> str:
    """A document's file name without the folders: the UI never shows a server path."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def cite_href(turn: int, n: int) -> str:
    return f"#cite-{turn}-{n}"


def answer_html(answer: Answer, turn: int) -> str:
    """The answer as chat HTML: `[n]` markers are links to `cite_href(turn, n)`; a refusal is muted; a follow-up
    shows the standalone question it was rewritten to."""
    parts = []
    if answer.refused:
        parts.append(f"<div class='qa-refusal'><i>{as_text(answer.answer)}</i></div>")
    else:
        # Markers are found before escaping ("[" becomes an entity), then each piece of text is escaped.
        pieces = MARKER.split(answer.answer)  # text, n, text, n, ..., text
        parts.append(
            "<div class='qa-answer'>"
            + "".join(
                as_text(p) if i % 2 == 0 else f"<a class='qa-cite' href='{cite_href(turn, int(p))}'>[{p}]</a>"
                for i, p in enumerate(pieces)
            )
            + "</div>"
        )
    if answer.standalone_question != answer.question:
        parts.append(
            f"<div class='qa-standalone'><small>Searched for: <i>{as_text(answer.standalone_question)}</i>"
            "</small></div>"
        )
    return "\n".join(parts)


def _flat(text: str) -> str:
    return as_text(re.sub(r"\s+", " ", text))


def preview(text: str, start: int, quote: tuple[int, int] | None, width: int = 300) -> str:
    """About `width` characters of a passage (starting at document offset `start`), as safe text, with the cited
    span (document offsets) marked when it falls inside."""
    if quote is None or not start <= quote[0] < start + len(text):
        return _flat(text[:width]) + ("…" if len(text) > width else "")
    a, b = quote[0] - start, min(quote[1] - start, len(text))
    lead = max(0, a - width // 3)
    tail = min(len(text), max(b, lead + width))
    return (
        ("…" if lead else "")
        + _flat(text[lead:a])
        + f"<mark>{_flat(text[a:b])}</mark>"
        + _flat(text[b:tail])
        + ("…" if tail < len(text) else "")
    )


def sources_html(answer: Answer | None, limit: int = 5) -> str:
    """The retrieved passages, each once, best first, numbered once, the cited sentence marked in its preview.
    For a refusal they are the closest passages, not sources."""
    if answer is None or not answer.sources:
        return "<p class='qa-muted'><i>The passages behind the last answer appear here.</i></p>"
    items = []
    for p in sorted(answer.sources, key=lambda p: -p.score)[: max(1, limit)]:
        cited = next(
            (c for c in answer.citations if c.doc_id == p.doc_id and p.start <= c.start < p.end), None
        )
        mark = f" · ✓ cited [{cited.n}]" if cited else ""
        where = f"{as_text(p.location.label)} · " if p.location.label else ""
        where += "OCR · " if p.location.ocr else ""
        text = preview(p.text, p.start, (cited.start, cited.end) if cited else None)
        items.append(
            f"<li><b>{as_text(file_name(p.source))}</b> <small>{where}score {p.score:.2f} · {p.start}–{p.end}"
            f"{mark}</small>"
            f"<br><small>{text}</small></li>"
        )
    title = (
        "<p class='qa-muted'><i>Closest passages (none of them answers the question)</i></p>"
        if answer.refused
        else ""
    )
    return f"{title}<ol class='qa-sources'>{''.join(items)}</ol>"


def paragraph_bounds(text: str, start: int, end: int, limit: int = PARAGRAPH_CHARS) -> tuple[int, int]:
    """The paragraph around [start, end): from the blank line (or line break) before it to the one after it,
    at most `limit` characters either side."""
    floor, ceiling = max(0, start - limit), min(len(text), end + limit)
    lo, hi = floor, ceiling
    for gap in ("\n\n", "\n"):
        before = text.rfind(gap, floor, start)
        if before >= 0:
            lo = before + len(gap)
            break
    for gap in ("\n\n", "\n"):
        after = text.find(gap, end, ceiling)
        if after >= 0:
            hi = after
            break
    return lo, hi


def _marked(text: str, lo: int, start: int, end: int, hi: int, mark_id: str = "") -> str:
    """text[lo:hi] as safe HTML with [start, end) inside a <mark>; whitespace kept (shown pre-wrapped)."""
    ident = f" id='{mark_id}'" if mark_id else ""
    return (
        ("…" if lo > 0 else "")
        + as_text(text[lo:start].lstrip("\n"))
        + f"<mark{ident}>{as_text(text[start:end])}</mark>"
        + as_text(text[end:hi].rstrip("\n"))
        + ("…" if hi < len(text) else "")
    )


def citation_html(citation: Citation, doc: Document, title: str, page_png: bytes | None = None) -> str:
    """The citation panel: the document's title and file, where the quote is (page, slide, row), the score, the
    quote marked in its paragraph, and for a PDF the page itself with the quote highlighted (`page_png`)."""
    lo, hi = paragraph_bounds(doc.text, citation.start, citation.end)
    check = "supported by the passage" if citation.supported else "not verified"
    where = citation.location
    place = f"{as_text(where.label)} · " if where.label else ""
    ocr = "read by OCR · " if where.ocr else ""
    page = ""
    if page_png is not None and where.page is not None:
        data = base64.b64encode(page_png).decode("ascii")
        page = (
            f"<figure class='qa-page'><img alt='page {where.page} of {as_text(file_name(doc.source))}, the quote "
            f"highlighted' src='data:image/png;base64,{data}' style='max-width:100%;height:auto;"
            "border:1px solid #ccc'><figcaption><small>p. "
            f"{where.page}, as printed</small></figcaption></figure>"
        )
    return (
        f"<div class='qa-citation' data-n='{citation.n}'>"
        f"<h3>[{citation.n}] {as_text(title)}</h3>"
        f"<p><small>{as_text(file_name(doc.source))} · {place}{ocr}characters {citation.start}–{citation.end} · "
        f"score {citation.score:.2f} · {check}</small></p>"
        f"<div class='qa-passage'>{_marked(doc.text, lo, citation.start, citation.end, hi)}</div>"
        f"{page}</div>"
    )


def document_html(doc: Document, title: str, start: int, end: int) -> str:
    """The whole document (or, for a long one, `DOCUMENT_CHARS` either side of the quote) with the quote marked
    as `#qa-span`, to be scrolled into view."""
    lo, hi = max(0, start - DOCUMENT_CHARS), min(len(doc.text), end + DOCUMENT_CHARS)
    return (
        f"<div class='qa-document'><h3>{as_text(title)}</h3>"
        f"<p><small>{as_text(file_name(doc.source))} · {len(doc.text):,} characters</small></p>"
        f"<div class='qa-passage qa-fulltext'>{_marked(doc.text, lo, start, end, hi, 'qa-span')}</div></div>"
    )


def size_label(chars: int) -> str:
    if chars < 1000:
        return f"{chars} chars"
    if chars < 1_000_000:
        return f"{chars / 1000:.1f}k chars"
    return f"{chars / 1_000_000:.1f}M chars"


def size_with_pages(d: DocumentInfo) -> str:
    """ "12.3k chars" and, for a PDF, its pages and how many were read by OCR: "12.3k chars · 4 pages (1 by OCR)"."""
    label = size_label(d.chars)
    if d.pages:
        label += f" · {d.pages} page{'s' if d.pages != 1 else ''}"
        if d.ocr_pages:
            label += f" ({d.ocr_pages} by OCR)"
    return label


def document_rows(docs: Sequence[DocumentInfo]) -> list[list[str | int]]:
    """The documents table: title, file name (never a server path), size (pages, OCR), chunks, when indexed."""
    return [
        [
            d.title,
            file_name(d.source),
            size_with_pages(d),
            d.chunks,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(d.indexed_at)),
        ]
        for d in docs
    ]


def document_label(d: DocumentInfo) -> str:
    """How a document is named in pickers: its title and file name."""
    name = file_name(d.source)
    return d.title if d.title == name else f"{d.title} ({name})"
