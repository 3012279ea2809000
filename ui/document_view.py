"""A document of the index read as a whole: its passages in order, headings kept, with its source link.

Opened in a dialog, so the conversation stays where it was: from the sidebar's document list at its top,
or from a source card at the cited passage (marked, and scrolled to by the page script)."""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.models import Passage
from assistant.textutils import split_sentences
from ui import texts
from ui.engine import get_engine, type_label
from ui.highlight import highlight_passage
from ui.markdown_text import escape_markdown
from ui.session import open_document

_CITED = "document_cited"  # (passage id, quote) of the passage a source card opened the document at
CITED_CLASS = "geciteerd"  # ui/page_script.js scrolls the dialog to the passage with this class


def open_document_at(doc_id: str, passage_id: str, quote: str) -> None:
    """Button callback of a source card: the next run shows the document, at the cited passage."""
    st.session_state[_CITED] = (passage_id, quote)
    open_document(doc_id)


def without_overlap(text: str, previous: str | None) -> str:
    """A passage's text without the sentence it repeats from the one before it: ingest carries the last
    sentence of a chunk into the next (ingest/chunking.py), which read as one text says it twice."""
    if previous is None:
        return text
    last = split_sentences(previous)
    if last and text.startswith(last[-1]):
        return text[len(last[-1]):].lstrip()
    return text


def document_html(passages: list[Passage], cited: tuple[str, str] | None = None) -> str:
    """The passages as one text, each heading and each sentence once: the chunks of one section (the
    leden of one article) all open with its heading, which is shown where the section starts only, and
    a continued section repeats the sentence before it. The `cited` passage (id, quote) has its quote
    marked and the class the page script scrolls to."""
    parts: list[str] = []
    shown: str | None = None
    previous: str | None = None
    for passage in passages:
        text = passage.text
        continued = passage.heading and text.startswith(passage.heading) and passage.heading == shown
        if continued:
            text = without_overlap(text[len(passage.heading):].lstrip("\n"), previous)
        shown = passage.heading or shown
        previous = passage.text
        quote = cited[1] if cited and cited[0] == passage.id else ""
        html = highlight_passage(text, quote, passage.heading)[0]
        if cited and cited[0] == passage.id:
            html = html.replace("class='bron-passage'", f"class='bron-passage {CITED_CLASS}'", 1)
        parts.append(html)
    return "".join(parts)


def show_document(settings: Settings, doc_id: str) -> None:
    """Open the dialog with the document's text (a dialog's title is fixed when it is made, so it is
    made here, per document)."""
    try:
        passages = get_engine(settings).document_passages(doc_id)
    except AssistantError:
        passages = []
    title = passages[0].title if passages else texts.DOCUMENT_GONE
    cited = st.session_state.pop(_CITED, None)

    @st.dialog(title, width="large")
    def dialog() -> None:
        if not passages:
            st.caption(texts.DOCUMENT_GONE)
            return
        first = passages[0]
        st.caption(texts.DOCUMENT_LINE.format(type=type_label(first.type), date=texts.document_date(first.date),
                                              publisher=escape_markdown(first.publisher or "")).rstrip(" ·"))
        if first.source_url:
            st.markdown(f":material/open_in_new: [{texts.SOURCE_LINK}]({first.source_url})")
        st.markdown(document_html(passages, cited), unsafe_allow_html=True)

    dialog()
