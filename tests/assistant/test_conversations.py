"""The conversation store: turns come back as they were stored, the sidebar list, deletion and purging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.conversations import ConversationStore, new_conversation_id, valid_conversation_id
from assistant.models import Answer, Citation

pytestmark = pytest.mark.unit


def answer(text: str, refused: bool = False) -> Answer:
    citations = [] if refused else [Citation(
        number=1, doc_id="wetgeving/wpo", title="WPO", type="wetgeving", article="18a", lid="9", page=None,
        quote="Het plan wordt vastgesteld.", source_url=None, passage_id="wetgeving/wpo::00001::abc",
        reference="WPO art. 18a lid 9", bwb_id="BWBR0003420")]
    return Answer(text=text, citations=citations, refused=refused, search_query=text,
                  refusal_reason="not_found" if refused else None)


def test_turns_come_back_in_order_with_their_citations(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "sub" / "conversations.sqlite3")
    store.add_turn("gesprek-a1", "t1", "Eerste vraag?", answer("Het plan wordt vastgesteld. [1]"), ["wetgeving"])
    store.add_turn("gesprek-a1", "t2", "Hoofdstad?", answer("Dat staat niet in de bronnen.", refused=True), [])
    store.add_turn("gesprek-b2", "t3", "Andere vraag?", answer("Iets. [1]"), [])
    first, second = store.turns("gesprek-a1")
    assert (first.turn_id, first.question, first.filter_types) == ("t1", "Eerste vraag?", ["wetgeving"])
    assert first.answer.citations[0].reference == "WPO art. 18a lid 9"
    assert first.answer.citations[0].bwb_id == "BWBR0003420"
    assert second.answer.refused and second.answer.refusal_reason == "not_found" and not second.answer.citations
    assert store.turns("onbekend-id") == []


def test_list_delete_and_purge(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    store.add_turn("oud-gesprek", "t1", "Oude vraag?", answer("Oud. [1]"), [], at=now - timedelta(days=40))
    store.add_turn("nieuw-gesprek", "t2", "Nieuwe vraag?", answer("Nieuw. [1]"), [], at=now - timedelta(days=1))
    store.add_turn("nieuw-gesprek", "t3", "Vervolgvraag?", answer("Meer. [1]"), [], at=now)
    listed = store.conversations()
    assert [(s.conversation_id, s.title, s.turns) for s in listed] == [
        ("nieuw-gesprek", "Nieuwe vraag?", 2), ("oud-gesprek", "Oude vraag?", 1)]
    assert store.purge(30, now=now) == 1
    assert [s.conversation_id for s in store.conversations()] == ["nieuw-gesprek"]
    assert store.delete("nieuw-gesprek") == 2 and store.conversations() == []


def test_conversation_ids_from_the_url_are_checked() -> None:
    assert valid_conversation_id(new_conversation_id())
    for bad in (None, "", "kort", "'; DROP TABLE turns; --", "a" * 65, "../../etc"):
        assert not valid_conversation_id(bad)
