"""PowerPoint decks (.pptx) with python-pptx: each slide's title, text, tables and speaker notes, by slide."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from index.errors import LoadError
from index.readers.base import Extracted, TextBuilder, one_line, record
from index.readers.docx import add_table


def _shapes(shapes: Any) -> Iterator[Any]:
    """Every shape, group members included, top to bottom and left to right."""
    for shape in sorted(shapes, key=lambda s: ((s.top or 0), (s.left or 0))):
        if getattr(shape, "shapes", None) is not None:  # a group
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _paragraphs(frame: Any, bulleted: bool = False) -> list[str]:
    """The frame's paragraphs, one line each; a bullet point as a list item ("- Salaries are paid ...",
    indented by its level), so that a slide's points, which seldom end with a full stop, read as items of a
    list rather than as headings or as lines of one wrapped sentence. A paragraph is a bullet point when it
    says so (`a:buChar`, `a:buAutoNum`) or stands in a content placeholder (`bulleted`), whose points the
    slide layout bullets, unless it says it has none (`a:buNone`)."""
    lines = []
    for paragraph in frame.paragraphs:
        text = one_line(paragraph.text)
        if text and _is_bullet(paragraph, bulleted):
            text = "  " * (paragraph.level or 0) + "- " + text
        if text:
            lines.append(text)
    return lines


def _is_bullet(paragraph: Any, bulleted: bool) -> bool:
    properties = paragraph._p.pPr
    if properties is not None:
        marks = {child.tag.rsplit("}", 1)[-1] for child in properties}
        if "buNone" in marks:
            return False
        if marks & {"buChar", "buAutoNum"}:
            return True
    return bulleted


def _bulleted(shape: Any) -> bool:
    """Is the shape a content placeholder, whose paragraphs the layout bullets?"""
    from pptx.enum.shapes import PP_PLACEHOLDER

    if not shape.is_placeholder:
        return False
    return shape.placeholder_format.type in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)


def _add_chart(builder: TextBuilder, chart: Any, label: str) -> None:
    """A chart as its title and one record per category: "Quarter: Q1; Units sold: 120; Returns: 4."."""
    title = (
        one_line(chart.chart_title.text_frame.text)
        if chart.has_title and chart.chart_title.has_text_frame
        else ""
    )
    if title:
        builder.add(title, label=f"{label}, chart")
        builder.add("\n")
    try:
        plot = chart.plots[0]
        categories = [str(c) for c in plot.categories]
        series = [(one_line(s.name or ""), list(s.values)) for s in plot.series]
    except (IndexError, KeyError, AttributeError, ValueError):
        return
    for i, category in enumerate(categories):
        fields = [("Category", category)] + [
            (name or f"Series {n + 1}", "" if i >= len(values) or values[i] is None else f"{values[i]:g}")
            for n, (name, values) in enumerate(series)
        ]
        line = record(fields)
        if line:
            builder.add(line, label=f"{label}, chart")
            builder.add("\n")
    builder.gap()


def read_pptx(raw: bytes, source: str) -> Extracted:
    import pptx

    try:
        deck = pptx.Presentation(io.BytesIO(raw))
    except Exception as exc:
        raise LoadError(source, f"not a readable PowerPoint deck ({type(exc).__name__}: {exc})") from None
    builder = TextBuilder()
    for number, slide in enumerate(deck.slides, 1):
        label = f"slide {number}"
        title = slide.shapes.title
        builder.gap()
        if title is not None and title.has_text_frame and one_line(title.text_frame.text):
            builder.add(one_line(title.text_frame.text), label=label)
            builder.add("\n\n")
        for shape in _shapes(slide.shapes):
            if title is not None and shape.shape_id == title.shape_id:
                continue
            if getattr(shape, "has_chart", False) and shape.has_chart:
                _add_chart(builder, shape.chart, label)
            elif getattr(shape, "has_table", False) and shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                add_table(builder, rows, f"{label}, table")
            elif shape.has_text_frame:
                for text in _paragraphs(shape.text_frame, _bulleted(shape)):
                    builder.add(text, label=label)
                    builder.add("\n")
                builder.gap()
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            notes = _paragraphs(slide.notes_slide.notes_text_frame)
            builder.gap()
            for text in notes:
                builder.add(text, label=f"{label}, notes")
                builder.add("\n")
    return builder.build()
