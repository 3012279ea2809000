"""assistant.answer.evidence: candidate units from the top passages and the unit search, their
features, and the fitted score that orders them."""

from __future__ import annotations

import pytest

from assistant.answer.evidence import (
    FEATURES,
    Unit,
    add_features,
    add_reader_features,
    candidate_units,
    feature_matrix,
    score_units,
    source_kind,
)
from assistant.models import OUTDATED_TYPE, ScoredPassage
from assistant.search.question import QueryAnalysis
from assistant.search.retriever import SearchResult
from tests.fakes import QUERY, cosine_unit_model, passage, search_index, unit_vectors_with_cosines

pytestmark = pytest.mark.unit

LAW = passage("law", article="18a", lid="9", short="WPO", text="Het plan wordt vastgesteld na overleg.")
GUIDE = passage("guide", type="handreiking", text="Overleg helpt. De taken zijn:")
FAR = passage("far", type="praktijkvoorbeeld", text="Elders.")
SENTENCES = {"law": ["Het plan wordt vastgesteld na overleg."], "guide": ["Overleg helpt.", "De taken zijn:"],
             "far": ["Elders."]}
INDEX = search_index([LAW, GUIDE, FAR], SENTENCES, {"law": unit_vectors_with_cosines([0.9]),
                                                    "guide": unit_vectors_with_cosines([0.7, 0.6]),
                                                    "far": unit_vectors_with_cosines([0.85])})


def result(unit_hits: list[tuple[str, int, float]] | None = None, articles: list[str] | None = None) -> SearchResult:
    analysis = QueryAnalysis("Wanneer wordt het plan vastgesteld?", "wanneer wordt het plan vastgesteld", False,
                             articles or [], [], False)
    ranked = [ScoredPassage(LAW, 1.0, dense=0.8, dense_rank=1, bm25_rank=1), ScoredPassage(GUIDE, 0.5)]
    return SearchResult(analysis, ranked, QUERY, INDEX, unit_hits or [])


def test_candidates_are_the_top_passages_units_plus_the_unit_search_hits_each_once() -> None:
    units = candidate_units(result([("far", 0, 0.85), ("law", 0, 0.9)]), answer_passages=2)
    assert [(u.passage.id, u.order, u.passage_rank) for u in units] == [
        ("law", 0, 0), ("guide", 0, 1), ("guide", 1, 1), ("far", 0, None)]
    assert units[0].cosine == pytest.approx(0.9)


def test_features_describe_each_unit_in_the_fitted_order() -> None:
    search = result(articles=["18a"])
    units = candidate_units(search, answer_passages=2)
    add_features(units, search)
    law, overleg, lead_in = units
    assert set(law.features) == set(FEATURES)
    assert law.features["cosine_gap"] == 0.0 and overleg.features["cosine_gap"] == pytest.approx(0.2)
    assert law.features["law_match"] == 0.8 and overleg.features["law_match"] == 0.0
    assert law.features["kind_law"] == 1.0 and lead_in.features["lead_in"] == 1.0
    assert law.features["unit_overlap"] > overleg.features["unit_overlap"]
    assert feature_matrix(units).shape == (3, len(FEATURES))


def test_the_fitted_score_orders_the_units_best_first() -> None:
    search = result()
    units = candidate_units(search, answer_passages=2)
    add_features(units, search)
    ranked = score_units(units, cosine_unit_model())
    assert [u.key for u in ranked] == [("law", 0), ("guide", 0), ("guide", 1)]
    assert ranked[0].score > ranked[1].score > ranked[2].score


def test_the_reader_features_cover_only_the_units_it_read() -> None:
    units = [Unit(LAW, 0, 0, "a", 0.9), Unit(GUIDE, 1, 0, "b", 0.7)]
    add_reader_features(units, [2.5])
    assert [(u.features["read"], u.features["reader"]) for u in units] == [(1.0, 2.5), (0.0, 0.0)]


def test_source_kinds() -> None:
    assert [source_kind(p) for p in (LAW, GUIDE, passage(type=OUTDATED_TYPE), passage(type="samenvatting"))] == [
        "wetgeving", "primair", "wetgeving", "samenvatting"]


def test_unit_shapes() -> None:
    assert Unit(GUIDE, 0, 1, "De taken zijn:", 0.5).is_lead_in
    assert Unit(GUIDE, 0, 0, "Wat doet de gemeente?", 0.5).is_question
    assert Unit(GUIDE, 0, 0, "Daarvan maakt de gemeente een plan.", 0.5).leans_back
    assert Unit(GUIDE, 0, 0, "Samenwerking in de regio", 0.5).is_heading
