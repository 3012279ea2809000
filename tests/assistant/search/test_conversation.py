"""assistant.search.conversation: follow-up detection and rewriting into a standalone search query."""

from __future__ import annotations

import pytest

from assistant.models import Turn
from assistant.search.conversation import is_follow_up, rewrite_follow_up, to_turns, without_topic_switch
from assistant.search.corpus_facts import load_facts
from assistant.textutils import normalize
from tests.paths import CORPUS

pytestmark = pytest.mark.unit

PO_QUESTION = "Welk wetsartikel verplicht een samenwerkingsverband po om OOGO te voeren over het ondersteuningsplan?"
PLAN_QUESTION = "Wat moet er gebeuren voordat een ondersteuningsplan wordt vastgesteld?"
DRONTEN_QUESTION = "Hoe werken gemeente, onderwijs en jeugdhulp samen in Dronten?"
FACTS = load_facts(CORPUS).with_places({"Dronten", "Stein"})
"""The contrast groups (sectors, laws, plans, places) come from the corpus facts, as the index keeps them."""


def _words(text: str) -> set[str]:
    return set(normalize(text).split())


def _history(*user_questions: str) -> list[dict[str, str]]:
    history: list[dict[str, str]] = []
    for question in user_questions:
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": "Een antwoord met een bron [1]."})
    return history


# --- rewrite_follow_up -----------------------------------------------------------------------------------------


def test_vo_follow_up_after_a_po_question_drops_po_and_keeps_the_rest() -> None:
    query = rewrite_follow_up("En voor het voortgezet onderwijs?", _history(PO_QUESTION), FACTS)
    words = _words(query)
    assert "po" not in words
    assert "voortgezet" in words and "onderwijs" in words
    assert {"wetsartikel", "samenwerkingsverband", "oogo", "ondersteuningsplan"} <= words
    assert not query.lower().startswith("en ")  # the continuation word is gone


def test_po_follow_up_after_a_vo_question_drops_vo() -> None:
    query = rewrite_follow_up(
        "En voor het primair onderwijs?", _history("Moet een samenwerkingsverband vo OOGO voeren met de gemeente?"), FACTS
    )
    words = _words(query)
    assert "vo" not in words
    assert {"primair", "samenwerkingsverband", "oogo", "gemeente"} <= words


@pytest.mark.parametrize(
    ("follow_up", "anchor", "dropped"),
    [
        ("En voor het primair onderwijs?", "Moet een vo-samenwerkingsverband OOGO voeren met de gemeente?", "vo"),
        ("En voor het voortgezet onderwijs?", "Moet een po-samenwerkingsverband OOGO voeren met de gemeente?", "po"),
    ],
)
def test_sector_prefix_of_a_compound_is_dropped_but_the_compound_kept(follow_up: str, anchor: str, dropped: str) -> None:
    words = _words(rewrite_follow_up(follow_up, _history(anchor), FACTS))
    assert dropped not in words
    assert {"samenwerkingsverband", "oogo", "gemeente"} <= words


def test_full_sector_names_are_dropped_too() -> None:
    query = rewrite_follow_up(
        "En in het voortgezet onderwijs?",
        _history("Hoe vaak stelt een samenwerkingsverband in het primair onderwijs een plan vast?"),
        FACTS,
    )
    assert "primair" not in _words(query)
    assert {"voortgezet", "samenwerkingsverband", "plan"} <= _words(query)


def test_jeugdplan_follow_up_after_an_ondersteuningsplan_question() -> None:
    query = rewrite_follow_up("Geldt dat ook voor het jeugdplan?", _history(PLAN_QUESTION), FACTS)
    words = _words(query)
    assert "jeugdplan" in words
    assert "ondersteuningsplan" not in words
    assert {"gebeuren", "vastgesteld"} <= words


def test_town_follow_up_replaces_the_town() -> None:
    query = rewrite_follow_up("En in Stein?", _history(DRONTEN_QUESTION), FACTS)
    words = _words(query)
    assert "stein" in words and "dronten" not in words
    assert {"gemeente", "onderwijs", "jeugdhulp", "samen"} <= words


def test_terms_of_another_kind_are_kept() -> None:
    # A sector follow-up does not drop the plan the user asked about.
    query = rewrite_follow_up("En voor het voortgezet onderwijs?", _history(PLAN_QUESTION), FACTS)
    assert "ondersteuningsplan" in _words(query)


def test_standalone_question_is_unchanged() -> None:
    history = _history(PO_QUESTION)
    assert rewrite_follow_up(DRONTEN_QUESTION, history, FACTS) == DRONTEN_QUESTION
    question = "Welke zeven werkzame principes noemt de handreiking over samenhangend beleid?"
    assert rewrite_follow_up(question, history, FACTS) == question


def test_short_question_naming_a_field_term_is_not_a_follow_up() -> None:
    assert not is_follow_up("Wat is OOGO?")
    assert rewrite_follow_up("Wat is OOGO?", _history(PO_QUESTION), FACTS) == "Wat is OOGO?"


def test_without_history_nothing_is_rewritten() -> None:
    assert rewrite_follow_up("En voor het voortgezet onderwijs?", None, FACTS) == "En voor het voortgezet onderwijs?"
    assert rewrite_follow_up("En voor het voortgezet onderwijs?", [], FACTS) == "En voor het voortgezet onderwijs?"


def test_assistant_turns_alone_are_no_anchor() -> None:
    history = [{"role": "assistant", "content": "Volgens artikel 18a van de WPO [1]."}]
    assert rewrite_follow_up("En voor het voortgezet onderwijs?", history, FACTS) == "En voor het voortgezet onderwijs?"


