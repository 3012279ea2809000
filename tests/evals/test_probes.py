"""The two probe figures from tags, on hand-made results: follow-up handling and look-alike refusals."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.models import Answer, Passage, ScoredPassage
from evals.harness import build_document
from evals.metrics import QuestionResult, probe_figures, score_question
from evals.questions import parse_question

pytestmark = pytest.mark.unit

DOC = "praktijk/dronten-goed-is-goed-genoeg"
HISTORY = [{"role": "user", "content": "Hoe werkt Dronten?"}, {"role": "assistant", "content": "Zo."}]


def result(tags: list[str], *, found: bool = True, refused: bool = False, history: bool = True,
           answerable: bool = True) -> QuestionResult:
    data: dict[str, Any] = {
        "id": "q",
        "question": "En daarna?",
        "expected_sources": [DOC] if answerable else [],
        "expected_facts": [],
        "answerable": answerable,
        "tags": tags,
    }
    if history:
        data["history"] = HISTORY
    question = parse_question(data)
    doc = DOC if found else "handreikingen/urgentie-van-samenwerken"
    passage = Passage(id="p", doc_id=doc, text="t", title="t", type="praktijk", position=0)
    answer = Answer(text="", citations=[], refused=refused, search_query="q", retrieved=[ScoredPassage(passage, 1.0)])
    return QuestionResult(question, answer, score_question(question, answer, k=5), latency_s=0.0)


def test_follow_up_probe_per_kind_and_combined() -> None:
    results = [
        result(["gesprek", "vervolgvraag"], found=True),
        result(["gesprek", "vervolgvraag"], found=False),
        result(["gesprek", "vervolgvraag", "sectorwissel"], found=True),
        result(["gesprek", "onderwerpwissel"], found=False),
        result(["gesprek"], found=True),  # history, but neither kind: only in the combined figure
        result(["vervolgvraag"], found=False, history=False),  # no history: not a follow-up
        result(["gesprek", "onderwerpwissel", "weigeren"], answerable=False),  # nothing to find
    ]
    probes = probe_figures(results, k=5)
    assert probes["vervolgvraag_hit_at_5"] == {"value": pytest.approx(2 / 3), "questions": 3}
    assert probes["onderwerpwissel_hit_at_5"] == {"value": 0.0, "questions": 1}
    assert probes["followup_hit_at_5"] == {"value": pytest.approx(3 / 5), "questions": 5}


def test_lookalike_probe_is_the_share_wrongly_refused() -> None:
    results = [
        result(["lijkt-op-weigeren"], refused=True, history=False),
        result(["lijkt-op-weigeren", "wet"], refused=False, history=False),
        result(["lijkt-op-weigeren"], refused=False, history=False),
        result(["lijkt-op-weigeren"], refused=False, history=False),
        result(["feitelijk"], refused=True, history=False),  # not a look-alike
    ]
    assert probe_figures(results, k=5)["lookalike_refusal_rate"] == {"value": 0.25, "questions": 4}


def test_probes_without_their_tags_measure_nothing() -> None:
    probes = probe_figures([result(["seeds"], history=False)], k=5)
    assert all(probe == {"value": None, "questions": 0} for probe in probes.values())


def test_probe_values_are_metrics_so_thresholds_and_comparisons_see_them() -> None:
    results = [result(["gesprek", "vervolgvraag"]), result(["lijkt-op-weigeren"], refused=True, history=False)]
    thresholds = {"minimum": {"followup_hit_at_5": 0.9}, "maximum": {"lookalike_refusal_rate": 0.1}}
    document = build_document(results, k=5, backend="extractive", overrides={}, thresholds=thresholds)
    assert document["metrics"]["followup_hit_at_5"] == 1.0
    assert document["probes"]["lookalike_refusal_rate"] == {"value": 1.0, "questions": 1}
    assert [failure.split(":")[0] for failure in document["threshold_failures"]] == ["lookalike_refusal_rate"]
