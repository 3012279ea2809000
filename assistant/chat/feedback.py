"""Thumbs up/down and comments on answers, kept in a small SQLite file.

One row per answer (keyed by the app's answer id), so changing a thumb or adding a comment later
updates that row instead of piling up contradicting votes. Each call opens its own connection:
Streamlit serves every session on its own thread, and SQLite connections must not cross threads.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.chat.sqlite_store import connect
from assistant.models import Answer

Rating = Literal["up", "down"]
EXPORT_FORMATS = ("csv", "jsonl")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    question TEXT NOT NULL,
    search_query TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    backend TEXT NOT NULL,
    refused INTEGER NOT NULL,
    rating TEXT,
    comment TEXT
)
"""


@dataclass
class FeedbackRow:
    answer_id: str
    created_at: str
    updated_at: str
    question: str
    search_query: str
    answer: str
    citations: list[dict[str, Any]]
    backend: str
    refused: bool
    rating: str | None
    comment: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """Reads and writes the feedback table of one SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, _SCHEMA)

    def rate(self, answer_id: str, question: str, answer: Answer, rating: Rating | None) -> None:
        """Record (or change, or withdraw with None) the thumb for one answer, keeping its comment."""
        now = _now()
        citations = json.dumps([citation.to_dict() for citation in answer.citations], ensure_ascii=False)
        with self._connect() as connection:
            connection.execute(
                """
                INSERT INTO feedback (answer_id, created_at, updated_at, question, search_query, answer,
                                      citations, backend, refused, rating)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(answer_id) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at
                """,
                (answer_id, now, now, question, answer.search_query, answer.text, citations, answer.backend,
                 int(answer.refused), rating),
            )

    def comment(self, answer_id: str, comment: str) -> bool:
        """Attach a comment to an answer that was rated; False when there is no such row."""
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE feedback SET comment = ?, updated_at = ? WHERE answer_id = ?",
                (comment.strip() or None, _now(), answer_id),
            )
            return cursor.rowcount > 0

    def rows(self) -> list[FeedbackRow]:
        with self._connect() as connection:
            records = connection.execute("SELECT * FROM feedback ORDER BY created_at, answer_id").fetchall()
        return [
            FeedbackRow(**{**dict(record), "citations": json.loads(record["citations"]), "refused": bool(record["refused"])})
            for record in records
        ]

    def export(self, out: Path, fmt: str) -> int:
        """Write all feedback as CSV (citations as a JSON column) or JSON Lines; returns the row count."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; use one of {EXPORT_FORMATS}")
        rows = [asdict(row) for row in self.rows()]
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as handle:
            if fmt == "jsonl":
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                writer = csv.DictWriter(handle, fieldnames=list(FeedbackRow.__dataclass_fields__))
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, "citations": json.dumps(row["citations"], ensure_ascii=False)})
        return len(rows)
