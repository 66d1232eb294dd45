"""The `qa` command (CONTRACT.md): index, ask, cite, documents, eval, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from index.errors import BadInput, QAError
from index.settings import LLM_POLICIES, MODES, Settings
from qa.logs import configure_logging

if TYPE_CHECKING:
    from qa.serving.remote import RemoteStore

log = logging.getLogger("qa")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("store and answering (each also an environment variable; flags win)")
    group.add_argument(
        "--store", metavar="DIR", help="embedded Chroma folder (QA_STORE, default ./.qa-store)"
    )
    group.add_argument("--chroma-url", metavar="URL", help="use a `chroma run` server (QA_CHROMA_URL)")
    group.add_argument("--collection", metavar="NAME", help="collection name (QA_COLLECTION, default seeds)")
    group.add_argument("--mode", choices=MODES, help="answer mode (QA_MODE, default extractive)")
    group.add_argument("--llm", metavar="SPEC", help="generator for --mode llm (QA_LLM, default local)")
    group.add_argument(
        "--llm-policy",
        choices=LLM_POLICIES,
        help="how far generated answers are trusted (QA_LLM_POLICY, default auto: cautious for small models)",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="qa", description="Answers questions over your documents, citing the exact sentences."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="add or update files and folders")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: seeds/)")
    p.add_argument("--sync", action="store_true", help="also remove documents whose files are gone")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("ask", parents=[common], help="answer a question")
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    p.add_argument("--jsonl", metavar="FILE", help="answer every JSON line of FILE ('-' for stdin)")

    p = sub.add_parser("cite", parents=[common], help="show a cited passage in context")
    p.add_argument("doc_id")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.add_argument("--context", type=int, default=200, metavar="N", help="characters either side (200)")
    p.add_argument(
        "--version",
        metavar="HASH",
        help="the citation's content_hash: fail (exit 1) if the document has changed since",
    )

    sub.add_parser("documents", parents=[common], help="list the indexed documents as JSON")

    p = sub.add_parser(
        "eval", parents=[common], help="evaluate on a question set (seeds-qa JSONL or SQuAD 2.0)"
    )
    p.add_argument("dataset", help="a seeds-qa .jsonl file or a SQuAD 2.0 .json file")
    p.add_argument("--out", metavar="DIR", default="eval-out", help="where rows and the report go (eval-out)")
    p.add_argument(
        "--sample", metavar="N|A:U", help="evaluate N random questions, or A answerable and U unanswerable"
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed for --sample (0)")
    p.add_argument(
        "--extra",
        metavar="FILE",
        help="more questions (seeds-qa JSONL) asked of the same documents, e.g. unanswerable ones",
    )
    p.add_argument(
        "--baseline", action="store_true", help="also run BM25-only, dense-only and stock LlamaIndex"
    )
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")

    p = sub.add_parser(
        "bench", help="measure ingestion, latency at 1k/10k/100k chunks, memory, cold start, a big file"
    )
    p.add_argument("--out", metavar="DIR", default="eval-out/bench", help="where the results go")
    p.add_argument(
        "--only",
        choices=["formats"],
        help="formats: a 50-page PDF and a 5,000-row sheet against the same text as .txt, and OCR per page",
    )
    p.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes in chunks (1000,10000,100000)")
    p.add_argument(
        "--big-mb",
        type=float,
        default=20.0,
        help="one text file of this size against it in 200 files (0: skip)",
    )

    p = sub.add_parser(
        "watch",
        parents=[common],
        help="index folders, then keep them indexed as files are added, changed, renamed and deleted",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to keep indexed")

    sub.add_parser(
        "mcp",
        parents=[common],
        help="serve the documents to agents over MCP on stdin/stdout (tools: ask, search, cite, list_documents)",
    )

    p = sub.add_parser("serve", parents=[common], help="serve the chat UI and HTTP API")
    p.add_argument("--host", help="interface (QA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (QA_PORT, default 7860)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    names = ("store", "chroma_url", "collection", "mode", "llm", "llm_policy", "host", "port")
    return Settings.load({name: getattr(args, name, None) for name in names})


def _print_json(data: Any, out: TextIO = sys.stdout) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    out.flush()


def _server(settings: Settings) -> RemoteStore | None:
    """The running server that holds this store, if any: commands then go through it (index/lease.py)."""
    from index.lease import live_server
    from index.store import folder_of
    from qa.serving.remote import RemoteStore

    holder = live_server(folder_of(settings))
    if holder is None:
        return None
    log.info("the store is served by %s: sending the command there", holder.describe())
    return RemoteStore(holder)


SHOWN_SKIPPED = 20  # skipped files listed one per line; --json lists them all


def cmd_index(args: argparse.Namespace) -> int:
    from index.build import IndexReport
    from qa.assistant import Assistant

    paths = args.paths or ["seeds"]
    settings = _settings(args)
    server = _server(settings)
    if server is not None:
        report = IndexReport(**server.index(paths, args.sync))
    else:
        with Assistant.open(settings=settings) as assistant:
            report = assistant.index(paths, sync=args.sync, progress=not args.json or sys.stderr.isatty())
    if args.json:
        _print_json(report.to_dict())
    else:
        for failure in report.failed:
            print(f"failed: {failure['path']}: {failure['error']}", file=sys.stderr)
        for part in report.incomplete:
            print(f"incomplete: {part['path']}: {part['problem']}", file=sys.stderr)
        for skip in report.skipped[:SHOWN_SKIPPED]:
            print(f"skipped: {skip['path']}: {skip['reason']}", file=sys.stderr)
        if len(report.skipped) > SHOWN_SKIPPED:
            print(f"skipped: {len(report.skipped) - SHOWN_SKIPPED} more (--json lists them)", file=sys.stderr)
        print(report.summary())
    return EXIT_FAILED if report.failed else EXIT_OK


def _read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    with stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"line {number}: not JSON ({exc.msg})"
                continue
            turns = item.get("turns") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not (
                isinstance(item.get("question"), str)
                or (isinstance(turns, list) and turns and all(isinstance(t, str) for t in turns))
            ):
                yield number, None, f'line {number}: needs a "question" string or a "turns" list of strings'
                continue
            yield number, item, None


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant, check_question

    if args.jsonl and args.question:
        raise BadInput("give a question or --jsonl FILE, not both")
    if not args.jsonl:
        check_question(args.question or "")  # before any model loads
    if args.jsonl and args.jsonl != "-" and not Path(args.jsonl).is_file():
        raise BadInput(f"--jsonl {args.jsonl}: no such file")
    settings = _settings(args)
    server = _server(settings)
    if server is not None:  # the answer mode is this command's; the model is the server's
        return _ask_all(args, lambda question, history: server.ask(question, history, settings.mode))
    with Assistant.open(settings=settings) as assistant:
        return _ask_all(args, lambda question, history: assistant.ask(question, history).to_dict())


def _ask_all(args: argparse.Namespace, ask: Callable[[str, list[tuple[str, str]]], dict[str, Any]]) -> int:
    """Answer the one question, or every line of the JSONL file, with `ask(question, history) -> Answer dict`."""
    if not args.jsonl:
        answer = ask(args.question, [])
        if args.json:
            _print_json(answer)
        else:
            print(answer["answer"])
            for c in answer["citations"]:
                where = f" {c['location']}" if c.get("location") else ""
                print(f"  [{c['n']}] {c['source']}{where} {c['start']}-{c['end']}: {c['quote']}")
        return EXIT_OK
    status = EXIT_OK
    for number, item, error in _read_jsonl(args.jsonl):
        if item is None:
            _print_json({"id": None, "error": error})
            status = EXIT_FAILED
            continue
        try:
            history: list[tuple[str, str]] = []
            for turn in item.get("turns") or [item["question"]]:
                answer = ask(turn, history)
                history.append((turn, answer["answer"]))
            _print_json({"id": item.get("id"), **answer})
        except BadInput as exc:
            _print_json({"id": item.get("id"), "error": f"line {number}: {exc}"})
            status = EXIT_FAILED
    return status


def cmd_cite(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant

    with Assistant.open(settings=_settings(args)) as assistant:
        _print_json(assistant.cite(args.doc_id, args.start, args.end, args.context, args.version).to_dict())
    return EXIT_OK


def cmd_documents(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant

    with Assistant.open(settings=_settings(args)) as assistant:
        _print_json([d.to_dict() for d in assistant.documents()])
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluation.eval import run_eval

    metrics = run_eval(
        Path(args.dataset),
        settings=_settings(args),
        own_store=not (args.store or args.chroma_url),
        out=Path(args.out),
        sample=args.sample,
        seed=args.seed,
        baselines=args.baseline,
        extra=Path(args.extra) if args.extra else None,
    )
    if args.json:
        _print_json(metrics)
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from qa.evaluation.bench import main as bench

    only = ["--only", args.only] if args.only else []
    return bench(["--out", args.out, "--sizes", args.sizes, "--big-mb", str(args.big_mb), *only])


def cmd_watch(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant

    settings = _settings(args)
    server = _server(settings)
    if server is not None:
        raise QAError(
            "a running server holds this store: let it keep the folders indexed instead "
            f"(QA_WATCH={','.join(args.paths)} qa serve)"
        )
    with Assistant.open(settings=settings) as assistant:
        watcher = assistant.watch(args.paths)
        log.warning("watching %s (Ctrl-C stops)", ", ".join(watcher.status.folders))
        try:
            watcher.run()
        except KeyboardInterrupt:
            watcher.stop()
    return EXIT_OK


def cmd_mcp(args: argparse.Namespace) -> int:
    from qa.assistant import Assistant
    from qa.serving.agents import serve_stdio

    with Assistant.open(settings=_settings(args)) as assistant:
        serve_stdio(assistant)  # stdout is the protocol's: logs go to stderr
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import app

    app.serve(_settings(args))
    return EXIT_OK


COMMANDS = {
    "index": cmd_index,
    "ask": cmd_ask,
    "cite": cmd_cite,
    "documents": cmd_documents,
    "eval": cmd_eval,
    "bench": cmd_bench,
    "mcp": cmd_mcp,
    "watch": cmd_watch,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `qa` command; returns its exit status (0 ok, 1 failed, 2 bad usage or input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "verbose", False))
    try:
        return COMMANDS[args.command](args)
    except BadInput as exc:
        print(f"qa {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except QAError as exc:
        print(f"qa {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
