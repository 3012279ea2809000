"""The conversation of one browser session: question/answer pairs kept in `st.session_state`, mirrored
in the conversation store and named in the URL (`?gesprek=<id>`), so a reload or a shared link reopens it.

A question is stored the moment it is asked (pending), and completed when its answer is there: a
reload, or a click that interrupts the script while the answer is written, never loses the question.
An LLM answer that streams is kept here too while it is written (`keep_live`), because Streamlit
interrupts the running script when a button is clicked: the run the click starts finishes it.

Conversations belong to someone (`ui/owner.py`: the logged-in user or this browser). A link to someone
else's conversation opens it read-only (`is_shared`); a question asked there continues in a copy that
is the asker's own (`continue_as_own`), as a shared chat does in ChatGPT."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from assistant.answer.answer_stream import AnswerStream
from assistant.chat.conversations import ConversationStore, StoredTurn, new_conversation_id, valid_conversation_id
from assistant.config import Settings
from assistant.models import Answer
from ui.owner import Identity, identify

_EXCHANGES = "exchanges"
_PENDING = "pending_question"
_CONVERSATION = "conversation_id"
_LIVE = "live_answer"
_OPEN_DOCUMENT = "open_document"
_IDENTITY = "identity"
_SHARED = "shared_conversation"
_UNAVAILABLE = "conversation_unavailable"
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
    """The excluded document type that would answer better (assistant.search.filter_check); not stored."""
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


def identity(settings: Settings) -> Identity:
    """Whose conversations this session shows; decided once per session (a login starts a new one)."""
    known: Identity | None = st.session_state.get(_IDENTITY)
    if known is None:
        known = identify(st.user.to_dict(), st.context.headers, st.context.cookies, settings.user_header)
        st.session_state[_IDENTITY] = known
    return known


def owner(settings: Settings) -> str:
    return identity(settings).owner


def is_shared() -> bool:
    """The conversation on screen is someone else's, opened by its link: read-only."""
    return bool(st.session_state.get(_SHARED))


def take_unavailable() -> bool:
    """The URL named a conversation nobody may open (one from before owners existed); said once."""
    return bool(st.session_state.pop(_UNAVAILABLE, False))


def open_conversation(settings: Settings) -> str:
    """The conversation the URL names, loaded from the store when the session does not hold it yet
    (a reload, a shared link); without one, a fresh id. The URL always names the conversation shown."""
    wanted = st.query_params.get(URL_PARAM)
    current = conversation_id()
    if valid_conversation_id(wanted) and wanted != current:
        current = _load(settings, wanted)
    elif current is None:
        current = _fresh()
    st.session_state[_CONVERSATION] = current
    st.query_params[URL_PARAM] = current
    return current


def _load(settings: Settings, wanted: str) -> str:
    """`wanted`'s turns, read-only when someone else owns it; a conversation without owner opens for nobody."""
    store = ConversationStore(settings.conversations_db)
    holder = store.owner(wanted)
    if holder is None and store.exists(wanted):
        st.session_state[_UNAVAILABLE] = True
        return _fresh()
    _show(store.turns(wanted))
    st.session_state[_SHARED] = holder is not None and holder != owner(settings)
    return wanted


def _fresh() -> str:
    _show([])
    st.session_state[_SHARED] = False
    return new_conversation_id()


def _show(turns: list[StoredTurn]) -> None:
    st.session_state[_EXCHANGES] = [Exchange(t.question, t.answer, t.filter_types, t.turn_id, suggestions=t.suggestions)
                                    for t in turns]


def continue_as_own(settings: Settings) -> None:
    """Before a question is asked in a shared conversation: it goes on as a copy of the asker's own."""
    own = new_conversation_id()
    _show(ConversationStore(settings.conversations_db).copy(open_conversation(settings), own, owner(settings)))
    st.session_state[_SHARED] = False
    st.session_state[_CONVERSATION] = own
    st.query_params[URL_PARAM] = own


def start_turn(settings: Settings, question: str, filter_types: list[str]) -> Exchange:
    """A question just asked: in the conversation and the store at once, pending until `complete_turn`."""
    exchange = Exchange(question, None, filter_types)
    exchanges().append(exchange)
    ConversationStore(settings.conversations_db).add_turn(
        open_conversation(settings), exchange.id, question, None, filter_types, owner=owner(settings))
    return exchange


def complete_turn(settings: Settings, exchange: Exchange, conversation: str | None = None) -> None:
    """Store the answer (and suggestions) of a pending turn, in its place in its conversation
    (default: the one on screen)."""
    ConversationStore(settings.conversations_db).add_turn(
        conversation or open_conversation(settings), exchange.id, exchange.question, exchange.answer,
        exchange.filter_types, exchange.suggestions, owner=owner(settings))


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
    ConversationStore(settings.conversations_db).remove_turn(exchange.id, owner(settings))


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
