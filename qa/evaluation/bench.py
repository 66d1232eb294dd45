"""`qa bench` (and `make bench`): how ingestion and questions scale on this machine.

One run measures, each phase in its own process (so that its peak RSS is its own):
- ingestion of the SQuAD dev half through the real indexer: chunks/s and MB/s, against a raw
  `SentenceTransformer.encode` of the same chunk texts (torch fp32, batch 32) in the same run; the fixed start
  (imports and model load) is timed apart; the same with `QA_CHUNK_VECTORS=embedded` (each chunk's text
  embedded as well as its sentences, the default before chunk vectors were pooled);
- re-indexing the unchanged corpus;
- query latency (p50/p95/p99) for retrieval alone and for the full extractive answer, at 1k, 10k and 100k
  chunks. The larger corpora are copies of the SQuAD articles whose vectors are the real ones with a small
  deterministic perturbation (so building 100k chunks takes minutes, not hours); everything else, chunking,
  the manifest, Chroma and BM25, is the real indexer;
- peak RSS while indexing and while answering, and the store's size on disk;
- cold start: from `qa serve` to the first answered request;
- one big text file (20 MB by default: SQuAD paragraphs, each numbered so that none repeats) against the same
  text split into 200 files: time and peak RSS of each.

It writes `bench.json`, `bench.md` (the table in docs/scale.md) and `bench.png` under `--out` (default eval-out/bench).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import resource
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.cpu import machine
from index.embed import DEFAULT_BACKEND, Embedder

log = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parents[2]
SQUAD = PROJECT / "tests" / "data" / "squad-dev-v2.0.json"
SIZES = (1_000, 10_000, 100_000)
QUESTIONS = 200
BIG_MB = 20.0  # the one big file of the users
NOISE = 0.02  # per-dimension perturbation of a copied vector (before re-normalising): cosine about 0.93


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 as `qa eval` computes them (qa.evaluation.metrics.percentile)."""
    from qa.evaluation.metrics import percentile

    return {f"p{q}": round(percentile(values, q), 2) for q in (50, 95, 99)}


# -- phases, each run in a process of its own ----------------------------------------------------------------


def phase_ingest(store: Path) -> dict[str, Any]:
    """Index the SQuAD half into an empty store; the model loads first, outside the timing."""
    from qa import Assistant
    from qa.evaluation.datasets import load_dataset

    dataset = load_dataset(SQUAD)
    assert dataset.documents is not None
    with Assistant.open(store=store, collection="bench") as assistant:
        _warm(assistant)
        t0 = time.perf_counter()
        report = assistant.indexer(progress=False).index_documents(dataset.documents)
        seconds = time.perf_counter() - t0
        sentences = len(assistant.store.manifest.ids("sentences"))
        backend = assistant.embedder.backend  # what `auto` chose on this CPU
    size = sum(len(d.text.encode("utf-8")) for d in dataset.documents)
    return {
        "seconds": round(seconds, 2),
        "chunks": report.chunks,
        "sentences": sentences,
        "mb": round(size / 1e6, 3),
        "chunks_per_s": round(report.chunks / seconds, 1),
        "mb_per_s": round(size / 1e6 / seconds, 4),
        "peak_rss_mb": round(_peak_rss_mb()),
        "embedder": backend,
        "chunk_vectors": assistant.store.settings.chunk_vectors,
    }


def _warm(assistant: Any) -> None:
    """Load the model and open the store now: the fixed start, timed apart from the indexing."""
    assistant.embedder.embed(["warm up"])
    assistant.embedder.count_tokens(["warm up"])
    assistant.store.chunks.count()
    assistant.store.sentences.count()


