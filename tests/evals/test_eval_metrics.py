"""The eval metrics on hand-made answers, the gold file's validity, and the harness on a fake `ask`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import assistant
from assistant.config import Settings
from assistant.errors import IndexMissingError, StoreUnavailableError
from assistant.ingest.chunking import chunk
from assistant.ingest.indexer import discover
from assistant.ingest.loaders import doc_id_for, load_file
from assistant.models import Answer, Citation, Passage, ScoredPassage
from evals.compare import compare_runs, metric_deltas
from evals.harness import run_eval, run_question
from evals.metrics import (
    QuestionResult,
    fact_coverage,
    fact_present,
    invalid_markers,
    normalise,
    probe_figures,
    score_question,
    source_matches,
    summarise,
)
from evals.questions import GoldQuestion, QuestionFileError, SourceRef, load_questions, parse_question
from evals.thresholds import DEFAULT_THRESHOLDS, check_thresholds, load_thresholds
from tests.paths import REPO

pytestmark = pytest.mark.unit

GOLD = REPO / "evals" / "questions.jsonl"
CORPUS = REPO / "corpus"


def passage(doc_id: str, article: str | None = None, number: int = 0) -> Passage:
    return Passage(id=f"{doc_id}-{number}", doc_id=doc_id, text="tekst", title="titel", type="wetgeving",
                   position=number, article=article)


def citation(number: int, doc_id: str, article: str | None = None) -> Citation:
    return Citation(number=number, doc_id=doc_id, title="titel", type="wetgeving", article=article, lid=None,
                    page=None, quote="tekst", source_url=None, passage_id=f"{doc_id}-{number}")


def answer(text: str = "", *, retrieved: list[Passage] = (), citations: list[Citation] = (), refused: bool = False) -> Answer:
    ranked = [ScoredPassage(p, score=1.0 - i / 10) for i, p in enumerate(retrieved)]
    return Answer(text=text, citations=list(citations), refused=refused, search_query="q", retrieved=ranked)


def gold(**overrides: object) -> GoldQuestion:
    data = {
        "id": "q1",
        "question": "Welk artikel?",
        "expected_sources": ["wetgeving/wpo-artikel-18a-19#18a"],
        "expected_facts": [["18a"], ["negende lid", "lid 9"]],
        "answerable": True,
        "tags": ["wetgeving", "oogo"],
    }
    data.update(overrides)
    return parse_question(data)


# --- normalisation and facts ------------------------------------------------------------------


def test_normalise_ignores_case_diacritics_punctuation_whitespace_and_markers() -> None:
    assert normalise("  Één keer   per schooljaar, (tenminste)! [2]") == "een keer per schooljaar tenminste"


def test_fact_matches_whole_words_only() -> None:
    assert fact_present(["lid 9"], "Volgens artikel 18a, lid 9, ...")
    assert not fact_present(["lid 9"], "zie lid 90")
    assert fact_present(["ten minste één keer"], "TEN MINSTE EEN  keer.")


def test_fact_coverage_counts_facts_not_alternatives() -> None:
    facts = [["18a"], ["negende lid", "lid 9"], ["inspectie"]]
    assert fact_coverage(facts, "Volgens artikel 18a, negende lid [1].") == pytest.approx(2 / 3)
    assert fact_coverage([], "wat dan ook") is None


# --- source matching and retrieval ------------------------------------------------------------


def test_source_matching_with_and_without_article() -> None:
    doc = "wetgeving/wpo-artikel-18a-19"
    assert source_matches(SourceRef.parse(doc), doc, "19")
    assert source_matches(SourceRef.parse(f"{doc}#18a"), doc, "18A")
    assert not source_matches(SourceRef.parse(f"{doc}#18a"), doc, "19")
    assert not source_matches(SourceRef.parse(f"{doc}#18a"), doc, None)
    assert not source_matches(SourceRef.parse(doc), "wetgeving/jeugdwet", "18a")


def test_retrieval_scores_use_rank_of_first_matching_passage() -> None:
    retrieved = [passage("wetgeving/wpo-artikel-18a-19", "19"), passage("wetgeving/wpo-artikel-18a-19", "18a", 1)]
    scores = score_question(gold(), answer(retrieved=retrieved), k=5)
    assert (scores.hit_at_1, scores.hit_at_k, scores.reciprocal_rank, scores.recall_at_k) == (False, True, 0.5, 1.0)


def test_retrieval_outside_top_k_is_no_hit_but_counts_for_mrr() -> None:
    retrieved = [passage("handreikingen/x", number=i) for i in range(5)] + [passage("wetgeving/wpo-artikel-18a-19", "18a")]
    scores = score_question(gold(), answer(retrieved=retrieved), k=5)
    assert (scores.hit_at_k, scores.recall_at_k, scores.reciprocal_rank) == (False, 0.0, pytest.approx(1 / 6))


def test_recall_is_share_of_expected_sources_found() -> None:
    question = gold(expected_sources=["wetgeving/jeugdwet#2.2", "wetgeving/wpo-artikel-18a-19#18a"])
    scores = score_question(question, answer(retrieved=[passage("wetgeving/jeugdwet", "2.2")]), k=5)
    assert scores.recall_at_k == 0.5 and scores.hit_at_1


# --- citations and markers --------------------------------------------------------------------


def test_citation_precision_and_correct_citation() -> None:
    cited = [citation(1, "wetgeving/wpo-artikel-18a-19", "18a"), citation(2, "wetgeving/wpo-artikel-18a-19", "19")]
    scores = score_question(gold(), answer("Artikel 18a [1] en 19 [2].", citations=cited), k=5)
    assert (scores.cited, scores.correct_citations, scores.citation_precision) == (2, 1, 0.5)
    assert scores.has_correct_citation and scores.invalid_markers == []


def test_invalid_markers_are_numbers_without_a_citation() -> None:
    assert invalid_markers("Eerst [1], dan [3] en [1, 4]; geen marker: [a] of [].", [1, 2]) == [3, 4]
    assert invalid_markers("Zonder markers.", []) == []


# --- refusals and aggregates ------------------------------------------------------------------


def refusal_results() -> list[QuestionResult]:
    answerable, refuse = gold(), gold(id="r", expected_sources=[], expected_facts=[], answerable=False, tags=["weigeren"])
    cases = [(answerable, False), (answerable, True), (refuse, True), (refuse, True), (refuse, False)]
    results = []
    for number, (question, refused) in enumerate(cases):
        reply = answer("Artikel 18a, lid 9 [1].", retrieved=[passage("wetgeving/wpo-artikel-18a-19", "18a")],
                       citations=[citation(1, "wetgeving/wpo-artikel-18a-19", "18a")])
        reply = answer("Dat staat niet in de bronnen.", refused=True) if refused else reply
        results.append(QuestionResult(question, reply, score_question(question, reply, 5), latency_s=float(number)))
    return results


def test_refusal_metrics() -> None:
    metrics = summarise(refusal_results(), k=5)
    assert metrics["refusal_recall"] == pytest.approx(2 / 3)
    assert metrics["false_refusal_rate"] == 0.5
    assert metrics["refusal_accuracy"] == pytest.approx(3 / 5)
    assert metrics["fact_coverage"] == 0.5  # the wrongly refused answer has no facts
    assert metrics["latency_p50_s"] == 2.0 and metrics["latency_p95_s"] == pytest.approx(3.8)


def test_wrong_refusal_decision_scores_zero_overall() -> None:
    scores = [result.scores.overall for result in refusal_results()]
    assert scores == [1.0, 0.0, 1.0, 1.0, 0.0]


# --- comparison and thresholds ----------------------------------------------------------------


def test_metric_deltas_know_which_direction_is_better() -> None:
    deltas = metric_deltas(
        {"mrr": 0.8, "false_refusal_rate": 0.2, "invalid_markers": 0, "questions": 10, "hit_at_1": None},
        {"mrr": 0.7, "false_refusal_rate": 0.1, "invalid_markers": 0, "questions": 10, "hit_at_1": 0.5},
    )
    assert deltas["mrr"]["improved"] is True and deltas["mrr"]["delta"] == pytest.approx(0.1)
    assert deltas["false_refusal_rate"]["improved"] is False
    assert deltas["invalid_markers"]["improved"] is None
    assert "hit_at_1" not in deltas


def test_compare_lists_questions_that_moved() -> None:
    def run(scores: dict[str, float]) -> dict:
        return {"metrics": {}, "questions": [{"id": qid, "scores": {"overall": s}} for qid, s in scores.items()]}

    result = compare_runs(run({"a": 1.0, "b": 0.2, "c": 0.5, "new": 1.0}), run({"a": 0.5, "b": 0.7, "c": 0.5, "gone": 1.0}))
    assert [m["id"] for m in result["better"]] == ["a"]
    assert [m["id"] for m in result["worse"]] == ["b"]
    assert (result["only_in_current"], result["only_in_earlier"]) == (["new"], ["gone"])


def test_threshold_messages_show_measured_and_limit() -> None:
    checks = check_thresholds({"mrr": 0.5, "invalid_markers": 0}, {"minimum": {"mrr": 0.6, "fact_coverage": 0.6},
                                                                   "maximum": {"invalid_markers": 0}})
    assert [check.passed for check in checks] == [False, False, True]
    assert checks[0].describe() == "mrr: gemeten 0.500, drempel >= 0.6"
    assert checks[1].describe() == "fact_coverage: niet gemeten, drempel >= 0.6"


def test_thresholds_file_names_only_metrics_the_harness_reports() -> None:
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    results = refusal_results()
    metrics = {**summarise(results, k=5), **probe_figures(results, k=5)}  # as the harness reports them
    assert {name for limits in thresholds.values() for name in limits} <= metrics.keys()


# --- the question file ------------------------------------------------------------------------


def test_loader_names_the_bad_line(tmp_path: Path) -> None:
    good = json.dumps(gold().to_dict())
    path = tmp_path / "q.jsonl"
    path.write_text(good + "\n" + good.replace('"answerable": true', '"answerable": "ja"') + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match=r"q\.jsonl:2: 'answerable' moet true of false zijn"):
        load_questions(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tags": "oogo"}, "'tags' moet een lijst"),
        ({"tags": ["oogo", ""]}, "'tags' moet een niet-lege tekst"),
        ({"absent_terms": ["paspoort"]}, "absent_terms"),
        ({"expected_facts": ["18a"]}, "expected_facts"),
        ({"answerable": False}, "geen expected_sources"),
        ({"history": [{"role": "system", "content": "x"}]}, "history"),
        ({"extra": 1}, "onbekende velden"),
    ],
)
def test_parse_question_rejects_malformed_fields(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gold(**change)


def corpus_articles() -> dict[str, set[str]]:
    """Doc id -> the articles its passages carry, as ingest would chunk them."""
    articles: dict[str, set[str]] = {}
    for path in discover(CORPUS):
        doc_id = doc_id_for(path, CORPUS)
        articles[doc_id] = {p.article for source in load_file(path, CORPUS, 10**8) for p in chunk(source) if p.article}
    return articles


def test_gold_questions_validate_and_reference_existing_sources() -> None:
    questions = load_questions(GOLD)
    articles = corpus_articles()
    for question in questions:
        for ref in question.expected_sources:
            assert ref.doc_id in articles, f"{question.id}: onbekend document {ref.doc_id}"
            assert ref.article is None or ref.article in articles[ref.doc_id], f"{question.id}: {ref} bestaat niet"


def test_gold_set_covers_every_document_and_enough_refusals() -> None:
    questions = load_questions(GOLD)
    cited = {ref.doc_id for question in questions for ref in question.expected_sources}
    assert set(corpus_articles()) <= cited
    assert len(questions) >= 64
    assert sum(not question.answerable for question in questions) >= 12


# --- the harness, end to end on a fake ask ----------------------------------------------------


def test_run_eval_writes_results_report_and_comparison(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    questions = tmp_path / "q.jsonl"
    refuse = gold(id="weiger", question="Hoofdstad?", expected_sources=[], expected_facts=[], answerable=False,
                  tags=["weigeren"])
    questions.write_text("\n".join(json.dumps(q.to_dict()) for q in (gold(), refuse)) + "\n", encoding="utf-8")
    replies = {
        "Welk artikel?": answer("Volgens artikel 18a, negende lid [1]. Zie ook [2].",
                                retrieved=[passage("wetgeving/wpo-artikel-18a-19", "18a")],
                                citations=[citation(1, "wetgeving/wpo-artikel-18a-19", "18a")]),
        "Hoofdstad?": answer("Dat staat niet in de bronnen.", refused=True),
    }
    monkeypatch.setattr(assistant, "ask", lambda question, **_: replies[question])
    settings = Settings(llm_api_key="geheim")

    first = run_eval(questions, out_dir=tmp_path / "a", settings=settings)
    assert first["metrics"]["hit_at_5"] == 1.0 and first["metrics"]["refusal_recall"] == 1.0
    assert first["metrics"]["invalid_markers"] == 1
    assert "llm_api_key" not in first["settings"]
    assert any(failure.startswith("invalid_markers") for failure in first["threshold_failures"])

    replies["Welk artikel?"] = answer("Geen idee.", refused=True)
    second = run_eval(questions, out_dir=tmp_path / "b", settings=settings, compare=tmp_path / "a" / "results.json")
    assert [m["id"] for m in second["comparison"]["worse"]] == ["q1"]
    report = (tmp_path / "b" / "report.md").read_text(encoding="utf-8")
    assert "## Slechtste 10 vragen" in report and "`q1`" in report and "## Vergelijking" in report
    saved = json.loads((tmp_path / "b" / "results.json").read_text(encoding="utf-8"))
    assert saved["questions"][0]["answer"]["refused"] is True


def test_run_question_records_errors_but_stops_without_index(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(question: str, **_: object) -> Answer:
        raise RuntimeError("kapot")

    monkeypatch.setattr(assistant, "ask", broken)
    result = run_question(gold(), settings=Settings(), backend=None, k=5)
    assert result.error == "RuntimeError: kapot" and result.scores.overall == 0.0

    # A missing index or an unreachable store is no answer (the engine raises): it fails every question, so it aborts.
    for error in (IndexMissingError("er is nog geen index"), StoreUnavailableError("niet bereikbaar")):
        def unavailable(question: str, _error: Exception = error, **_: object) -> Answer:
            raise _error

        monkeypatch.setattr(assistant, "ask", unavailable)
        with pytest.raises(type(error)):
            run_question(gold(), settings=Settings(), backend=None, k=5)
