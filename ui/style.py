"""Page-wide CSS and one small script: the look of cited passages, `[n]` links that open their source, the copy button,
and Dutch words where Streamlit's own widgets speak English and offer no option to change it."""

from __future__ import annotations

import json

import streamlit as st

from ui import texts

_CSS = f"""
<style>
.bron-passage {{ border-left: 3px solid #d0d7de; padding: 0.1rem 0 0.1rem 0.9rem; font-size: 0.95rem; }}
.bron-passage p {{ margin: 0 0 0.5rem 0; }}
.bron-passage .bron-kop {{ font-weight: 600; }}
.bron-passage mark {{ background: #fff1a8; padding: 0.05rem 0.15rem; border-radius: 0.2rem; }}
/* Streamlit's status widget ("Running...", "Stop") is English; our spinners say what is happening. */
[data-testid="stStatusWidget"] {{ visibility: hidden; }}
/* The file uploader's drop zone text is English and cannot be configured: replace it. */
[data-testid="stFileUploaderDropzoneInstructions"] > div > span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{ content: "{texts.UPLOAD_DROP}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{ content: "{texts.UPLOAD_BROWSE}"; }}
/* A focused chat input in the theme's red reads as an error: a calm outline instead. */
[data-testid="stChatInput"] > div:focus-within {{ border-color: #8a94a6 !important; box-shadow: none !important; }}
button.kopieer {{ font: inherit; font-size: 0.85rem; padding: 0.2rem 0.7rem; border-radius: 0.5rem;
  border: 1px solid #d0d7de; background: transparent; color: inherit; cursor: pointer; }}
/* "Ik zoek in de bronnen…" with a spinner, drawn with the reply bubble (st.spinner waits half a second). */
.zoekt {{ display: flex; align-items: center; gap: 0.6rem; color: #555; }}
.zoekt span {{ width: 1rem; height: 1rem; border: 2px solid #d0d7de; border-top-color: #555; border-radius: 50%;
  animation: zoekt-draait 0.8s linear infinite; }}
@keyframes zoekt-draait {{ to {{ transform: rotate(360deg); }} }}
a[href^="#bron-"] {{ text-decoration: none; font-weight: 600; }}
[class*="st-key-bron-"] {{ scroll-margin-top: 4.5rem; }}
</style>
"""

# Streamlit has no API for these English strings (aria-labels of the thumbs, the multiselect's bulk
# option, the file picker's refusal of a type it does not accept: "application/x-msdownload files are
# not allowed."), so they are replaced where they appear; the click handler opens the card a `[n]` points to.
_WORDS = {"Thumbs up": texts.FEEDBACK_UP, "Thumbs down": texts.FEEDBACK_DOWN, "Select all": texts.SELECT_ALL}
_PATTERNS = [(r"^.* files are not allowed\.$", texts.UPLOAD_TYPE_REFUSED),
             (r"^File type not allowed\.$", texts.UPLOAD_TYPE_REFUSED)]
_SCRIPT = """
<script>
(() => {
  if (window.__samenwerkingsassistent) return;
  window.__samenwerkingsassistent = true;
  const words = %s;
  const patterns = %s.map(([source, dutch]) => [new RegExp(source), dutch]);
  const translate = (text) => {
    if (text in words) return words[text];
    const found = patterns.find(([pattern]) => pattern.test(text));
    return found ? found[1] : text;
  };
  const dutch = (root) => {
    root.querySelectorAll("[aria-label]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      if (label in words) el.setAttribute("aria-label", words[label]);
    });
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const dutchText = translate(node.nodeValue);
      if (dutchText !== node.nodeValue) node.nodeValue = dutchText;
    }
  };
  // Streamlit keeps a chat scrolled to its end; on a phone that hides the title of the start screen.
  // The start screen (examples, no messages yet) is shown from its top, once per page load.
  let shownFromTop = false;
  const startAtTop = () => {
    const title = document.querySelector("h1");
    if (shownFromTop || !title || document.querySelector("[data-testid=stChatMessage]")
        || !document.querySelector(".st-key-example-0")) return;
    shownFromTop = true;
    // Held for three seconds (the page is still being drawn), unless the reader moves first.
    let held = true;
    const release = () => { held = false; };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach((kind) => window.addEventListener(kind, release, {once: true}));
    const hold = setInterval(() => { if (held) title.scrollIntoView({block: "start"}); }, 200);
    setTimeout(() => clearInterval(hold), 3000);
  };
  new MutationObserver(() => { dutch(document.body); startAtTop(); })
    .observe(document.body, {childList: true, subtree: true});
  document.addEventListener("click", (event) => {
    const copy = event.target.closest("button.kopieer");
    if (copy) {
      const label = copy.textContent;
      navigator.clipboard.writeText(copy.dataset.tekst).then(() => {
        copy.textContent = copy.dataset.klaar;
        setTimeout(() => { copy.textContent = label; }, 2000);
      });
      return;
    }
    const link = event.target.closest('a[href^="#bron-"]');
    if (!link) return;
    event.preventDefault();
    const card = document.querySelector(".st-key-" + link.getAttribute("href").slice(1));
    if (!card) return;
    const details = card.querySelector("details");
    if (details && !details.open) details.querySelector("summary").click();
    card.scrollIntoView({behavior: "smooth", block: "start"});
  }, true);
})();
</script>
"""


def apply_style() -> None:
    st.html(_CSS)
    st.html(_SCRIPT % (json.dumps(_WORDS), json.dumps(_PATTERNS)), unsafe_allow_javascript=True)
