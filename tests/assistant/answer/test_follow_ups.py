"""Suggested follow-up questions: candidates from the cited passages and their neighbours (pure), and the
engine's check that it would answer each one (on the real index, in tests/assistant/test_engine.py style)."""

from __future__ import annotations

import pytest

from assistant.answer.follow_ups import (
    candidate_questions,
    heading_questions,
    law_questions,
    neighbours,
    term_questions,
    term_shares,
    topic_of,
)
from assistant.models import Passage

pytestmark = pytest.mark.unit


def passage(pid: str, position: int, text: str, doc_id: str = "handreikingen/oogo", **fields: object) -> Passage:
    return Passage(id=pid, doc_id=doc_id, text=text, title="Samenhangend beleid", type="handreiking",
                   position=position, **fields)


LID_8 = passage("wpo-8", 0, "8. Het samenwerkingsverband stelt een ondersteuningsplan vast.", "wetgeving/wpo",
                article="18a", lid="8", short="WPO", heading="Artikel 18a. Samenwerkingsverbanden")
LID_9 = passage("wpo-9", 1, "9. Het plan wordt niet vastgesteld voordat OOGO is gevoerd.", "wetgeving/wpo",
                article="18a", lid="9", short="WPO", heading="Artikel 18a. Samenwerkingsverbanden")
ART_19 = passage("wpo-19", 2, "Er is een ouder- en jeugdsteunpunt.", "wetgeving/wpo", article="19", short="WPO",
                 heading="Artikel 19. Ouder- en jeugdsteunpunt van het samenwerkingsverband")
GUIDE = [
    passage("g0", 3, "Gemeente en samenwerkingsverband stemmen hun plannen af.", heading="Samenhangend beleid"),
    passage("g1", 4, "Een ontwikkelingsperspectief (OPP) beschrijft de ondersteuning.", heading="Contact met ouders en jongeren"),
    passage("g2", 5, "Het jeugdplan volgt.", heading="Waar gaat deze pagina over?"),
]
ALL = [LID_8, LID_9, ART_19, *GUIDE]
POSITION = {p.id: i for i, p in enumerate(ALL)}


def test_neighbours_stay_in_the_document_nearest_first() -> None:
    assert [p.id for p in neighbours([LID_9], ALL, POSITION)] == ["wpo-8", "wpo-19"]
    assert [p.id for p in neighbours([GUIDE[0]], ALL, POSITION)] == ["g1", "g2"], "not the law before it"
    assert [p.id for p in neighbours([LID_8, LID_9], ALL, POSITION)] == ["wpo-19"], "cited ones are no neighbours"


@pytest.mark.parametrize(("heading", "topic"), [
    ("Contact met ouders en jongeren", "contact met ouders en jongeren"),
    ("2. Samenwerken in Dronten en Stein", "samenwerken in Dronten en Stein"),
    ("Dronten en Stein", "Dronten en Stein"),
    ("De centrale vraag van Mét andere ogen", "de centrale vraag van Mét andere ogen"),
    ("Artikel 19. Ouder- en jeugdsteunpunt van het samenwerkingsverband",
     "ouder- en jeugdsteunpunt van het samenwerkingsverband"),
    ("Artikel 18a. Samenwerkingsverbanden", None),
    ("Inleiding", None),
    ("Waar gaat deze pagina over?", None),
    ("Waarvoor het OOGO dient", None),
    ("Uit de praktijk - 10 februari 2020", None),
])
def test_a_heading_becomes_a_topic_or_nothing(heading: str, topic: str | None) -> None:
    assert topic_of(heading, "over samenwerken en contact met ouders") == topic


def test_term_questions_skip_common_and_asked_terms() -> None:
    context = [LID_9, GUIDE[1]]
    oogo, swv, opp = ("Wat is OOGO (op overeenstemming gericht overleg)?",
                      "Wat is SWV (samenwerkingsverband passend onderwijs)?", "Wat is OPP (ontwikkelingsperspectief)?")
    assert term_questions(context, []) == [oogo, swv, opp], "SWV: the heading says Samenwerkingsverbanden"
    assert term_questions(context, ["Wat is OOGO?", "Hoe werkt een samenwerkingsverband?"]) == [opp]
    assert term_questions(context, [], {"OOGO": 0.9, "SWV": 0.3, "OPP": 0.1}) == [opp, swv], "rare first, common out"
    assert term_shares([LID_9, GUIDE[1]])["OOGO"] == 0.5, "one of the two documents names OOGO"


def test_heading_and_law_questions() -> None:
    assert heading_questions(GUIDE, []) == ["Wat zeggen de bronnen over samenhangend beleid?",
                                            "Wat zeggen de bronnen over contact met ouders en jongeren?"]
    assert heading_questions(GUIDE, ["Hoe is het contact met ouders en jongeren?"]) == [
        "Wat zeggen de bronnen over samenhangend beleid?"], "a topic already asked about is left out"
    assert law_questions([LID_8, ART_19], []) == ["Wat regelt artikel 18a lid 8 van de WPO?",
                                                  "Wat regelt artikel 19 van de WPO?"]
    assert law_questions([LID_8], ["Wat staat er in artikel 18a lid 8?"]) == []
    assert law_questions([LID_8], ["Wat staat er in artikel 18a lid 9?"]) == ["Wat regelt artikel 18a lid 8 van de WPO?"]


def test_candidates_alternate_kinds_never_repeat_and_cited_laws_are_not_asked_again() -> None:
    question = "Wanneer wordt het ondersteuningsplan vastgesteld?"
    candidates = candidate_questions([LID_9], [LID_8, ART_19], [question])
    assert candidates[:3] == ["Wat is OOGO (op overeenstemming gericht overleg)?",
                              "Wat zeggen de bronnen over ouder- en jeugdsteunpunt van het samenwerkingsverband?",
                              "Wat regelt artikel 18a lid 8 van de WPO?"]
    assert "Wat regelt artikel 18a lid 9 van de WPO?" not in candidates, "the cited lid was just quoted"
    asked = [question, "Wat is OOGO (op overeenstemming gericht overleg)?", "Wat doet een SWV?"]
    assert candidate_questions([LID_9], [], asked) == [], "nothing the conversation already asked about"
