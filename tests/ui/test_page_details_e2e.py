"""The small things a reader meets (issue 21, item 6), in the real app in Chromium: the reply bubble is
never empty while an answer comes, a source label without "onbekend", the document opened from a source
card at the cited passage without repeated sentences, and a long answer folded on a phone.

Its own server on a corpus with a document whose date is unknown and whose chunks carry a sentence over
(the first test meets the engine cold, as a user after a restart would).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from test_accessibility import assert_dutch_and_accessible
from test_app import LAW_QUESTION, REPO
from test_e2e import ARTIFACTS, DESKTOP, PHONE, STEP_TIMEOUT_MS, app_server, ask, open_tab, source, wait_for_idle

pytestmark = pytest.mark.e2e

CORPUS = ("wetgeving/wpo-artikel-18a-19.md", "handreikingen/goed-samenspel-rendeert.md")
CARRIED = "Gemeente indiceert schoolvervoer."  # ends one chunk of its section and opens the next
CARRIED_QUESTION = "Wie indiceert het schoolvervoer?"
# Records, from the page's first moment, what the newest reply bubble shows: EMPTY, the status, or the answer.
BUBBLE_LOG = """window.__bubbles = [];
new MutationObserver(() => {
  const bubbles = document.querySelectorAll('[data-testid=stChatMessage] [data-testid=stChatMessageContent]');
  if (bubbles.length < 2) return;
  const text = bubbles[bubbles.length - 1].innerText.trim();
  const state = !text ? 'EMPTY' : text.length > 40 ? 'answer' : text;
  const log = window.__bubbles;
  if (!log.length || log[log.length - 1] !== state) log.push(state);
}).observe(document, {childList: true, subtree: true, characterData: true});"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with app_server(tmp_path_factory.mktemp("details"), CORPUS, "details-streamlit.log") as url:
        yield url


def test_the_reply_bubble_is_never_empty_while_the_answer_comes(server: str) -> None:
    """First in the module, on a cold engine: asked while the page loads, the reply shows "Ik zoek in de
    bronnen…" until the answer's first words are there (it used to stand empty while the follow-ups were
    looked up)."""
    with open_tab("about:blank", DESKTOP) as tab:
        tab.add_init_script(BUBBLE_LOG)
        tab.goto(server)
        box = tab.locator("[data-testid=stChatInputTextArea]")
        box.fill(LAW_QUESTION)
        box.press("Enter")
        tab.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length >= 2",
                              timeout=STEP_TIMEOUT_MS)
        wait_for_idle(tab)
        states = tab.evaluate("window.__bubbles")
        assert "Ik zoek in de bronnen…" in states and states[-1] == "answer", states
        shown = states.index("Ik zoek in de bronnen…")
        assert "EMPTY" not in states[shown:], f"the bubble went empty between the status and the answer: {states}"


@pytest.fixture
def page(server: str) -> Iterator:
    with open_tab(server, DESKTOP) as tab:
        yield tab


def test_the_document_opens_at_the_cited_passage_saying_each_sentence_once(page) -> None:
    page.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
    answer = ask(page, CARRIED_QUESTION)
    card = source(answer, 1)
    label = card.locator("summary").inner_text()
    assert "samenspel" in label and "onbekend" not in label, label
    assert not answer.locator("button.lees-verder").is_visible(), "no fold on a wide screen"
    card.get_by_role("button", name="Lees het in het hele document").click()
    dialog = page.get_by_role("dialog")
    cited = dialog.locator(".bron-passage.geciteerd")
    cited.wait_for(timeout=STEP_TIMEOUT_MS)
    page.wait_for_timeout(800)  # the dialog's opening animation
    assert "datum onbekend (na oktober 2022)" in dialog.inner_text()
    assert CARRIED in " ".join(cited.locator("mark").all_inner_texts()), "the quote is marked in the document"
    text = dialog.inner_text()
    assert text.count(CARRIED) == 1, "the sentence carried over between two chunks is shown once"
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) > 3]
    written = " ".join((REPO / "corpus" / CORPUS[1]).read_text(encoding="utf-8").split())
    repeated = {s for s in sentences if sentences.count(s) > max(1, written.count(s))}
    assert not repeated, f"shown more often than the document says them: {repeated}"
    in_view = page.evaluate("""() => {
      const passage = document.querySelector('[role=dialog] .geciteerd').getBoundingClientRect();
      return passage.top >= 0 && passage.top < window.innerHeight;
    }""")
    assert in_view, "the dialog is scrolled to the cited passage"
    assert_dutch_and_accessible(page, "document dialog")
    page.screenshot(path=str(ARTIFACTS / "details-document-at-passage.png"))


def test_a_long_answer_is_folded_on_a_phone_so_its_sources_follow(server: str) -> None:
    with open_tab(server, PHONE) as phone:
        phone.wait_for_selector("text=Probeer bijvoorbeeld", timeout=STEP_TIMEOUT_MS)
        answer = ask(phone, LAW_QUESTION)
        unfold = answer.get_by_role("button", name="Lees het hele antwoord")
        assert unfold.is_visible()
        assert_dutch_and_accessible(phone, "phone, a folded answer")
        gap = phone.evaluate("""() => {
          const text = document.querySelector("[class*='st-key-antwoord-']").getBoundingClientRect();
          const sources = [...document.querySelectorAll('[data-testid=stChatMessage] strong')]
            .find((el) => el.textContent === 'Bronnen').getBoundingClientRect();
          return sources.top - text.top;
        }""")
        assert gap < PHONE["height"] / 2, f"the sources start {gap:.0f} px below the answer's start"
        folded = answer.locator("[class*='st-key-antwoord-'] [data-testid=stMarkdown]").bounding_box()["height"]
        unfold.click()
        fold = answer.get_by_role("button", name="Minder tonen")
        assert fold.get_attribute("aria-expanded") == "true"
        whole = answer.locator("[class*='st-key-antwoord-'] [data-testid=stMarkdown]").bounding_box()["height"]
        assert whole > folded * 1.5, (folded, whole)
        phone.screenshot(path=str(ARTIFACTS / "details-phone-folded.png"))
