"""The committed split: sizes the issue asks for, no overlap, and every new question passes the fact check.

Checked mechanically, never by reading test questions: a corpus edit that removes a fact an
expected answer needs must fail here rather than show up as a lower test score.
"""

from __future__ import annotations

import pytest

from evals.check_facts import Corpus, check_question
from evals.questions import load_questions
from tests.paths import EVALS

pytestmark = pytest.mark.unit

CORPUS = EVALS.parent / "corpus"


LATER_ROUNDS = (("f2-", "f3-"), ("r3a-", "r3b-"))
"""Id prefixes of the second and third rounds of independently written questions, each split between dev
and holdout (`python -m evals.split --holdout`)."""
UPLOAD_ROUND = "r3u-"
"""The third round's questions about uploaded documents (evals/uploads/), split between uploads-dev and uploads-holdout."""


def test_split_sizes_and_no_overlap() -> None:
    old = {q.id for q in load_questions(EVALS / "questions.jsonl")}
    dev = {q.id for q in load_questions(EVALS / "dev.jsonl")}
    test = {q.id for q in load_questions(EVALS / "test.jsonl")}
    holdout = {q.id for q in load_questions(EVALS / "holdout.jsonl")}
    assert len(test) >= 140 and dev.isdisjoint(test) and dev.isdisjoint(holdout) and test.isdisjoint(holdout)
    assert old <= dev
    later = {qid for qid in dev if qid.startswith(sum(LATER_ROUNDS, ()))}
    assert abs(len(test) - len(dev - old - later)) <= 2, "test is about half of the first round"
    assert all(qid.startswith(sum(LATER_ROUNDS, ())) for qid in holdout)
    for prefixes in LATER_ROUNDS:
        in_dev = sum(qid.startswith(prefixes) for qid in dev)
        in_holdout = sum(qid.startswith(prefixes) for qid in holdout)
        assert in_dev and abs(in_holdout - in_dev) <= 5, f"holdout is about half of the round {prefixes}"


def test_upload_questions_are_split_in_two_halves() -> None:
    dev = {q.id for q in load_questions(EVALS / "uploads-dev.jsonl")}
    holdout = {q.id for q in load_questions(EVALS / "uploads-holdout.jsonl")}
    assert dev.isdisjoint(holdout) and abs(len(dev) - len(holdout)) <= 2
    assert all(qid.startswith(UPLOAD_ROUND) for qid in dev | holdout)


def test_new_questions_pass_the_fact_check() -> None:
    """The old gold set is exempt: its facts were written in the harness's normalised form (no hyphens)."""
    old = {q.id for q in load_questions(EVALS / "questions.jsonl")}
    corpus = Corpus.load(CORPUS)
    new = [q for name in ("dev", "test", "holdout") for q in load_questions(EVALS / f"{name}.jsonl") if q.id not in old]
    failures = {q.id: problems for q in new if (problems := check_question(q, corpus))}
    assert not failures, f"feitencontrole faalt voor {sorted(failures)} (python -m evals.check_facts)"
