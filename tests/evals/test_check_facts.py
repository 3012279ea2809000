"""The fact check on a tiny corpus: facts in their (article's) text, refusal terms nowhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.check_facts import Corpus, check_question, main, split_articles
from evals.questions import parse_question

pytestmark = pytest.mark.unit

LAW = """---
title: "Wet op het primair onderwijs"
---
Artikel 18. Samenwerkingsverbanden

Over de grenzen van het gebied.

Artikel 18a. Samenwerkingsverbanden

9. Het ondersteuningsplan wordt niet vastgesteld voordat op overeenstemming
gericht overleg heeft plaatsgevonden.

Artikel 19. Ouder- en jeugdsteunpunt

1. Het samenwerkingsverband heeft een steunpunt.
"""
HISTORICAL = """## Jeugdwet artikel 2.2 (tekst van januari 2015)
3. Het plan wordt niet vastgesteld dan na overleg.

## Wet op het primair onderwijs artikel 18a lid 9 (tekst van augustus 2015)
9. Een voorziening voor het beslechten van geschillen.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "wetgeving").mkdir(parents=True)
    (root / "praktijk").mkdir()
    (root / "wetgeving" / "wpo.md").write_text(LAW, encoding="utf-8")
    (root / "wetgeving" / "historisch.md").write_text(HISTORICAL, encoding="utf-8")
    (root / "praktijk" / "dronten.md").write_text("Dronten werkt met een Inspiratie-estafette.\n", encoding="utf-8")
    (root / "README.md").write_text("Paspoort en rijbewijs.\n", encoding="utf-8")
    return root


def question(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "q", "question": "Wanneer?", "expected_sources": ["wetgeving/wpo#18a"],
                            "expected_facts": [["op overeenstemming gericht overleg"]], "answerable": True}
    data.update(fields)
    return data


def problems(corpus_dir: Path, **fields: Any) -> list[str]:
    return check_question(parse_question(question(**fields)), Corpus.load(corpus_dir))


def test_articles_run_from_their_line_to_the_next_article() -> None:
    articles = split_articles(LAW)
    assert list(articles) == ["18", "18a", "19"]
    assert articles["18a"].startswith("Artikel 18a.") and "steunpunt" not in articles["18a"]
    assert list(split_articles(HISTORICAL)) == ["2.2", "18a"]


def test_fact_across_a_line_break_and_in_other_case_passes(corpus: Path) -> None:
    assert problems(corpus) == []
    assert problems(corpus, expected_facts=[["OP OVEREENSTEMMING  gericht"], ["negende lid", "vastgesteld"]]) == []
    assert problems(corpus, expected_sources=["wetgeving/historisch#18a"], expected_facts=[["beslechten van geschillen"]]) == []


def test_fact_outside_the_named_article_fails(corpus: Path) -> None:
    found = problems(corpus, expected_facts=[["steunpunt"], ["op overeenstemming gericht overleg"]])
    assert found == ["feit 'steunpunt' staat niet letterlijk in wetgeving/wpo#18a"]
    assert problems(corpus, expected_sources=["wetgeving/wpo"], expected_facts=[["steunpunt"]]) == []


def test_fact_is_verbatim_up_to_case_and_whitespace_only(corpus: Path) -> None:
    found = problems(corpus, expected_sources=["praktijk/dronten"], expected_facts=[["inspiratie estafette"]])
    assert found == ["feit 'inspiratie estafette' staat niet letterlijk in praktijk/dronten"]


def test_missing_document_or_article_is_reported(corpus: Path) -> None:
    assert problems(corpus, expected_sources=["wetgeving/wpo#40a"]) == [
        "bron wetgeving/wpo#40a bestaat niet (artikel 40a in wetgeving/wpo niet gevonden)"]
    assert problems(corpus, expected_sources=["praktijk/stein"]) == [
        "bron praktijk/stein bestaat niet (document praktijk/stein niet gevonden)"]


def test_absent_terms_must_occur_in_no_corpus_file(corpus: Path) -> None:
    refusal = {"expected_sources": [], "expected_facts": [], "answerable": False}
    assert problems(corpus, **refusal, absent_terms=["paspoort", "__ bedrag in euro"]) == []  # README is no document
    assert problems(corpus, **refusal, absent_terms=["Inspiratie-estafette", "ondersteuningsplan"]) == [
        "afwezige term 'Inspiratie-estafette' staat wel in praktijk/dronten",
        "afwezige term 'ondersteuningsplan' staat wel in wetgeving/wpo",
    ]


def test_main_reports_per_question_and_exits_non_zero(corpus: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = question(id="goed"), question(id="fout", expected_facts=[["steunpunt"]])
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    assert main([str(path), "--corpus", str(corpus)]) == 0
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    assert main([str(path), "--corpus", str(corpus)]) == 1
    printed = capsys.readouterr().out
    assert f"{path}: fout\n  - feit 'steunpunt'" in printed and "2 vragen, 1 met problemen" in printed
    assert main([str(tmp_path / "ontbreekt.jsonl"), "--corpus", str(corpus)]) == 2
