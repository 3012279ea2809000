"""The quality gate: the gold set, answered by the default backend on a fresh index, meets thresholds.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from evals.harness import run_eval
from evals.thresholds import check_thresholds, load_thresholds
from ingest.indexer import ingest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A private index of the real corpus, so the gate never measures a stale or half-written shared one."""
    settings = Settings(
        corpus_dir=ROOT / "corpus",
        index_dir=tmp_path_factory.mktemp("index"),
        models_dir=ROOT / "models",
    )
    report = ingest(settings)
    assert not report.errors, f"corpus niet volledig ingelezen: {report.errors}"
    return settings


def test_gold_set_meets_thresholds(fresh_index: Settings, tmp_path: Path) -> None:
    result = run_eval(ROOT / "evals" / "questions.jsonl", k=5, out_dir=tmp_path, settings=fresh_index)
    thresholds = load_thresholds()
    assert any(thresholds.values()), "thresholds.toml noemt geen enkele drempel"
    failures = [check.describe() for check in check_thresholds(result["metrics"], thresholds) if not check.passed]
    assert not failures, "onder de drempels:\n" + "\n".join(failures) + f"\nrapport: {tmp_path / 'report.md'}"
