"""Run the gold question set through `assistant.ask` and measure what came back.

The harness calls the same `ask` the app and CLI call, so it measures what users get; it
never re-implements retrieval or answering.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track

from assistant.config import Settings, get_settings
from assistant.errors import ConfigError, IndexMissingError, StoreUnavailableError
from assistant.models import Answer
from evals.compare import compare_runs, load_results
from evals.metrics import QuestionResult, probe_figures, score_question, summarise
from evals.overrides import apply_overrides, describe_overrides
from evals.questions import GoldQuestion, load_questions
from evals.report import print_summary, render_markdown
from evals.thresholds import DEFAULT_THRESHOLDS, check_thresholds, load_thresholds
from evals.uploads import UPLOAD_SPLITS, settings_with_uploads

SPLITS = {name: Path(__file__).with_name(f"{name}.jsonl") for name in ("dev", "test", "holdout", *UPLOAD_SPLITS)}
"""The frozen split (evals/README.md): tune on dev; test (the gate) and holdout (later rounds of
independently written questions, never gated) are read only through aggregates. The upload splits are
asked against the corpus plus the documents in evals/uploads/ (`evals.uploads`)."""
AGGREGATE_ONLY = ("test", "holdout", "uploads-holdout")
DEFAULT_QUESTIONS = SPLITS["dev"]


def run_eval(
    questions_path: Path = DEFAULT_QUESTIONS,
    *,
    backend: str | None = None,
    k: int = 5,
    out_dir: Path = Path("evals/out"),
    compare: Path | None = None,
    settings: Settings | None = None,
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Ask every gold question, score it, print tables, write results.json and report.md.

    `overrides` (setting name -> text value, as from `--set`) are applied on top of `settings`
    for this run only, so a rule or feature can be switched off for an ablation. Returns the
    results document (the content of results.json). Input files and overrides are checked
    before the first question so a typo fails in a second, not after the whole run.
    """
    questions = load_questions(Path(questions_path))
    earlier = load_results(Path(compare)) if compare else None
    thresholds = load_thresholds(DEFAULT_THRESHOLDS)
    overrides = overrides or {}
    settings = apply_overrides(settings or get_settings(), overrides)
    if any(Path(questions_path).resolve() == SPLITS[name].resolve() for name in UPLOAD_SPLITS):
        settings = settings_with_uploads(settings)
    console = Console()
    if k > settings.top_k:
        console.print(f"[yellow]Let op:[/yellow] ask() geeft {settings.top_k} passages terug (top_k); k={k} meet niet dieper.")

    started_at, start = datetime.now(UTC), time.perf_counter()
    results = [
        run_question(question, settings=settings, backend=backend, k=k)
        for question in track(questions, description="Vragen stellen", console=console)
    ]
    document = build_document(
        results, k=k, backend=backend or settings.backend, overrides=overrides, thresholds=thresholds
    )
    document["run"].update(
        started_at=started_at.isoformat(timespec="seconds"),
        duration_s=time.perf_counter() - start,
        questions_file=str(questions_path),
        aggregate_only=is_aggregate_only(Path(questions_path)),
        thresholds_file=str(DEFAULT_THRESHOLDS),
    )
    if earlier is not None:
        document["comparison"] = {"earlier": str(compare), **compare_runs(document, earlier)}

    write_outputs(document, Path(out_dir))
    print_summary(console, document)
    console.print(f"Resultaten: {Path(out_dir) / 'results.json'}; rapport: {Path(out_dir) / 'report.md'}")
    return document


def is_aggregate_only(path: Path) -> bool:
    """Whether `path` is a held-out split (test or holdout), whose report must not show single questions."""
    return any(path.resolve() == SPLITS[name].resolve() for name in AGGREGATE_ONLY)


def run_question(question: GoldQuestion, *, settings: Settings, backend: str | None, k: int) -> QuestionResult:
    """One question through `ask`, timed and scored.

    A failure on one question is recorded as an empty answer with its error, so one bad
    question does not cost the rest of a long run; a missing index or a broken setting fails
    every question alike, so those abort the run.
    """
    from assistant import ask  # imported here: it loads the embedding model, which unit tests never need

    start = time.perf_counter()
    error = None
    try:
        history = [dict(turn) for turn in question.history] or None
        answer = ask(question.question, history=history, settings=settings, backend=backend)
    except (IndexMissingError, StoreUnavailableError, ConfigError):
        raise
    except Exception as exc:  # noqa: BLE001 - recorded per question, shown in the report
        error = f"{type(exc).__name__}: {exc}"
        answer = Answer(text="", citations=[], refused=False, search_query=question.question, backend=backend or "")
    latency = time.perf_counter() - start
    return QuestionResult(question, answer, score_question(question, answer, k), latency, error)


def build_document(
    results: Sequence[QuestionResult],
    *,
    k: int,
    backend: str,
    overrides: dict[str, str],
    thresholds: dict[str, dict[str, float]],
) -> dict[str, Any]:
    """The results document: metrics and probes, per-tag metrics, threshold checks, every question.

    Probe values also go into `metrics`, so thresholds and `--compare` treat them like any
    metric; `probes` keeps how many questions each was measured on. `settings` names only what
    the run chose (backend and overrides), never secrets: results.json is shared.
    """
    probes = probe_figures(results, k)
    metrics = {**summarise(results, k), **{name: probe["value"] for name, probe in probes.items()}}
    checks = check_thresholds(metrics, thresholds)
    return {
        "run": {
            "backend": backend,
            "answer_backends": dict(Counter(result.answer.backend for result in results)),
            "k": k,
        },
        "settings": {"backend": backend, "overrides": describe_overrides(overrides)},
        "metrics": metrics,
        "probes": probes,
        "thresholds": [{**vars(check), "passed": check.passed} for check in checks],
        "threshold_failures": [check.describe() for check in checks if not check.passed],
        "by_tag": {tag: summarise(subset, k) for tag, subset in group_by_tag(results).items()},
        "questions": [question_record(result) for result in results],
    }


def group_by_tag(results: Sequence[QuestionResult]) -> dict[str, list[QuestionResult]]:
    """Results per tag, for every tag that occurs: the most frequent first, ties alphabetically."""
    groups: dict[str, list[QuestionResult]] = {}
    for result in results:
        for tag in dict.fromkeys(result.question.tags):
            groups.setdefault(tag, []).append(result)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def question_record(result: QuestionResult) -> dict[str, Any]:
    return {
        **result.question.to_dict(),
        "answer": result.answer.to_dict(),
        "latency_s": round(result.latency_s, 4),
        "error": result.error,
        "scores": result.scores.to_dict(),
    }


def write_outputs(document: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "report.md").write_text(render_markdown(document), encoding="utf-8")
