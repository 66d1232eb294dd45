"""The chat UI (Gradio) on the same server as the HTTP API (qa/serving/api.py): thin layers over `qa.Assistant`.

Run `python app.py` (or `qa serve`, or `make run`): http://127.0.0.1:7860 serves the chat, `/api/...` the API.

The chat: answers whose `[n]` markers open the cited passage in a side panel (a drawer on a phone), a sources
panel, per-session settings, a document filter, export and feedback. The Documents tab lists, uploads,
re-indexes and deletes documents. Settings chosen in the UI belong to the browser session, never to the server.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from index.errors import QAError
from index.lease import ServerLease
from index.load import READERS, Document
from index.manifest import DocumentInfo, title_of
from index.settings import MODES, Settings
from index.store import folder_of
from qa import Answer, Assistant
from qa.logs import configure_logging
from qa.serving.agents import mount_mcp
from qa.serving.api import build_api, save_and_index
from qa.serving.conversation import export_json, export_markdown, record_feedback, turn_record
from qa.serving.examples import example_questions
from qa.serving.render import (
    CITE_HREF,
    answer_html,
    citation_html,
    document_html,
    document_label,
    document_rows,
    file_name,
    sources_html,
)
from qa.serving.web import Guard, Policy, as_text, check_bind
from qa.types import Citation, Delta

log = logging.getLogger("app")

SEEDS = Path(__file__).resolve().parent / "seeds"

# -- Chat UI --------------------------------------------------------------------------------------------------

DOC_HEADERS = ["Title", "File", "Size", "Chunks", "Indexed"]
LEDE = (
    "Ask about your documents: every answer quotes the exact sentences it rests on. Click a [n] to read one."
)

CSS = """
.gradio-container { max-width: 1280px !important; margin: auto; }
#qa-header h1 { font-size: 1.35rem; margin: 0; }
#qa-header .qa-count { color: var(--body-text-color-subdued); margin-left: .6em; }
#qa-header p { margin: .2em 0 0; color: var(--body-text-color-subdued); }
#qa-chat { height: min(560px, calc(100dvh - 290px)) !important; min-height: 240px; }
.qa-refusal { color: #6b7280; border-left: 3px solid #d1d5db; padding-left: .6em; }
.qa-standalone { color: var(--body-text-color-subdued); margin-top: .4em; }
a.qa-cite { text-decoration: none; font-weight: 600; font-size: .8em; vertical-align: super; padding: 0 .1em;
            cursor: pointer; }
.qa-passage { white-space: pre-wrap; line-height: 1.55; overflow-wrap: anywhere; }
.qa-fulltext { max-height: 62vh; overflow-y: auto; border: 1px solid var(--border-color-primary);
               border-radius: 6px; padding: .6em; }
.qa-citation h3, .qa-document h3 { font-size: 1.05rem; margin: .2em 0; }
mark { background: #fde68a; color: inherit; padding: 0 .1em; }
.qa-muted { color: var(--body-text-color-subdued); }
ol.qa-sources { padding-left: 1.2em; }
.qa-outcome li { margin: .15em 0; }
#qa-docs { max-width: calc(100vw - 64px) !important; min-width: 0 !important; }
@media (max-width: 640px) {
  .app.main { padding: 8px !important; }
  #qa-header { padding-right: 34px; }
  #qa-header h1 { font-size: 1.15rem; }
  #qa-header p { display: none; }
  #qa-chat { height: calc(100dvh - 250px) !important; }
}
"""

# A click on a citation link asks the server for its panel: the link's address goes into a hidden textbox,
# then a hidden button sends it (Gradio's own event path, so the UI's login and queue apply).
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.qa-cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector("#qa-cite-key textarea, #qa-cite-key input");
  const go = document.querySelector("#qa-cite-go");
  if (!box || !go) return;
  box.value = link.getAttribute("href");
  box.dispatchEvent(new Event("input", { bubbles: true }));
  go.click();
}, true);
</script>
"""

# After an answer, scroll the chat so that the answer's first line is in view (not its end).
SHOW_ANSWER_START = """
() => {
  const chat = document.querySelector("#qa-chat");
  const bots = chat ? chat.querySelectorAll("[data-testid='bot']") : [];
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box !== chat && !(box.scrollHeight > box.clientHeight + 1
         && getComputedStyle(box).overflowY !== "visible")) box = box.parentElement;
  if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
}
"""

SCROLL_TO_SPAN = "() => document.getElementById('qa-span')?.scrollIntoView({block: 'center'})"


def llm_choices(settings: Settings) -> list[str]:
    """Models a browser session may pick: the configured one and the bundled models installed here (never an
    arbitrary spec: a URL or path from a browser would let any visitor send the documents elsewhere)."""
    from qa.generation.models import MODELS

    return list(dict.fromkeys([settings.llm, *(f"local:{m.aliases[0]}" for m in MODELS if m.installed())]))


class ChatUI:
    """The handlers behind the UI's events; state lives in the browser session (gr.State), not here.

    Per session: `record` holds (Answer, export record) per answered turn, in order (a citation link's turn
    indexes it); `pairs` holds the (question, answer) turns that follow-ups are rewritten with.
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    # -- the collection --------------------------------------------------------------------------------------

    def header(self) -> str:
        documents, chunks = self.assistant.store.manifest.counts()
        return (
            f"<div><h1 style='display:inline'>Ask your documents</h1><span class='qa-count' id='qa-count'>"
            f"{documents} document{'s' * (documents != 1)} · {chunks:,} chunks{self.watched()}</span>"
            f"<p>{LEDE}</p></div>"
        )

    def watched(self) -> str:
        """ " · folder synced 14:02:31" (and how many files failed) when a watcher keeps a folder indexed."""
        watcher = self.assistant.watcher
        if watcher is None:
            return ""
        status = watcher.status
        if status.last_sync is None:
            return " · syncing the folder…"
        synced = time.strftime("%H:%M:%S", time.localtime(status.last_sync))
        failed = f", {len(status.failed)} failed" if status.failed else ""
        return f" · folder synced {synced}{failed}"

    def examples(self, docs: Sequence[DocumentInfo]) -> list[str]:
        docs = docs[:20]
        openings = self.assistant.store.manifest.openings([d.doc_id for d in docs])
        return example_questions((d.title, openings.get(d.doc_id, "")) for d in docs)

    def catalogue(self, docs: Sequence[DocumentInfo] | None = None) -> tuple[Any, ...]:
        """Header, documents table, and both document pickers, as they stand now."""
        docs = self.assistant.documents() if docs is None else docs
        choices = [(document_label(d), d.doc_id) for d in docs]
        return (
            self.header(),
            gr.Dataframe(value=document_rows(docs), headers=DOC_HEADERS),
            gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices, value=[]),
        )

    def on_load(self) -> tuple[Any, ...]:
        docs = self.assistant.documents()
        examples: list[Any] = [{"text": q} for q in self.examples(docs)]
        return (*self.catalogue(docs), gr.Chatbot(examples=examples or None))

    # -- chat --------------------------------------------------------------------------------------------

    def _turn(self, answer: Answer) -> dict[str, Any]:
        """The exported record of an answered turn: each cited document's hash and title as they are now."""
        cited = list(dict.fromkeys(c.doc_id for c in answer.citations))
        manifest = self.assistant.store.manifest
        hashes = manifest.hashes(cited)
        openings = manifest.openings(cited, 400)
        sources = {c.doc_id: c.source for c in answer.citations}
        titles = {d: title_of(openings.get(d, ""), sources[d]) for d in cited}
        return turn_record(answer, hashes, titles)

    def respond(
        self,
        message: str,
        messages: list[dict[str, Any]],
        pairs: list[tuple[str, str]],
        record: list[tuple[Answer, dict[str, Any]]],
        mode: str,
        model: str,
        shown: int,
        within: list[str] | None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat: the model's draft as it arrives, then the verified answer."""
        messages = list(messages or [])
        asked = {"role": "user", "content": as_text(message)}
        draft, answer = "", None
        try:
            events = self.assistant.stream(
                message, pairs, mode, documents=within or None, llm=model if mode == "llm" else None
            )
            for event in events:
                if isinstance(event, Delta):
                    draft += event.text
                    partial = {"role": "assistant", "content": as_text(draft)}
                    yield [*messages, asked, partial], pairs, record, "Writing…", gr.update(), ""
                else:
                    answer = event
        except QAError as exc:
            yield messages, pairs, record, f"⚠️ {as_text(str(exc))}", gr.update(), message
            return
        assert answer is not None
        record = [*record, (answer, self._turn(answer))]
        messages += [asked, {"role": "assistant", "content": answer_html(answer, len(record) - 1)}]
        pairs = [*pairs, (answer.question, answer.answer)]
        took = answer.timings_ms.get("total", 0.0)
        note = (
            "the documents don't answer this"
            if answer.refused
            else f"{len(answer.citations)} citation{'s' * (len(answer.citations) != 1)}"
        )
        scope = f" · within {len(within)} document{'s' * (len(within) != 1)}" if within else ""
        if mode == "llm" and answer.verification.fallback:
            writer = f"{model}'s draft did not pass verification: quoted instead"
        else:
            writer = f"written by {answer.model}" if mode == "llm" else "quoted"
        status = f"Answered in {took:,.0f} ms · {note}{scope} · {writer}"
        yield messages, pairs, record, status, sources_html(answer, shown), ""

    def _cited(
        self, record: list[tuple[Answer, dict[str, Any]]], turn: int, n: int
    ) -> tuple[Citation, Document, str] | str:
        """Citation `n` of answer `turn`, its document and the document's title; or why it cannot be shown."""
        if not 0 <= turn < len(record):
            return "<p>This citation belongs to a cleared conversation.</p>"
        citation = next((c for c in record[turn][0].citations if c.n == n), None)
        if citation is None:
            return f"<p>Answer {turn + 1} has no citation [{n}].</p>"
        try:
            doc = self.assistant.document(citation.doc_id)
        except QAError:
            return "<p>This document has been removed from the collection.</p>"
        return citation, doc, title_of(doc.text[:400], doc.source)

    def citation(self, key: str, record: list[tuple[Answer, dict[str, Any]]]) -> tuple[Any, ...]:
        """The side panel for a citation link (`#cite-<turn>-<n>`), opened."""
        found = CITE_HREF.fullmatch(key or "")
        turn, n = (int(found.group(1)), int(found.group(2))) if found else (-1, -1)
        cited = self._cited(record, turn, n)
        if isinstance(cited, str):
            return cited, "", None, gr.Sidebar(open=True)
        citation = cited[0]
        page = None
        if citation.location.page is not None:
            try:  # the page as printed, the quote highlighted; the text view stands alone if it cannot be shown
                page = self.assistant.page_image(
                    citation.doc_id, citation.location.page, citation.start, citation.end
                )
            except QAError as exc:
                log.info("no page image for citation [%d]: %s", n, exc)
        return citation_html(*cited, page_png=page), "", (turn, n), gr.Sidebar(open=True)

    def whole_document(
        self, shown: tuple[int, int] | None, record: list[tuple[Answer, dict[str, Any]]]
    ) -> str:
        """The cited document's full text with the quote marked (scrolled to by the browser)."""
        if shown is None:
            return ""
        cited = self._cited(record, *shown)
        if isinstance(cited, str):
            return cited
        citation, doc, title = cited
        return document_html(doc, title, citation.start, citation.end)

    def feedback(self, data: gr.LikeData, record: list[tuple[Answer, dict[str, Any]]]) -> str:
        """A thumbs up or down, with the question and the answer, appended to feedback.jsonl beside the store."""
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = index // 2  # messages alternate: question, answer
        if not 0 <= turn < len(record):
            return ""
        path = record_feedback(folder_of(self.assistant.settings), record[turn][1], data.liked is True)
        log.info("feedback on answer %d written to %s", turn + 1, path)
        return "Thanks: your feedback on this answer was saved."

    def export(self, record: list[tuple[Answer, dict[str, Any]]]) -> tuple[Any, str]:
        """The conversation as Markdown and JSON files to download."""
        if not record:
            return gr.File(value=None, visible=False), "Nothing to export yet: ask a question first."
        turns = [turn for _, turn in record]
        folder = Path(tempfile.mkdtemp(prefix="qa-export-"))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        collection = self.assistant.settings.collection
        paths = []
        for suffix, text in (
            ("md", export_markdown(turns, collection)),
            ("json", export_json(turns, collection)),
        ):
            path = folder / f"conversation-{stamp}.{suffix}"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        return gr.File(value=paths, visible=True), f"Exported {len(turns)} answer(s)."

    # -- documents ---------------------------------------------------------------------------------------

    def add(self, files: Sequence[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        """Index uploaded files one by one, each with its own outcome line."""
        lines = []
        paths = [Path(f) for f in files or []]
        for i, path in enumerate(paths):
            progress((i, len(paths)), desc=f"Indexing {path.name}", unit="files")
            try:
                with path.open("rb") as content:
                    report = save_and_index(self.assistant, [(path.name, content)])
            except QAError as exc:
                lines.append(f"<li>✗ {as_text(str(exc))}</li>")
                continue
            if report.duplicates:
                lines.append(f"<li>= {as_text(path.name)}: same content as a document already indexed</li>")
            elif report.unchanged:
                lines.append(f"<li>= {as_text(path.name)}: unchanged</li>")
            else:
                what = "updated" if report.updated else "added"
                lines.append(f"<li>✓ {as_text(path.name)}: {what}</li>")
        return (_outcome(lines, "Choose files to add first."), gr.File(value=None), *self.catalogue())

    def delete(self, chosen: list[str] | None) -> tuple[Any, ...]:
        lines = []
        for doc_id in chosen or []:
            try:
                for source in self.assistant.remove(doc_id).removed:
                    lines.append(f"<li>✓ deleted {as_text(file_name(source))}</li>")
            except QAError as exc:
                lines.append(f"<li>✗ {as_text(str(exc))}</li>")
        return (_outcome(lines, "Select documents first."), *self.catalogue())

    def reindex(self, chosen: list[str] | None) -> tuple[Any, ...]:
        """Re-read the chosen documents' files (changed ones are updated, unchanged ones skipped)."""
        infos = {d.doc_id: d for d in self.assistant.documents()}
        lines, paths = [], []
        for doc_id in chosen or []:
            info = infos.get(doc_id)
            if info is None:
                lines.append(f"<li>✗ unknown document {as_text(doc_id)}</li>")
            elif not info.path or not Path(info.path).is_file():
                lines.append(f"<li>✗ {as_text(file_name(info.source))}: its file is gone</li>")
            else:
                paths.append(info.path)
        if paths:
            try:
                report = self.assistant.index(paths, progress=False)
                for kind in ("updated", "unchanged", "added"):
                    for source in getattr(report, kind):
                        lines.append(f"<li>✓ {as_text(file_name(source))}: {kind}</li>")
                for failed in report.failed:
                    lines.append(
                        f"<li>✗ {as_text(file_name(failed['path']))}: {as_text(failed['error'])}</li>"
                    )
            except QAError as exc:
                lines.append(f"<li>✗ {as_text(str(exc))}</li>")
        return (_outcome(lines, "Select documents first."), *self.catalogue())


def _outcome(lines: list[str], nothing: str) -> str:
    """The Documents tab's outcome: one line per file, or what to do first."""
    return f"<ul class='qa-outcome'>{''.join(lines)}</ul>" if lines else nothing


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat and the Documents tab (see the module's docstring)."""
    ui_ = ChatUI(assistant)
    settings = assistant.settings
    docs = assistant.documents()
    choices = [(document_label(d), d.doc_id) for d in docs]
    with gr.Blocks(title="Document Q&A") as ui:
        record = gr.State([])
        pairs = gr.State([])
        shown = gr.State(None)
        with gr.Sidebar(open=False, position="right", width=480, elem_id="qa-side") as side:
            panel = gr.HTML("", elem_id="qa-panel")
            whole = gr.Button("Open the whole document", size="sm", elem_id="qa-open-doc")
            fulltext = gr.HTML("", elem_id="qa-fulltext")
        header = gr.HTML(ui_.header(), elem_id="qa-header")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(
                            elem_id="qa-chat",
                            show_label=False,
                            height=None,
                            autoscroll=False,
                            placeholder="**Every answer quotes the sentences it rests on.** Try one of these:",
                            buttons=["copy"],
                        )
                        with gr.Row(equal_height=True, elem_id="qa-ask-row"):
                            question = gr.Textbox(
                                show_label=False,
                                placeholder="Ask a question…",
                                lines=1,
                                max_lines=6,
                                scale=5,
                                min_width=160,
                                elem_id="qa-question",
                                autofocus=True,
                            )
                            send = gr.Button(
                                "Ask", variant="primary", scale=1, min_width=64, elem_id="qa-send"
                            )
                        status = gr.Markdown("", elem_id="qa-status")
                        with gr.Row():
                            new = gr.Button("New conversation", size="sm", elem_id="qa-new")
                            export = gr.Button("Export conversation", size="sm", elem_id="qa-export")
                        exported = gr.File(label="Conversation", visible=False, elem_id="qa-exported")
                    with gr.Column(scale=2, min_width=260):
                        within = gr.Dropdown(
                            choices,
                            multiselect=True,
                            label="Ask within",
                            info="All documents when empty",
                            elem_id="qa-within",
                        )
                        with gr.Accordion("Sources", open=False, elem_id="qa-sources-box"):
                            sources = gr.HTML(sources_html(None), elem_id="qa-sources")
                        with gr.Accordion("Settings (this browser only)", open=False, elem_id="qa-settings"):
                            mode = gr.Radio(
                                list(MODES),
                                value=settings.mode,
                                label="Answers",
                                info="extractive: quoted sentences · llm: written by a model, then verified",
                                elem_id="qa-mode",
                            )
                            model = gr.Dropdown(
                                llm_choices(settings),
                                value=settings.llm,
                                label="Model (llm answers)",
                                elem_id="qa-model",
                            )
                            count = gr.Slider(
                                1, 10, value=5, step=1, label="Sources listed", elem_id="qa-count-sources"
                            )
            with gr.Tab("Documents", id="documents"):
                table = gr.Dataframe(
                    value=document_rows(docs),
                    headers=DOC_HEADERS,
                    interactive=False,
                    wrap=True,
                    max_height=340,
                    column_widths=["360px", "220px", "100px", "80px", "150px"],  # scrolls sideways on a phone
                    elem_id="qa-docs",
                )
                with gr.Row(equal_height=False):
                    with gr.Column(min_width=260):
                        uploads = gr.File(
                            file_count="multiple",
                            file_types=list(READERS),
                            label="Add documents (" + ", ".join(READERS) + ")",
                            height=140,
                            elem_id="qa-upload",
                        )
                        add = gr.Button("Add to the collection", variant="primary", elem_id="qa-add")
                    with gr.Column(min_width=260):
                        chosen = gr.Dropdown(
                            choices, multiselect=True, label="Selected documents", elem_id="qa-chosen"
                        )
                        with gr.Row():
                            reindex = gr.Button("Re-index", elem_id="qa-reindex")
                            delete = gr.Button("Delete", variant="stop", elem_id="qa-delete")
                outcome = gr.HTML("", elem_id="qa-outcome")
        cite_key = gr.Textbox(visible="hidden", elem_id="qa-cite-key")
        cite_go = gr.Button("open citation", visible="hidden", elem_id="qa-cite-go")

        catalogue = [header, table, within, chosen]
        ui.load(ui_.on_load, None, [*catalogue, chatbot])

        asking = [question, chatbot, pairs, record, mode, model, count, within]
        answered = [chatbot, pairs, record, status, sources, question]
        for trigger in (send.click, question.submit):
            trigger(lambda: "Searching…", None, status, queue=False).then(ui_.respond, asking, answered).then(
                None, js=SHOW_ANSWER_START
            )

        def pick(example: gr.SelectData) -> str:
            return str(example.value["text"])

        chatbot.example_select(pick, None, question).then(
            lambda: "Searching…", None, status, queue=False
        ).then(ui_.respond, asking, answered).then(None, js=SHOW_ANSWER_START)

        def restart() -> tuple[Any, ...]:
            return (
                [],
                [],
                [],
                "",
                sources_html(None),
                gr.File(value=None, visible=False),
                None,
                gr.Sidebar(open=False),
            )

        new.click(restart, None, [chatbot, pairs, record, status, sources, exported, shown, side])
        # The chat's own trash button starts a new conversation too: no follow-up of a cleared question.
        chatbot.clear(restart, None, [chatbot, pairs, record, status, sources, exported, shown, side])
        chatbot.like(ui_.feedback, [record], status)
        export.click(ui_.export, [record], [exported, status])
        count.change(
            lambda record, n: sources_html(record[-1][0] if record else None, n), [record, count], sources
        )

        cite_go.click(ui_.citation, [cite_key, record], [panel, fulltext, shown, side])
        whole.click(ui_.whole_document, [shown, record], fulltext).then(None, js=SCROLL_TO_SPAN)

        add.click(ui_.add, [uploads], [outcome, uploads, *catalogue])
        delete.click(ui_.delete, [chosen], [outcome, *catalogue])
        reindex.click(ui_.reindex, [chosen], [outcome, *catalogue])
    return ui


def build_app(assistant: Assistant, local_key: str | None = None) -> FastAPI:
    """The API routes with the Gradio chat mounted at `/` on the same FastAPI server, behind the `Guard`
    (qa/serving/web.py): Host and Origin checks, the bearer token, upload limits.

    Args:
        local_key: the serving process's lease key, with which `qa index` on this machine sends work.
    """
    settings = assistant.settings
    api = build_api(assistant)
    mount_mcp(api, assistant)
    api.state.local_key = local_key
    policy = Policy.of(
        settings.host,
        settings.allowed_hosts.split(","),
        settings.api_token,
        settings.max_upload_mb,
        local_key,
    )
    api.add_middleware(Guard, policy=policy)
    login = tuple(settings.auth.split(":", 1)) if settings.auth else None
    return gr.mount_gradio_app(
        api,
        build_ui(assistant),
        path="/",
        auth=login,
        max_file_size=policy.max_upload_bytes,
        allowed_paths=[],
        blocked_paths=[str(Path(settings.store).resolve())],
        enable_monitoring=False,
        footer_links=[],
        css=CSS,
        head=HEAD,
        # System fonts: nothing is fetched from a font CDN (air-gapped machines, readers' privacy).
        theme=gr.themes.Soft(
            primary_hue="indigo", neutral_hue="slate", font=["ui-sans-serif", "system-ui", "sans-serif"]
        ),
    )


def open_assistant(settings: Settings, index_seeds: bool = True) -> Assistant:
    """Open the store; on first start (an empty store) index the bundled seed articles."""
    assistant = Assistant.open(settings=settings)
    # A crash or kill since the last run is mended (and logged) now.
    assistant.indexer(progress=False).repair()
    if index_seeds and not assistant.documents() and SEEDS.is_dir():
        log.warning("store is empty: indexing %s", SEEDS)
        report = assistant.index([SEEDS])
        log.warning("%s", report.summary())
    assistant.warm_up()
    return assistant


def serve(settings: Settings) -> None:
    """Serve the chat and the API until interrupted.

    Raises:
        BadInput: a non-loopback `host` without `QA_API_TOKEN` (checked before anything loads).
    """
    import uvicorn

    check_bind(settings.host, settings.api_token)
    folder = folder_of(settings)
    folder.mkdir(parents=True, exist_ok=True)
    lease = ServerLease(folder)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    holder = lease.acquire(f"http://{shown}:{settings.port}")  # a second server on the store stops here
    try:
        assistant = open_assistant(settings)
        assistant.writer, assistant.wait_for_store = holder.what, False  # HTTP writers get 503, not a wait
        if settings.watch:  # QA_WATCH: the folders kept indexed while the server runs
            assistant.watch([f.strip() for f in settings.watch.split(",") if f.strip()]).start()
        log.warning("serving on http://%s:%d", settings.host, settings.port)
        uvicorn.run(
            build_app(assistant, lease.key), host=settings.host, port=settings.port, log_level="warning"
        )
    finally:
        lease.release()


def main() -> None:
    configure_logging(verbose=False)
    try:
        serve(Settings.load())
    except QAError as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
