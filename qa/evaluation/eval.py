"""`qa eval`: runs a question set through the real pipeline and reports retrieval, answers, citations, refusals
and latency, with per-question rows (JSONL) and a one-page HTML report."""

from __future__ import annotations

import json
import logging
import random
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from index.errors import BadInput
from index.settings import Settings
from qa.assistant import Assistant
from qa.evaluation.baselines import BUILDERS, Baseline
from qa.evaluation.datasets import Dataset, Item, load_dataset, resolve_quotes
from qa.evaluation.metrics import contains_answer, overlaps, percentile, rate
from qa.generation.verify import split_answer
from qa.types import Answer

log = logging.getLogger(__name__)

KS = (1, 3, 5, 10)
PROJECT = Path(__file__).resolve().parents[2]


def grade(item: Item, answer: Answer, text_of: Callable[[str], str]) -> dict[str, Any]:
    """One row: what was asked and answered, and how it scores against the gold data.

    Args:
        text_of: doc_id -> the document's text, to check that every quote is exact.
    """
    hit_rank = next(
        (i + 1 for i, p in enumerate(answer.sources) if overlaps(p.source, p.start, p.end, item.gold)), None
    )
    first = split_answer(answer.answer)[0][0] if answer.answer.strip() else ""
    good_citations = [
        overlaps(c.source, c.start, c.end, item.gold) or contains_answer(c.quote, item.answers)
        for c in answer.citations
    ]
    return {
        "id": item.id,
        "question": item.turns[-1],
        "standalone_question": answer.standalone_question,
        "answerable": item.answerable,
        "gold_answers": item.answers,
        "answer": answer.answer,
        "refused": answer.refused,
        "hit_rank": hit_rank,
        "answer_hit": item.answerable and not answer.refused and contains_answer(answer.answer, item.answers),
        "first_sentence_hit": item.answerable and not answer.refused and contains_answer(first, item.answers),
        "supported": item.answerable and any(good_citations),
        "citation_precision": rate(good_citations),
        "quote_ok": all(text_of(c.doc_id)[c.start : c.end] == c.quote for c in answer.citations),
        "answer_words": len(answer.answer.split()),
        "latency_ms": answer.timings_ms.get("total", 0.0),
        "first_token_ms": answer.timings_ms.get("first_token"),
        "generate_ms": answer.timings_ms.get("generate"),
        "tokens": answer.completion_tokens,
        "model": answer.model,
        "checked_sentences": answer.verification.sentences,
        "dropped_sentences": len(answer.verification.dropped),
        "fallback": answer.verification.fallback,
        "citations": [c.to_dict() for c in answer.citations],
    }


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate metrics over graded rows (answerable and unanswerable questions counted apart)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in answerable if not r["refused"]]
    precisions = [
        r["citation_precision"] for r in rows if r["citation_precision"] is not None and r["answerable"]
    ]
    latencies = [r["latency_ms"] for r in rows]
    metrics: dict[str, Any] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    for k in KS:
        metrics[f"recall@{k}"] = rate([r["hit_rank"] is not None and r["hit_rank"] <= k for r in answerable])
    metrics["mrr"] = (
        statistics.fmean(1 / r["hit_rank"] if r["hit_rank"] else 0.0 for r in answerable)
        if answerable
        else None
    )
    metrics.update(
        {
            "answer_recall": rate([r["answer_hit"] for r in answerable]),
            "answer_in_first_sentence": rate([r["first_sentence_hit"] for r in answerable]),
            "cited_support": rate([r["supported"] for r in answerable]),
            "citation_precision": statistics.fmean(precisions) if precisions else None,
            "false_refusal": rate([r["refused"] for r in answerable]),
            "refusal_accuracy": rate([r["refused"] for r in unanswerable]),
            "quote_fidelity": rate([r["quote_ok"] for r in rows]),
            "median_answer_words": statistics.median(r["answer_words"] for r in answered)
            if answered
            else None,
            "latency_p50_ms": percentile(latencies, 50),
            "latency_p95_ms": percentile(latencies, 95),
        }
    )
    generated = [r for r in rows if r.get("first_token_ms") is not None]
    if generated:  # llm mode
        speeds = [
            (r["tokens"] - 1) / (r["generate_ms"] / 1000)
            for r in generated
            if r["tokens"] > 1 and r["generate_ms"]
        ]
        checked = sum(r["checked_sentences"] for r in rows)
        metrics.update(
            {
                "first_token_p50_ms": percentile([r["first_token_ms"] for r in generated], 50),
                "first_token_p95_ms": percentile([r["first_token_ms"] for r in generated], 95),
                "tokens_per_s": statistics.median(speeds) if speeds else None,
                "fallback_rate": rate([r["fallback"] for r in generated]),
                "dropped_sentence_rate": sum(r["dropped_sentences"] for r in rows) / checked
                if checked
                else 0.0,
            }
        )
    return metrics


