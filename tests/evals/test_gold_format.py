"""The harness runs on any gold file in the agreed format: free-form tags, none at all, optional history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import assistant
from assistant.config import Settings
from assistant.models import Answer, Citation, Passage, ScoredPassage
from evals import harness
from evals.harness import run_eval
from evals.questions import load_questions, parse_question

pytestmark = pytest.mark.unit

DOC = "handreikingen/samenhangend-beleid-oogo"


def question(qid: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": qid,
        "question": f"Vraag {qid}?",
        "expected_sources": [DOC],
        "expected_facts": [["op overeenstemming gericht overleg"]],
        "answerable": True,
    }
    data.update(fields)
    return data


def write(path: Path, questions: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


def good_answer(_question: str, **_: object) -> Answer:
    passage = Passage(id="p1", doc_id=DOC, text="tekst", title="titel", type="handreiking", position=0)
    cited = Citation(number=1, doc_id=DOC, title="titel", type="handreiking", article=None, lid=None, page=None,
                     quote="tekst", source_url=None, passage_id="p1")
    return Answer(text="Het gaat om op overeenstemming gericht overleg [1].", citations=[cited], refused=False,
                  search_query="q", retrieved=[ScoredPassage(passage, score=1.0)])


@pytest.fixture
def fake_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant, "ask", good_answer)


def test_foreign_tags_load_and_become_rows(tmp_path: Path, fake_ask: None) -> None:
    path = write(tmp_path / "seeds.jsonl", [question("a", tags=["seeds", "factual"]), question("b", tags=["seeds"])])
    result = run_eval(path, out_dir=tmp_path / "out", settings=Settings())
    assert result["metrics"]["fact_coverage"] == 1.0 and result["metrics"]["hit_at_5"] == 1.0
    assert list(result["by_tag"]) == ["seeds", "factual"]  # most frequent first
    assert result["by_tag"]["factual"]["questions"] == 1
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| seeds | 2 |" in report and "| factual | 1 |" in report


def test_untagged_file_loads_and_scores(tmp_path: Path, fake_ask: None) -> None:
    path = write(tmp_path / "plain.jsonl", [question("a"), question("b", tags=[])])
    assert [q.tags for q in load_questions(path)] == [(), ()]
    result = run_eval(path, out_dir=tmp_path / "out", settings=Settings())
    assert result["metrics"]["questions"] == 2 and result["metrics"]["fact_coverage"] == 1.0
    assert result["by_tag"] == {}
    assert all(probe["questions"] == 0 and probe["value"] is None for probe in result["probes"].values())


def test_refusal_may_name_absent_terms_and_they_survive_a_round_trip() -> None:
    data = question("r", expected_sources=[], expected_facts=[], answerable=False, tags=["weigeren", "buiten-domein"],
                    absent_terms=["paspoort"])
    parsed = parse_question(data)
    assert parsed.absent_terms == ("paspoort",)
    assert parse_question(parsed.to_dict()) == parsed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"absent_terms": "paspoort"}, "'absent_terms' moet een lijst"),
        ({"absent_terms": [3]}, "'absent_terms' moet een niet-lege tekst"),
        ({"tags": [1]}, "'tags' moet een niet-lege tekst"),
    ],
)
def test_malformed_optional_fields_are_named(fields: dict[str, Any], message: str) -> None:
    refusal = question("r", expected_sources=[], expected_facts=[], answerable=False)
    with pytest.raises(ValueError, match=message):
        parse_question({**refusal, **fields})


def test_report_on_the_test_split_shows_no_single_questions(tmp_path: Path, fake_ask: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "test.jsonl", [question("geheim-id", tags=["wet"])])
    monkeypatch.setitem(harness.SPLITS, "test", path)
    result = run_eval(path, out_dir=tmp_path / "out", settings=Settings())
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert result["run"]["aggregate_only"] is True
    assert "| wet | 1 |" in report and "Vraag geheim-id" not in report and "Slechtste" not in report
