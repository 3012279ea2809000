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


def carried_sentence(previous: str, text: str) -> str | None:
    """The sentence `text` repeats from the end of `previous`: ingest carries the last sentence of a
    chunk into the next one of the same section (assistant/ingest/chunking.py), so a search finds a thought cut
    in two whole; read as one text, it would say it twice."""
    sentences = split_sentences(previous)
    if sentences and text.startswith(sentences[-1]) and previous.rstrip().endswith(sentences[-1]):
        return sentences[-1]
    return None


def document_html(passages: list[Passage], cited: tuple[str, str] | None = None) -> str:
    """The passages as one text, each heading and each sentence once: the chunks of one section (the
    leden of one article) all open with its heading, which is shown where the section starts only, and
    a chunk that continues a section repeats the sentence before it, which is shown once (in the cited
    passage, where that is one of the two). The `cited` passage (id, quote) has its quote marked and
    the class the page script scrolls to."""
    cited_id, quote = cited or ("", "")
    bodies: list[str] = []
    shown: str | None = None
    for passage in passages:
        text = passage.text
        if passage.heading and text.startswith(passage.heading) and passage.heading == shown:
            text = text[len(passage.heading):].lstrip("\n")
            if carried := carried_sentence(bodies[-1], text):
                if passage.id == cited_id:  # the earlier copy goes, so the cited passage stays whole
                    bodies[-1] = bodies[-1].rstrip()[: -len(carried)].rstrip()
                else:
                    text = text[len(carried):].lstrip()
        shown = passage.heading or shown
        bodies.append(text)
    parts: list[str] = []
    for passage, text in zip(passages, bodies, strict=True):
        is_cited = passage.id == cited_id
        html = highlight_passage(text, quote if is_cited else "", passage.heading)[0]
        if is_cited:
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
