"""The real app in a real browser: `streamlit run app.py` on a free loopback port against a small temp
index, driven by Debian's Chromium through Playwright (never a downloaded browser).

One user journey, in order: the start screen, a question whose answer cites source [1], opening that
source, uploading a document, asking about it, and removing it again. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_app import LAW_QUESTION, MODELS_DIR, REPO, app_environment

from assistant.config import Settings
from assistant.textutils import normalize
from tests.corpus_copy import copy_corpus
from tests.processes import CHROMIUM, CHROMIUM_ARGS, free_port, stop_process, wait_until_healthy

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO / "test-artifacts"
STEP_TIMEOUT_MS = 120_000
E2E_CORPUS = ("wetgeving/wpo-artikel-18a-19.md", "praktijk/dronten-goed-is-goed-genoeg.md")
UPLOAD_NAME = "Afsprakenkaart Zonnedal.md"
UPLOAD_TEXT = """---
title: Afsprakenkaart Zonnedal
---
# Afsprakenkaart Zonnedal

De gemeente Zonnedal en samenwerkingsverband Rivierenland houden elke maand een gezamenlijk inloopspreekuur
voor ouders in bibliotheek De Zonnewijzer.

Het inloopspreekuur wordt begeleid door een jeugdverpleegkundige en een onderwijsconsulent.
"""
UPLOAD_QUESTION = "Waar houden Zonnedal en Rivierenland het inloopspreekuur voor ouders?"


@contextmanager
def app_server(root: Path, corpus: tuple[str, ...], log_name: str) -> Iterator[str]:
    """A Streamlit server on its own index of `corpus` (uploads open to localhost: no admin password);
    always stopped afterwards, its log kept in test-artifacts/`log_name`."""
    from assistant.ingest.indexer import ingest

    settings = Settings(corpus_dir=copy_corpus(root / "corpus", corpus), index_dir=root / "index",
                        models_dir=MODELS_DIR, feedback_db=root / "feedback.sqlite3",
                        conversations_db=root / "conversations.sqlite3")
    report = ingest(settings)
    assert not report.errors, report.summary()
    port = free_port()
    env = {**os.environ, **app_environment(settings)}
    env.pop("ASSISTENT_ADMIN_PASSWORD", None)
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / log_name).open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, process)
            yield url
        finally:
            stop_process(process)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with app_server(tmp_path_factory.mktemp("e2e"), E2E_CORPUS, "e2e-streamlit.log") as url:
        yield url


DESKTOP = {"width": 1280, "height": 1000}
PHONE = {"width": 390, "height": 844}


@contextmanager
def open_tab(server: str, viewport: dict[str, int]) -> Iterator:
    """A fresh Chromium profile (a new browser session) at `server` with this viewport."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make browser`")
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=viewport,
            accept_downloads=False,
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.goto(server)
            yield tab
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(server: str) -> Iterator:
    with open_tab(server, DESKTOP) as tab:
        yield tab


@pytest.fixture
def phone(server: str) -> Iterator:
    with open_tab(server, PHONE) as tab:
        yield tab


def wait_for_idle(page) -> None:
    """Until the script run that the last interaction started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=STEP_TIMEOUT_MS)


def ask(page, question: str):
    """Type a question, wait for its answer; returns the answer's chat message."""
    before = page.locator("[data-testid=stChatMessage]").count()
    box = page.locator("[data-testid=stChatInputTextArea]")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=stChatMessage]').length >= {before + 2}", timeout=STEP_TIMEOUT_MS
    )
    wait_for_idle(page)
    return page.locator("[data-testid=stChatMessage]").last


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"))


def source(message, number: int):
    """Source `number` of an answer (its label starts with "[number]", after the icon)."""
    return message.locator("[data-testid=stExpander]").filter(
        has=message.page.locator("summary", has_text=f"[{number}] ")
    )


