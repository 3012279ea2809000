"""Conversations kept server-side in a small SQLite file, so a reload or a shared link reopens them.

One row per turn, keyed by the conversation id the app puts in its URL (`?gesprek=<id>`). A turn is
written when its question is asked (pending: no answer yet), so a reload while the answer is being
written does not lose the question, and completed with the whole `Answer.to_dict` (notes and language
included) and the suggested follow-up questions: a reopened conversation shows exactly what was shown,
without asking the engine again. Rows from before the JSON column are read from their old columns.
Like the feedback store, each call opens its own connection (Streamlit serves sessions on threads).
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    filter_types TEXT NOT NULL,
    answer_json TEXT,
    pending INTEGER NOT NULL DEFAULT 0,
    suggestions TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, created_at);
"""
_ADDED_COLUMNS = {
    "answer_json": "TEXT",
    "pending": "INTEGER NOT NULL DEFAULT 0",
    "suggestions": "TEXT NOT NULL DEFAULT '[]'",
}
"""Columns added after the first release: a file made before them gets them on first use."""


@dataclass
class StoredTurn:
    """One question and the answer given to it, as stored."""

    turn_id: str
    question: str
    answer: Answer | None
    """None while pending: asked, and not (yet) answered."""
    filter_types: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


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

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with connect(self.path, _SCHEMA) as connection:
            present = {row["name"] for row in connection.execute("PRAGMA table_info(turns)")}
            for name, declaration in _ADDED_COLUMNS.items():
                if name not in present:
                    connection.execute(f"ALTER TABLE turns ADD COLUMN {name} {declaration}")
            yield connection

    def add_turn(self, conversation_id: str, turn_id: str, question: str, answer: Answer | None,
                 filter_types: list[str], suggestions: Sequence[str] = (), at: datetime | None = None) -> None:
        """Write a turn; `answer=None` stores the question as pending. Writing a turn id again (the
        answer to a pending question) keeps the turn's place in the conversation."""
        citations = [] if answer is None else [citation.to_dict() for citation in answer.citations]
        stored = None if answer is None else json.dumps(answer.to_dict(with_retrieved=False), ensure_ascii=False)
        with self._connect() as connection:
            connection.execute(
                """
                INSERT INTO turns (turn_id, conversation_id, created_at, question, answer, citations, refused,
                                   refusal_reason, search_query, backend, filter_types, answer_json, pending,
                                   suggestions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (turn_id) DO UPDATE SET
                    answer = excluded.answer, citations = excluded.citations, refused = excluded.refused,
                    refusal_reason = excluded.refusal_reason, search_query = excluded.search_query,
                    backend = excluded.backend, answer_json = excluded.answer_json, pending = excluded.pending,
                    suggestions = excluded.suggestions
                """,
                (turn_id, conversation_id, (at or _now()).isoformat(timespec="microseconds"), question,
                 "" if answer is None else answer.text, json.dumps(citations, ensure_ascii=False),
                 int(bool(answer and answer.refused)), answer and answer.refusal_reason,
                 question if answer is None else answer.search_query, "" if answer is None else answer.backend,
                 json.dumps(filter_types, ensure_ascii=False), stored, int(answer is None),
                 json.dumps(list(suggestions), ensure_ascii=False)),
            )

    def remove_turn(self, turn_id: str) -> int:
        """Remove one turn (a pending question that is asked again as a new turn)."""
        with self._connect() as connection:
            return connection.execute("DELETE FROM turns WHERE turn_id = ?", (turn_id,)).rowcount

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        with self._connect() as connection:
            records = connection.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY created_at, rowid", (conversation_id,)
            ).fetchall()
        return [
            StoredTurn(turn_id=record["turn_id"], question=record["question"], answer=_stored_answer(record),
                       filter_types=json.loads(record["filter_types"]), suggestions=json.loads(record["suggestions"]))
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


def _stored_answer(record: sqlite3.Row) -> Answer | None:
    """The answer as `Answer.to_dict` stored it; a row from before that column, from its own columns."""
    if record["pending"]:
        return None
    if record["answer_json"]:
        return Answer.from_dict(json.loads(record["answer_json"]))
    return Answer(
        text=record["answer"],
        citations=[Citation(**item) for item in json.loads(record["citations"])],
        refused=bool(record["refused"]),
        search_query=record["search_query"],
        backend=record["backend"],
        refusal_reason=record["refusal_reason"],
    )
