"""Conversations kept server-side in a small SQLite file, so a reload or a shared link reopens them.

One row per turn, keyed by the conversation id the app puts in its URL (`?gesprek=<id>`) and owned by
one person (`owner`: a logged-in user or one browser, see `ui/owner.py`). Only the owner lists, continues
or deletes a conversation; anyone with its link may read it. Rows from before owners existed have none:
they are shown to nobody, and an administrator can export them (`assistant conversations export-unowned`). A turn is
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

from assistant.chat.sqlite_store import connect
from assistant.models import Answer, Citation

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
    suggestions TEXT NOT NULL DEFAULT '[]',
    owner TEXT
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, created_at);
"""
_ADDED_COLUMNS = {
    "answer_json": "TEXT",
    "pending": "INTEGER NOT NULL DEFAULT 0",
    "suggestions": "TEXT NOT NULL DEFAULT '[]'",
    "owner": "TEXT",
}
"""Columns added after the first release: a file made before them gets them on first use."""
_OWNER_INDEX = "CREATE INDEX IF NOT EXISTS turns_by_owner ON turns (owner, created_at)"
"""Made after the columns are added: an old file has no `owner` column when the schema script runs."""


class NotYourConversation(PermissionError):
    """A write into a conversation that someone else owns (a shared link is read-only)."""


@dataclass
class StoredTurn:
    """One question and the answer given to it, as stored."""

    turn_id: str
    question: str
    answer: Answer | None
    """None while pending: asked, and not (yet) answered."""
    filter_types: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    asked_at: datetime | None = None


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
            connection.execute(_OWNER_INDEX)
            yield connection

    def add_turn(self, conversation_id: str, turn_id: str, question: str, answer: Answer | None,
                 filter_types: list[str], suggestions: Sequence[str] = (), at: datetime | None = None, *,
                 owner: str) -> None:
        """Write a turn of `owner`'s conversation; `answer=None` stores the question as pending. Writing a
        turn id again (the answer to a pending question) keeps the turn's place in the conversation.
        Raises `NotYourConversation` when the conversation (or the turn) belongs to someone else."""
        citations = [] if answer is None else [citation.to_dict() for citation in answer.citations]
        stored = None if answer is None else json.dumps(answer.to_dict(with_retrieved=False), ensure_ascii=False)
        with self._connect() as connection:
            holders = {record["owner"] for record in connection.execute(
                "SELECT owner FROM turns WHERE conversation_id = ? OR turn_id = ?", (conversation_id, turn_id))}
            if holders - {owner}:
                raise NotYourConversation(conversation_id)
            connection.execute(
                """
                INSERT INTO turns (turn_id, conversation_id, created_at, question, answer, citations, refused,
                                   refusal_reason, search_query, backend, filter_types, answer_json, pending,
                                   suggestions, owner)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                 json.dumps(list(suggestions), ensure_ascii=False), owner),
            )

    def remove_turn(self, turn_id: str, owner: str) -> int:
        """Remove one of `owner`'s turns (a pending question that is asked again as a new turn)."""
        with self._connect() as connection:
            return connection.execute("DELETE FROM turns WHERE turn_id = ? AND owner = ?", (turn_id, owner)).rowcount

    def owner(self, conversation_id: str) -> str | None:
        """Who owns the conversation; None when it has no rows, or only rows from before owners existed."""
        with self._connect() as connection:
            record = connection.execute(
                "SELECT owner FROM turns WHERE conversation_id = ? AND owner IS NOT NULL LIMIT 1", (conversation_id,)
            ).fetchone()
        return record["owner"] if record else None

    def exists(self, conversation_id: str) -> bool:
        with self._connect() as connection:
            return connection.execute(
                "SELECT 1 FROM turns WHERE conversation_id = ? LIMIT 1", (conversation_id,)).fetchone() is not None

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        """The turns of a conversation that has an owner (anyone with its link may read it); a conversation
        from before owners existed reads as empty: only `unowned` (the administrator's export) shows it."""
        with self._connect() as connection:
            records = connection.execute(
                "SELECT * FROM turns WHERE conversation_id = ? AND owner IS NOT NULL ORDER BY created_at, rowid",
                (conversation_id,),
            ).fetchall()
        return [_stored_turn(record) for record in records]

    def conversations(self, owner: str, limit: int = 20) -> list[ConversationSummary]:
        """`owner`'s conversations, the most recently continued first."""
        with self._connect() as connection:
            records = connection.execute(
                """
                SELECT conversation_id, MIN(created_at) AS started_at, COUNT(*) AS turns,
                       (SELECT question FROM turns AS first WHERE first.conversation_id = turns.conversation_id
                        ORDER BY created_at, rowid LIMIT 1) AS title
                FROM turns WHERE owner = ? GROUP BY conversation_id ORDER BY MAX(created_at) DESC LIMIT ?
                """,
                (owner, limit),
            ).fetchall()
        return [
            ConversationSummary(record["conversation_id"], record["title"],
                                datetime.fromisoformat(record["started_at"]), record["turns"])
            for record in records
        ]

    def copy(self, conversation_id: str, new_conversation_id: str, owner: str) -> list[StoredTurn]:
        """Continue someone else's (shared) conversation as `owner`'s own: its answered turns copied under
        new ids into `new_conversation_id`; the original stays as it is. Returns the copied turns."""
        copied: list[StoredTurn] = []
        for turn in self.turns(conversation_id):
            if turn.answer is None:
                continue  # an unanswered question of someone else is not worth continuing
            turn_id = secrets.token_hex(16)
            self.add_turn(new_conversation_id, turn_id, turn.question, turn.answer, turn.filter_types,
                          turn.suggestions, owner=owner)
            copied.append(StoredTurn(turn_id, turn.question, turn.answer, turn.filter_types, turn.suggestions))
        return copied

    def delete(self, conversation_id: str, owner: str) -> int:
        """Delete one of `owner`'s conversations; someone else's stays (0 rows)."""
        with self._connect() as connection:
            return connection.execute(
                "DELETE FROM turns WHERE conversation_id = ? AND owner = ?", (conversation_id, owner)).rowcount

    def unowned(self) -> dict[str, list[StoredTurn]]:
        """The conversations from before owners existed, by id: shown to nobody in the app, exported by an
        administrator (`assistant conversations export-unowned`)."""
        with self._connect() as connection:
            records = connection.execute(
                "SELECT * FROM turns WHERE owner IS NULL ORDER BY conversation_id, created_at, rowid").fetchall()
        conversations: dict[str, list[StoredTurn]] = {}
        for record in records:
            conversations.setdefault(record["conversation_id"], []).append(_stored_turn(record))
        return conversations

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


def _stored_turn(record: sqlite3.Row) -> StoredTurn:
    return StoredTurn(turn_id=record["turn_id"], question=record["question"], answer=_stored_answer(record),
                      filter_types=json.loads(record["filter_types"]), suggestions=json.loads(record["suggestions"]),
                      asked_at=datetime.fromisoformat(record["created_at"]))


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
