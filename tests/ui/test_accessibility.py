"""The real app in Chromium, checked as a screen-reader user and a keyboard user would meet it: a Dutch
page (`lang="nl"`, no English label left), axe-core without serious or critical violations on the chat and
the upload page, a skip link to the question field and a visible focus ring on it.

axe-core is the `axe.min.js` shipped inside the `axe-playwright-python` package (a test extra), injected
into the page; its own Python wrapper is not used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_app import LAW_QUESTION
from test_e2e import (  # noqa: F401  (server is a fixture: this module gets its own server)
    ARTIFACTS,
    DESKTOP,
    PHONE,
    STEP_TIMEOUT_MS,
    ask,
    open_tab,
    server,
    wait_for_idle,
)

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}
# Words that are English and never Dutch: one of them in a label means Streamlit's English got through.
ENGLISH = re.compile(
    r"\b(the|to|and|from|message|sidebar|skip|main|content|upload|file|files|error|help|select|clear|send|"
    r"remove|expand|collapse|browse|drag|drop|add|click|retry|cancel|running|thumbs|rating|heading|pages|"
    r"limit|press|submit|form|apply|show|hide|password)\b",
    re.IGNORECASE,
)
# Everything a screen reader may announce: labels, titles, alternative texts, and the text it does not skip
# (visible or visually hidden; aria-hidden icons, whose text is a ligature name, are skipped).
SPOKEN_LABELS = """() => {
  const names = ['aria-label', 'title', 'alt', 'placeholder', 'aria-roledescription', 'aria-valuetext'];
  const found = [];
  document.querySelectorAll(names.map((name) => `[${name}]`).join(',')).forEach((el) => {
    names.forEach((name) => { if (el.hasAttribute(name)) found.push(el.getAttribute(name)); });
  });
  found.push(document.querySelector('[data-testid=stSkipToContent]')?.textContent ?? '');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest('[aria-hidden=true], script, style, noscript') || !parent.checkVisibility()) continue;
    found.push(node.nodeValue);
  }
  return found;
}"""
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .map((v) => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' '))}))"""


def axe_script() -> str:
    """axe-core as shipped in axe-playwright-python (`pip install -e ".[test]"`)."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def blocking_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=axe_script())
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]


def english_labels(page) -> list[str]:
    """Each English word found, with the text around it."""
    return [f"{found.group(0)!r} in {text[max(0, found.start() - 40):found.end() + 40]!r}"
            for text in page.evaluate(SPOKEN_LABELS) for found in ENGLISH.finditer(text)]


def assert_dutch_and_accessible(page, where: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "nl", where
    assert english_labels(page) == [], f"{where}: English words a screen reader would read"
    assert blocking_violations(page) == [], f"{where}: axe-core found serious or critical violations"


@pytest.fixture
def page(server: str) -> Iterator:  # noqa: F811  (the imported fixture, used here)
    with open_tab(server, DESKTOP) as tab:
        yield tab


def test_the_chat_page_is_dutch_and_passes_axe(page) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    assert_dutch_and_accessible(page, "start screen")
    answer = ask(page, LAW_QUESTION)
    assert "[1]" in answer.inner_text()
    assert page.locator("[aria-label='Antwoord van de assistent']").count() == 1
    assert_dutch_and_accessible(page, "answer with sources")
    answer.locator("[aria-label='Goed antwoord']").click()
    comment = answer.get_by_role("textbox", name="Toelichting (optioneel)")
    comment.fill("Duidelijk")  # Streamlit then shows its "Press Ctrl+Enter to submit form"
    page.wait_for_timeout(300)
    assert_dutch_and_accessible(page, "feedback form")
    page.locator("[data-testid=stSidebar]").hover()  # its close button shows on hover
    page.get_by_role("button", name="Zijbalk sluiten").click()
    page.get_by_role("button", name="Zijbalk openen").wait_for(timeout=STEP_TIMEOUT_MS)
    assert english_labels(page) == [], "with the sidebar closed"


def test_the_upload_page_is_dutch_and_passes_axe(page) -> None:
    page.get_by_role("link", name="Documenten uploaden").click()
    page.wait_for_selector("text=Kies een of meer bestanden", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    assert_dutch_and_accessible(page, "upload page")


def test_a_refused_upload_says_why_in_text_with_a_readable_size(page) -> None:
    page.get_by_role("link", name="Documenten uploaden").click()
    page.wait_for_selector("text=Kies een of meer bestanden", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    program = ARTIFACTS / "twaalf.exe"
    program.write_bytes(b"MZ" + b"\x00" * 10)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(program))
    chip = page.locator("[data-testid=stFileChip]")
    chip.wait_for(timeout=STEP_TIMEOUT_MS)
    reason = chip.get_by_text("Dit bestandstype wordt niet ondersteund.")
    assert reason.is_visible(), "the reason is on screen, not only in a hover tooltip"
    box = reason.bounding_box()
    assert box and box["width"] > 100 and box["height"] >= 10, box
    assert "12 bytes" in chip.inner_text() and "12.0B" not in chip.inner_text()
    assert chip.get_attribute("aria-label") == "twaalf.exe, 12 bytes"
    assert_dutch_and_accessible(page, "upload page with a refused file")
    page.screenshot(path=str(ARTIFACTS / "a11y-refused-upload.png"))


def test_a_skip_link_leads_to_the_question_field_with_a_visible_focus_ring(page) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    wait_for_idle(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.dataset.testid, document.activeElement.textContent]")
    assert focused == ["stSkipToContent", "Naar het vraagveld"], "the first Tab reaches the skip link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.testid") == "stChatInputTextArea"
    ring = page.evaluate("""() => {
      const style = getComputedStyle(document.querySelector('[data-testid=stChatInput] > div'));
      return [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor];
    }""")
    assert ring[0] == "solid" and ring[1] >= 2, ring
    assert contrast(ring[2], "rgb(255, 255, 255)") >= 3, f"the focus ring stands out from the page: {ring[2]}"
    page.keyboard.type("Wat is OOGO?")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length >= 2",
                           timeout=STEP_TIMEOUT_MS)


def test_the_title_fits_a_phone_on_a_word_boundary(server: str) -> None:  # noqa: F811
    with open_tab(server, PHONE) as phone:
        phone.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
        count_lines = """() => {
          const range = document.createRange();
          range.selectNodeContents(document.querySelector('h1 [data-heading-text]'));
          return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
        }"""
        # Streamlit injects the page style after the first paint; on a loaded machine the title is measured
        # before it applies (2 lines at the unstyled size), so wait for the layout to settle on one line.
        try:
            phone.wait_for_function(f"({count_lines})() === 1", timeout=STEP_TIMEOUT_MS)
        except PlaywrightTimeout:
            pass
        lines = phone.evaluate(count_lines)
        assert lines == 1, "the one-word title is not broken mid-word on a 390 px phone"


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(...)` colours."""

    def luminance(css: str) -> float:
        channels = [int(value) / 255 for value in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_question_is_shown_as_typed_even_where_it_matches_a_streamlit_label(page) -> None:
    """The page script translates Streamlit's own texts ("Upload" on the file picker's button), never
    what a user wrote."""
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    ask(page, "Upload")
    question = page.locator("[data-testid=stChatMessage]").first.locator("[data-testid=stMarkdownContainer]")
    assert question.inner_text().strip() == "Upload"
