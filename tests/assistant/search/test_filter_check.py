"""The filter check: a hint only when the excluded type's passage is clearly closer to the question."""

from __future__ import annotations

import pytest

from assistant.models import Answer, Passage, ScoredPassage
from assistant.search.filter_check import better_outside_filter
from assistant.search.retriever import SearchResult

pytestmark = pytest.mark.unit


def scored(doc_type: str, dense: float) -> ScoredPassage:
    passage = Passage(id=f"{doc_type}::1", doc_id=doc_type, text="t", title="t", type=doc_type, position=1)
    return ScoredPassage(passage=passage, score=0.1, dense=dense)


def everything(*passages: ScoredPassage) -> SearchResult:
    return SearchResult(analysis=None, passages=list(passages), query_vector=None, snapshot=None)  # type: ignore[arg-type]


def answer(within: float | None, refused: bool = False, reason: str | None = None) -> Answer:
    retrieved = [] if within is None else [scored("wetgeving", within)]
    return Answer(text="a", citations=[], refused=refused, search_query="q", refusal_reason=reason, retrieved=retrieved)


def test_a_clearly_better_passage_of_an_excluded_type_is_named() -> None:
    unfiltered = everything(scored("samenvatting", 0.920), scored("wetgeving", 0.867))
    assert better_outside_filter(answer(0.867), unfiltered, ["wetgeving"]) == "samenvatting"


def test_no_hint_when_the_filter_costs_little_or_nothing() -> None:
    assert better_outside_filter(answer(0.898), everything(scored("samenvatting", 0.918)), ["handreiking"]) is None
    assert better_outside_filter(answer(0.85), everything(scored("wetgeving", 0.95)), ["wetgeving"]) is None
    assert better_outside_filter(answer(0.85), everything(scored("samenvatting", 0.95)), []) is None


def test_refusals_get_a_hint_only_when_the_sources_lacked_it() -> None:
    unfiltered = everything(scored("wetgeving", 0.881))
    assert better_outside_filter(answer(0.835, True, "not_found"), unfiltered, ["handreiking"]) == "wetgeving"
    assert better_outside_filter(answer(0.80, True, "out_of_domain"), unfiltered, ["handreiking"]) is None