def phase_files(store: Path, folder: Path) -> dict[str, Any]:
    """Index every file of `folder` into an empty store, as `qa index FOLDER` does."""
    from qa import Assistant

    files = sorted(folder.iterdir())
    with Assistant.open(store=store, collection="bench") as assistant:
        _warm(assistant)
        t0 = time.perf_counter()
        report = assistant.indexer(progress=False).index_paths([folder])
        seconds = time.perf_counter() - t0
    assert len(report.added) == len(files), report.summary()
    return {
        "seconds": round(seconds, 1),
        "files": len(files),
        "chunks": report.chunks,
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def write_big_text(folder: Path, mb: float, parts: int = 200) -> None:
    """`folder/one/big.txt` of about `mb` megabytes of SQuAD paragraphs (each numbered, so none repeats), and
    the same paragraphs in `parts` files of `folder/split/`."""
    squad = json.loads(SQUAD.read_text(encoding="utf-8"))
    paragraphs = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
    texts: list[str] = []
    size = 0
    while size < mb * 1e6:
        n = len(texts)
        texts.append(f"{paragraphs[n % len(paragraphs)]} (Paragraph {n + 1}.)")
        size += len(texts[-1].encode("utf-8")) + 2
    (folder / "one").mkdir(parents=True, exist_ok=True)
    (folder / "one" / "big.txt").write_text("\n\n".join(texts), encoding="utf-8")
    (folder / "split").mkdir(parents=True, exist_ok=True)
    parts = min(parts, len(texts))
    bounds = [len(texts) * i // parts for i in range(parts + 1)]
    for i in range(parts):
        part = folder / "split" / f"part-{i:03d}.txt"
        part.write_text("\n\n".join(texts[bounds[i] : bounds[i + 1]]), encoding="utf-8")


def phase_raw(store: Path) -> dict[str, Any]:
    """The reference: sentence-transformers on torch (fp32, batch 32) over the same chunk texts."""
    from index.embed import TorchEncoder, model_path
    from index.manifest import Manifest

    manifest = Manifest(store / "qa-bench" / "manifest.sqlite3")
    texts = [text for _, text in manifest.iter_chunk_texts()]
    manifest.close()
    encoder = TorchEncoder(model_path(), 32)
    encoder.encode(["warm up"])
    t0 = time.perf_counter()
    encoder.encode(texts)
    seconds = time.perf_counter() - t0
    return {
        "seconds": round(seconds, 2),
        "chunks": len(texts),
        "chunks_per_s": round(len(texts) / seconds, 1),
    }


def phase_reindex(store: Path) -> dict[str, Any]:
    """Index the same documents again: every one is unchanged."""
    from qa import Assistant
    from qa.evaluation.datasets import load_dataset

    dataset = load_dataset(SQUAD)
    docs = _copies(dataset.documents or [], _copy_count(store))
    with Assistant.open(store=store, collection="bench") as assistant:
        t0 = time.perf_counter()
        report = assistant.indexer(progress=False).index_documents(docs)
        seconds = time.perf_counter() - t0
    assert not report.added and not report.updated, "re-index changed documents"
    return {
        "seconds": round(seconds, 2),
        "unchanged": len(report.unchanged),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def _copy_count(store: Path) -> int:
    marker = store / "bench-copies.json"
    return int(json.loads(marker.read_text())["copies"]) if marker.exists() else 1


def _copies(documents: Sequence[Any], copies: int) -> list[Any]:
    """The SQuAD articles, then `copies - 1` renamed copies of them (each a different document)."""
    from index.load import Document

    out = list(documents)
    for i in range(1, copies):
        for doc in documents:
            text = f"Copy {i} of {doc.source}.\n\n{doc.text}"
            out.append(
                Document(
                    doc_id=f"{doc.doc_id}-copy{i}",
                    source=f"{doc.source} (copy {i})",
                    text=text,
                    content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                )
            )
    return out


def phase_grow(store: Path, source: Path, target: int) -> dict[str, Any]:
    """A store of about `target` chunks: SQuAD copies whose vectors replay the source store's, perturbed."""
    from qa import Assistant
    from qa.evaluation.datasets import load_dataset

    dataset = load_dataset(SQUAD)
    with Assistant.open(store=source, collection="bench") as original:
        per_copy = original.store.manifest.counts()[1]
        known = _known_vectors(original)
    copies = max(1, round(target / per_copy))
    docs = _copies(dataset.documents or [], copies)
    with Assistant.open(store=store, collection="bench", embedder=ReplayEmbedder(known)) as assistant:
        t0 = time.perf_counter()
        report = assistant.indexer(progress=False).index_documents(docs)
        seconds = time.perf_counter() - t0
    (store / "bench-copies.json").write_text(json.dumps({"copies": copies}))
    return {
        "chunks": report.chunks,
        "documents": report.documents,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        "disk_mb": round(_disk_mb(store), 1),
    }


def _known_vectors(assistant: Any) -> dict[str, np.ndarray]:
    """Text -> vector of every chunk and sentence in a store."""
    known: dict[str, np.ndarray] = {}
    manifest = assistant.store.manifest
    for info in manifest.documents():
        doc = manifest.document(info.doc_id)
        for table in ("chunks", "sentences"):
            rows = manifest.spans(table, info.doc_id)
            vectors = getattr(assistant.store, table).vectors([r.id for r in rows])
            for r in rows:
                if r.id in vectors:
                    known[doc.text[r.start : r.end]] = vectors[r.id]
    return known


class ReplayEmbedder(Embedder):
    """An embedder for the synthetic corpora: a text seen in the real SQuAD store gets its real vector plus a
    small perturbation (deterministic per call), anything else is embedded by the real model."""

    def __init__(self, known: dict[str, np.ndarray]) -> None:
        super().__init__()
        self.known = known
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        rng = np.random.default_rng(self.calls)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        unknown = [i for i, t in enumerate(texts) if t not in self.known]
        if unknown:
            out[unknown] = super().embed([texts[i] for i in unknown])
        for i, text in enumerate(texts):
            if text in self.known:
                vector = self.known[text] + rng.normal(0.0, NOISE, self.dimension).astype(np.float32)
                out[i] = vector / np.linalg.norm(vector)
        return out


def phase_query(store: Path) -> dict[str, Any]:
    """Latency of retrieval alone and of the whole extractive answer, on SQuAD questions (warm)."""
    from qa import Assistant
    from qa.evaluation.datasets import load_dataset

    items = load_dataset(SQUAD).items
    questions = [item.turns[-1] for item in random.Random(7).sample(items, QUESTIONS)]
    with Assistant.open(store=store, collection="bench") as assistant:
        assistant.warm_up()
        chunks = assistant.store.manifest.counts()[1]
        for q in questions[:5]:
            assistant.ask(q)
        retrieval, answer = [], []
        for q in questions:
            t0 = time.perf_counter()
            assistant.retriever.retrieve(q, k=10)
            retrieval.append((time.perf_counter() - t0) * 1000)
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q)
            answer.append((time.perf_counter() - t0) * 1000)
    return {
        "chunks": chunks,
        "retrieval_ms": _percentiles(retrieval),
        "answer_ms": _percentiles(answer),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def phase_cold_start(store: Path) -> dict[str, Any]:
    """From starting `qa serve` on the store to its first answered request."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "QA_STORE": str(store), "QA_COLLECTION": "bench", "QA_PORT": str(port)}
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "qa", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        body = json.dumps({"question": "What is the name of the region the Normans gave their name to?"})
        while time.perf_counter() - t0 < 300:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/ask", body.encode(), {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status == 200:
                        return {"seconds": round(time.perf_counter() - t0, 2)}
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("qa serve did not answer within 300 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _paragraphs(count: int) -> list[str]:
    squad = json.loads(SQUAD.read_text(encoding="utf-8"))
    found = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
    return [found[n % len(found)] + f" (Paragraph {n + 1}.)" for n in range(count)]


def write_pdf(path: Path, pages: int) -> None:
    """A PDF of `pages` A4 pages of SQuAD paragraphs, about 45 lines of text each (matplotlib's PDF backend,
    TrueType fonts, so the text layer maps to Unicode)."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["pdf.fonttype"] = 42
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    lines = [line for p in _paragraphs(pages * 4) for line in [*textwrap.wrap(p, 95), ""]]
    per_page = 45
    with PdfPages(path) as pdf:
        for n in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            for i, line in enumerate(lines[n * per_page : (n + 1) * per_page]):
                figure.text(0.07, 0.95 - i * 0.02, line, fontsize=9, family="DejaVu Sans")
            pdf.savefig(figure)


def write_sheet(path: Path, rows: int) -> None:
    """An Excel workbook of one sheet of `rows` rows and five columns."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Orders")
    sheet.append(["Order", "Customer", "Product", "Quantity", "Price (EUR)"])
    for n in range(rows):
        sheet.append(
            [f"A-{100000 + n}", f"Customer {n % 977}", f"Product {n % 131}", 1 + n % 17, 5 + n % 400]
        )
    book.save(path)


def write_scan(path: Path, pages: int) -> None:
    """A scanned PDF: `pages` images of text, no text layer (Pillow)."""
    import textwrap

    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 30)
    images = []
    for n, paragraph in enumerate(_paragraphs(pages)):
        image = Image.new("RGB", (1654, 2339), "white")
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(textwrap.wrap(paragraph, 80)[:30]):
            draw.text((120, 150 + i * 50), line, fill="black", font=font)
        images.append(image)
        del n
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])


def phase_formats(store: Path) -> dict[str, Any]:
    """Index a 50-page PDF and a 5,000-row sheet, each against the same text as a .txt file (their extracted
    text, written out), in fresh stores of one warm process; and a scanned PDF, for OCR seconds per page."""
    import shutil

    from qa import Assistant

    shutil.rmtree(store, ignore_errors=True)  # fresh stores: every file is added, none unchanged
    work = store / "files"
    work.mkdir(parents=True, exist_ok=True)
    write_pdf(work / "report.pdf", 50)
    write_sheet(work / "orders.xlsx", 5000)
    write_scan(work / "scan.pdf", 3)
    results: dict[str, Any] = {}
    for name, path in (("pdf_50_pages", work / "report.pdf"), ("xlsx_5000_rows", work / "orders.xlsx")):
        timings = {}
        for kind, target in (("file", path), ("txt", path.with_suffix(".txt"))):
            with Assistant.open(store=store / f"{name}-{kind}", collection="bench") as assistant:
                _warm(assistant)
                t0 = time.perf_counter()
                report = assistant.indexer(progress=False).index_paths([target])
                timings[kind] = time.perf_counter() - t0
                assert report.added and not report.failed, report.summary()
                if kind == "file":
                    doc = assistant.store.manifest.document(assistant.documents()[0].doc_id)
                    assert doc is not None
                    target.with_suffix(".txt").write_text(doc.text, encoding="utf-8")
                    chunks = report.chunks
        results[name] = {
            "seconds": round(timings["file"], 2),
            "txt_seconds": round(timings["txt"], 2),
            "ratio_to_txt": round(timings["file"] / timings["txt"], 2),
            "chunks": chunks,
        }
    with Assistant.open(store=store / "scan", collection="bench") as assistant:
        _warm(assistant)
        t0 = time.perf_counter()
        report = assistant.indexer(progress=False).index_paths([work / "scan.pdf"])
        seconds = time.perf_counter() - t0
    results["ocr"] = {
        "pages": report.ocr_pages,
        "seconds": round(seconds, 2),
        "seconds_per_page": round(seconds / max(1, report.ocr_pages), 2),
    }
    return results


PHASES = {
    "formats": phase_formats,
    "ingest": phase_ingest,
    "raw": phase_raw,
    "reindex": phase_reindex,
    "query": phase_query,
    "cold-start": phase_cold_start,
}


# -- the run --------------------------------------------------------------------------------------------------


def _phase(name: str, store: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one phase in a fresh process (with `env` added to the environment); its JSON result."""
    log.warning("bench: %s %s %s %s", name, store, " ".join(extra), env or "")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qa.evaluation.bench", "--phase", name, "--store", str(store), *extra],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench phase {name} failed:\n{done.stderr[-3000:]}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    result["process_s"] = round(time.perf_counter() - started, 2)
    return result


def run(out: Path, sizes: Sequence[int] = SIZES, big_mb: float = BIG_MB) -> dict[str, Any]:
    """Every measurement (see the module docstring); writes bench.json, bench.md and bench.png under `out`."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    stores = out / "stores"
    shutil.rmtree(stores, ignore_errors=True)
    squad = stores / "squad"
    results: dict[str, Any] = {
        "machine": machine(),
        "embedder": os.environ.get("QA_EMBEDDER", DEFAULT_BACKEND),
    }
    results["formats"] = _phase("formats", stores / "formats")
    results["ingest"] = _phase("ingest", squad)
    # The fixed start: the process's whole life (interpreter, imports, model load, the dataset) but the indexing.
    results["ingest"]["fixed_start_s"] = round(
        results["ingest"]["process_s"] - results["ingest"]["seconds"], 2
    )
    results["raw_torch"] = _phase("raw", squad)
    results["ingest"]["ratio_to_raw_torch"] = round(
        results["raw_torch"]["seconds"] / results["ingest"]["seconds"], 2
    )
    results["ingest"]["disk_mb"] = round(_disk_mb(squad), 1)
    # QA_CHUNK_VECTORS=embedded: each chunk's text embedded besides its sentences (every token twice).
    embedded = _phase("ingest", stores / "squad-embedded", env={"QA_CHUNK_VECTORS": "embedded"})
    embedded["ratio_to_raw_torch"] = round(results["raw_torch"]["seconds"] / embedded["seconds"], 2)
    results["ingest_embedded"] = embedded
    shutil.rmtree(stores / "squad-embedded", ignore_errors=True)
    results["reindex_squad"] = _phase("reindex", squad)
    results["cold_start"] = _phase("cold-start", squad)
    results["scale"] = []
    for size in sizes:
        folder = stores / f"n{size}"
        grown = _phase("grow", folder, "--source", str(squad), "--target", str(size))
        row = {"target": size, "build": grown, **_phase("query", folder)}
        if size == max(sizes):
            row["reindex"] = _phase("reindex", folder)
        results["scale"].append(row)
        shutil.rmtree(folder, ignore_errors=True)
    if big_mb:
        texts = stores / "big-texts"
        write_big_text(texts, big_mb)
        one = _phase("files", stores / "big-one", "--source", str(texts / "one"))
        split = _phase("files", stores / "big-split", "--source", str(texts / "split"))
        results["big_file"] = {
            "mb": round((texts / "one" / "big.txt").stat().st_size / 1e6, 1),
            "one_file": one,
            "split": split,
            "time_ratio": round(one["seconds"] / split["seconds"], 2),
        }
        for folder in (texts, stores / "big-one", stores / "big-split"):
            shutil.rmtree(folder, ignore_errors=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(markdown(results), encoding="utf-8")
    plot(results, out / "bench.png")
    return results


def formats_markdown(formats: dict[str, Any]) -> str:
    """The file-format rows: each format's indexing time against the same text as a .txt file; OCR per page."""
    pdf, sheet, ocr = formats["pdf_50_pages"], formats["xlsx_5000_rows"], formats["ocr"]
    return "\n".join(
        [
            "| file | indexed in | same text as .txt | ratio |",
            "|---|---|---|---|",
            f"| PDF, 50 pages ({pdf['chunks']} chunks) | {pdf['seconds']} s | {pdf['txt_seconds']} s | "
            f"{pdf['ratio_to_txt']}x |",
            f"| Excel sheet, 5,000 rows ({sheet['chunks']} chunks) | {sheet['seconds']} s | {sheet['txt_seconds']} s | "
            f"{sheet['ratio_to_txt']}x |",
            f"| scanned PDF, OCR | {ocr['seconds_per_page']} s per page ({ocr['pages']} pages) | | |",
        ]
    )


def markdown(results: dict[str, Any]) -> str:
    """The table in docs/scale.md."""
    ing, raw = results["ingest"], results["raw_torch"]
    cpu = results.get("machine", {})
    lines = [
        "| measurement | result |",
        "|---|---|",
        f"| CPU | {cpu.get('cpu', '?')}, {cpu.get('cpus', '?')} cores; {', '.join(cpu.get('isa', [])) or 'no AVX2'} |",
        f"| ingestion, SQuAD dev half ({ing['chunks']} chunks, {ing['sentences']} sentences, {ing['mb']} MB; "
        f"embedder {ing.get('embedder', '?')}, chunk vectors {ing.get('chunk_vectors', '?')}) | "
        f"{ing['seconds']} s: {ing['chunks_per_s']} chunks/s, {ing['mb_per_s'] * 1000:.1f} kB/s |",
        f"| raw sentence-transformers (torch fp32, batch 32), same chunk texts | {raw['seconds']} s: "
        f"{raw['chunks_per_s']} chunks/s |",
        f"| **ingestion / raw torch** | **{ing['ratio_to_raw_torch']}x** |",
    ]
    if "ingest_embedded" in results:
        other = results["ingest_embedded"]
        lines += [
            f"| ingestion with `QA_CHUNK_VECTORS=embedded` (chunks embedded besides their sentences) | "
            f"{other['seconds']} s: {other['chunks_per_s']} chunks/s; peak RSS {other['peak_rss_mb']} MB |",
            f"| embedded ingestion / raw torch | {other['ratio_to_raw_torch']}x |",
        ]
    lines += [
        f"| fixed start of indexing (imports, model load) | {ing['fixed_start_s']} s |",
        f"| peak RSS indexing the SQuAD half; store on disk | {ing['peak_rss_mb']} MB; {ing['disk_mb']} MB |",
        f"| re-index of the unchanged SQuAD half | {results['reindex_squad']['seconds']} s |",
        f"| cold start: `qa serve` to the first answer | {results['cold_start']['seconds']} s |",
    ]
    for row in results["scale"]:
        r, a, b = row["retrieval_ms"], row["answer_ms"], row["build"]
        lines.append(
            f"| {row['chunks']:,} chunks: retrieval p50/p95/p99; full answer p50/p95/p99 | "
            f"{r['p50']}/{r['p95']}/{r['p99']} ms; {a['p50']}/{a['p95']}/{a['p99']} ms |"
        )
        lines.append(
            f"| {row['chunks']:,} chunks: build (replayed vectors), peak RSS; serving peak RSS; disk | "
            f"{b['seconds']} s, {b['peak_rss_mb']} MB; {row['peak_rss_mb']} MB; {b['disk_mb']} MB |"
        )
        if "reindex" in row:
            lines.append(f"| {row['chunks']:,} chunks: re-index unchanged | {row['reindex']['seconds']} s |")
    if "big_file" in results:
        big = results["big_file"]
        one, split = big["one_file"], big["split"]
        lines.append(
            f"| one {big['mb']} MB text file: time, peak RSS ({one['chunks']:,} chunks) | "
            f"{one['seconds']} s, {one['peak_rss_mb']} MB |"
        )
        lines.append(
            f"| the same text in {split['files']} files: time, peak RSS; **one file / split** | "
            f"{split['seconds']} s, {split['peak_rss_mb']} MB; **{big['time_ratio']}x** |"
        )
    formats = f"\n{formats_markdown(results['formats'])}\n" if "formats" in results else ""
    return "\n".join(lines) + "\n" + formats


def plot(results: dict[str, Any], path: Path) -> None:
    """Latency against corpus size, and ingestion against the raw embedder."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    sizes = [row["chunks"] for row in results["scale"]]
    for key, label in (("retrieval_ms", "retrieval"), ("answer_ms", "full answer")):
        for q, style in (("p50", "-o"), ("p95", "--o")):
            left.plot(sizes, [row[key][q] for row in results["scale"]], style, label=f"{label} {q}")
    left.set_xscale("log")
    left.set_xlabel("chunks in the store")
    left.set_ylabel("ms")
    left.set_title("Question latency")
    left.legend()
    names = ["qa index", "raw torch encode"]
    rates = [results["ingest"]["chunks_per_s"], results["raw_torch"]["chunks_per_s"]]
    if "ingest_embedded" in results:
        names.insert(1, "qa index, embedded")
        rates.insert(1, results["ingest_embedded"]["chunks_per_s"])
    right.bar(names, rates, color=["#4f46e5", "#818cf8", "#9ca3af"][: len(names)])
    right.set_ylabel("chunks/s")
    right.set_title(f"Ingestion, SQuAD half: {results['ingest']['ratio_to_raw_torch']}x raw")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qa bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("eval-out/bench"))
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="corpus sizes in chunks")
    parser.add_argument(
        "--big-mb", type=float, default=BIG_MB, help="size of the one-big-file test in MB (0: skip it)"
    )
    parser.add_argument(
        "--only",
        choices=["formats"],
        help="run one part: formats (a 50-page PDF and a 5,000-row sheet against the same text as .txt; OCR)",
    )
    parser.add_argument("--phase", choices=[*PHASES, "grow", "files"], help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.phase == "grow":
        print(json.dumps(phase_grow(args.store, args.source, args.target)))
        return 0
    if args.phase == "files":
        print(json.dumps(phase_files(args.store, args.source)))
        return 0
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.store)))
        return 0
    if args.only == "formats":
        args.out.mkdir(parents=True, exist_ok=True)
        formats = _phase("formats", args.out / "stores" / "formats")
        (args.out / "formats.json").write_text(json.dumps(formats, indent=2), encoding="utf-8")
        print(formats_markdown(formats))
        return 0
    run(args.out, [int(s) for s in args.sizes.split(",")], args.big_mb)
    print((args.out / "bench.md").read_text(encoding="utf-8"))
    log.warning("wrote %s", args.out / "bench.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
