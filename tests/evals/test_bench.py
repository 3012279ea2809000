"""evals.bench: the scale table's code path on a tiny synthetic index, so `make bench` cannot rot
unnoticed (the real sizes take minutes and run only there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from evals import bench
from tests.paths import EVALS

pytestmark = pytest.mark.integration

QUESTIONS = EVALS / "questions.jsonl"


@pytest.fixture
def three_questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(QUESTIONS.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")
    return path


def test_bench_measures_the_real_and_a_synthetic_index_and_reuses_the_synthetic_one(
    real_index: Settings, three_questions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bench.json"
    real, synthetic = bench.run_bench(real_index, three_questions, out, sizes=(400,), bench_dir=tmp_path / "bench")

    copies = 400 // real.passages  # whole copies of the real passages, each with its sentence rows
    assert (synthetic.passages, synthetic.units) == (copies * real.passages, copies * real.units)
    assert real.build_s is None and synthetic.build_s and synthetic.build_s > 0
    assert synthetic.snapshot_from_store_s is not None and synthetic.snapshot_load_s >= 0
    for row in (real, synthetic):
        assert 0 < row.retrieval_p50_ms <= row.retrieval_p95_ms and 0 < row.ask_p50_ms <= row.ask_p95_ms
        assert 100 < row.rss_mb <= row.peak_rss_mb
    assert [row["index"] for row in json.loads(out.read_text(encoding="utf-8"))] == [real.index, synthetic.index]

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("a synthetic index of the same size, corpus and model is reused, not rebuilt")

    monkeypatch.setattr(bench, "build_synthetic_index", no_rebuild)
    _, again = bench.synthetic_index(real_index, 400, tmp_path / "bench")
    assert again.build_s == synthetic.build_s
