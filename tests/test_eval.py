"""`qa eval`: datasets mapped to offsets, grading, and a real run with baselines; the answerer's fitting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import DATA
from test_cli import qa

from qa.evaluation.datasets import load_squad, whole_words
from qa.evaluation.metrics import contains_answer


def test_squad_articles_become_documents_and_gold_spans_index_their_text() -> None:
    dataset = load_squad(DATA / "squad-dev-v2.0.json")
    texts = {d.source: d.text for d in dataset.documents}
    assert len(texts) == 16
    answerable = [i for i in dataset.items if i.answerable]
    assert len(answerable) == 2910 and len(dataset.items) - len(answerable) == 3168
    for item in answerable:
        assert item.gold, item.id
        for g in item.gold:
            assert texts[g.doc][g.start : g.end] in item.answers, item.id


def test_a_gold_answer_that_cuts_a_word_is_widened_to_whole_words() -> None:
    context = "The clean area includes the office. Symptoms include fever, cough, and shortness of breath."
    assert whole_words(context, 1, "he clean area") == (0, "The clean area")
    start = context.index("fever")
    assert whole_words(context, start, "fever, cough, and sh") == (start, "fever, cough, and shortness")
    assert whole_words(context, start, "fever") == (start, "fever")  # whole already
    assert whole_words(context, 3, "not at its offset") == (3, "not at its offset")
    # COVID-QA's own: "he clean area\nincludes ..." is read whole from its document
    dataset = load_squad(DATA / "covid-qa-dev.json")
    answers = {a for i in dataset.items for a in i.answers}
    assert "The clean area\nincludes the administrative office and the diagnostic room." in answers
    assert not any(a.startswith("he clean area") for a in answers)


def test_answers_match_after_squad_normalisation() -> None:
    assert contains_answer("It cost 11,400 dollars.", ["11400"])
    assert contains_answer("The Quds Force's commander", ["quds force"])
    assert not contains_answer("In 20200 BC", ["2020"])  # whole words only
    # Reference markers are not part of the answer: the prose leaves them out, the gold may keep them.
    assert contains_answer("such as insulin and heparin; thus", ["insulin [39] and heparin [40, 41]"])
    assert not contains_answer("such as insulin; thus", ["insulin [39] and heparin [40]"])
    # a gold span copied from text broken at a line's end matches the answer that reads the word whole
    assert contains_answer("deaths in the 1918 pandemic were in young adults", ["the 1918 pandem-\nic were"])


def test_qa_eval_with_baselines_on_the_seed_set(tmp_path: Path) -> None:
    """The real command: rows, metrics and a report with plots; our pipeline beats every baseline."""
    out = tmp_path / "out"
    result = qa(
        "eval",
        str(DATA / "seeds-qa.jsonl"),
        "--out",
        str(out),
        "--baseline",
        cwd=tmp_path,
        store=tmp_path / "store",
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["methods"]
    assert list(metrics) == ["qa", "bm25", "dense", "llamaindex"]
    ours = metrics["qa"]
    assert ours["questions"] == 12 and ours["quote_fidelity"] == 1.0
    assert ours["recall@5"] == 1.0 and ours["false_refusal"] <= 0.1 and ours["refusal_accuracy"] >= 0.8
    for name in ("bm25", "dense", "llamaindex"):
        assert ours["answer_recall"] > metrics[name]["answer_recall"], name
    rows = [json.loads(line) for line in (out / "rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12 and all(r["quote_ok"] for r in rows)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count("data:image/png;base64,") == 2 and "llamaindex" in report
    assert "| answer_recall |" in result.stdout


def test_fitting_learns_which_feature_marks_the_answer() -> None:
    """The conditional logit of `qa.evaluation.tune` puts weight on a feature that singles out the positives."""
    from qa.answering.evidence import Sentence
    from qa.answering.features import FEATURES
    from qa.evaluation.datasets import Item
    from qa.evaluation.metrics import GoldSpan
    from qa.evaluation.tune import Example, fit_linear

    rng = np.random.default_rng(0)
    examples = []
    for n in range(60):
        right = int(rng.integers(0, 5))
        candidates = [
            Sentence(
                f"s{i}",
                "d",
                "d",
                i * 10,
                i * 10 + 9,
                "the answer" if i == right else "nothing here",
                dense=float(rng.random()),
                bigrams=1.0 if i == right else 0.0,
            )
            for i in range(5)
        ]
        item = Item(f"q{n}", ["q?"], ["answer"], True, [GoldSpan("d", right * 10, right * 10 + 9)])
        examples.append(Example("toy", item, "q?", candidates))
    weights = dict(zip(FEATURES, fit_linear(examples).weights, strict=True))
    assert weights["bigrams"] > 2 and abs(weights["dense"]) < weights["bigrams"] / 2


def test_qa_eval_rejects_a_missing_dataset(tmp_path: Path) -> None:
    result = qa("eval", str(tmp_path / "nope.jsonl"), cwd=tmp_path, store=tmp_path / "store")
    assert result.returncode == 2 and "nope.jsonl" in result.stderr and "Traceback" not in result.stderr


def test_squad_floors_on_every_answerable_question(tmp_path: Path, squad_settings) -> None:
    """Issue 3's floors through the real pipeline, on all 2,910 answerable questions of the dev half (`qa eval` on
    the whole half, unanswerable ones included, gives the README's table), and refusals on a quarter of the
    3,168 unanswerable ones."""
    from qa.evaluation.datasets import load_dataset
    from qa.evaluation.eval import open_for, run_items, summarize

    dataset = load_dataset(DATA / "squad-dev-v2.0.json")
    assistant, items = open_for(dataset, squad_settings, tmp_path)  # indexed already: nothing changes
    answerable = [item for item in items if item.answerable]
    m = summarize(run_items(assistant, answerable))
    # A quarter of the unanswerable ones (every fourth): the gate and its premise checks refuse about a quarter
    # of the half's unanswerable questions (0.066 before the premise checks).
    unanswerable = [item for item in items if not item.answerable][::4]
    refusals = summarize(run_items(assistant, unanswerable))["refusal_accuracy"]
    assistant.close()
    assert refusals >= 0.2, refusals
    assert m["answerable"] == len(answerable) == 2910, m
    assert m["recall@5"] >= 0.97 and m["recall@1"] >= 0.85, m
    assert m["answer_recall"] >= 0.85 and m["cited_support"] >= 0.85, m
    # Issue 9: the answer leads with the sentence that answers, and stays short.
    assert m["answer_in_first_sentence"] >= 0.75 and m["median_answer_words"] <= 35, m
    assert m["false_refusal"] <= 0.03 and m["quote_fidelity"] == 1.0, m  # issue 20 keeps issue 9's floor


def test_more_seed_questions_paraphrased_and_unanswerable(seeded) -> None:
    """40 more questions about the seeds, written by us (`tests/data/seeds-more.jsonl`: paraphrases such as "Who
    leads the Axis of Resistance?" for "headed by Iran", follow-ups, questions the seeds cannot answer).

    Measured 31 of 34 answered and 6 of 6 refused; the three misses are paraphrases with no shared word
    (docs/quality.md). This guards that level; a miss beyond it fails.
    """
    from qa.evaluation.datasets import load_dataset, resolve_quotes
    from qa.evaluation.eval import run_items, summarize

    dataset = load_dataset(DATA / "seeds-more.jsonl")
    docs = [seeded.document(d.doc_id) for d in seeded.documents()]
    m = summarize(run_items(seeded, resolve_quotes(dataset.items, docs)))
    assert m["answer_recall"] >= 31 / 34 and m["cited_support"] >= 31 / 34, m
    assert m["false_refusal"] <= 2 / 34 and m["refusal_accuracy"] == 1.0 and m["quote_fidelity"] == 1.0, m


def test_the_big_file_bench_splits_the_same_text_into_200_files(tmp_path: Path) -> None:
    """`qa bench` compares one big file with the same paragraphs in 200 files: same text, no paragraph twice."""
    from qa.evaluation.bench import write_big_text

    write_big_text(tmp_path, 0.5)
    one = (tmp_path / "one" / "big.txt").read_text(encoding="utf-8")
    parts = sorted((tmp_path / "split").iterdir())
    assert 0.5e6 <= len(one.encode("utf-8")) < 0.52e6
    assert len(parts) == 200
    assert "\n\n".join(p.read_text(encoding="utf-8") for p in parts) == one
    paragraphs = one.split("\n\n")
    assert len(set(paragraphs)) == len(paragraphs)
