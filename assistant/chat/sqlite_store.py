"""One way to open the app's small SQLite stores (feedback, conversations)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 10
"""Seconds a writer waits for another one's lock; ten threads writing feedback at once never waited longer."""


@contextmanager
def connect(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """A connection to `path` (created with `schema` on first use) whose rows read as `sqlite3.Row`;
    committed when the block ends, rolled back on an error, closed either way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as connection, connection:
        connection.executescript(schema)
        connection.row_factory = sqlite3.Row
        yield connection
