"""The chat UI in a real browser (issue 11): Debian's Chromium, driven by Playwright, against the real app served
on 127.0.0.1. Screenshots of every step, at 1440 and at 375 px, go to tests/artifacts/ (git-ignored).

`make test` installs chromium with apt-get when it is missing; without it these tests fail, naming it.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import logging
import shutil
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS
from helpers import serving

from app import build_app
from index.embed import Embedder
from index.settings import Settings
from index.store import folder_of
from qa import Assistant

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="pip install -e '.[test]' installs playwright"
)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDE, PHONE = {"width": 1440, "height": 900}, {"width": 375, "height": 667}
log = logging.getLogger(__name__)


class Pixel(http.server.BaseHTTPRequestHandler):
    """A loopback server that counts requests: a document's remote image must never reach it."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Pixel.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pixel() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pixel.png"
    server.shutdown()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, pixel: str
) -> Iterator[tuple[str, Assistant]]:
    """The real app (chat UI and API) over the seeds and a document carrying a remote image."""
    folder = tmp_path_factory.mktemp("browser-docs")
    for f in SEEDS.iterdir():
        shutil.copy(f, folder / f.name)
    (folder / "beacon.md").write_text(
        "# Beacon notes\n\nThe beacon keeper logged the signal at dawn.\n\n"
        f"![x]({pixel}) The beacon image is attached here.\n",
        encoding="utf-8",
    )
    store = tmp_path_factory.mktemp("browser-store")
    assistant = Assistant.open(store=store, embedder=embedder)
    assistant.index([folder], progress=False)
    assistant.wait_for_store = False  # as under `qa serve`
    with serving(build_app(assistant)) as url:
        yield url, assistant
    assistant.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), (
        "chromium is not installed: `make test` installs it (apt-get install chromium)"
    )
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """One browser page on the app, collecting console errors and taking numbered screenshots."""

    def __init__(self, browser: Any, url: str, viewport: dict[str, int], name: str) -> None:
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.name = f"{name}-{viewport['width']}"
        self.step = 0
        self.page.goto(url)
        self.page.wait_for_selector("#qa-question textarea")

    def shot(self, what: str) -> None:
        self.step += 1
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{what}.png"))

    def ask(self, question: str) -> tuple[Any, float]:
        """Type the question, press Enter, wait for the answer; returns the last answer's element and the
        seconds from Enter to its first visible text."""
        page = self.page
        before = page.locator("#qa-chat [data-testid='bot']").count()
        page.locator("#qa-question textarea").fill(question)
        started = time.perf_counter()
        page.locator("#qa-question textarea").press("Enter")
        page.wait_for_function(
            "n => { const b = document.querySelectorAll(\"#qa-chat [data-testid='bot']\");"
            " return b.length > n && b[b.length - 1].innerText.trim().length > 0 }",
            arg=before,
        )
        first_text = time.perf_counter() - started
        page.wait_for_function("() => document.querySelector('#qa-question textarea').value === ''")
        return page.locator("#qa-chat [data-testid='bot']").last, first_text

    def unfold(self, accordion: str) -> None:
        """Open a collapsed panel (an accordion) by its header."""
        self.page.locator(f"{accordion} button, {accordion} .label-wrap").first.click()

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors


