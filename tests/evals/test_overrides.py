"""`--set NAME=VALUE` for ablations: parsing, validation against Settings, and what the run records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.models import Answer
from cli.main import app
from evals.harness import run_eval
from evals.overrides import apply_overrides, describe_overrides, parse_assignments

pytestmark = pytest.mark.unit


def test_assignments_parse_into_names_and_text_values() -> None:
    assert parse_assignments(["rerank=false", " top_k = 8 ", "llm_base_url=http://x/?a=b"]) == {
        "rerank": "false", "top_k": "8", "llm_base_url": "http://x/?a=b"}


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (["rerank"], "verwacht NAAM=WAARDE"),
        (["=false"], "verwacht NAAM=WAARDE"),
        (["top_k=3", "top_k=4"], "twee keer"),
    ],
)
def test_malformed_assignments_are_refused(assignments: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_assignments(assignments)


def test_values_are_parsed_by_pydantic_on_top_of_the_given_settings() -> None:
    base = Settings(top_k=7)
    changed = apply_overrides(base, {"rerank": "false", "bm25_weight": "0", "keep_ratio": "0.7"})
    assert (changed.rerank, changed.bm25_weight, changed.keep_ratio, changed.top_k) == (False, 0.0, 0.7, 7)
    assert apply_overrides(base, {}) is base


def test_unknown_setting_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="onbekende instelling.*reranking") as caught:
        apply_overrides(Settings(), {"reranking": "false"})
    assert "geldige namen:" in str(caught.value) and "rerank," in str(caught.value)
    assert caught.value.source == "reranking"


def test_unparsable_value_names_setting_and_value() -> None:
    with pytest.raises(ConfigError, match="ongeldige waarde bij --set: top_k='veel'") as caught:
        apply_overrides(Settings(), {"top_k": "veel"})
    assert caught.value.source == "top_k"


def test_secret_values_are_never_written_down() -> None:
    assert describe_overrides({"llm_api_key": "sk-geheim", "rerank": "false"}) == {"llm_api_key": "***", "rerank": "false"}


def test_run_uses_and_records_the_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Settings] = []

    def fake_ask(question: str, *, settings: Settings, **_: object) -> Answer:
        seen.append(settings)
        return Answer(text="Dat staat niet in de bronnen.", citations=[], refused=True, search_query=question)

    monkeypatch.setattr(assistant, "ask", fake_ask)
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "r", "question": "Paspoort?", "expected_sources": [], "expected_facts": [],
                                     "answerable": False}) + "\n", encoding="utf-8")
    result = run_eval(questions, out_dir=tmp_path, settings=Settings(),
                      overrides={"rerank": "false", "llm_api_key": "sk-geheim"})
    assert seen[0].rerank is False and seen[0].llm_api_key == "sk-geheim"
    assert result["settings"] == {"backend": "extractive", "overrides": {"rerank": "false", "llm_api_key": "***"}}
    written = (tmp_path / "results.json").read_text(encoding="utf-8") + (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "sk-geheim" not in written and "rerank=false" in written


def test_cli_rejects_unknown_setting_before_asking_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant, "ask", lambda *_, **__: pytest.fail("ask() mag niet aangeroepen worden"))
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "r", "question": "x", "expected_sources": [], "expected_facts": [],
                                     "answerable": False}) + "\n", encoding="utf-8")
    outcome = CliRunner().invoke(app, ["eval", "--questions", str(questions), "--set", "reranking=false",
                                       "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 2
    assert "onbekende instelling(en): reranking" in outcome.output


@pytest.mark.parametrize("arguments", [["--split", "train"], ["--split", "dev", "--questions", "q.jsonl"]])
def test_cli_split_is_dev_or_test_and_excludes_questions(arguments: list[str]) -> None:
    outcome = CliRunner().invoke(app, ["eval", *arguments])
    assert outcome.exit_code == 2 and "--split is dev of test" in outcome.output