def open_for(
    dataset: Dataset, settings: Settings | None, out: Path, own_store: bool = False
) -> tuple[Assistant, list[Item]]:
    """An assistant whose store holds the dataset's documents (indexed now if needed; re-runs are no-ops).

    Args:
        own_store: keep the documents in a store of the evaluation's own under `out` (the settings' mode and
            model still apply); else use the settings' store as it is.
    """
    if settings is None or own_store:
        settings = (settings or Settings()).with_(
            store=out / "store", collection=f"eval-{_slug(dataset.name)}"
        )
    assistant = Assistant.open(settings=settings)
    if dataset.documents is not None:
        assistant.indexer().index_documents(dataset.documents)
        return assistant, dataset.items
    if not assistant.documents():
        assistant.index([PROJECT / "seeds"])
    docs = [assistant.document(d.doc_id) for d in assistant.documents()]
    return assistant, resolve_quotes(dataset.items, docs)


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:60].strip("-") or "dataset"


def run_items(
    assistant: Assistant,
    items: Sequence[Item],
    desc: str = "eval",
    method: Assistant | Baseline | None = None,
) -> list[dict[str, Any]]:
    """Ask every item (conversations turn by turn) and grade the last answer.

    Args:
        method: what answers (default: the assistant itself; or a baseline over the same store).
    """
    assistant.warm_up()
    method = method or assistant
    rows = []
    for item in tqdm(items, desc=desc, unit="q"):
        chat = method.chat()
        for turn in item.turns:
            answer = chat.ask(turn)
        rows.append(grade(item, answer, lambda doc_id: assistant.document(doc_id).text))
    return rows


def draw(items: Sequence[Item], sample: str | int | None, seed: int) -> list[Item]:
    """A random sample: `N` questions, or `A:U` answerable and unanswerable ones (all when None).

    Raises:
        BadInput: a malformed sample spec.
    """
    if not sample:
        return list(items)
    rng = random.Random(seed)
    spec = str(sample)
    try:
        if ":" not in spec:
            n = int(spec)
            return rng.sample(list(items), n) if n < len(items) else list(items)
        wanted = [int(part) for part in spec.split(":")]
    except ValueError:
        raise BadInput(f"--sample {spec!r}: give N or A:U (answerable:unanswerable), e.g. 100:50") from None
    groups = [[i for i in items if i.answerable], [i for i in items if not i.answerable]]
    drawn = [rng.sample(g, min(n, len(g))) for g, n in zip(groups, wanted, strict=True)]
    return drawn[0] + drawn[1]


def run_eval(
    dataset_path: Path,
    settings: Settings | None = None,
    own_store: bool = False,
    out: Path = Path("eval-out"),
    sample: str | int | None = None,
    seed: int = 0,
    baselines: bool = False,
    extra: Path | None = None,
) -> dict[str, Any]:
    """Evaluate a dataset; writes `rows.jsonl`, `metrics.json` and `report.html` under `out`.

    Args:
        extra: more questions (seeds-qa JSONL) asked of the same documents, after the sample is drawn: the
            COVID-QA articles with questions about things they never mention, for instance.

    Returns:
        {"dataset": ..., "methods": {"qa": metrics, and the baselines' when asked}}.
    """
    dataset = load_dataset(dataset_path)
    out.mkdir(parents=True, exist_ok=True)
    assistant, items = open_for(dataset, settings, out, own_store)
    items = draw(items, sample, seed)
    if extra is not None:
        items += load_dataset(extra).items
    rows = run_items(assistant, items)
    results: dict[str, Any] = {
        "dataset": str(dataset_path),
        "extra": str(extra) if extra else None,
        "sample": sample,
        "seed": seed,
        "methods": {},
    }
    results["methods"]["qa"] = summarize(rows)
    _write_rows(out / "rows.jsonl", rows)
    for name, build in BUILDERS.items() if baselines else ():
        baseline_rows = run_items(assistant, items, desc=name, method=build(assistant))
        results["methods"][name] = summarize(baseline_rows)
        _write_rows(out / f"rows-{name}.jsonl", baseline_rows)
    (out / "metrics.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    from qa.evaluation.report import write_report

    write_report(out / "report.html", results, rows)
    log.warning("wrote %s", out / "report.html")
    print_table(results)
    assistant.close()
    return results


def _write_rows(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def print_table(results: dict[str, Any], echo: Callable[[str], None] = print) -> None:
    """The metrics as a Markdown table, one column per method."""
    methods = results["methods"]
    names = list(methods)
    keys = [k for k in methods["qa"] if k not in ("questions", "answerable", "unanswerable")]
    echo(
        f"{results['dataset']}: {methods['qa']['questions']} questions "
        f"({methods['qa']['answerable']} answerable, {methods['qa']['unanswerable']} unanswerable)"
    )
    echo("| metric | " + " | ".join(names) + " |")
    echo("|---|" + "---|" * len(names))
    for key in keys:
        cells = []
        for name in names:
            value = methods[name].get(key)
            cells.append("–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value))
        echo(f"| {key} | " + " | ".join(cells) + " |")
