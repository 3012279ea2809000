"""Conversations kept server-side in a small SQLite file, so a reload or a shared link reopens them.

One row per turn (question, answer text, citations as JSON, refused flag, ...), keyed by the
conversation id the app puts in its URL (`?gesprek=<id>`). Rows hold what the app needs to draw the
answer again without asking the engine: a reopened conversation shows what was answered then.
Like the feedback store, each call opens its own connection (Streamlit serves sessions on threads).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.models import Answer, Citation
from assistant.sqlite_store import connect

_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    turn_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    refused INTEGER NOT NULL,
    refusal_reason TEXT,
    search_query TEXT NOT NULL,
    backend TEXT NOT NULL,
    filter_types TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, created_at);
"""


@dataclass
class StoredTurn:
    """One question and the answer given to it, as stored."""

    turn_id: str
    question: str
    answer: Answer
    filter_types: list[str] = field(default_factory=list)


@dataclass
class ConversationSummary:
    """A conversation for the sidebar list: its first question is its title."""

    conversation_id: str
    title: str
    started_at: datetime
    turns: int


def new_conversation_id() -> str:
    """Unguessable, because a link to a conversation is all it takes to read it."""
    return secrets.token_urlsafe(12)


def valid_conversation_id(value: str | None) -> bool:
    """URL input is checked before it reaches SQL or the session (it is user-controlled)."""
    return bool(value and _ID.match(value))


def _now() -> datetime:
    return datetime.now(UTC)


class ConversationStore:
    """Reads and writes the turns table of one SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, _SCHEMA)

    def add_turn(self, conversation_id: str, turn_id: str, question: str, answer: Answer,
                 filter_types: list[str], at: datetime | None = None) -> None:
        citations = json.dumps([citation.to_dict() for citation in answer.citations], ensure_ascii=False)
        with self._connect() as connection:
            connection.execute(
                """
                INSERT OR REPLACE INTO turns (turn_id, conversation_id, created_at, question, answer, citations,
                                              refused, refusal_reason, search_query, backend, filter_types)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (turn_id, conversation_id, (at or _now()).isoformat(timespec="microseconds"), question, answer.text,
                 citations, int(answer.refused), answer.refusal_reason, answer.search_query, answer.backend,
                 json.dumps(filter_types, ensure_ascii=False)),
            )

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        with self._connect() as connection:
            records = connection.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY created_at, rowid", (conversation_id,)
            ).fetchall()
        return [
            StoredTurn(
                turn_id=record["turn_id"],
                question=record["question"],
                answer=Answer(
                    text=record["answer"],
                    citations=[Citation(**item) for item in json.loads(record["citations"])],
                    refused=bool(record["refused"]),
                    search_query=record["search_query"],
                    backend=record["backend"],
                    refusal_reason=record["refusal_reason"],
                ),
                filter_types=json.loads(record["filter_types"]),
            )
            for record in records
        ]

    def conversations(self, limit: int = 20) -> list[ConversationSummary]:
        """The most recently started conversations first."""
        with self._connect() as connection:
            records = connection.execute(
                """
                SELECT conversation_id, MIN(created_at) AS started_at, COUNT(*) AS turns,
                       (SELECT question FROM turns AS first WHERE first.conversation_id = turns.conversation_id
                        ORDER BY created_at, rowid LIMIT 1) AS title
                FROM turns GROUP BY conversation_id ORDER BY MAX(created_at) DESC LIMIT ?
                """,
                (limit,),
            ).fetchall()
        return [
            ConversationSummary(record["conversation_id"], record["title"],
                                datetime.fromisoformat(record["started_at"]), record["turns"])
            for record in records
        ]

    def delete(self, conversation_id: str) -> int:
        with self._connect() as connection:
            return connection.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,)).rowcount

    def purge(self, days: int, now: datetime | None = None) -> int:
        """Delete conversations whose last turn is older than `days`: no one keeps them forever by accident."""
        cutoff = ((now or _now()) - timedelta(days=days)).isoformat(timespec="microseconds")
        with self._connect() as connection:
            return connection.execute(
                """
                DELETE FROM turns WHERE conversation_id IN (
                    SELECT conversation_id FROM turns GROUP BY conversation_id HAVING MAX(created_at) < ?)
                """,
                (cutoff,),
            ).rowcount
