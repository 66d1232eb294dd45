"""The one-page HTML report of `qa eval`: the metrics table and plots (matplotlib PNGs embedded)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(results: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = []
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for name, metrics in results["methods"].items():
        ks = [k for k in (1, 3, 5, 10) if metrics.get(f"recall@{k}") is not None]
        ax.plot(ks, [metrics[f"recall@{k}"] for k in ks], marker="o", label=name)
    ax.set(xlabel="k passages", ylabel="recall@k", title="Retrieval recall@k", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend()
    plots.append(("Retrieval recall@k", _png(fig)))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    latencies = [r["latency_ms"] for r in rows]
    ax.hist(latencies, bins=40, color="#4477aa")
    ax.set(xlabel="ms per question (warm)", ylabel="questions", title="Latency")
    plots.append(("Latency", _png(fig)))
    plt.close(fig)
    return plots


def write_report(path: Path, results: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """Write the report page."""
    esc = html.escape
    methods = results["methods"]
    keys = [k for k in methods["qa"] if k not in ("questions", "answerable", "unanswerable")]
    head = "".join(f"<th>{esc(n)}</th>" for n in methods)
    body = ""
    for key in keys:
        cells = ""
        for name in methods:
            value = methods[name].get(key)
            cells += (
                f"<td>{'–' if value is None else f'{value:.3f}' if isinstance(value, float) else value}</td>"
            )
        body += f"<tr><th>{esc(key)}</th>{cells}</tr>"
    images = "".join(
        f"<figure><img src='data:image/png;base64,{png}' alt='{esc(t)}'></figure>"
        for t, png in _plots(results, rows)
    )
    misses = [r for r in rows if r["answerable"] and not r["answer_hit"]][:20]
    miss_rows = "".join(
        f"<tr><td>{esc(r['question'])}</td><td>{esc(', '.join(r['gold_answers'][:3]))}</td><td>{esc(r['answer'][:300])}</td></tr>"
        for r in misses
    )
    q = methods["qa"]
    path.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>qa eval: {esc(results["dataset"])}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}}figure{{display:inline-block;margin:0 1em 0 0}}</style>
</head><body><h1>qa eval</h1><p>{esc(results["dataset"])}: {q["questions"]} questions ({q["answerable"]} answerable,
{q["unanswerable"]} unanswerable){f", sample of {results['sample']} (seed {results['seed']})" if results.get("sample") else ""}.</p>
<table><tr><th>metric</th>{head}</tr>{body}</table>{images}
<h2>Answerable questions missed (first 20)</h2><table><tr><th>question</th><th>gold</th><th>answer</th></tr>{miss_rows}</table>
</body></html>""",
        encoding="utf-8",
    )