def api_answer(url: str, question: str, **extra: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/api/ask",
        data=json.dumps({"question": question, **extra}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.load(response))


def in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (
        bool(box)
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and (box["x"] + box["width"] <= size["width"])
    )


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_ask_then_open_a_citation_and_its_document(site, browser, pixel, viewport) -> None:
    url, _ = site
    tab = Tab(browser, url, viewport, "citation")
    page = tab.page
    examples = page.locator("#qa-chat .example, #qa-chat button").filter(has_text="?")
    # they come with the page's load event, after the question box: on a busy machine, later
    examples.nth(2).wait_for(timeout=30_000)
    tab.shot("first-open")
    assert examples.count() >= 3, "three example questions on first open"
    assert in_viewport(page, "#qa-question textarea") and in_viewport(page, "#qa-send")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    question = "Who commands the Quds Force?"
    answer, _ = tab.ask(question)
    tab.shot("answer")
    expected = api_answer(url, question)
    assert not expected["refused"]
    top = answer.bounding_box()
    assert top is not None and 0 <= top["y"] < viewport["height"] - 40, "the start of the answer is in view"
    assert in_viewport(page, "#qa-question textarea") and in_viewport(page, "#qa-send")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    answer.locator("a.qa-cite").first.click()
    mark = page.locator("#qa-panel mark")
    mark.wait_for(state="visible")
    page.wait_for_function(
        "() => { const r = document.querySelector('#qa-panel mark').getBoundingClientRect();"
        " return r.left >= 0 && r.right <= window.innerWidth + 1 }"
    )
    tab.shot("citation-open")
    assert mark.text_content() == expected["citations"][0]["quote"]
    assert "[1]" in page.locator("#qa-panel h3").inner_text()
    assert "score" in page.locator("#qa-panel").inner_text()

    page.locator("#qa-open-doc").click()
    span = page.locator("#qa-span")
    span.wait_for(state="visible")
    page.wait_for_timeout(300)
    tab.shot("whole-document")
    assert span.text_content() == expected["citations"][0]["quote"]
    assert span.is_visible()
    assert Pixel.hits == []
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_a_follow_up_then_clear_starts_a_new_conversation(site, browser, viewport) -> None:
    url, _ = site
    tab = Tab(browser, url, viewport, "follow-up")
    box = tab.page.locator("#qa-question textarea")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert box.input_value() == "first line\nsecond line"  # Shift+Enter: a new line, nothing sent
    assert tab.page.locator("#qa-chat [data-testid='user']").count() == 0
    tab.ask("Who commands the Quds Force?")
    follow, _ = tab.ask("Who did he replace?")
    tab.shot("follow-up")
    assert "Searched for:" in follow.inner_text()  # the standalone question is shown
    tab.page.locator("#qa-new").click()
    tab.page.wait_for_function("() => !document.querySelector(\"#qa-chat [data-testid='bot']\")")
    tab.shot("cleared")
    again, _ = tab.ask("Who did he replace?")
    tab.shot("asked-after-clear")
    assert "Searched for:" not in again.inner_text()
    assert tab.page.locator("#qa-chat [data-testid='user']").count() == 1
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_a_refusal_looks_different_and_offers_closest_passages(site, browser, viewport) -> None:
    url, _ = site
    tab = Tab(browser, url, viewport, "refusal")
    answer, _ = tab.ask("How much money has Iran sent to Hamas?")
    assert answer.locator(".qa-refusal").count() == 1
    assert answer.locator("a.qa-cite").count() == 0
    color = answer.locator(".qa-refusal").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(107, 114, 128)"  # muted grey, unlike an answer
    tab.unfold("#qa-sources-box")
    tab.page.wait_for_selector("#qa-sources ol li")
    tab.shot("refusal")
    assert "Closest passages" in tab.page.locator("#qa-sources").inner_text()
    tab.close()


def _documents_tab(tab: Tab) -> None:
    tab.page.get_by_role("tab", name="Documents").click()
    tab.page.wait_for_selector("#qa-docs table")


def _chat_tab(tab: Tab) -> None:
    tab.page.get_by_role("tab", name="Chat").click()
    tab.page.wait_for_selector("#qa-question textarea")


def _choose(tab: Tab, picker: str, label_part: str) -> None:
    tab.page.locator(f"{picker} input").click()
    tab.page.get_by_role("option").filter(has_text=label_part).first.click()
    tab.page.keyboard.press("Escape")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_upload_ask_then_delete(site, browser, tmp_path: Path, viewport) -> None:
    url, assistant = site
    tab = Tab(browser, url, viewport, "documents")
    page = tab.page
    count = len(assistant.documents())
    _documents_tab(tab)
    tab.shot("documents")
    listed = page.locator("#qa-docs").inner_text()
    assert "000_8d4618b9783054d8.txt" in listed and "/" not in listed.split("Indexed", 1)[-1].replace("-", "")
    lighthouse = tmp_path / "zephyrine.txt"
    lighthouse.write_text("The Zephyrine Lighthouse was built by Ada Quill in 1871.\n", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"this is not a PDF")
    page.locator("#qa-upload input[type=file]").set_input_files([str(lighthouse), str(broken)])
    page.locator("#qa-add").click()
    page.wait_for_selector("#qa-outcome li >> nth=1")
    page.wait_for_function(f"() => document.querySelector('#qa-count').innerText.startsWith('{count + 1} ')")
    page.wait_for_timeout(500)
    tab.shot("uploaded")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    outcome = page.locator("#qa-outcome").inner_text()
    assert "zephyrine.txt: added" in outcome and "broken.pdf" in outcome and "✗" in outcome
    assert "zephyrine.txt" in page.locator("#qa-docs").inner_text()

    _chat_tab(tab)
    answer, _ = tab.ask("Who built the Zephyrine Lighthouse?")
    tab.shot("answered-from-upload")
    assert "Ada Quill" in answer.inner_text()

    _documents_tab(tab)
    _choose(tab, "#qa-chosen", "zephyrine.txt")
    page.locator("#qa-delete").click()
    page.wait_for_selector("#qa-outcome li:has-text('deleted')")
    tab.shot("deleted")
    page.wait_for_function(f"() => document.querySelector('#qa-count').innerText.startsWith('{count} ')")
    assert "zephyrine.txt" not in page.locator("#qa-docs").inner_text()
    _chat_tab(tab)
    answer, _ = tab.ask("Who built the Zephyrine Lighthouse?")
    assert "Ada Quill" not in answer.inner_text()
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_the_document_filter_narrows_retrieval(site, browser, viewport) -> None:
    url, assistant = site
    tab = Tab(browser, url, viewport, "filter")
    _choose(tab, "#qa-within", "003_16f4160fbc76786d.txt")
    answer, _ = tab.ask("Who commands the Quds Force?")
    tab.unfold("#qa-sources-box")
    tab.page.wait_for_selector("#qa-sources ol li")
    tab.shot("filtered")
    sources = tab.page.locator("#qa-sources").inner_text()
    assert "003_16f4160fbc76786d.txt" in sources and "000_8d4618b9783054d8.txt" not in sources
    assert "within 1 document" in tab.page.locator("#qa-status").inner_text()
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_export_holds_quotes_that_match_the_documents(site, browser, viewport) -> None:
    url, assistant = site
    tab = Tab(browser, url, viewport, "export")
    page = tab.page
    tab.ask("Who commands the Quds Force?")
    tab.ask("Where did Khamenei meet the head of Hamas?")
    page.locator("#qa-export").click()
    page.wait_for_selector("#qa-exported a[download], #qa-exported a")
    tab.shot("exported")
    links = page.locator("#qa-exported a")
    files = {}
    for i in range(links.count()):
        with page.expect_download() as download:
            links.nth(i).click()
        path = download.value.path()
        files[download.value.suggested_filename.rsplit(".", 1)[-1]] = Path(path).read_text(encoding="utf-8")
    assert set(files) == {"md", "json"}
    data = json.loads(files["json"])
    assert [t["question"] for t in data["turns"]] == [
        "Who commands the Quds Force?",
        "Where did Khamenei meet the head of Hamas?",
    ]
    paths = {d.doc_id: Path(str(d.path)) for d in assistant.documents()}
    quotes = 0
    for turn in data["turns"]:
        for c in turn["citations"]:
            # The file on disk: its bytes hash to the exported content hash, its text holds the quote there.
            raw = paths[c["doc_id"]].read_bytes()
            assert hashlib.sha256(raw).hexdigest() == c["content_hash"]
            assert raw.decode("utf-8")[c["start"] : c["end"]] == c["quote"]
            assert c["quote"].splitlines()[0] in files["md"]
            quotes += 1
    assert quotes >= 2
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_feedback_goes_to_a_jsonl_file_beside_the_store(site, browser, viewport) -> None:
    url, assistant = site
    tab = Tab(browser, url, viewport, "feedback")
    answer, _ = tab.ask("Who commands the Quds Force?")
    feedback = folder_of(assistant.settings) / "feedback.jsonl"
    before = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
    answer.hover()
    tab.page.locator("#qa-chat button[aria-label='Like'], #qa-chat button[title='Like']").last.click()
    tab.page.wait_for_function("() => document.querySelector('#qa-status').innerText.includes('feedback')")
    tab.shot("liked")
    lines = feedback.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(before) + 1
    entry = json.loads(lines[-1])
    assert entry["liked"] is True and entry["question"] == "Who commands the Quds Force?"
    assert entry["answer"] and entry["citations"]
    tab.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_settings_belong_to_each_browser_session(site, browser, viewport) -> None:
    url, _ = site
    first = Tab(browser, url, viewport, "settings-a")
    second = Tab(browser, url, viewport, "settings-b")
    for tab in (first, second):
        tab.unfold("#qa-settings")
    first.page.locator("#qa-mode label").filter(has_text="llm").click()
    first.shot("llm-chosen")
    second.page.reload()
    second.page.wait_for_selector("#qa-question textarea")
    second.unfold("#qa-settings")
    second.shot("other-session")
    assert first.page.locator("#qa-mode input[value='llm']").is_checked()
    assert second.page.locator("#qa-mode input[value='extractive']").is_checked()
    first.close()
    second.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_no_remote_request_from_a_document(site, browser, pixel, viewport) -> None:
    url, _ = site
    tab = Tab(browser, url, viewport, "hostile")
    answer, _ = tab.ask("What did the beacon keeper log at dawn?")
    assert answer.locator("img").count() == 0
    if answer.locator("a.qa-cite").count():
        answer.locator("a.qa-cite").first.click()
        tab.page.locator("#qa-panel mark").wait_for(state="visible")
        tab.page.locator("#qa-open-doc").click()
        tab.page.locator("#qa-span").wait_for(state="visible")
    tab.page.wait_for_timeout(500)
    tab.shot("hostile-document")
    assert tab.page.locator("#qa-side img, #qa-chat img[src*='pixel']").count() == 0
    assert Pixel.hits == []
    tab.close()


def test_first_text_within_a_second_on_the_squad_half(squad_settings: Settings, embedder, browser) -> None:
    """Issue 11's floor: Enter to the first visible text of an extractive answer <= 1 s, over about 700 chunks."""
    questions = [
        "In what country is Normandy located?",
        "What is the original meaning of the word Norman?",
        "What is computational complexity theory?",
        "Who gave their name to Normandy in the 900s?",
        "What is the name of the region that the Normans lived in?",
    ]
    with Assistant.open(settings=squad_settings, embedder=embedder) as assistant:
        assistant.warm_up()
        chunks = assistant.store.manifest.counts()[1]
        with serving(build_app(assistant)) as url:
            tab = Tab(browser, url, WIDE, "squad")
            times = [tab.ask(q)[1] for q in questions]
            tab.shot("squad")
            tab.close()
    report = {
        "chunks": chunks,
        "first_text_s": times,
        "median_s": statistics.median(times),
        "max_s": max(times),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "first-text-squad.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    log.warning("browser, SQuAD half (%d chunks): Enter to first answer text %s s", chunks, report)
    assert chunks > 600 and len(times) == len(questions)  # the figure is the README's, not an assert


def test_llm_answers_stream_with_the_model_this_session_chose(site, browser) -> None:
    """llm mode with the bundled SmolLM2 picked in this session's settings: the draft streams in ("Writing…"),
    then the verified answer replaces it, naming the model."""
    url, _ = site
    tab = Tab(browser, url, WIDE, "llm")
    page = tab.page
    tab.unfold("#qa-settings")
    page.locator("#qa-mode label").filter(has_text="llm").click()
    page.locator("#qa-model input").click()
    page.get_by_role("option").filter(has_text="local:smollm2").first.click()
    page.keyboard.press("Escape")
    page.locator("#qa-question textarea").fill("Who commands the Quds Force?")
    page.locator("#qa-question textarea").press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#qa-status').innerText.includes('Writing')", timeout=60_000
    )
    tab.shot("streaming")
    page.wait_for_function(
        "() => document.querySelector('#qa-status').innerText.includes('Answered')", timeout=60_000
    )
    tab.shot("verified")
    status = page.locator("#qa-status").inner_text()
    assert "smollm2" in status, status
    assert page.locator("#qa-chat [data-testid='bot']").last.locator("a.qa-cite, .qa-refusal").count() >= 1
    tab.close()


@pytest.fixture(scope="module")
def pdf_site(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """The real app over one four-page PDF report."""
    import office_files

    folder = tmp_path_factory.mktemp("browser-pdf")
    office_files.write_pdf(folder / "report.pdf")
    assistant = Assistant.open(store=tmp_path_factory.mktemp("browser-pdf-store"), embedder=embedder)
    assistant.index([folder], progress=False)
    assistant.wait_for_store = False
    with serving(build_app(assistant)) as url:
        yield url
    assistant.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1440", "375"])
def test_a_pdf_citation_shows_its_page_with_the_quote_highlighted(pdf_site, browser, viewport) -> None:
    tab = Tab(browser, pdf_site, viewport, "pdf-page")
    page = tab.page
    answer, _ = tab.ask("Who is the harbour master?")
    expected = api_answer(pdf_site, "Who is the harbour master?")["citations"][0]
    assert expected["page"] == 4
    answer.locator("a.qa-cite").first.click()
    image = page.locator("#qa-panel figure.qa-page img")
    image.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#qa-panel figure.qa-page img').naturalWidth > 0")
    image.scroll_into_view_if_needed()
    tab.shot("pdf-page")
    panel = page.locator("#qa-panel").inner_text()
    assert "p. 4" in panel and "Sigrun Holm" in page.locator("#qa-panel mark").text_content()
    box = image.bounding_box()
    assert box is not None and box["width"] > 150 and box["x"] + box["width"] <= viewport["width"] + 1
    assert "page 4 of report.pdf" in (image.get_attribute("alt") or "")
    tab.close()
