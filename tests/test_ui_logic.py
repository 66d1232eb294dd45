"""Pure logic behind the chat UI: example questions, titles, the conversation export."""

from __future__ import annotations

import json

from index.manifest import title_of
from qa.serving.conversation import export_json, export_markdown, record_feedback, turn_record
from qa.serving.examples import example_questions, questions_from_title
from qa.serving.render import CITE_HREF, cite_href, document_rows, paragraph_bounds
from qa.types import Answer, Citation


def test_headlines_become_questions_about_their_subject() -> None:
    body = "Tehran said it would help Hamas. The Quds Force sent a letter.\nIt is elite.\n"
    assert questions_from_title("Iran’s elite military branch vows to help Hamas ‘whatever it takes’", body)[
        0
    ] == ("Who vows to help Hamas?")
    title_case = "International Iranian General Vows to Help Hamas Fight Israel News – 6 hours ago"
    assert (
        questions_from_title(title_case, "They will help Hamas and Israel.")[0] == "Who vows to help Hamas?"
    )
    assert questions_from_title("Normans", "The Normans were a people.") == [
        "What do the documents say about Normans?"
    ]
    assert questions_from_title("", "") == []


def test_three_distinct_examples_from_the_titles() -> None:
    docs = [
        (
            "Iran’s elite military branch vows to help Hamas",
            "Iran’s branch said it would help Hamas. Also Iran.",
        ),
        ("Iran’s elite military branch vows to help Hamas", "The same headline twice."),
        ("Normans", "The Normans lived in Normandy."),
        ("Amazon rainforest", "The Amazon is a forest."),
    ]
    found = example_questions(docs)
    assert len(found) == 3 and len({q.lower() for q in found}) == 3
    assert found[0] == "Who vows to help Hamas?" and "Normans" in found[1]


def test_a_title_is_the_first_short_line_else_the_file_name() -> None:
    assert title_of("\n\n# Beacon notes\nbody", "docs/beacon.md") == "Beacon notes"
    assert title_of("x" * 200 + "\nmore", "squad/Normans.txt") == "Normans"
    assert title_of("", "a/b/empty.txt") == "empty"


def test_citation_links_round_trip() -> None:
    match = CITE_HREF.fullmatch(cite_href(4, 12))
    assert match is not None and match.groups() == ("4", "12")


def test_paragraph_bounds_stop_at_blank_lines() -> None:
    text = "Title\n\nFirst paragraph. The quote here. More.\n\nSecond paragraph."
    start = text.index("The quote")
    lo, hi = paragraph_bounds(text, start, start + len("The quote here."))
    assert text[lo:hi] == "First paragraph. The quote here. More."


def test_document_rows_never_show_server_paths() -> None:
    from index.manifest import DocumentInfo

    info = DocumentInfo(
        "d1", "/srv/store/uploads/report.txt", "/srv/store/uploads/report.txt", "h", 2500, 3, 0.0, "R"
    )
    assert document_rows([info])[0][:4] == ["R", "report.txt", "2.5k chars", 3]


def test_export_and_feedback_carry_quotes_offsets_and_hashes(tmp_path) -> None:
    text = "Alpha. Esmail Qaani commands the Quds Force. Omega."
    start = text.index("Esmail")
    quote = "Esmail Qaani commands the Quds Force."
    citation = Citation(1, "d1", "seeds/a.txt", start, start + len(quote), quote, 0.8, True)
    answer = Answer("Who commands it?", "Who commands the Quds Force?", f"{quote} [1]", False, (citation,))
    turn = turn_record(answer, {"d1": "abc123"}, {"d1": "Title A"})
    data = json.loads(export_json([turn], "seeds"))
    exported = data["turns"][0]["citations"][0]
    assert exported["content_hash"] == "abc123" and exported["title"] == "Title A"
    assert text[exported["start"] : exported["end"]] == exported["quote"]
    markdown = export_markdown([turn], "seeds")
    assert f"> {quote}" in markdown and "sha256 `abc123`" in markdown and "Searched for" in markdown
    path = record_feedback(tmp_path, turn, liked=False)
    entry = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["liked"] is False and entry["question"] == "Who commands it?" and entry["citations"]


def test_locations_show_in_sources_documents_and_exports() -> None:
    from index.manifest import DocumentInfo
    from index.readers.base import Location
    from qa.serving.render import sources_html
    from qa.types import Passage

    scan = DocumentInfo("scan-1", "docs/scan.pdf", None, "h" * 64, 1200, 2, 0.0, "Scan", pages=3, ocr_pages=2)
    assert document_rows([scan])[0][2] == "1.2k chars · 3 pages (2 by OCR)"
    page = Location(2, "p. 2", ocr=True)
    cited = Citation(1, "scan-1", "docs/scan.pdf", 10, 30, "x" * 20, 0.9, True, page, "a" * 64)
    source = Passage("c1", "scan-1", "docs/scan.pdf", 0, 100, "y" * 100, 0.8, location=page)
    answer = Answer("q", "q", "An answer. [1]", False, (cited,), (source,))
    assert "p&#46; 2 · OCR · score" in sources_html(answer)  # as_text escapes the dot (no Markdown lists)
    turn = turn_record(answer, {"scan-1": "b" * 64}, {"scan-1": "Scan"})
    assert turn["citations"][0]["content_hash"] == "a" * 64  # the version it was given with, not today's
    assert turn["citations"][0]["page"] == 2 and turn["citations"][0]["ocr"] is True
    assert "`docs/scan.pdf`, p. 2 (read by OCR), characters 10–30" in export_markdown([turn], "c")
