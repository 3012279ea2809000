"""Refusals that help: the scope comes from the index's documents, a refused judgement brings the law."""

from __future__ import annotations

import pytest

from assistant.answer.answering import screen_question
from assistant.answer.refusal_help import document_name, helpful_refusal, index_scope
from assistant.messages import REFUSALS_EN, REFUSALS_NL, RULES_LEAD_NL
from assistant.models import Answer, Citation, DocumentInfo

pytestmark = pytest.mark.unit


def doc(doc_id: str, doc_type: str, title: str) -> DocumentInfo:
    return DocumentInfo(doc_id=doc_id, title=title, type=doc_type, date=None, publisher=None, source_url=None,
                        passages=3)


DOCUMENTS = [
    doc("wetgeving/jeugdwet", "wetgeving", "Jeugdwet, hoofdstuk 2 (selectie: artikelen 2.1 tot en met 2.7a)"),
    doc("wetgeving/wpo-18a", "wetgeving", "Wet op het primair onderwijs, artikel 18a (samenwerkingsverbanden)"),
    doc("wetgeving/wpo-40a", "wetgeving", "Wet op het primair onderwijs, artikel 40a (ontwikkelingsperspectief)"),
    doc("praktijk/zonnedal", "praktijkvoorbeeld", "Goed is goed genoeg"),
    doc("uploads/notitie", "geüpload", "Notitie over vervoer"),
]


def refusal(reason: str, language: str = "nl") -> Answer:
    return Answer(text="(tekst van de backend)", citations=[], refused=True, search_query="vraag", refusal_reason=reason,
                  language=language)  # type: ignore[arg-type]


def test_the_scope_is_what_the_index_holds() -> None:
    scope = index_scope(DOCUMENTS, english=False)
    assert scope == ("Ik antwoord uit mijn bronnen: 3 wetteksten (Jeugdwet, Wet op het primair onderwijs), "
                     "1 praktijkvoorbeeld en 1 geüpload document (“Notitie over vervoer”).")
    assert "Dronten" not in scope and "OOGO" not in scope, "nothing about a corpus that is not there"
    assert index_scope(DOCUMENTS[3:4], english=True) == "I answer from my sources, which are 1 practice example (in Dutch)."
    assert document_name("Leerplichtwet 1969 (selectie: artikelen 2, 3)") == "Leerplichtwet 1969"


def test_uploads_are_named_by_title_up_to_a_limit() -> None:
    """An upload can be about anything: its title is what tells the asker what else the index holds."""
    uploads = [doc(f"uploads/brief-{n}", "geüpload", f"Brief {n} over geluidshinder") for n in range(7)]
    scope = index_scope(uploads, english=False)
    assert scope == ("Ik antwoord uit mijn bronnen: 7 geüploade documenten (“Brief 0 over geluidshinder”, "
                     "“Brief 1 over geluidshinder”, “Brief 2 over geluidshinder”, “Brief 3 over geluidshinder”, "
                     "“Brief 4 over geluidshinder” en 2 andere).")
    assert "1 uploaded document (“Brief 0 over geluidshinder”)" in index_scope(uploads[:1], english=True)


@pytest.mark.parametrize("reason", ["out_of_domain", "not_found", "instruction"])
def test_a_refusal_says_what_the_sources_cover(reason: str) -> None:
    text = helpful_refusal(refusal(reason), DOCUMENTS).text
    assert text.startswith(REFUSALS_NL[reason]) and index_scope(DOCUMENTS, english=False) in text
    english = helpful_refusal(refusal(reason, "en"), DOCUMENTS).text
    assert english.startswith(REFUSALS_EN[reason]) and "3 law texts" in english


def test_a_refused_judgement_quotes_the_rules_that_apply() -> None:
    citation = Citation(number=1, doc_id="wetgeving/wpo-18a", title="WPO", type="wetgeving", article="18a", lid="9",
                        page=None, quote="Het ondersteuningsplan wordt vastgesteld na overleg.", source_url=None,
                        passage_id="wetgeving/wpo-18a::1", reference="WPO art. 18a lid 9")
    rules = Answer(text="Volgens artikel 18a, negende lid, van de WPO:\n\nHet ondersteuningsplan wordt vastgesteld. [1]",
                   citations=[citation], refused=False, search_query="vraag")
    helped = helpful_refusal(refusal("legal_approval"), DOCUMENTS, rules)
    first, rest = helped.text.split("\n\n", 1)
    assert first == f"{REFUSALS_NL['legal_approval']} {RULES_LEAD_NL}", "one sentence: no legal approval"
    assert rest == rules.text and helped.citations == [citation]
    assert helped.refused and helped.refusal_reason == "legal_approval", "still a refusal of the judgement"
    without_law = helpful_refusal(refusal("legal_approval"), DOCUMENTS, None)
    assert without_law.text.startswith(REFUSALS_NL["legal_approval"]) and not without_law.citations


def test_answers_and_answers_without_the_asked_value_are_left_alone() -> None:
    missing = refusal("missing_value")
    assert helpful_refusal(missing, DOCUMENTS) is missing
    answer = Answer(text="Een antwoord. [1]", citations=[], refused=False, search_query="vraag")
    assert helpful_refusal(answer, DOCUMENTS) is answer


@pytest.mark.parametrize("question", ["Kun je ons plan juridisch goedkeuren?", "Wil jij ons beleid goedkeuren?"])
def test_a_request_to_approve_the_askers_case_is_screened(question: str) -> None:
    assert screen_question(question) == "legal_approval"


def test_asking_whether_someone_must_approve_is_a_question_about_the_sources() -> None:
    assert screen_question("Moet de inspectie ons ondersteuningsplan goedkeuren?") is None
