"""Questions only the summary documents answer: the summaries must be indexed and found."""

from __future__ import annotations

import pytest

from assistant.engine import ask, engine_for

pytestmark = pytest.mark.integration

SUMMARY_ONLY = [
    ("Wat kan een samenwerkingsverband doen als het OOGO over het ondersteuningsplan vastloopt?",
     "samenvattingen/onderwijsgeschillen-oogo"),
    ("Waarom kreeg de modelprocedure OOGO begin 2014 een andere naam?", "samenvattingen/poraad-modelprocedure-oogo"),
    ("Welke soorten jeugdhulp telt de Monitor AOJ mee?", "samenvattingen/monitor-aoj"),
    ("Wat is het verschil tussen OOGO passend onderwijs en OOGO jeugd volgens het NJi?", "samenvattingen/nji-oogo"),
    ("Welke vraag staat centraal in het advies Mét andere ogen?", "samenvattingen/met-andere-ogen"),
    ("Uit hoeveel aanmeldingen zijn de proeftuinen onderwijszorgarrangementen gekozen?",
     "samenvattingen/steunpunt-passend-onderwijs"),
]


@pytest.mark.parametrize(("question", "doc_id"), SUMMARY_ONLY)
def test_summary_is_retrieved_and_cited(real_index, question: str, doc_id: str) -> None:
    answer = ask(question, settings=real_index)
    top5 = [item.passage.doc_id for item in answer.retrieved[:5]]
    assert doc_id in top5, f"{doc_id} not in top 5: {top5}"
    assert not answer.refused, answer.text
    assert doc_id in {citation.doc_id for citation in answer.citations}, answer.text


def test_summaries_are_listed_with_their_front_matter(real_index) -> None:
    summaries = [doc for doc in engine_for(real_index).list_documents() if doc.type == "samenvatting"]
    assert len(summaries) == 10
    assert all(doc.source_url and not doc.missing_fields for doc in summaries)
