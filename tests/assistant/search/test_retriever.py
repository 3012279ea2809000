"""assistant.search.retriever: question analysis, weighted reciprocal rank fusion, law matching, filters and rerank.

Pure functions on small in-memory fixtures; no model and no Chroma collection.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.models import OUTDATED_TYPE, Passage, ScoredPassage
from assistant.search.corpus_facts import load_facts
from assistant.search.lexical import BM25, analyse, words
from assistant.search.question import QueryAnalysis, analyse_question, is_normative, law_match
from assistant.search.retriever import _allowed, _bm25_ranking, _fuse, _rerank
from assistant.search.snapshot import SearchIndex

pytestmark = pytest.mark.unit

CORPUS_TEXT = (
    "gemeente gemeenten samenwerkingsverband ondersteuningsplan overleg overeenstemming gericht oogo artikel lid "
    "jeugdplan jeugdhulp wet primair voortgezet onderwijs vastgesteld college burgemeester wethouders"
)
FACTS = load_facts(Path(__file__).resolve().parents[2] / "corpus")
# The index `analyse_question` reads: vocabulary, BM25 stems, the corpus facts (law names, the years
# of outdated texts) and the articles only outdated texts have (17a of the old WVO, as in the corpus).
ANALYSIS_INDEX = SearchIndex(
    generation=1,
    passages=[],
    position={},
    bm25=BM25.build([analyse(CORPUS_TEXT)]),
    vocabulary=frozenset(words(CORPUS_TEXT)),
    sentences={},
    sentence_vectors={},
    facts=FACTS,
    outdated_articles=frozenset({"17a"}),
)


def _analyse(question: str) -> QueryAnalysis:
    return analyse_question(question, ANALYSIS_INDEX)


# --- analyse_question --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "articles", "lids"),
    [
        ("Wat zegt artikel 18a lid 9 van de WPO?", ["18a"], ["9"]),
        ("Wat staat in het negende lid van artikel 18a?", ["18a"], ["9"]),
        ("Wat regelt art. 2.47 van de WVO 2020?", ["2.47"], []),
        ("Wat zegt art.2.47 lid 10?", ["2.47"], ["10"]),
        ("Wat staat in het tiende lid van artikel 2.47?", ["2.47"], ["10"]),
        ("Wat regelt Artikel 2.2, derde lid, van de Jeugdwet?", ["2.2"], ["3"]),
        ("Wat staat in lid 3a van artikel 18a?", ["18a"], ["3a"]),
        ("Wat is OOGO?", [], []),
    ],
)
def test_law_references_are_found(question: str, articles: list[str], lids: list[str]) -> None:
    analysis = _analyse(question)
    assert analysis.articles == articles
    assert analysis.lids == lids


def test_article_references_are_lowercased() -> None:
    assert _analyse("Wat zegt ARTIKEL 18A?").articles == ["18a"]


@pytest.mark.parametrize(
    "question",
    [
        "Wat stond er in de oude WVO over het OOGO?",
        "Wat stond er in 2015 in de wet?",
        "Wat zei artikel 17a lid 9?",
        "Wat was de vervallen tekst van artikel 18a?",
        "What did the former act say?",
    ],
)
def test_outdated_law_is_wanted_only_when_asked(question: str) -> None:
    assert _analyse(question).wants_outdated


@pytest.mark.parametrize(
    "question",
    ["Wat zegt artikel 18a lid 9 van de WPO?", "Wat is de rol van ouders in het OOGO?", "Wat is OOGO?"],
)
def test_current_questions_do_not_want_outdated_law(question: str) -> None:
    assert not _analyse(question).wants_outdated


@pytest.mark.parametrize(
    "question",
    [
        "Welk artikel verplicht een samenwerkingsverband tot OOGO?",
        "Welke wet regelt het OOGO?",
        "Wat is de wettelijke plicht van de gemeente?",
        "Which law requires consultation?",
        "Wat zegt art.2.47?",
    ],
)
def test_law_intent(question: str) -> None:
    assert _analyse(question).law_intent


def test_law_intent_for_art_abbreviation_followed_by_a_space() -> None:
    assert _analyse("Wat zegt art. 2.47?").law_intent


@pytest.mark.parametrize("question", ["Hoe werken gemeente en onderwijs samen in Dronten?", "Wat is OOGO?"])
def test_no_law_intent(question: str) -> None:
    assert not _analyse(question).law_intent


def test_typos_are_repaired_in_the_search_text_but_the_question_is_kept() -> None:
    analysis = _analyse("Wat doet de gemente in het oogoo?")
    assert analysis.typo_fixes == {"gemente": "gemeente", "oogoo": "oogo"}
    assert "gemeente" in analysis.search_text and "gemente" not in analysis.search_text
    assert analysis.question == "Wat doet de gemente in het oogoo?"
    # the repaired acronym is expanded too
    assert "op overeenstemming gericht overleg" in analysis.search_text


def test_glossary_and_english_terms_are_added_to_the_search_text() -> None:
    analysis = _analyse("What must the municipality do before the support plan is adopted?")
    assert analysis.english
    for dutch in ("gemeente", "ondersteuningsplan", "vastgesteld"):
        assert dutch in analysis.search_text


def test_known_words_share() -> None:
    assert _analyse("gemeente ondersteuningsplan").known_words == 1.0
    assert _analyse("appeltaart recept").known_words == 0.0
    assert _analyse("gemeente appeltaart").known_words == pytest.approx(0.5)
    assert _analyse("de het een").known_words == 0.0  # nothing but stop words


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


# --- law_match -----------------------------------------------------------------------------------------------------


def _passage(pid: str = "p", **fields: object) -> Passage:
    values: dict[str, object] = {
        "id": pid,
        "doc_id": f"doc/{pid}",
        "text": f"tekst {pid}",
        "title": "t",
        "type": "wetgeving",
        "position": 0,
    }
    values.update(fields)
    return Passage(**values)  # type: ignore[arg-type]


def _query(articles: list[str] = (), lids: list[str] = (), law_intent: bool = False) -> QueryAnalysis:  # type: ignore[assignment]
    return QueryAnalysis("q", "q", False, list(articles), list(lids), False, law_intent=law_intent)


def test_law_match_order_article_and_lid_over_article_over_intent_over_nothing() -> None:
    lid_9 = _passage(article="18a", lid="9")
    lid_7 = _passage(article="18a", lid="7")
    other_article = _passage(article="2.47", lid="10")
    prose = _passage(type="handreiking")

    with_lid = _query(["18a"], ["9"], law_intent=True)
    article_only = _query(["18a"], law_intent=True)
    intent_only = _query(law_intent=True)

    article_and_lid = law_match(lid_9, with_lid)
    same_article_other_lid = law_match(lid_7, with_lid)
    article = law_match(lid_7, article_only)
    intent = law_match(other_article, intent_only)
    nothing = law_match(prose, with_lid)

    assert article_and_lid == 1.0
    assert article_and_lid > article > intent > nothing == 0.0
    assert article > same_article_other_lid > 0.0


def test_law_match_named_law_beats_mere_law_intent() -> None:
    wpo = _passage(article="18a", lid="9", short="WPO")
    jeugdwet = _passage(article="2.2", lid="3", short="Jeugdwet")
    names_wpo = QueryAnalysis("q", "q", False, [], [], False, law_intent=True, laws=["WPO"])
    intent_only = _query(law_intent=True)
    assert law_match(wpo, names_wpo) > law_match(wpo, intent_only) > 0.0
    assert law_match(jeugdwet, names_wpo) == 0.0  # a law the question does not name


def test_law_match_article_of_another_law_does_not_count() -> None:
    # "artikel 18a van de WPO" must not lift a passage of another law that happens to have an article 18a.
    other_law = _passage(article="18a", short="Leerplichtwet 1969")
    names_wpo_18a = QueryAnalysis("q", "q", False, ["18a"], [], False, law_intent=True, laws=["WPO"])
    assert law_match(other_law, names_wpo_18a) == 0.0
    assert law_match(_passage(article="18a", short="WPO"), names_wpo_18a) == 0.8


def test_law_match_old_wvo_article_named_in_the_question() -> None:
    analysis = _analyse("Wat stond er in 2015 in artikel 17a lid 9 van de oude WVO?")
    old_wvo = _passage(article="17a", lid="9", short="WVO (oud)", type=OUTDATED_TYPE)
    assert law_match(old_wvo, analysis) == 1.0


def test_analyse_question_finds_named_laws() -> None:
    assert _analyse("Wat zegt de Jeugdwet over het jeugdplan?").laws == ["Jeugdwet"]
    assert _analyse("Wat regelt artikel 18a WPO?").laws == ["WPO"]
    assert _analyse("Hoe werken gemeente en onderwijs samen?").laws == []


def test_law_match_named_article_gives_other_articles_nothing() -> None:
    assert law_match(_passage(article="2.47", lid="10"), _query(["18a"], law_intent=True)) == 0.0


def test_law_match_without_law_intent_is_zero() -> None:
    assert law_match(_passage(article="18a", lid="9"), _query()) == 0.0


def test_law_match_article_comparison_ignores_case() -> None:
    assert law_match(_passage(article="18A"), _query(["18a"])) == 0.8


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
    _passage("law", type="wetgeving", article="18a", lid="9", text="het ondersteuningsplan wordt niet vastgesteld"),
    _passage("old", type=OUTDATED_TYPE, article="17a", lid="9", text="het ondersteuningsplan oude tekst"),
    _passage("guide", type="handreiking", text="samenwerking tussen gemeente en onderwijs"),
    _passage("town", type="praktijkvoorbeeld", text="samenwerking in dronten"),
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


# --- normative questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "normative"),
    [
        ("Moet de gemeente het jeugdplan met het samenwerkingsverband bespreken?", True),
        ("Wat moet er in elk geval in het ondersteuningsplan staan?", True),
        ("Welke onderdelen van het plan moeten erin?", True),
        ("Is een samenwerkingsverband verplicht het mbo uit te nodigen?", True),
        ("Must the municipality consult the school partnership?", True),
        ("Wat is OOGO?", False),
        ("Hoe vergroot je het besef van urgentie?", False),
    ],
)
def test_a_question_is_normative_when_it_asks_what_must_or_may(question: str, normative: bool) -> None:
    assert is_normative(question) is normative


def test_the_answer_or_refuse_decision_reads_the_ranking_without_the_lift() -> None:
    from assistant.search.retriever import SearchResult

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
