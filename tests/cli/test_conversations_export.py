"""`assistant conversations export-unowned`: the conversations from before owners, for an administrator."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.chat.conversations import ConversationStore
from assistant.config import get_settings
from assistant.models import Answer
from cli.main import app

pytestmark = pytest.mark.unit


def test_unowned_conversations_are_exported_and_owned_ones_are_not(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "conversations.sqlite3"
    store = ConversationStore(database)
    store.add_turn("gesprek-eigen", "t1", "Van iemand?", Answer(text="Ja. [1]", citations=[], refused=False,
                                                                 search_query="Van iemand?"), [], owner="browser:abc")
    with sqlite3.connect(database) as connection:  # a row as the app wrote it before owners existed
        connection.execute(
            "INSERT INTO turns (turn_id, conversation_id, created_at, question, answer, citations, refused, "
            "search_query, backend, filter_types) VALUES ('oud-1', 'gesprek-oud', '2026-12-01T10:00:00+00:00', "
            "'Een oude vraag?', 'Oud antwoord.', '[]', 0, 'Een oude vraag?', 'extractive', '[]')")
    monkeypatch.setenv("ASSISTENT_CONVERSATIONS_DB", str(database))
    get_settings.cache_clear()
    out = tmp_path / "oud.json"
    try:
        result = CliRunner().invoke(app, ["conversations", "export-unowned", "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "1 gesprek zonder eigenaar" in result.output
    [conversation] = json.loads(out.read_text(encoding="utf-8"))
    assert conversation["conversation_id"] == "gesprek-oud"
    [turn] = conversation["turns"]
    assert turn["question"] == "Een oude vraag?" and turn["answer"]["text"] == "Oud antwoord."
    assert turn["asked_at"].startswith("2026-12-01")
