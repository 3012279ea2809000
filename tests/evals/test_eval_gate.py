"""The quality gate: the frozen test split, answered by the default backend on a fresh index, meets thresholds.toml.

It gates on evals/test.jsonl, never on dev: the rules and defaults were tuned on dev, so only
test says how users with unseen questions fare (evals/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from evals.harness import run_eval
from evals.thresholds import check_thresholds, load_thresholds
from tests.paths import REPO

pytestmark = pytest.mark.integration



def test_gold_set_meets_thresholds(real_index: Settings, tmp_path: Path) -> None:
    """`real_index` is a private, freshly ingested index of the real corpus: never a stale shared one."""
    result = run_eval(REPO / "evals" / "test.jsonl", k=5, out_dir=tmp_path, settings=real_index)
    thresholds = load_thresholds()
    assert any(thresholds.values()), "thresholds.toml noemt geen enkele drempel"
    failures = [check.describe() for check in check_thresholds(result["metrics"], thresholds) if not check.passed]
    assert not failures, "onder de drempels:\n" + "\n".join(failures) + f"\nrapport: {tmp_path / 'report.md'}"