FOCUS_COLOURS = """() => {
  const box = document.querySelector('[data-testid=stChatInputTextArea]');
  box.focus();
  const colours = [];
  for (let el = box, i = 0; el && i < 5; el = el.parentElement, i++) {
    const style = getComputedStyle(el);
    colours.push(style.borderTopColor, style.outlineColor, style.boxShadow);
  }
  return colours.join(' | ');
}"""


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_cold_start_takes_a_question_at_once(server: str) -> None:
    """First in the module: the server's engine is still cold. The input must be usable while the search
    model loads, and a question typed then is answered once it has loaded."""
    with open_tab("about:blank", DESKTOP) as tab:
        started = time.monotonic()
        tab.goto(server)
        box = tab.locator("[data-testid=stChatInputTextArea]")
        box.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
        usable_after = time.monotonic() - started
        assert box.is_enabled()
        box.fill(LAW_QUESTION)
        box.press("Enter")
        tab.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length >= 2",
                              timeout=STEP_TIMEOUT_MS)
        wait_for_idle(tab)
        answered_after = time.monotonic() - started
        assert "[1]" in tab.locator("[data-testid=stChatMessage]").last.inner_text()
        (ARTIFACTS / "e2e-cold-start.txt").write_text(
            f"chat input usable after {usable_after:.1f} s; first answer after {answered_after:.1f} s\n")
        assert usable_after <= 5, f"chat input usable only after {usable_after:.1f} s"


def test_reload_and_shared_link_keep_the_conversation(page, server: str) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    answer = ask(page, LAW_QUESTION)
    link = answer.locator("a[href*='wetten.overheid.nl']").first
    assert "&artikel=18a" in (link.get_attribute("href") or ""), "the law link goes to the article"
    assert answer.locator("[aria-label='Goed antwoord']").count() == 1, "the thumbs speak Dutch"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    answer.get_by_role("button", name="Antwoord kopiëren").click()
    answer.get_by_role("button", name="Gekopieerd").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "Bronnen:" in copied and "WPO art. 18a" in copied, "the answer is copied with its sources"
    assert "gesprek=" in page.url
    shared = page.url
    page.reload()
    page.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length == 2",
                           timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    assert LAW_QUESTION in page.locator("[data-testid=stChatMessage]").first.inner_text()
    assert page.locator("text=Probeer bijvoorbeeld").count() == 0, "no start screen over a reopened conversation"
    other = page.context.new_page()  # a second tab is a second Streamlit session: only the link is shared
    other.goto(shared)
    other.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length == 2",
                            timeout=STEP_TIMEOUT_MS)
    assert "[1]" in other.locator("[data-testid=stChatMessage]").last.inner_text()
    other.close()
    page.locator("[data-testid=stSidebar] summary", has_text="Eerdere gesprekken").click()
    page.get_by_role("button", name=LAW_QUESTION[:40]).first.wait_for(timeout=STEP_TIMEOUT_MS)  # listed by its question
    page.wait_for_timeout(600)  # the expander's opening animation
    page.screenshot(path=str(ARTIFACTS / "screenshot-desktop.png"))


def test_mobile_has_no_horizontal_overflow(phone) -> None:
    phone.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(phone)
    assert horizontal_overflow(phone) <= 0
    # The page opens at the top, title visible (Streamlit would keep the chat scrolled to its end).
    phone.wait_for_function("document.querySelector('h1').getBoundingClientRect().top >= 0", timeout=5_000)
    assert "255, 75, 75" not in phone.evaluate(FOCUS_COLOURS), "no red border on the focused chat input"
    ask(phone, LAW_QUESTION)
    assert horizontal_overflow(phone) <= 0, "answers and source cards fit the phone's width"
    phone.screenshot(path=str(ARTIFACTS / "screenshot-mobile.png"))


def test_a_refusal_is_one_short_block(page) -> None:
    """One sentence saying what is missing, one saying what the index holds (issue 21), and at most three
    questions to try, nothing repeated."""
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    refusal = ask(page, "Wat is de hoofdstad van Australië?")
    alerts = refusal.locator("[data-testid=stAlert]")
    assert alerts.count() == 1, "one block, not a warning plus a scope paragraph"
    sentence = alerts.first.inner_text().strip()
    assert sentence.count(".") <= 2 and len(sentence) < 250, sentence
    assert "Ik antwoord uit mijn bronnen: 1 wettekst (Wet op het primair onderwijs) en 1 praktijkvoorbeeld." in sentence
    buttons = [text.strip() for text in refusal.locator("[data-testid=stButton] button").all_inner_texts()]
    questions = [text for text in buttons if text.endswith("?")]
    assert 1 <= len(questions) <= 3 and len(set(questions)) == len(questions), buttons
    assert refusal.locator("[data-testid=stExpander]").count() == 0, "a refusal cites no sources"
    shot(page, "refusal")


