"""The conversation of one browser session: question/answer pairs kept in `st.session_state`, mirrored
in the conversation store and named in the URL (`?gesprek=<id>`), so a reload or a shared link reopens it.

A question is stored the moment it is asked (pending), and completed when its answer is there: a
reload, or a click that interrupts the script while the answer is written, never loses the question.
An LLM answer that streams is kept here too while it is written (`keep_live`), because Streamlit
interrupts the running script when a button is clicked: the run the click starts finishes it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from assistant.answer_stream import AnswerStream
from assistant.config import Settings
from assistant.conversations import ConversationStore, new_conversation_id, valid_conversation_id
from assistant.models import Answer

_EXCHANGES = "exchanges"
_PENDING = "pending_question"
_CONVERSATION = "conversation_id"
_LIVE = "live_answer"
_OPEN_DOCUMENT = "open_document"
FILTER_KEY = "type_filter"
URL_PARAM = "gesprek"


@dataclass
class Exchange:
    """One question and its answer; `id` keys the feedback widgets, the feedback row and the stored turn."""

    question: str
    answer: Answer | None
    """None while the question is pending: asked, not (yet) answered."""
    filter_types: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    better_type: str | None = None
    """The excluded document type that would answer better (assistant.filter_check); not stored."""
    suggestions: list[str] = field(default_factory=list)
    """Follow-up questions the engine would answer (`Engine.follow_ups`)."""


def exchanges() -> list[Exchange]:
    return st.session_state.setdefault(_EXCHANGES, [])


def history() -> list[dict[str, str]]:
    """The conversation so far in the engine's `{"role", "content"}` form, for follow-up questions."""
    turns: list[dict[str, str]] = []
    for exchange in exchanges():
        if exchange.answer is None:
            continue
        turns.append({"role": "user", "content": exchange.question})
        turns.append({"role": "assistant", "content": exchange.answer.text})
    return turns


def conversation_id() -> str | None:
    return st.session_state.get(_CONVERSATION)


def open_conversation(settings: Settings) -> str:
    """The conversation the URL names, loaded from the store when the session does not hold it yet
    (a reload, a shared link); without one, a fresh id. The URL always names the conversation shown."""
    wanted = st.query_params.get(URL_PARAM)
    current = conversation_id()
    if valid_conversation_id(wanted) and wanted != current:
        turns = ConversationStore(settings.conversations_db).turns(wanted)
        st.session_state[_EXCHANGES] = [Exchange(t.question, t.answer, t.filter_types, t.turn_id, suggestions=t.suggestions)
                                        for t in turns]
        current = wanted
    elif current is None:
        current = new_conversation_id()
        st.session_state[_EXCHANGES] = []
    st.session_state[_CONVERSATION] = current
    st.query_params[URL_PARAM] = current
    return current


def start_turn(settings: Settings, question: str, filter_types: list[str]) -> Exchange:
    """A question just asked: in the conversation and the store at once, pending until `complete_turn`."""
    exchange = Exchange(question, None, filter_types)
    exchanges().append(exchange)
    ConversationStore(settings.conversations_db).add_turn(
        open_conversation(settings), exchange.id, question, None, filter_types)
    return exchange


def complete_turn(settings: Settings, exchange: Exchange, conversation: str | None = None) -> None:
    """Store the answer (and suggestions) of a pending turn, in its place in its conversation
    (default: the one on screen)."""
    ConversationStore(settings.conversations_db).add_turn(
        conversation or open_conversation(settings), exchange.id, exchange.question, exchange.answer,
        exchange.filter_types, exchange.suggestions)


@dataclass
class LiveAnswer:
    """An LLM answer being written: its turn, the conversation it belongs to, and the stream."""

    exchange: Exchange
    conversation: str
    stream: AnswerStream


def keep_live(exchange: Exchange, stream: AnswerStream) -> None:
    """The answer being written now, so that a run that interrupts this one can finish it (`take_live`)."""
    st.session_state[_LIVE] = LiveAnswer(exchange, conversation_id() or "", stream)


def take_live() -> LiveAnswer | None:
    """The live answer an interrupted run left, if any (its text so far is in the stream); None after it finished."""
    return st.session_state.pop(_LIVE, None)


def forget_turn(settings: Settings, exchange: Exchange) -> None:
    """Take a turn out of the conversation and the store."""
    if exchange in exchanges():
        exchanges().remove(exchange)
    ConversationStore(settings.conversations_db).remove_turn(exchange.id)


def ask_again(exchange: Exchange, settings: Settings) -> None:
    """Button callback for an unanswered question: it is asked again as the newest turn."""
    forget_turn(settings, exchange)
    ask_later(exchange.question)


def new_conversation() -> None:
    """A fresh id; the previous conversation stays in the store and in the sidebar list."""
    switch_conversation(new_conversation_id())


def switch_conversation(target: str) -> None:
    """Button callback: the next run loads `target` from the store (see `open_conversation`)."""
    st.session_state.pop(_CONVERSATION, None)
    st.session_state[_EXCHANGES] = []
    st.query_params[URL_PARAM] = target


def ask_later(question: str) -> None:
    """Button callback: the question is asked in the run the click triggers."""
    st.session_state[_PENDING] = question


def search_everything(question: str) -> None:
    """Button callback: the type filter off, and the question asked again over all documents."""
    st.session_state[FILTER_KEY] = []
    ask_later(question)


def take_pending() -> str | None:
    return st.session_state.pop(_PENDING, None)


def open_document(doc_id: str) -> None:
    """Button callback: the run the click triggers shows this document's text."""
    st.session_state[_OPEN_DOCUMENT] = doc_id


def take_open_document() -> str | None:
    return st.session_state.pop(_OPEN_DOCUMENT, None)
