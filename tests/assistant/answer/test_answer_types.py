"""assistant.answer.answer_types: the kind of value a question asks for, and whether a sentence gives it."""

from __future__ import annotations

import pytest

from assistant.answer.answer_types import asked_answer_type, contains_answer_type

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoeveel geld krijgt het samenwerkingsverband?", "amount"),
        ("Welk percentage van de leerlingen gaat naar het speciaal onderwijs?", "percentage"),
        ("Binnen welke termijn moet het plan klaar zijn?", "period"),
        ("Sinds wanneer geldt de zorgplicht?", "date"),
        ("Hoeveel scholen zijn er aangesloten?", "count"),
        ("Wie is de wethouder van onderwijs?", "person"),
        ("Wat is OOGO?", None),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_answer_type(question) == kind


def test_a_sentence_gives_the_value_asked_for() -> None:
    assert contains_answer_type("period", ["Het overleg vindt plaats binnen zes weken."])
    assert contains_answer_type("percentage", ["Dat geldt voor 4,5 procent van de leerlingen."])
    assert not contains_answer_type("percentage", ["Dat geldt voor veel leerlingen."])


def test_an_age_range_is_no_period() -> None:
    assert not contains_answer_type("period", ["De jeugdhulp geldt voor jongeren van 0-23 jaar oud."])


def test_with_the_question_the_value_must_be_about_its_topic() -> None:
    question = "Hoeveel thuiszitters zijn er?"
    assert not contains_answer_type("count", ["Het plan is op 10 mei 2024 vastgesteld."], question)
    assert contains_answer_type("count", ["Er zijn 12 thuiszitters in de regio."], question)