def test_question_sources_and_upload(page) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    assert "2 documenten" in page.locator("[data-testid=stMarkdownContainer]", has_text="Ik beantwoord").inner_text()
    shot(page, "1-start")

    answer = ask(page, LAW_QUESTION)
    text = answer.inner_text().split("Bronnen")[0]
    assert "[1]" in text
    first = source(answer, 1)
    first.locator("mark").first.wait_for(timeout=STEP_TIMEOUT_MS)  # the first source is open by default
    first.locator("summary").click()  # closed by the reader, then reopened through the [1] in the answer
    first.locator("mark").first.wait_for(state="hidden", timeout=STEP_TIMEOUT_MS)
    answer.get_by_role("link", name="[1]").first.click()
    highlighted = first.locator("mark").first
    highlighted.wait_for(timeout=STEP_TIMEOUT_MS)
    # [1] and source 1 are the same passage: the sentence just before [1] is highlighted in source 1.
    quoted_before_marker = normalize(text.split("[1]")[0].strip().splitlines()[-1])
    highlighted_text = normalize(" ".join(first.locator("mark").all_inner_texts()))
    assert quoted_before_marker and quoted_before_marker in highlighted_text
    assert "WPO art. 18a" in first.locator("summary").inner_text()
    shot(page, "2-answer-with-source")

    page.get_by_role("link", name="Documenten uploaden").click()
    page.wait_for_selector("text=Kies een of meer bestanden", timeout=STEP_TIMEOUT_MS)
    accept = page.locator("[data-testid=stFileUploaderDropzoneInput]").get_attribute("accept") or ""
    assert ".pdf" in accept and ".exe" not in accept, "the file dialog offers only supported types"
    upload = ARTIFACTS / UPLOAD_NAME
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(upload))
    page.wait_for_selector("[data-testid=stFileChip]", timeout=STEP_TIMEOUT_MS)
    page.get_by_role("button", name="Inlezen").click()
    page.wait_for_selector("text=Klaar:", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    page.get_by_text("afsprakenkaart-zonnedal.md · 1 passage").wait_for(timeout=STEP_TIMEOUT_MS)
    shot(page, "3-upload")

    page.get_by_role("link", name="Vragen stellen").click()
    page.wait_for_selector("text=Gesprek downloaden", timeout=STEP_TIMEOUT_MS)  # the conversation is kept
    wait_for_idle(page)
    answer = ask(page, UPLOAD_QUESTION)
    assert "Zonnewijzer" in answer.inner_text()
    assert "Afsprakenkaart Zonnedal" in source(answer, 1).locator("summary").inner_text()
    shot(page, "4-answer-from-upload")

    page.get_by_role("link", name="Documenten uploaden").click()
    page.get_by_role("button", name="Verwijderen").click()
    page.wait_for_selector("text=is verwijderd", timeout=STEP_TIMEOUT_MS)
    page.get_by_text("Er zijn nog geen documenten geüpload.").wait_for(timeout=STEP_TIMEOUT_MS)


def test_the_upload_picker_refuses_an_exe_in_dutch(page) -> None:
    """A file the dialog would not offer (dropped, or picked with "all files"): Streamlit refuses it in the
    browser with an English message, which the page script (ui/style.py) puts in Dutch; nothing is staged."""
    page.get_by_role("link", name="Documenten uploaden").click()
    page.wait_for_selector("text=Kies een of meer bestanden", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    program = ARTIFACTS / "programma.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(program))
    page.get_by_text("Dit bestandstype wordt niet ondersteund.").wait_for(timeout=STEP_TIMEOUT_MS)
    assert page.get_by_text("files are not allowed").count() == 0, "no English refusal left"
    wait_for_idle(page)
    assert page.get_by_role("button", name="Inlezen").is_disabled(), "the refused file is not staged for ingest"
    assert page.get_by_text("Er zijn nog geen documenten geüpload.").is_visible()


def test_follow_ups_and_a_document_opened_from_the_sidebar(page) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    answer = ask(page, LAW_QUESTION)
    answer.get_by_text("Verder vragen:").wait_for(timeout=STEP_TIMEOUT_MS)
    suggestion = answer.locator("[data-testid=stButton] button", has_text="?").first
    question = suggestion.inner_text().strip().splitlines()[-1]  # after the icon's ligature name
    suggestion.click()
    page.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length >= 4",
                           timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    assert question in page.locator("[data-testid=stChatMessage]").nth(2).inner_text(), "one click asks it"
    page.locator("[data-testid=stSidebar] summary", has_text="Documenten in de index").click()
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Goed is goed genoeg").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=STEP_TIMEOUT_MS)
    dialog.locator(".bron-passage").first.wait_for(timeout=STEP_TIMEOUT_MS)
    assert "Dronten" in dialog.inner_text()
    shot(page, "5-document")
