"""Samenwerkingsassistent: the Streamlit app (`make run`). Routes to the chat and the upload page.

Run with `streamlit run app.py`; settings come from `ASSISTENT_*` environment variables or `.env`.
"""

from __future__ import annotations

import streamlit as st

from ui import texts
from ui.style import apply_style

st.set_page_config(page_title=texts.APP_TITLE, page_icon=texts.APP_ICON, layout="centered")
apply_style()
st.navigation(
    [
        st.Page("ui/chat_page.py", title=texts.PAGE_CHAT, icon=":material/forum:", default=True),
        st.Page("ui/upload_page.py", title=texts.PAGE_UPLOAD, icon=":material/upload_file:"),
    ]
).run()
