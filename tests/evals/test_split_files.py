"""The committed split: sizes the issue asks for, no overlap, and every new question passes the fact check.

Checked mechanically, never by reading test questions: a corpus edit that removes a fact an
expected answer needs must fail here rather than show up as a lower test score.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.check_facts import Corpus, check_question
from evals.questions import load_questions

pytestmark = pytest.mark.unit

EVALS = Path(__file__).resolve().parents[2] / "evals"
CORPUS = EVALS.parent / "corpus"


SECOND_ROUND = ("f2-", "f3-")
"""Id prefixes of the second round of independently written questions, split between dev and holdout."""


def test_split_sizes_and_no_overlap() -> None:
    old = {q.id for q in load_questions(EVALS / "questions.jsonl")}
    dev = {q.id for q in load_questions(EVALS / "dev.jsonl")}
    test = {q.id for q in load_questions(EVALS / "test.jsonl")}
    holdout = {q.id for q in load_questions(EVALS / "holdout.jsonl")}
    assert len(test) >= 140 and dev.isdisjoint(test) and dev.isdisjoint(holdout) and test.isdisjoint(holdout)
    assert old <= dev
    second_round = {qid for qid in dev if qid.startswith(SECOND_ROUND)}
    assert abs(len(test) - len(dev - old - second_round)) <= 2, "test is about half of the first round"
    assert all(qid.startswith(SECOND_ROUND) for qid in holdout)
    assert abs(len(holdout) - len(second_round)) <= 5, "holdout is about half of the second round"


def test_new_questions_pass_the_fact_check() -> None:
    """The old gold set is exempt: its facts were written in the harness's normalised form (no hyphens)."""
    old = {q.id for q in load_questions(EVALS / "questions.jsonl")}
    corpus = Corpus.load(CORPUS)
    new = [q for name in ("dev", "test", "holdout") for q in load_questions(EVALS / f"{name}.jsonl") if q.id not in old]
    failures = {q.id: problems for q in new if (problems := check_question(q, corpus))}
    assert not failures, f"feitencontrole faalt voor {sorted(failures)} (python -m evals.check_facts)"
