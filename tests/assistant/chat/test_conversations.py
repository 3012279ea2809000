"""The conversation store: turns come back as they were stored, the sidebar list, deletion and purging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.chat.conversations import ConversationStore, NotYourConversation, new_conversation_id, valid_conversation_id
from assistant.models import Answer, Citation

pytestmark = pytest.mark.unit

ME = "browser:mijn"
OTHER = "browser:iemand-anders"


def answer(text: str, refused: bool = False) -> Answer:
    citations = [] if refused else [Citation(
        number=1, doc_id="wetgeving/wpo", title="WPO", type="wetgeving", article="18a", lid="9", page=None,
        quote="Het plan wordt vastgesteld.", source_url=None, passage_id="wetgeving/wpo::00001::abc",
        reference="WPO art. 18a lid 9", bwb_id="BWBR0003420")]
    return Answer(text=text, citations=citations, refused=refused, search_query=text,
                  refusal_reason="not_found" if refused else None)


def test_turns_come_back_in_order_with_their_citations(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "sub" / "conversations.sqlite3")
    store.add_turn("gesprek-a1", "t1", "Eerste vraag?", answer("Het plan wordt vastgesteld. [1]"), ["wetgeving"], owner=ME)
    store.add_turn("gesprek-a1", "t2", "Hoofdstad?", answer("Dat staat niet in de bronnen.", refused=True), [], owner=ME)
    store.add_turn("gesprek-b2", "t3", "Andere vraag?", answer("Iets. [1]"), [], owner=ME)
    first, second = store.turns("gesprek-a1")
    assert (first.turn_id, first.question, first.filter_types) == ("t1", "Eerste vraag?", ["wetgeving"])
    assert first.answer.citations[0].reference == "WPO art. 18a lid 9"
    assert first.answer.citations[0].bwb_id == "BWBR0003420"
    assert second.answer.refused and second.answer.refusal_reason == "not_found" and not second.answer.citations
    assert store.turns("onbekend-id") == []


def test_list_delete_and_purge(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    store.add_turn("oud-gesprek", "t1", "Oude vraag?", answer("Oud. [1]"), [], at=now - timedelta(days=40), owner=ME)
    store.add_turn("nieuw-gesprek", "t2", "Nieuwe vraag?", answer("Nieuw. [1]"), [], at=now - timedelta(days=1), owner=ME)
    store.add_turn("nieuw-gesprek", "t3", "Vervolgvraag?", answer("Meer. [1]"), [], at=now, owner=ME)
    listed = store.conversations(ME)
    assert [(s.conversation_id, s.title, s.turns) for s in listed] == [
        ("nieuw-gesprek", "Nieuwe vraag?", 2), ("oud-gesprek", "Oude vraag?", 1)]
    assert store.purge(30, now=now) == 1
    assert [s.conversation_id for s in store.conversations(ME)] == ["nieuw-gesprek"]
    assert store.delete("nieuw-gesprek", ME) == 2 and store.conversations(ME) == []


def test_conversation_ids_from_the_url_are_checked() -> None:
    assert valid_conversation_id(new_conversation_id())
    for bad in (None, "", "kort", "'; DROP TABLE turns; --", "a" * 65, "../../etc"):
        assert not valid_conversation_id(bad)


def test_a_reopened_answer_is_the_answer_that_was_shown(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    shown = answer("The plan is adopted after consultation. [1]")
    shown.guard_notes = ["1 zin zonder steun in de bronnen weggelaten"]
    shown.language = "en"
    shown.typo_fixes = {"gemeete": "gemeente"}
    store.add_turn("gesprek-a1", "t1", "When is the plan adopted?", shown, [], suggestions=["Wat is OOGO?"], owner=ME)
    [turn] = store.turns("gesprek-a1")
    assert turn.answer == Answer.from_dict(shown.to_dict(with_retrieved=False))
    assert turn.answer.guard_notes == shown.guard_notes and turn.answer.language == "en"
    assert turn.answer.typo_fixes == {"gemeete": "gemeente"} and turn.suggestions == ["Wat is OOGO?"]


def test_a_pending_question_is_kept_and_answered_in_its_place(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    store.add_turn("gesprek-a1", "t1", "Eerste vraag?", None, [], at=now, owner=ME)
    store.add_turn("gesprek-a1", "t2", "Tweede vraag?", answer("Twee. [1]"), [], at=now + timedelta(minutes=1), owner=ME)
    first, second = store.turns("gesprek-a1")
    assert first.question == "Eerste vraag?" and first.answer is None, "asked, not answered: kept as pending"
    store.add_turn("gesprek-a1", "t1", "Eerste vraag?", answer("Een. [1]"), [], at=now + timedelta(minutes=2), owner=ME)
    first, second = store.turns("gesprek-a1")
    assert first.turn_id == "t1" and first.answer is not None and first.answer.text == "Een. [1]", "answered in place"
    assert store.remove_turn("t1", ME) == 1 and [t.turn_id for t in store.turns("gesprek-a1")] == ["t2"]


def test_rows_from_before_owners_are_shown_to_nobody_but_exported(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "conversations.sqlite3"
    with sqlite3.connect(path) as connection:  # the table as the first release made it: no JSON, no owner
        connection.executescript("""
            CREATE TABLE turns (turn_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, created_at TEXT NOT NULL,
                question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, refused INTEGER NOT NULL,
                refusal_reason TEXT, search_query TEXT NOT NULL, backend TEXT NOT NULL, filter_types TEXT NOT NULL);
            INSERT INTO turns VALUES ('t1', 'gesprek-a1', '2026-11-30T12:00:00.000000+00:00', 'Oude vraag?',
                'Oud antwoord.', '[]', 1, 'not_found', 'Oude vraag?', 'extractive', '["wetgeving"]');
        """)
    store = ConversationStore(path)
    assert store.turns("gesprek-a1") == [] and store.conversations(ME) == [], "nobody sees a conversation without owner"
    assert store.owner("gesprek-a1") is None and store.exists("gesprek-a1")
    with pytest.raises(NotYourConversation):
        store.add_turn("gesprek-a1", "t2", "Nieuwe vraag?", answer("Nieuw. [1]"), [], owner=ME)
    assert store.delete("gesprek-a1", ME) == 0
    [old] = store.unowned()["gesprek-a1"]  # the administrator's export reads the old columns
    assert old.answer is not None and (old.answer.text, old.answer.refusal_reason) == ("Oud antwoord.", "not_found")
    assert old.filter_types == ["wetgeving"] and old.suggestions == [] and old.asked_at is not None


def test_each_owner_lists_and_deletes_only_their_own(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    store.add_turn("gesprek-mijn", "t1", "Mijn vraag?", answer("Mijn antwoord. [1]"), [], owner=ME)
    store.add_turn("gesprek-ander", "t2", "Andere vraag?", answer("Ander antwoord. [1]"), [], owner=OTHER)
    assert [s.conversation_id for s in store.conversations(ME)] == ["gesprek-mijn"]
    assert [s.conversation_id for s in store.conversations(OTHER)] == ["gesprek-ander"]
    assert [t.question for t in store.turns("gesprek-ander")] == ["Andere vraag?"], "a link opens it for anyone"
    assert store.owner("gesprek-ander") == OTHER
    assert store.delete("gesprek-ander", ME) == 0 and store.remove_turn("t2", ME) == 0
    with pytest.raises(NotYourConversation):
        store.add_turn("gesprek-ander", "t3", "Ik ga verder?", None, [], owner=ME)
    with pytest.raises(NotYourConversation):  # nor can a known turn id be overwritten from another conversation
        store.add_turn("gesprek-mijn", "t2", "Overschreven?", answer("Weg. [1]"), [], owner=ME)
    assert [t.answer.text for t in store.turns("gesprek-ander") if t.answer] == ["Ander antwoord. [1]"]


def test_a_shared_conversation_continues_as_a_copy(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    store.add_turn("gesprek-ander", "t1", "Wat is OOGO?", answer("Overleg. [1]"), ["wetgeving"], owner=OTHER)
    store.add_turn("gesprek-ander", "t2", "Onbeantwoord?", None, [], owner=OTHER)
    copied = store.copy("gesprek-ander", "gesprek-kopie", ME)
    assert [t.question for t in copied] == ["Wat is OOGO?"], "an unanswered question is not copied"
    assert copied[0].turn_id != "t1" and copied[0].filter_types == ["wetgeving"]
    assert [t.turn_id for t in store.turns("gesprek-kopie")] == [copied[0].turn_id]
    assert store.owner("gesprek-kopie") == ME and len(store.turns("gesprek-ander")) == 2, "the original stays"
