"""Compare a run with an earlier results.json: per-metric deltas and questions that moved.

Works on the JSON form of both runs, so any earlier results.json can be compared, also one
written before the gold set or the code changed; questions are matched by id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from evals.metrics import LOWER_IS_BETTER

_MOVED = 1e-6
"""Smallest change in a question's overall score that counts as better or worse (float noise aside)."""


class CompareError(AssistantError):
    """An earlier results file that cannot be compared with."""


def load_results(path: Path) -> dict[str, Any]:
    """An earlier results.json; raises `CompareError` when it is missing or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CompareError(f"kan eerdere resultaten {path} niet lezen ({error})", source=str(path)) from error
    if not isinstance(data, dict) or "metrics" not in data or "questions" not in data:
        raise CompareError(f"{path} is geen results.json van `assistant eval`", source=str(path))
    return data


def compare_runs(current: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any]:
    """Deltas of every numeric metric both runs have, and per-question better/worse lists."""
    before_scores = _overall_by_id(earlier)
    after_scores = _overall_by_id(current)
    common = [qid for qid in after_scores if qid in before_scores]
    moved = [
        {"id": qid, "before": before_scores[qid], "after": after_scores[qid]}
        for qid in common
        if abs(after_scores[qid] - before_scores[qid]) > _MOVED
    ]
    return {
        "metric_deltas": metric_deltas(current["metrics"], earlier["metrics"]),
        "better": sorted((m for m in moved if m["after"] > m["before"]), key=lambda m: m["before"] - m["after"]),
        "worse": sorted((m for m in moved if m["after"] < m["before"]), key=lambda m: m["after"] - m["before"]),
        "only_in_current": [qid for qid in after_scores if qid not in before_scores],
        "only_in_earlier": [qid for qid in before_scores if qid not in after_scores],
    }


def metric_deltas(current: dict[str, Any], earlier: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """before/after/delta per metric; `improved` is None when nothing changed."""
    deltas = {}
    for name, after in current.items():
        before = earlier.get(name)
        if not _is_number(after) or not _is_number(before):
            continue
        delta = after - before
        improved = None if delta == 0 else (delta < 0) == (name in LOWER_IS_BETTER)
        deltas[name] = {"before": before, "after": after, "delta": delta, "improved": improved}
    return deltas


def _overall_by_id(results: dict[str, Any]) -> dict[str, float]:
    return {item["id"]: item["scores"]["overall"] for item in results["questions"]}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
