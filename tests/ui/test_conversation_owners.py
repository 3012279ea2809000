"""Conversations per browser in the real chat page (AppTest, a small real index): each session lists only
its own, a link opens someone else's read-only, a question there continues in a copy, and a
conversation from before owners existed opens for nobody. (AppTest sends no cookies, so every AppTest
session is a new browser; the browser tests in test_e2e_owners.py check the cookie itself.)"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_app import APP, LAW_QUESTION, app_settings, ask, run_app  # noqa: F401  (app_settings is a fixture)

from assistant.chat.conversations import ConversationStore
from assistant.config import Settings

pytestmark = pytest.mark.integration


def open_link(conversation: str) -> AppTest:
    """A new browser opening `?gesprek=<conversation>`."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["gesprek"] = conversation
    return at.run()


def conversation_buttons(at: AppTest, prefix: str) -> list[str]:
    return [b.key for b in at.sidebar.button if b.key and b.key.startswith(prefix)]


def test_each_browser_lists_only_its_own_conversations(app_settings: Settings) -> None:  # noqa: F811  (the imported fixture)
    mine = ask(run_app(), LAW_QUESTION).run()  # the sidebar list is drawn before the answer: one more run
    conversation = mine.query_params["gesprek"]
    assert conversation_buttons(mine, "open-") == [f"open-{conversation}"]
    other = run_app()
    assert conversation_buttons(other, "open-") == [] and conversation_buttons(other, "delete-") == []
    assert any(e.label.startswith("Eerdere gesprekken (0)") for e in other.sidebar.expander)


def test_a_shared_link_is_read_only_and_a_question_there_goes_on_in_a_copy(app_settings: Settings) -> None:  # noqa: F811  (the imported fixture)
    mine = ask(run_app(), LAW_QUESTION).run()  # the sidebar list is drawn before the answer: one more run
    conversation = mine.query_params["gesprek"]
    shared = open_link(conversation)
    assert not shared.exception and len(shared.chat_message) == 2, "the one conversation, as it was shown"
    assert any("gedeeld gesprek" in i.value for i in shared.info)
    assert conversation_buttons(shared, "delete-") == [] and conversation_buttons(shared, "open-") == [], \
        "no delete, and none of the owner's other conversations"
    continued = ask(shared, "Wat is OOGO?").run()
    copy = continued.query_params["gesprek"]
    assert copy != conversation and len(continued.chat_message) == 4, "the shared turns, then the new question"
    assert not any("gedeeld gesprek" in i.value for i in continued.info)
    assert conversation_buttons(continued, "open-") == [f"open-{copy}"]
    store = ConversationStore(app_settings.conversations_db)
    assert [t.question for t in store.turns(conversation)] == [LAW_QUESTION], "the original is unchanged"
    assert [t.question for t in store.turns(copy)] == [LAW_QUESTION, "Wat is OOGO?"]


def test_a_conversation_without_owner_opens_for_nobody(app_settings: Settings) -> None:  # noqa: F811  (the imported fixture)
    import sqlite3

    ConversationStore(app_settings.conversations_db).conversations("niemand")  # the file with today's columns
    with sqlite3.connect(app_settings.conversations_db) as connection:
        connection.execute(
            "INSERT INTO turns (turn_id, conversation_id, created_at, question, answer, citations, refused, "
            "search_query, backend, filter_types) VALUES ('oud-1', 'oud-gesprek-1', '2026-12-01T10:00:00+00:00', "
            "'Een oude vraag?', 'Oud antwoord.', '[]', 0, 'Een oude vraag?', 'extractive', '[]')")
    at = open_link("oud-gesprek-1")
    assert not at.exception and len(at.chat_message) == 0
    assert any("niet beschikbaar" in i.value for i in at.info)
    assert at.query_params["gesprek"] != "oud-gesprek-1", "a new conversation of this browser instead"
