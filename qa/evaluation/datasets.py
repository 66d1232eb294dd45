"""Question sets for `qa eval`: the seeds-qa JSONL format and SQuAD 2.0 JSON, with gold spans as offsets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import BadInput
from index.load import Document
from qa.evaluation.metrics import GoldSpan


@dataclass(frozen=True)
class Item:
    """One graded question: `turns` are asked in one conversation and the last one is graded."""

    id: str
    turns: list[str]
    answers: list[str]
    answerable: bool
    gold: list[GoldSpan] = field(default_factory=list)  # doc is a Document's source


@dataclass(frozen=True)
class Dataset:
    name: str
    items: list[Item]
    documents: list[Document] | None  # None: the documents are files (seeds-qa names them by file name)


def whole_words(context: str, start: int, text: str) -> tuple[int, str]:
    """A gold answer widened to whole words when its span cuts one: (start, text).

    Some annotations start or end inside a word ("he clean area includes ..." for "The clean area includes
    ...", "fever, cough, and sh" for "... shortness of breath": 30 of COVID-QA dev's 948 answers, 15 of the
    SQuAD dev half's 10,052, "Australia" for "Australians"); compared as whole words, as answer recall compares
    them, no answer could hold them.
    An answer whose text is not at its offset is returned as it is."""
    end = start + len(text)
    if context[start:end] != text or not text:
        return start, text
    while start > 0 and context[start - 1].isalnum() and context[start].isalnum():
        start -= 1
    while end < len(context) and context[end].isalnum() and context[end - 1].isalnum():
        end += 1
    return start, context[start:end]


def load_squad(path: Path) -> Dataset:
    """SQuAD 2.0: each article is one document, its paragraphs joined by a blank line. Gold answers that cut
    a word are widened to whole words (`whole_words`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    documents, items = [], []
    for article in data["data"]:
        source = f"squad/{article['title']}"
        offsets, pos = [], 0
        for para in article["paragraphs"]:
            offsets.append(pos)
            pos += len(para["context"]) + 2
        documents.append(Document.from_text(source, "\n\n".join(p["context"] for p in article["paragraphs"])))
        for para, base in zip(article["paragraphs"], offsets, strict=True):
            for qa in para["qas"]:
                spans = [
                    whole_words(para["context"], a["answer_start"], a["text"])
                    for a in qa.get("answers", [])
                    if a["text"].strip()
                ]
                items.append(
                    Item(
                        id=qa["id"],
                        turns=[qa["question"]],
                        answers=sorted({text for _, text in spans}),
                        answerable=not qa.get("is_impossible", False) and bool(spans),
                        gold=[
                            GoldSpan(source, base + start, base + start + len(text)) for start, text in spans
                        ],
                    )
                )
    return Dataset(path.stem, items, documents)


def load_seeds_qa(path: Path) -> Dataset:
    """The seeds-qa JSONL format: `support` quotes name their file; gold spans are resolved when indexed."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            turns = raw.get("turns") or [raw["question"]]
            items.append(
                Item(
                    id=str(raw.get("id", number)),
                    turns=list(turns),
                    answers=list(raw.get("answers", [])),
                    answerable=bool(raw.get("answerable", bool(raw.get("answers")))),
                    # "file\0quote", offsets unknown until `resolve_quotes` finds the quote in the indexed text
                    gold=[GoldSpan(f"{s['doc']}\0{s['quote']}", -1, -1) for s in raw.get("support", [])],
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadInput(f"{path}, line {number}: not a seeds-qa item ({exc})") from None
    return Dataset(path.stem, items, None)


def resolve_quotes(items: list[Item], documents: list[Document]) -> list[Item]:
    """Turn seeds-qa support quotes (file name + exact quote) into offsets in the indexed documents."""
    by_name = {Path(d.source).name: d for d in documents}
    out = []
    for item in items:
        gold = []
        for span in item.gold:
            name, _, quote = span.doc.partition("\0")
            doc = by_name.get(name)
            pos = doc.text.find(quote) if doc else -1
            if doc is not None and pos >= 0:
                gold.append(GoldSpan(doc.source, pos, pos + len(quote)))
        out.append(Item(item.id, item.turns, item.answers, item.answerable, gold))
    return out


def load_dataset(path: Path) -> Dataset:
    """Read a dataset by its format: `.jsonl` is seeds-qa, `.json` is SQuAD 2.0."""
    if not path.is_file():
        raise BadInput(f"dataset {path}: no such file")
    if path.suffix == ".jsonl":
        return load_seeds_qa(path)
    if path.suffix == ".json":
        try:
            return load_squad(path)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadInput(f"dataset {path}: not SQuAD 2.0 JSON ({exc})") from None
    raise BadInput(f"dataset {path}: expected .jsonl (seeds-qa) or .json (SQuAD 2.0)")
