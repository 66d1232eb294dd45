"""A conversation's record: export as JSON and Markdown, and feedback on its answers.

Each exported quote carries its document, exact offsets and the document's content hash at the time of the
answer, so that anyone can check it later: `sha256(text) == content_hash` and `text[start:end] == quote`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qa.types import Answer

FEEDBACK_FILE = "feedback.jsonl"
_append_lock = threading.Lock()


def turn_record(answer: Answer, hashes: Mapping[str, str], titles: Mapping[str, str]) -> dict[str, Any]:
    """One answered turn as exported: the Answer's fields, each citation with its document's title and content
    hash (the one it was given with; `hashes`, the documents' current ones, for citations that carry none)."""
    citations = [
        {
            **c.to_dict(),
            "title": titles.get(c.doc_id, ""),
            "content_hash": c.content_hash or hashes.get(c.doc_id),
        }
        for c in answer.citations
    ]
    return {
        "question": answer.question,
        "standalone_question": answer.standalone_question,
        "answer": answer.answer,
        "refused": answer.refused,
        "mode": answer.mode,
        "model": answer.model,
        "citations": citations,
    }


def export_json(turns: Sequence[dict[str, Any]], collection: str) -> str:
    """The conversation as a JSON document."""
    return json.dumps(
        {
            "collection": collection,
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "turns": list(turns),
        },
        ensure_ascii=False,
        indent=2,
    )


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def export_markdown(turns: Sequence[dict[str, Any]], collection: str) -> str:
    """The conversation as Markdown: each question, its answer, then each quote with where it comes from."""
    lines = [f"# Conversation over “{collection}”", "", f"Exported {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    for i, turn in enumerate(turns, 1):
        lines += [f"## {i}. {turn['question']}", ""]
        if turn["standalone_question"] != turn["question"]:
            lines += [f"*Searched for: {turn['standalone_question']}*", ""]
        lines += [turn["answer"], ""]
        for c in turn["citations"]:
            lines += [
                _quoted(c["quote"]),
                "",
                f"[{c['n']}] {c['title'] or c['source']} — `{c['source']}`"
                + (f", {c['location']}" if c.get("location") else "")
                + (" (read by OCR)" if c.get("ocr") else "")
                + f", characters {c['start']}–{c['end']}, "
                f"doc_id `{c['doc_id']}`, sha256 `{c['content_hash']}`",
                "",
            ]
    return "\n".join(lines)


def record_feedback(folder: Path, turn: dict[str, Any], liked: bool) -> Path:
    """Append a thumbs up (`liked`) or down on an answered turn, with its question and answer, to
    `folder/feedback.jsonl` (one JSON object per line)."""
    path = Path(folder) / FEEDBACK_FILE
    line = json.dumps(
        {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "liked": liked, **turn}, ensure_ascii=False
    )
    with _append_lock, path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    return path
