"""The chat page: start screen, conversation, and the question being answered now."""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings, get_settings
from assistant.engine import Engine
from assistant.errors import AssistantError, IndexMissingError
from assistant.messages import EXAMPLE_QUESTIONS
from assistant.models import Answer
from assistant.search.filter_check import better_outside_filter
from ui import texts
from ui.answer_view import (
    ASSISTANT_AVATAR,
    USER_AVATAR,
    escape_markdown,
    render_answer,
    render_exchange,
    searching_status,
)
from ui.document_view import show_document
from ui.engine import corpus_line, get_engine
from ui.errors import friendly_errors
from ui.owner import cookie_script
from ui.session import (
    Exchange,
    ask_later,
    complete_turn,
    continue_as_own,
    conversation_id,
    exchanges,
    forget_turn,
    history,
    identity,
    is_shared,
    keep_live,
    open_conversation,
    start_turn,
    take_live,
    take_open_document,
    take_pending,
    take_unavailable,
)
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
    """Ask the engine and show the answer as it is written; errors stay out of the history.

    The question is stored before anything else, so an interrupted run (a reload, a click) does not
    lose it. An LLM answer streams with a stop button; clicking it (or anything else) interrupts this
    run, and the next one finishes the answer (`finish_interrupted`)."""
    settings = get_settings()
    exchange = start_turn(settings, question, filter_types)
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR), friendly_errors():
        status = st.empty()  # drawn with the bubble: st.spinner shows itself only after half a second
        searching_status(status)
        engine = get_engine(settings)
        filters = {"types": filter_types} if filter_types else None
        result = engine.ask_stream(question, history=history(), filters=filters)
        streamed = result.live
        if streamed:  # an LLM writes as it goes; the guarded answer then replaces the raw text
            keep_live(exchange, result)
            status.button(texts.STOP, key=f"stop-{exchange.id}", icon=":material/stop_circle:")
            draft = st.empty()
            with draft.container():
                st.write_stream(result)
            answer = result.answer
            take_live()
            draft.empty()
        else:
            answer = result.answer
        if streamed:  # the stop button goes; the status stays while the follow-ups are looked up
            searching_status(status)
        finish_turn(settings, engine, exchange, answer)
        render_answer(exchange, settings, new=not streamed, latest=True, waiting=status)
    if exchange.answer is None:  # an error (shown above) is no answer: the question leaves the history again
        forget_turn(settings, exchange)


def finish_turn(settings: Settings, engine: Engine, exchange: Exchange, answer: Answer) -> None:
    """The answer into the conversation and the store, with what the page offers next to it."""
    exchange.answer = answer
    filters = {"types": exchange.filter_types} if exchange.filter_types else None
    try:
        if exchange.filter_types:  # one more search, over everything: would another type have answered better?
            everything = engine.search(answer.search_query, k=1)  # already made standalone
            exchange.better_type = better_outside_filter(answer, everything, exchange.filter_types)
        exchange.suggestions = engine.follow_ups(answer, history(), filters)
    except AssistantError:  # the index changed or went away meanwhile: the answer stands without extras
        exchange.suggestions = []
    complete_turn(settings, exchange)


def finish_interrupted(settings: Settings, engine: Engine) -> None:
    """An LLM answer whose run was interrupted (the stop button, or another click) is finished from
    the sentences written so far, guarded like a whole answer, and stored with a note."""
    live = take_live()
    if live is None:
        return
    with friendly_errors():
        answer = live.stream.stop()
        if live.conversation == conversation_id():
            finish_turn(settings, engine, live.exchange, answer)
        else:  # another conversation was opened meanwhile: the answer goes to its own, without extras
            live.exchange.answer = answer
            complete_turn(settings, live.exchange, live.conversation)


def main() -> None:
    settings = get_settings()
    st.title(texts.APP_HEADING)
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
    finish_interrupted(settings, engine)
    filter_types, actions = render_sidebar(settings, docs)
    if doc_id := take_open_document():
        show_document(settings, doc_id)
    question = (take_pending() or typed or "").strip()
    if question and is_shared():  # someone else's conversation is read-only: the question goes on in a copy
        continue_as_own(settings)
    if take_unavailable():
        st.info(texts.CONVERSATION_UNAVAILABLE, icon=":material/lock:")
    if is_shared():
        st.info(texts.SHARED_CONVERSATION, icon=":material/visibility:")
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
    if key := identity(settings).new_browser_key:  # this browser's conversations: its key kept in a cookie
        st.html(cookie_script(key), unsafe_allow_javascript=True)


main()
