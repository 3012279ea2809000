"""How one question and its answer look: the answer (streamed when new), only its cited sources,
refusals styled as refusals, and the feedback controls."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import streamlit as st

from assistant.config import Settings
from assistant.feedback import FeedbackStore
from assistant.messages import EXAMPLE_QUESTIONS
from assistant.models import Citation
from ui import texts
from ui.engine import passage_by_id, type_label
from ui.highlight import highlight_passage
from ui.session import Exchange, ask_later

USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = texts.APP_ICON
STREAM_PAUSE_S = 0.04
# Refusals already name the first three example questions in their text; offer the others as buttons.
REFUSAL_SUGGESTIONS = EXAMPLE_QUESTIONS[3:6]
NO_SUGGESTIONS = {"missing_value"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#<>$|~])")


def escape_markdown(text: str) -> str:
    """User input shown as typed, never as Markdown (or LaTeX, which Streamlit renders between $)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """The engine's answer is Markdown on purpose (lists); only `$` must not start LaTeX."""
    return text.replace("$", "\\$")


def sentence_pieces(text: str) -> Iterator[str]:
    """The text in sentence-sized pieces (joined, they are exactly the text), paced for reading."""
    parts = re.split(r"((?<=[.!?:\]])[ \t]+|\n+)", text)
    for i in range(0, len(parts), 2):
        yield parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        time.sleep(STREAM_PAUSE_S)


def render_exchange(exchange: Exchange, settings: Settings, *, latest: bool) -> None:
    """A question and answer from the history (the answer being given now is drawn by the page)."""
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(exchange.question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
        render_answer(exchange, settings, new=False, latest=latest)


def render_answer(exchange: Exchange, settings: Settings, *, new: bool, latest: bool) -> None:
    answer = exchange.answer
    _search_notes(exchange)
    if answer.refused:
        _refusal(exchange, latest)
    elif new:
        st.write_stream(sentence_pieces(answer_markdown(answer.text)))
    else:
        st.markdown(answer_markdown(answer.text))
    for note in answer.guard_notes:  # Dutch notes from the LLM citation guard, e.g. why it fell back
        st.caption(note)
    if answer.citations:
        _sources(answer.citations, settings)
    _feedback(exchange, settings)


def _search_notes(exchange: Exchange) -> None:
    query = exchange.answer.search_query
    notes = []
    if query and query.strip().lower() != exchange.question.strip().lower():
        notes.append(texts.SEARCHED_FOR.format(query=escape_markdown(query)))
    if exchange.filter_types:
        notes.append(texts.FILTERED_ON.format(types=", ".join(type_label(t) for t in exchange.filter_types)))
    if notes:
        st.caption(" · ".join(notes))


def _refusal(exchange: Exchange, latest: bool) -> None:
    answer = exchange.answer
    if answer.refusal_reason == "missing_value":  # the sources are quoted, just without the value asked for
        st.info(answer_markdown(answer.text), icon=":material/info:")
        return
    st.warning(answer_markdown(answer.text), icon=":material/search_off:")
    if latest and answer.refusal_reason not in NO_SUGGESTIONS:
        st.caption(texts.REFUSAL_EXAMPLES_LEAD)
        for n, question in enumerate(REFUSAL_SUGGESTIONS):
            st.button(question, key=f"suggest-{exchange.id}-{n}", on_click=ask_later, args=(question,),
                      icon=":material/arrow_forward:")


def source_label(citation: Citation) -> str:
    where = f" — {citation.reference}" if citation.reference else ""
    outdated = f" · :orange[{texts.OUTDATED_BADGE}]" if citation.outdated else ""
    return f"[{citation.number}] {escape_markdown(citation.title)}{where} · {type_label(citation.type)}{outdated}"


def _source_icon(citation: Citation) -> str:
    if citation.outdated:
        return ":material/history:"
    return ":material/gavel:" if citation.type.startswith("wetgeving") else ":material/description:"


def _sources(citations: list[Citation], settings: Settings) -> None:
    st.markdown(f"**{texts.SOURCES}**")
    for citation in citations:
        with st.expander(source_label(citation), icon=_source_icon(citation)):
            if citation.outdated:
                st.warning(texts.OUTDATED_NOTE, icon=":material/history:")
            passage = passage_by_id(settings, citation.passage_id)
            passage_html, marked = highlight_passage(passage.text, citation.quote, passage.heading) if passage else ("", 0)
            if not marked:  # an LLM may quote loosely: show its quote above the passage
                st.markdown(f"{texts.QUOTED}\n\n> {escape_markdown(citation.quote)}")
            if passage is None:
                st.caption(texts.SOURCE_MISSING)
            else:
                st.markdown(passage_html, unsafe_allow_html=True)
            if citation.source_url:
                st.markdown(f":material/open_in_new: [{texts.SOURCE_LINK}]({citation.source_url})")


def _store_rating(exchange: Exchange, settings: Settings, key: str) -> None:
    value = st.session_state.get(key)
    rating = None if value is None else ("up" if value == 1 else "down")
    FeedbackStore(settings.feedback_db).rate(exchange.id, exchange.question, exchange.answer, rating)


def _store_comment(exchange: Exchange, settings: Settings, key: str) -> None:
    if FeedbackStore(settings.feedback_db).comment(exchange.id, st.session_state.get(key, "")):
        st.session_state[f"{key}-saved"] = True


def _feedback(exchange: Exchange, settings: Settings) -> None:
    key = f"feedback-{exchange.id}"
    st.feedback("thumbs", key=key, on_change=_store_rating, args=(exchange, settings, key))
    if st.session_state.get(key) is None:
        return
    comment_key = f"comment-{exchange.id}"
    if st.session_state.get(f"{comment_key}-saved"):
        st.caption(texts.FEEDBACK_SAVED)
        return
    st.caption(texts.FEEDBACK_THANKS)
    with st.form(f"form-{comment_key}", border=False):
        st.text_area(texts.FEEDBACK_COMMENT, key=comment_key, help=texts.FEEDBACK_COMMENT_HELP, height=80)
        st.form_submit_button(texts.FEEDBACK_SEND, on_click=_store_comment, args=(exchange, settings, comment_key))
