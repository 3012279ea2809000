"""The conversation of one browser session: question/answer pairs kept in `st.session_state`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import streamlit as st

from assistant.models import Answer

_EXCHANGES = "exchanges"
_PENDING = "pending_question"


@dataclass
class Exchange:
    """One question and its answer; `id` keys the feedback widgets and the feedback row."""

    question: str
    answer: Answer
    filter_types: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def exchanges() -> list[Exchange]:
    return st.session_state.setdefault(_EXCHANGES, [])


def history() -> list[dict[str, str]]:
    """The conversation so far in the engine's `{"role", "content"}` form, for follow-up questions."""
    turns: list[dict[str, str]] = []
    for exchange in exchanges():
        turns.append({"role": "user", "content": exchange.question})
        turns.append({"role": "assistant", "content": exchange.answer.text})
    return turns


def new_conversation() -> None:
    st.session_state[_EXCHANGES] = []


def ask_later(question: str) -> None:
    """Button callback: the question is asked in the run the click triggers."""
    st.session_state[_PENDING] = question


def take_pending() -> str | None:
    return st.session_state.pop(_PENDING, None)
