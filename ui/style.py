"""Page-wide CSS: the look of cited passages, and Dutch words where Streamlit's own widgets speak English."""

from __future__ import annotations

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
</style>
"""


def apply_style() -> None:
    st.html(_CSS)
