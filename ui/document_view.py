"""A document of the index read as a whole: its passages in order, headings kept, with its source link.

Opened from the sidebar's document list in a dialog, so the conversation stays where it was."""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.models import Passage
from ui import texts
from ui.answer_view import escape_markdown
from ui.engine import get_engine, type_label
from ui.highlight import highlight_passage


def document_html(passages: list[Passage]) -> str:
    """The passages as one text, each heading once: the chunks of one section (the leden of one
    article) all open with its heading, which is shown where the section starts only."""
    parts: list[str] = []
    shown: str | None = None
    for passage in passages:
        text = passage.text
        if passage.heading and text.startswith(passage.heading) and passage.heading == shown:
            text = text[len(passage.heading):].lstrip("\n")
        shown = passage.heading or shown
        parts.append(highlight_passage(text, "", passage.heading)[0])
    return "".join(parts)


def show_document(settings: Settings, doc_id: str) -> None:
    """Open the dialog with the document's text (a dialog's title is fixed when it is made, so it is
    made here, per document)."""
    try:
        passages = get_engine(settings).document_passages(doc_id)
    except AssistantError:
        passages = []
    title = passages[0].title if passages else texts.DOCUMENT_GONE

    @st.dialog(title, width="large")
    def dialog() -> None:
        if not passages:
            st.caption(texts.DOCUMENT_GONE)
            return
        first = passages[0]
        st.caption(texts.DOCUMENT_LINE.format(type=type_label(first.type), date=first.date or texts.SIDEBAR_DATE_UNKNOWN,
                                              publisher=escape_markdown(first.publisher or "")).rstrip(" ·"))
        if first.source_url:
            st.markdown(f":material/open_in_new: [{texts.SOURCE_LINK}]({first.source_url})")
        st.markdown(document_html(passages), unsafe_allow_html=True)

    dialog()
