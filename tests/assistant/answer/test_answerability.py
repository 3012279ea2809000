"""assistant.answer.answerability: the features of a question and its evidence, and the committed
answer-or-refuse models that read them."""

from __future__ import annotations

import pytest

from assistant.answer.answerability import QUESTION_FEATURES, READER_QUESTION_FEATURES, AnswerabilityModel, question_row
from assistant.answer.evidence import Unit
from assistant.models import ScoredPassage
from assistant.search.question import QueryAnalysis
from assistant.search.retriever import SearchResult
from tests.fakes import QUERY, passage, search_index

pytestmark = pytest.mark.unit

LAW = passage("law", text="Het plan wordt binnen zes weken vastgesteld.")
INDEX = search_index([LAW], {"law": [LAW.text]}, {})


def result(question: str) -> SearchResult:
    analysis = QueryAnalysis(question, question.lower(), False, [], [], False, unknown_words=["kosten"])
    return SearchResult(analysis, [ScoredPassage(LAW, 1.0, dense=0.82, dense_rank=1, bm25_rank=2)], QUERY, INDEX)


def unit(text: str, score: float, cosine: float = 0.85) -> Unit:
    made = Unit(LAW, 0, 0, text, cosine)
    made.score = score
    return made


def test_the_question_row_in_feature_order() -> None:
    units = [unit(LAW.text, 0.9), unit("Iets anders.", 0.4, 0.8)]
    row = dict(zip(QUESTION_FEATURES, question_row(units, result("Binnen welke termijn wordt het plan vastgesteld?")),
                   strict=True))
    assert row["best_unit"] == 0.9 and row["margin"] == pytest.approx(0.5)
    assert row["best_cosine"] == 0.85 and row["top_dense"] == 0.82 and row["top_bm25_rank"] == 0.5
    assert row["asks_type"] == 1.0 and row["type_found"] == 1.0 and row["unknown_words"] == 1.0
    assert row["agreement"] == 0.0  # BM25 ranked it second


def test_a_value_of_the_asked_kind_missing_from_the_evidence_is_seen() -> None:
    units = [unit("Het plan wordt vastgesteld.", 0.9)]
    row = dict(zip(QUESTION_FEATURES, question_row(units, result("Binnen welke termijn wordt het plan vastgesteld?")),
                   strict=True))
    assert row["asks_type"] == 1.0 and row["type_found"] == 0.0


@pytest.mark.parametrize("with_reader", [False, True])
def test_the_committed_models_load_and_never_answer_without_evidence(with_reader: bool) -> None:
    model = AnswerabilityModel.load(with_reader=with_reader)
    assert model.model.features == (READER_QUESTION_FEATURES if with_reader else QUESTION_FEATURES)
    question = result("Wanneer wordt het plan vastgesteld?")
    assert model.probability([], question) == 0.0 and not model.answerable([], question)
    strong = [unit(LAW.text, 0.99, 0.9)]
    assert model.answerable(strong, question, threshold=0.0)
    assert not model.answerable(strong, question, threshold=1.01)