def test_history_of_user_turns_only_works() -> None:
    history = [{"role": "user", "content": PO_QUESTION}]
    query = rewrite_follow_up("En voor het voortgezet onderwijs?", history, FACTS)
    assert query != "En voor het voortgezet onderwijs?"
    assert {"oogo", "voortgezet"} <= _words(query)
    assert "po" not in _words(query)


def test_the_latest_user_question_is_the_anchor() -> None:
    history = _history(DRONTEN_QUESTION, PO_QUESTION)
    query = rewrite_follow_up("En voor het voortgezet onderwijs?", history, FACTS)
    assert "dronten" not in _words(query)
    assert "oogo" in _words(query)


def test_assistant_text_never_leaks_into_the_query() -> None:
    history = [
        {"role": "user", "content": PO_QUESTION},
        {"role": "assistant", "content": "Volgens artikel 18a, negende lid, van de WPO [1]."},
    ]
    query = rewrite_follow_up("En voor het voortgezet onderwijs?", history, FACTS)
    assert "negende" not in _words(query)
    assert "[1]" not in query


def test_turn_objects_and_dicts_give_the_same_query() -> None:
    as_dicts = _history(PLAN_QUESTION)
    as_turns = [Turn(role=item["role"], content=item["content"]) for item in as_dicts]  # type: ignore[arg-type]
    mixed = [as_turns[0], as_dicts[1]]
    expected = rewrite_follow_up("Geldt dat ook voor het jeugdplan?", as_dicts, FACTS)
    assert rewrite_follow_up("Geldt dat ook voor het jeugdplan?", as_turns, FACTS) == expected
    assert rewrite_follow_up("Geldt dat ook voor het jeugdplan?", mixed, FACTS) == expected
    assert expected != "Geldt dat ook voor het jeugdplan?"


# --- is_follow_up --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "En voor het voortgezet onderwijs?",
        "Maar hoe zit het met het jeugdplan?",
        "Geldt dat ook voor het jeugdplan?",
        "Wat staat daarover in de wet?",
        "What about secondary schools?",
        "Waarom?",
    ],
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        DRONTEN_QUESTION,
        PO_QUESTION,
        "Wat is OOGO?",
        "Wat doet een SWV?",
        "Welke bouwstenen heeft het Kwaliteitskompas volgens de handreiking?",
    ],
)
def test_standalone_questions_are_not_follow_ups(question: str) -> None:
    assert not is_follow_up(question)


# --- to_turns ---------------------------------------------------------------------------------------------------


def test_to_turns_accepts_dicts_and_turns_and_drops_the_rest() -> None:
    history = [
        {"role": "system", "content": "Je bent een assistent."},
        {"role": "user", "content": "   "},
        {"role": "user", "content": "Wat is OOGO?"},
        Turn(role="assistant", content="Een overleg [1]."),
        {"role": "assistant"},
    ]
    assert to_turns(history) == [Turn("user", "Wat is OOGO?"), Turn("assistant", "Een overleg [1].")]


def test_to_turns_of_nothing_is_empty() -> None:
    assert to_turns(None) == []
    assert to_turns([]) == []


# --- topic switches ---------------------------------------------------------------------------------------------

OOGO_QUESTION = "Wat is OOGO?"


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("Iets anders: wat deed Dronten?", "wat deed Dronten?"),
        ("Andere vraag: hoe lang duurt een ondersteuningsplan?", "hoe lang duurt een ondersteuningsplan?"),
        ("Nieuwe vraag - wie stelt het jeugdplan vast?", "wie stelt het jeugdplan vast?"),
        ("Los daarvan, wat regelt de Leerplichtwet?", "wat regelt de Leerplichtwet?"),
        ("Different question: what does Stein do?", "what does Stein do?"),
    ],
)
def test_an_explicit_switch_is_a_new_question_without_its_switch_words(question: str, searched: str) -> None:
    assert not is_follow_up(question)
    assert without_topic_switch(question) == searched
    assert rewrite_follow_up(question, _history(OOGO_QUESTION), FACTS) == searched
    assert rewrite_follow_up(question, None, FACTS) == searched, "also as the first question"


def test_words_that_only_look_like_a_switch_stay() -> None:
    question = "Iets anders dan OOGO, welk overleg voert de gemeente?"  # no punctuation after "iets anders"
    assert without_topic_switch(question) == question


def test_a_question_of_its_own_about_a_new_subject_stands_alone() -> None:
    assert rewrite_follow_up("Wat deed Dronten?", _history(OOGO_QUESTION), FACTS) == "Wat deed Dronten?"
    question = "En in Stein, wie zaten daar aan tafel?"
    assert rewrite_follow_up(question, _history(DRONTEN_QUESTION), FACTS) == question
    merged = rewrite_follow_up(question, _history(DRONTEN_QUESTION), FACTS, new_subjects=False)
    assert "dronten" not in _words(merged) and "gemeente" in _words(merged), "the ablation merges as before"


@pytest.mark.parametrize("question", ["En in Stein?", "Hoe zit dat in Stein?"])
def test_a_follow_up_that_only_swaps_the_subject_keeps_the_frame(question: str) -> None:
    words = _words(rewrite_follow_up(question, _history(DRONTEN_QUESTION), FACTS))
    assert "stein" in words and "dronten" not in words and {"gemeente", "jeugdhulp"} <= words


def test_the_subject_the_previous_question_named_is_no_new_subject() -> None:
    query = rewrite_follow_up("En wie presenteerde dat in Dronten?", _history(DRONTEN_QUESTION), FACTS)
    assert query != "En wie presenteerde dat in Dronten?" and "jeugdhulp" in _words(query)
