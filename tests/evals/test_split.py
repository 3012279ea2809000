"""The dev/test split on a synthetic set: deterministic, stratified, existing questions all in dev."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evals.questions import GoldQuestion, QuestionFileError, load_questions, parse_question
from evals.split import main, quotas, size_of_test, split_questions, stratum

pytestmark = pytest.mark.unit

HISTORY = [{"role": "user", "content": "Wat is OOGO?"}, {"role": "assistant", "content": "Overleg."}]


def make(qid: str, tags: list[str], *, answerable: bool = True, history: bool = False) -> GoldQuestion:
    data: dict[str, Any] = {
        "id": qid,
        "question": f"Vraag {qid}?",
        "expected_sources": ["handreikingen/x"] if answerable else [],
        "expected_facts": [],
        "answerable": answerable,
        "tags": tags,
    }
    if history:
        data["history"] = HISTORY
    return parse_question(data)


def synthetic() -> list[GoldQuestion]:
    """300 questions over 10 strata of uneven (some odd) sizes."""
    kinds: list[tuple[int, list[str], dict[str, bool]]] = [
        (51, ["handreiking", "feitelijk"], {}),
        (40, ["wet", "feitelijk"], {}),
        (33, ["samenvatting", "lijst"], {}),
        (15, ["engels", "wet", "lijst"], {}),
        (15, ["typfout", "praktijk"], {}),
        (40, ["lijkt-op-weigeren", "wet"], {}),
        (17, ["gesprek", "vervolgvraag", "wet"], {"history": True}),
        (13, ["gesprek", "onderwerpwissel"], {"history": True}),
        (21, ["weigeren", "buiten-domein"], {"answerable": False}),
        (55, ["weigeren", "niet-in-bronnen"], {"answerable": False}),
    ]
    return [make(f"{'-'.join(tags)}-{i}", tags, **extra) for size, tags, extra in kinds for i in range(size)]


def test_most_specific_stratum_wins() -> None:
    legal = make("a", ["weigeren", "juridisch-advies", "lijkt-op-weigeren"], answerable=False)
    assert stratum(legal) == "weigeren/juridisch-advies"
    assert stratum(make("b", ["weigeren"], answerable=False)) == "weigeren"
    assert stratum(make("c", ["lijkt-op-weigeren", "engels", "wet"])) == "lijkt-op-weigeren"
    assert stratum(make("d", ["gesprek", "onderwerpwissel", "engels"], history=True)) == "gesprek/onderwerpwissel"
    assert stratum(make("e", ["lijst", "engels", "typfout"])) == "engels"
    assert stratum(make("f", ["lijst", "samenvatting"])) == "lijst"
    assert stratum(make("g", ["praktijk", "feitelijk"])) == "bron/praktijk"
    assert stratum(make("h", ["seeds"])) == "overig"


def test_split_is_stratified_and_about_half() -> None:
    questions = synthetic()
    split = split_questions([], questions, seed="s")
    assert len(split.test) == 150 and len(split.dev) == 150
    assert {q.id for q in split.dev}.isdisjoint(q.id for q in split.test)
    sizes, in_test = Counter(map(stratum, questions)), Counter(map(stratum, split.test))
    for name, size in sizes.items():
        assert abs(in_test[name] - size / 2) <= 0.5, name


def test_split_is_deterministic_and_independent_of_input_order() -> None:
    questions = synthetic()
    first = split_questions([], questions, seed="s")
    again = split_questions([], list(reversed(questions)), seed="s")
    assert [q.id for q in split_questions([], questions, seed="s").test] == [q.id for q in first.test]
    assert {q.id for q in again.test} == {q.id for q in first.test}
    assert {q.id for q in split_questions([], questions, seed="other").test} != {q.id for q in first.test}


def test_small_sets_still_get_the_minimum_test_size_and_existing_stay_in_dev() -> None:
    existing = [make("oud-1", ["feitelijk"]), make("oud-2", ["weigeren"], answerable=False)]
    new = synthetic()[:200]
    split = split_questions(existing, new, seed="s", minimum=140)
    assert len(split.test) == 140 and split.dev[:2] == existing
    assert size_of_test(300) == 150 and size_of_test(281) == 141
    with pytest.raises(ValueError, match="te weinig"):
        size_of_test(100)


def test_quotas_sum_exactly_and_break_ties_by_seed_not_name() -> None:
    sizes = {f"s{i}": 3 for i in range(10)}
    for seed in ("a", "b", "c"):
        assert sum(quotas(sizes, 15, seed).values()) == 15
    favoured = {seed: {name for name, count in quotas(sizes, 15, seed).items() if count == 2} for seed in ("a", "b")}
    assert favoured["a"] != favoured["b"]


def write(path: Path, questions: list[GoldQuestion]) -> Path:
    path.write_text("".join(json.dumps(q.to_dict(), ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


def test_main_writes_both_files_and_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = synthetic()
    existing = write(tmp_path / "questions.jsonl", [make("oud-1", ["feitelijk"])])
    parts = [write(tmp_path / "part-a.jsonl", questions[:150]), write(tmp_path / "part-b.jsonl", questions[150:])]
    arguments = [*map(str, parts), "--existing", str(existing), "--out-dir", str(tmp_path / "out")]
    assert main(arguments) == 0
    dev, test = (tmp_path / "out" / "dev.jsonl").read_bytes(), (tmp_path / "out" / "test.jsonl").read_bytes()
    assert len(load_questions(tmp_path / "out" / "test.jsonl")) == 150
    assert load_questions(tmp_path / "out" / "dev.jsonl")[0].id == "oud-1"
    printed = capsys.readouterr().out
    assert "dev: 151 vragen (1 bestaand + 150 nieuw); test: 150 vragen" in printed
    assert "lijkt-op-weigeren" in printed and "weigeren/niet-in-bronnen" in printed
    assert main(arguments) == 0
    assert (tmp_path / "out" / "dev.jsonl").read_bytes() == dev and (tmp_path / "out" / "test.jsonl").read_bytes() == test


def test_an_id_in_two_files_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = write(tmp_path / "questions.jsonl", [make("dubbel", ["feitelijk"])])
    part = write(tmp_path / "part-a.jsonl", [make("dubbel", ["wet"]), *synthetic()])
    assert main([str(part), "--existing", str(existing), "--out-dir", str(tmp_path / "out")]) == 2
    assert "id 'dubbel' staat in" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    with pytest.raises(QuestionFileError):
        load_questions(write(tmp_path / "empty.jsonl", []))
