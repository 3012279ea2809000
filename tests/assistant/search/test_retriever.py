"""assistant.search.retriever: weighted reciprocal rank fusion, filters, BM25 depth, the rerank and
the ranking the answer-or-refuse decision reads.

Pure functions on small in-memory fixtures; no model and no Chroma collection.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.models import OUTDATED_TYPE, Passage, ScoredPassage
from assistant.search.lexical import BM25, analyse, words
from assistant.search.question import QueryAnalysis
from assistant.search.retriever import SearchResult, _allowed, _bm25_ranking, _fuse, _rerank
from assistant.search.snapshot import SearchIndex
from tests.fakes import passage

pytestmark = pytest.mark.unit


# --- _fuse ---------------------------------------------------------------------------------------------------------


def test_weighted_rrf_adds_both_rankings() -> None:
    settings = Settings(chroma_url=None, dense_weight=1.0, bm25_weight=0.5, rrf_k=60)
    dense = {10: (1, 0.9), 11: (2, 0.8)}
    lexical = {11: 1, 12: 2}
    fused = _fuse(dense, lexical, settings)
    assert fused[10] == pytest.approx(1.0 / 61)
    assert fused[11] == pytest.approx(1.0 / 62 + 0.5 / 61)
    assert fused[12] == pytest.approx(0.5 / 62)
    assert set(fused) == {10, 11, 12}
    assert sorted(fused, key=fused.get, reverse=True) == [11, 10, 12]


def test_fusion_ignores_cosine_values_only_ranks_count() -> None:
    settings = Settings(chroma_url=None)
    a = _fuse({1: (1, 0.99), 2: (2, 0.10)}, {}, settings)
    b = _fuse({1: (1, 0.51), 2: (2, 0.50)}, {}, settings)
    assert a == b


def test_fusion_weights_and_k_come_from_settings() -> None:
    dense = {1: (1, 0.9)}
    lexical = {2: 1}
    equal = _fuse(dense, lexical, Settings(chroma_url=None, dense_weight=1.0, bm25_weight=1.0, rrf_k=10))
    assert equal[1] == pytest.approx(equal[2]) == pytest.approx(1 / 11)
    lexical_heavy = _fuse(dense, lexical, Settings(chroma_url=None, dense_weight=0.2, bm25_weight=2.0, rrf_k=0))
    assert lexical_heavy[1] == pytest.approx(0.2)
    assert lexical_heavy[2] == pytest.approx(2.0)


def test_fusion_of_nothing_is_empty() -> None:
    assert _fuse({}, {}, Settings(chroma_url=None)) == {}


# --- _allowed: filters and outdated law ---------------------------------------------------------------------------


def _index(passages: list[Passage], vectors: dict[str, np.ndarray] | None = None) -> SearchIndex:
    analysed = [analyse(p.text) for p in passages]
    return SearchIndex(
        generation=1,
        passages=passages,
        position={p.id: i for i, p in enumerate(passages)},
        bm25=BM25.build(analysed),
        vocabulary=frozenset(w for p in passages for w in words(p.text)),
        sentences={p.id: [p.text] for p in passages},
        sentence_vectors=vectors or {},
    )


MIXED = [
    passage("law", type="wetgeving", article="18a", lid="9", text="het ondersteuningsplan wordt niet vastgesteld"),
    passage("old", type=OUTDATED_TYPE, article="17a", lid="9", text="het ondersteuningsplan oude tekst"),
    passage("guide", type="handreiking", text="samenwerking tussen gemeente en onderwijs"),
    passage("town", type="praktijkvoorbeeld", text="samenwerking in dronten"),
]


def test_outdated_law_is_excluded_unless_asked_for() -> None:
    index = _index(MIXED)
    current = QueryAnalysis("q", "q", False, [], [], wants_outdated=False)
    historic = QueryAnalysis("q", "q", False, [], [], wants_outdated=True)
    assert _allowed(index, None, current) == {0, 2, 3}
    assert _allowed(index, None, historic) == {0, 1, 2, 3}


def test_type_and_document_filters() -> None:
    index = _index(MIXED)
    analysis = QueryAnalysis("q", "q", False, [], [], wants_outdated=False)
    assert _allowed(index, {"types": ["handreiking", "praktijkvoorbeeld"]}, analysis) == {2, 3}
    assert _allowed(index, {"doc_ids": ["doc/law"]}, analysis) == {0}
    assert _allowed(index, {"types": [OUTDATED_TYPE]}, analysis) == {1}  # filtering on the type asks for it
    assert _allowed(index, {"types": ["opinie"]}, analysis) == set()


def test_bm25_ranking_respects_allowed_and_depth() -> None:
    index = _index(MIXED)
    ranking = _bm25_ranking(index, "ondersteuningsplan", {0, 1, 2, 3}, depth=5)
    assert set(ranking) == {0, 1}
    assert sorted(ranking.values()) == [1, 2]
    assert _bm25_ranking(index, "ondersteuningsplan", {0, 2, 3}, depth=5) == {0: 1}
    assert len(_bm25_ranking(index, "samenwerking ondersteuningsplan", {0, 1, 2, 3}, depth=1)) == 1


# --- _rerank ----------------------------------------------------------------------------------------------------------


def test_rerank_lifts_the_named_law_lid_above_better_fused_prose() -> None:
    query_vector = np.array([1.0, 0.0], dtype=np.float32)
    vectors = {
        "guide": np.array([[0.9, 0.1]], dtype=np.float32),
        "town": np.array([[0.8, 0.2]], dtype=np.float32),
        "law": np.array([[0.7, 0.3]], dtype=np.float32),
    }
    index = _index(MIXED, vectors)
    scored = [ScoredPassage(MIXED[2], 0.03), ScoredPassage(MIXED[3], 0.02), ScoredPassage(MIXED[0], 0.01)]
    settings = Settings(chroma_url=None)

    named = QueryAnalysis("q", "q", False, ["18a"], ["9"], False, law_intent=True)
    reranked = _rerank([ScoredPassage(s.passage, s.score) for s in scored], index, query_vector, named, settings)
    assert reranked[0].passage.id == "law"

    unnamed = QueryAnalysis("q", "q", False, [], [], False)
    plain = _rerank([ScoredPassage(s.passage, s.score) for s in scored], index, query_vector, unnamed, settings)
    assert [s.passage.id for s in plain] == ["guide", "town", "law"]
    assert plain[0].score > plain[1].score > plain[2].score


def test_rerank_by_best_sentence_can_reorder_prose() -> None:
    query_vector = np.array([1.0, 0.0], dtype=np.float32)
    vectors = {
        "guide": np.array([[0.1, 0.9]], dtype=np.float32),
        "town": np.array([[0.2, 0.8], [0.99, 0.01]], dtype=np.float32),  # one sentence fits the question well
    }
    index = _index(MIXED, vectors)
    scored = [ScoredPassage(MIXED[2], 0.02), ScoredPassage(MIXED[3], 0.01)]
    settings = Settings(chroma_url=None, sentence_weight=2.0)
    reranked = _rerank(scored, index, query_vector, QueryAnalysis("q", "q", False, [], [], False), settings)
    assert [s.passage.id for s in reranked] == ["town", "guide"]


def test_the_answer_or_refuse_decision_reads_the_ranking_without_the_lift() -> None:
    law, prose = (ScoredPassage(passage=Passage(id=name, doc_id=name, title=name, type=kind, text="tekst", position=0),
                                score=0.0)
                  for name, kind in (("wet", "wetgeving"), ("uitleg", "handreiking")))
    analysis = QueryAnalysis(question="Moet dat?", search_text="Moet dat?", english=False, articles=[], lids=[],
                             wants_outdated=False, normative=True)
    plain = SearchResult(analysis, [prose, law], np.zeros(3, dtype=np.float32), SearchIndex.__new__(SearchIndex))
    assert plain.for_decision() is plain
    lifted = SearchResult(analysis, [law, prose], plain.query_vector, plain.snapshot, unlifted=[prose, law])
    decision = lifted.for_decision()
    assert [item.passage.id for item in decision.passages] == ["uitleg", "wet"] and decision.unlifted is None
    assert [item.passage.id for item in lifted.passages] == ["wet", "uitleg"]
