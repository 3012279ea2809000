"""Issue 21 in a real browser (Debian's Chromium through Playwright, the app on its own small index):
conversations per browser, a shared link read-only, a topic switch, a refused judgement that quotes the
law, and an upload that replaces its earlier version. Two browser contexts are two browsers: each has
its own cookies, so its own conversations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from test_e2e import ARTIFACTS, DESKTOP, STEP_TIMEOUT_MS, UPLOAD_NAME, UPLOAD_QUESTION, UPLOAD_TEXT, ask, server, wait_for_idle  # noqa: F401

from tests.processes import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

OOGO_QUESTION = "Wat is OOGO?"


@contextmanager
def two_browsers(url: str) -> Iterator[tuple]:
    """Two browser contexts (separate cookie jars, like two people's browsers), each with one tab at `url`."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tabs = []
            for _ in range(2):
                context = browser.new_context(viewport=DESKTOP)
                context.set_default_timeout(STEP_TIMEOUT_MS)
                tab = context.new_page()
                tab.goto(url)
                tab.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
                wait_for_idle(tab)
                tabs.append(tab)
            yield tuple(tabs)
        finally:
            browser.close()


def conversation_of(tab) -> str:
    return parse_qs(urlparse(tab.url).query)["gesprek"][0]


def open_earlier_conversations(tab) -> str:
    """Open the sidebar's list of earlier conversations; returns its label ("Eerdere gesprekken (n)")."""
    summary = tab.locator("[data-testid=stSidebar] summary", has_text="Eerdere gesprekken")
    label = summary.inner_text().strip().splitlines()[-1]
    summary.click()
    tab.wait_for_timeout(400)  # the expander's opening animation
    return label


def reopen(tab, url: str, messages: int) -> None:
    tab.goto(url)
    tab.wait_for_function(f"document.querySelectorAll('[data-testid=stChatMessage]').length == {messages}",
                          timeout=STEP_TIMEOUT_MS)
    wait_for_idle(tab)


def test_each_browser_sees_only_its_own_and_a_shared_link_is_read_only(server: str) -> None:  # noqa: F811
    with two_browsers(server) as (mine, other):
        ask(mine, OOGO_QUESTION)
        conversation = conversation_of(mine)
        reopen(mine, server, 0)  # a new visit of the same browser: its cookie names the same owner
        assert open_earlier_conversations(mine) == "Eerdere gesprekken (1)"
        assert mine.locator(f".st-key-delete-{conversation}").count() == 1, "the owner can delete it"

        assert open_earlier_conversations(other) == "Eerdere gesprekken (0)", "nothing of the other browser"
        assert mine.locator(f".st-key-open-{conversation}").count() == 1
        assert other.locator(f".st-key-open-{conversation}").count() == 0

        reopen(other, f"{server}/?gesprek={conversation}", 2)  # the link, opened in the other browser
        assert OOGO_QUESTION in other.locator("[data-testid=stChatMessage]").first.inner_text()
        other.get_by_text("Dit is een gedeeld gesprek van iemand anders").wait_for(timeout=STEP_TIMEOUT_MS)
        assert open_earlier_conversations(other) == "Eerdere gesprekken (0)", "the owner's other conversations stay hidden"
        assert other.locator("[class*=st-key-delete-]").count() == 0, "no delete button for someone else's conversation"
        other.screenshot(path=str(ARTIFACTS / "e2e-shared-read-only.png"))

        ask(other, "Iets anders: wat deed Dronten?")  # asking goes on in a copy of the other browser's own
        assert conversation_of(other) != conversation
        reopen(mine, f"{server}/?gesprek={conversation}", 2)
        assert mine.get_by_text("Dit is een gedeeld gesprek").count() == 0, "the owner's own conversation"
        assert len(mine.locator("[data-testid=stChatMessage]").all()) == 2, "the original is unchanged"
        reopen(other, server, 0)
        assert open_earlier_conversations(other) == "Eerdere gesprekken (1)", "the copy is the other browser's own"
        reopen(mine, server, 0)
        assert open_earlier_conversations(mine) == "Eerdere gesprekken (1)", "and not in the first browser's list"


def test_a_topic_switch_and_a_refused_judgement(server: str) -> None:  # noqa: F811
    with two_browsers(server) as (tab, _):
        first = ask(tab, OOGO_QUESTION)
        assert "[1]" in first.inner_text()
        switched = ask(tab, "Iets anders: wat deed Dronten?")
        text = switched.inner_text()
        assert "Dronten" in text and "[1]" in text, text
        assert "niet in de bronnen" not in text and "Gezocht op: wat deed Dronten?" in text, text
        assert "Goed is goed genoeg" in switched.locator("[data-testid=stExpander] summary").first.inner_text()

        judged = ask(tab, "Kun je ons plan juridisch goedkeuren?")
        warning = judged.locator("[data-testid=stAlert]").first.inner_text()
        assert "Ik geef geen juridisch oordeel of goedkeuring" in warning
        assert "Volgens artikel" in judged.inner_text() and "[1]" in judged.inner_text()
        assert "art." in judged.locator("[data-testid=stExpander] summary").first.inner_text(), "a law article as source"
        tab.screenshot(path=str(ARTIFACTS / "e2e-judgement-refused-with-rules.png"), full_page=True)


def test_an_upload_with_the_same_name_replaces_the_earlier_version(server: str) -> None:  # noqa: F811
    upload = ARTIFACTS / UPLOAD_NAME
    second_version = UPLOAD_TEXT.replace("bibliotheek De Zonnewijzer", "buurthuis De Klimop")
    with two_browsers(server) as (tab, _):
        tab.get_by_role("link", name="Documenten uploaden").click()
        for version, done in ((UPLOAD_TEXT, "Klaar:"), (second_version, "vervangt de eerdere versie")):
            tab.wait_for_selector("text=Kies een of meer bestanden", timeout=STEP_TIMEOUT_MS)
            wait_for_idle(tab)
            upload.write_text(version, encoding="utf-8")
            tab.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(upload))
            tab.wait_for_selector("[data-testid=stFileChip]", timeout=STEP_TIMEOUT_MS)
            tab.get_by_role("button", name="Inlezen").click()
            tab.wait_for_selector(f"text={done}", timeout=STEP_TIMEOUT_MS)
            wait_for_idle(tab)
        assert tab.get_by_text("afsprakenkaart-zonnedal").count() >= 1
        # exact: the file chip's own button is labelled "<file> verwijderen" (ui/page_script.js)
        assert tab.get_by_role("button", name="Verwijderen", exact=True).count() == 1, "one version in the list"
        tab.screenshot(path=str(ARTIFACTS / "e2e-upload-replaced.png"))

        tab.get_by_role("link", name="Vragen stellen").click()
        tab.wait_for_selector("[data-testid=stChatInputTextArea]", timeout=STEP_TIMEOUT_MS)
        wait_for_idle(tab)
        answer = ask(tab, UPLOAD_QUESTION)
        assert "Klimop" in answer.inner_text() and "Zonnewijzer" not in answer.inner_text(), answer.inner_text()
        labels = answer.locator("[data-testid=stExpander] summary").all_inner_texts()
        assert sum("Afsprakenkaart Zonnedal" in label for label in labels) == 1, labels

        tab.get_by_role("link", name="Documenten uploaden").click()  # leave the server's corpus as it was
        tab.get_by_role("button", name="Verwijderen").click()
        tab.wait_for_selector("text=is verwijderd", timeout=STEP_TIMEOUT_MS)
