"""The conversation of one browser session: question/answer pairs kept in `st.session_state`, mirrored
in the conversation store and named in the URL (`?gesprek=<id>`), so a reload or a shared link reopens it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from assistant.config import Settings
from assistant.conversations import ConversationStore, new_conversation_id, valid_conversation_id
from assistant.models import Answer

_EXCHANGES = "exchanges"
_PENDING = "pending_question"
_CONVERSATION = "conversation_id"
FILTER_KEY = "type_filter"
URL_PARAM = "gesprek"


@dataclass
class Exchange:
    """One question and its answer; `id` keys the feedback widgets, the feedback row and the stored turn."""

    question: str
    answer: Answer
    filter_types: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    better_type: str | None = None
    """The excluded document type that would answer better (assistant.filter_check); not stored."""


def exchanges() -> list[Exchange]:
    return st.session_state.setdefault(_EXCHANGES, [])


def history() -> list[dict[str, str]]:
    """The conversation so far in the engine's `{"role", "content"}` form, for follow-up questions."""
    turns: list[dict[str, str]] = []
    for exchange in exchanges():
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
        st.session_state[_EXCHANGES] = [Exchange(t.question, t.answer, t.filter_types, t.turn_id) for t in turns]
        current = wanted
    elif current is None:
        current = new_conversation_id()
        st.session_state[_EXCHANGES] = []
    st.session_state[_CONVERSATION] = current
    st.query_params[URL_PARAM] = current
    return current


def remember(settings: Settings, exchange: Exchange) -> None:
    """Add an answered question to this session's conversation and to the store."""
    exchanges().append(exchange)
    ConversationStore(settings.conversations_db).add_turn(
        open_conversation(settings), exchange.id, exchange.question, exchange.answer, exchange.filter_types)


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
