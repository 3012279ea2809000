"""The chat page: start screen, conversation, and the question being answered now."""

from __future__ import annotations

import streamlit as st

from assistant.config import get_settings
from assistant.errors import IndexMissingError
from assistant.filter_check import better_outside_filter
from assistant.messages import EXAMPLE_QUESTIONS
from ui import texts
from ui.answer_view import ASSISTANT_AVATAR, USER_AVATAR, escape_markdown, render_answer, render_exchange
from ui.engine import corpus_line, get_engine
from ui.errors import friendly_errors
from ui.session import Exchange, ask_later, exchanges, history, open_conversation, remember, take_pending
from ui.sidebar import render_conversation_actions, render_sidebar


def start_screen(document_count_line: str | None) -> None:
    if document_count_line is None:
        st.info(texts.NO_DOCUMENTS, icon=":material/folder_off:")
        return
    st.markdown(document_count_line)
    st.caption(texts.INTRO)
    st.markdown(f"**{texts.EXAMPLES_LEAD}**")
    columns = st.columns(2)
    for n, question in enumerate(EXAMPLE_QUESTIONS):
        columns[n % 2].button(question, key=f"example-{n}", on_click=ask_later, args=(question,), width="stretch",
                            wrap=True)


def answer_new_question(question: str, filter_types: list[str]) -> None:
    """Ask the engine and show the answer as it is written; errors stay out of the history."""
    settings = get_settings()
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR), friendly_errors():
        with st.spinner(texts.SEARCHING):
            filters = {"types": filter_types} if filter_types else None
            result = get_engine(settings).ask_stream(question, history=history(), filters=filters)
        streamed = result.live
        if streamed:  # an LLM writes as it goes; the guarded answer then replaces the raw text
            draft = st.empty()
            with draft.container():
                st.write_stream(result)
            answer = result.answer
            draft.empty()
        else:
            answer = result.answer
        exchange = Exchange(question, answer, filter_types)
        if filter_types:  # one more search, over everything: would another type have answered better?
            everything = get_engine(settings).search(answer.search_query, k=1)  # already made standalone
            exchange.better_type = better_outside_filter(answer, everything, filter_types)
        remember(settings, exchange)
        render_answer(exchange, settings, new=not streamed, latest=True)


def main() -> None:
    settings = get_settings()
    st.title(texts.APP_TITLE)
    # The input comes before the (on a cold start, ~20 s) engine load: a question typed meanwhile is
    # asked in the run that follows the load, instead of the input being missing until then.
    typed = st.chat_input(texts.CHAT_PLACEHOLDER)
    ready = False
    with friendly_errors():
        engine = get_engine(settings)
        ready = True
    if not ready:  # the model or store cannot be loaded; the error above says why
        st.stop()
    docs = []
    with friendly_errors():
        try:
            docs = engine.list_documents()
        except IndexMissingError:
            pass  # the start screen says there are no documents yet
    open_conversation(settings)
    filter_types, actions = render_sidebar(settings, docs)
    question = (take_pending() or typed or "").strip()
    # One slot for the start screen: emptied at once when a question comes, so the example grid does not
    # linger (faded) under the first answer while it is being written.
    start = st.empty()
    if not exchanges() and not question:
        with start.container():
            start_screen(corpus_line(docs) if docs else None)
    for n, exchange in enumerate(exchanges()):
        render_exchange(exchange, settings, latest=not question and n == len(exchanges()) - 1)
    if question:
        answer_new_question(question, filter_types)
    render_conversation_actions(actions)


main()
