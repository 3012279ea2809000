"""Page-wide CSS and the page script (ui/page_script.js): the look of cited passages, `[n]` links that open
their source, the copy button, and a Dutch, accessible page where Streamlit's own widgets speak English and
offer no option to change it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit as st

from ui import texts

# Streamlit's captions (its text colour at opacity 0.6, #828180) are 3.9:1 on white; WCAG AA asks 4.5:1 for text. This grey is
# 5.9:1 on white and 5.5:1 on the sidebar's #f8f8f7 (checked by axe-core in tests/ui/test_accessibility.py).
CAPTION_GREY = "#626262"
# The focus ring of the question field: 6.0:1 on white (WCAG 1.4.11 asks 3:1 for a focus indicator).
FOCUS_BLUE = "#1a5fb4"
# Below this width Streamlit lays out for a phone (its own breakpoint for the sidebar overlay).
PHONE_MAX_PX = 640
_CSS = f"""
<style>
.bron-passage {{ border-left: 3px solid #d0d7de; padding: 0.1rem 0 0.1rem 0.9rem; font-size: 0.95rem; }}
.bron-passage p {{ margin: 0 0 0.5rem 0; }}
.bron-passage .bron-kop {{ font-weight: 600; }}
.bron-passage mark {{ background: #fff1a8; padding: 0.05rem 0.15rem; border-radius: 0.2rem; }}
/* Streamlit's status widget ("Running...", "Stop") is English; our spinners say what is happening. */
[data-testid="stStatusWidget"] {{ visibility: hidden; }}
/* Captions readable (WCAG AA): Streamlit fades them with opacity 0.6; a darker grey instead. */
[data-testid="stCaptionContainer"] {{ opacity: 1; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, [data-testid="stCaptionContainer"] code {{
  color: {CAPTION_GREY}; }}
/* A focused question field: a clear blue ring (the theme's red would read as an error). */
[data-testid="stChatInput"] > div:focus-within {{ border-color: {FOCUS_BLUE} !important;
  outline: 2px solid {FOCUS_BLUE}; outline-offset: 1px; box-shadow: none !important; }}
/* An upload the browser refused says why in text under the file's name, not only in a hover tooltip. */
[data-testid="stFileChip"][aria-invalid="true"] {{ flex-wrap: wrap; height: auto; }}
[data-testid="stFileChip"] [role="alert"] {{ position: static; width: auto; height: auto; margin: 0.2rem 0 0 0;
  clip: auto; clip-path: none; overflow: visible; white-space: normal; flex-basis: 100%; font-size: 0.8rem; }}
button.lees-verder {{ display: none; }}
@media (max-width: {PHONE_MAX_PX}px) {{
  /* The one-word title fits a phone; where it cannot, it breaks at its soft hyphen (Samenwerkings-assistent). */
  h1 {{ font-size: clamp(1.5rem, 7vw, 2.75rem) !important; }}
  /* A long answer folded after its first lines, so its sources follow on the first screen (ui/answer_view.py). */
  [class*="st-key-antwoord-"]:has(button.lees-verder):not([data-heel="ja"]) [data-testid="stMarkdown"] {{
    max-height: 11.2em; overflow: hidden; mask-image: linear-gradient(to bottom, black 65%, transparent); }}
  button.lees-verder {{ display: inline-block; font: inherit; font-size: 0.9rem; padding: 0.2rem 0.7rem;
    border-radius: 0.5rem; border: 1px solid #d0d7de; background: transparent; color: inherit; cursor: pointer; }}
}}
button.kopieer {{ font: inherit; font-size: 0.85rem; padding: 0.2rem 0.7rem; border-radius: 0.5rem;
  border: 1px solid #d0d7de; background: transparent; color: inherit; cursor: pointer; }}
/* "Ik zoek in de bronnen…" with a spinner, drawn with the reply bubble (st.spinner waits half a second). */
.zoekt {{ display: flex; align-items: center; gap: 0.6rem; color: #555; }}
.zoekt span {{ width: 1rem; height: 1rem; border: 2px solid #d0d7de; border-top-color: #555; border-radius: 50%;
  animation: zoekt-draait 0.8s linear infinite; }}
@keyframes zoekt-draait {{ to {{ transform: rotate(360deg); }} }}
a[href^="#bron-"] {{ text-decoration: none; font-weight: 600; }}
[class*="st-key-bron-"] {{ scroll-margin-top: 4.5rem; }}
/* The passage a source card opened the document at (ui/document_view.py). */
.bron-passage.geciteerd {{ border-left-color: #b08800; scroll-margin-top: 1rem; }}
</style>
"""

# Streamlit has no option for these English strings (the labels of its own buttons, landmarks and messages,
# the file picker's refusal and sizes), so the page script replaces them where they appear: whole strings
# first, then patterns (JavaScript regular expressions; "$1" in the Dutch is the part the English named).
_WORDS = {
    "Thumbs up": texts.FEEDBACK_UP, "Thumbs down": texts.FEEDBACK_DOWN, "Select all": texts.SELECT_ALL,
    "Send message": texts.SEND_QUESTION, "Expand sidebar": texts.SIDEBAR_OPEN, "Collapse sidebar": texts.SIDEBAR_CLOSE,
    "Sidebar": texts.SIDEBAR_LABEL, "App pages": texts.PAGES_LABEL, "Main menu": texts.MAIN_MENU,
    "Link to heading": texts.HEADING_LINK, "Open": texts.OPEN, "Close": texts.CLOSE, "Clear value": texts.CLEAR,
    "Clear all": texts.CLEAR_ALL, "Feedback rating": texts.RATING, "Running...": texts.BUSY,
    "Chat message from assistant": texts.MESSAGE_FROM_ASSISTANT, "Chat message from user": texts.MESSAGE_FROM_USER,
    "Add files": texts.ADD_FILES, "file upload": texts.PICK_FILES, "Upload": texts.UPLOAD_BROWSE,
    "Click to retry upload": texts.RETRY_UPLOAD, "Error: ": "", "add icon": "",
    "Show password": texts.SHOW_PASSWORD, "Hide password": texts.HIDE_PASSWORD,
}
_PATTERNS = [
    (r"^.* files are not allowed\.$", texts.UPLOAD_TYPE_REFUSED),
    (r"^File type not allowed\.$", texts.UPLOAD_TYPE_REFUSED),
    (r"^File type must be .*$", texts.UPLOAD_TYPE_REFUSED),
    (r"^File is larger than (.+)$", texts.UPLOAD_TOO_LARGE),
    (r"^(\d+)MB per file\b.*$", texts.UPLOAD_DROP),
    (r"^Press (.+) to submit form$", texts.PRESS_TO_SUBMIT),
    (r"^Press (.+) to apply$", texts.PRESS_TO_APPLY),
    (r"^Help for (.+)$", texts.HELP_FOR),
    (r"^Cancel upload of (.+)$", texts.CANCEL_UPLOAD_OF),
    (r"^Remove (.+)$", texts.REMOVE_NAMED),
    (r"\b(\d+)\.0B$", texts.SIZE_BYTES),
    (r"\b(\d+)\.(\d)(KB|MB|GB)$", texts.SIZE_UNITS),
]
_PAGE = {"skipToQuestion": texts.SKIP_TO_QUESTION, "skipToContent": texts.SKIP_TO_CONTENT}
_SCRIPT_FILE = Path(__file__).with_name("page_script.js")


@functools.cache
def page_script() -> str:
    """The page script with its Dutch words filled in (read once per process)."""
    script = _SCRIPT_FILE.read_text(encoding="utf-8")
    for name, value in (("__WORDS__", _WORDS), ("__PATTERNS__", _PATTERNS), ("__PAGE__", _PAGE)):
        assert name in script, f"{_SCRIPT_FILE.name} lost its placeholder {name}"
        script = script.replace(name, json.dumps(value))
    return script


def apply_style() -> None:
    st.html(_CSS)
    st.html(f"<script>{page_script()}</script>", unsafe_allow_javascript=True)
