"""assistant.engine.Engine: the whole public surface over one index, and safe to share between threads.

The thread tests ask on a COLD engine: a fresh `Engine` that has not loaded its store client, its
retriever or its in-memory index yet, as in a web server's first seconds. In-process, the model and
chromadb's per-path system may already be loaded by earlier tests; the subprocess test starts from a
process that has loaded nothing (the case of the bug report: 16 of 40 calls failed there).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.engine import Engine, engine_for
from assistant.errors import IndexMissingError
from assistant.models import Answer
from assistant.store.chroma import Store, all_passages
from tests.corpus_copy import copy_corpus
from tests.paths import REPO

THREADS = 20
QUESTIONS = (
    "Welk artikel verplicht een samenwerkingsverband po tot OOGO met de gemeente?",
    "Wat is de centrale gedachte achter de samenwerking in Dronten?",
)
OOGO_QUESTION = QUESTIONS[0]
WPO_18A = "wetgeving/wpo-artikel-18a-19"


def ask_all_at_once(engine: Engine, threads: int = THREADS, questions: tuple[str, ...] = QUESTIONS
                    ) -> tuple[list[Answer], list[str]]:
    """Every thread waits at a barrier, then asks each question once: (answers, errors as text)."""
    barrier = threading.Barrier(threads)

    def work(n: int) -> list[Answer]:
        barrier.wait()
        return [engine.ask(questions[(n + i) % len(questions)]) for i in range(len(questions))]

    answers: list[Answer] = []
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work, n) for n in range(threads)]:
            try:
                answers.extend(future.result(timeout=600))
            except Exception as exc:  # the test reports every failure, not just the first
                errors.append(f"{exc.__class__.__name__}: {exc}")
    return answers, errors


# --- threads on a cold engine ------------------------------------------------------------------------------


@pytest.mark.integration
def test_twenty_threads_asking_at_once_on_a_cold_engine(real_index: Settings) -> None:
    engine = Engine(real_index)  # fresh: no store client, retriever or index snapshot yet
    assert engine._retriever is None and engine.store._client is None
    answers, errors = ask_all_at_once(engine)
    assert errors == [], f"{len(errors)} of {THREADS} threads failed: {Counter(errors).most_common(3)}"
    assert len(answers) == THREADS * len(QUESTIONS)
    assert all(answer.text.strip() for answer in answers)
    # One engine, one answer per question: threads do not disturb each other's answers.
    by_question = {question: {a.text for a in answers if a.search_query == question} for question in QUESTIONS}
    assert all(len(texts) == 1 for texts in by_question.values()), by_question


_COLD_PROCESS = """
import json, sys
sys.path.insert(0, sys.argv[2])
sys.path.insert(0, sys.argv[3])
from assistant.config import Settings
from assistant.engine import Engine
from test_engine import ask_all_at_once

settings = Settings.model_validate_json(sys.argv[1])
answers, errors = ask_all_at_once(Engine(settings))
print(json.dumps({"answers": [a.text for a in answers], "errors": errors}))
"""


@pytest.mark.integration
def test_twenty_threads_asking_at_once_in_a_cold_process(real_index: Settings) -> None:
    """Nothing loaded in the process: the model, chromadb's client and the index load under 20 threads."""
    result = subprocess.run(
        [sys.executable, "-c", _COLD_PROCESS, real_index.model_dump_json(), str(REPO), str(Path(__file__).parent)],
        capture_output=True, text=True, timeout=900, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == [], Counter(outcome["errors"]).most_common(3)
    assert len(outcome["answers"]) == THREADS * len(QUESTIONS)
    assert all(text.strip() for text in outcome["answers"])


# --- passages and documents through the engine -------------------------------------------------------------


@pytest.mark.integration
def test_get_passage_returns_a_searched_passage_and_none_for_an_unknown_id(real_index: Settings) -> None:
    engine = engine_for(real_index)
    result = engine.search(OOGO_QUESTION)
    assert result.passages
    for item in result.passages:
        assert engine.get_passage(item.passage.id) == item.passage
    wpo = next(item.passage for item in result.passages if item.passage.doc_id == WPO_18A)
    assert engine.get_passage(wpo.id).text == wpo.text and wpo.article == "18a"
    assert engine.get_passage("wetgeving/bestaat-niet::00000::0000000000000000") is None
    assert engine.get_passage("") is None


@pytest.mark.integration
def test_list_documents_counts_every_passage_of_every_document(real_index: Settings) -> None:
    from assistant.ingest.indexer import discover
    from assistant.ingest.loaders import doc_id_for

    documents = engine_for(real_index).list_documents()
    stored = Counter(p.doc_id for p in all_passages(Store(real_index).passages()))
    assert {d.doc_id: d.passages for d in documents} == dict(stored)
    assert sum(d.passages for d in documents) == Store(real_index).passages().count()
    corpus = {doc_id_for(path, real_index.corpus_dir) for path in discover(real_index.corpus_dir)}
    assert {d.doc_id for d in documents} == corpus
    assert [d.doc_id for d in documents] == sorted(corpus)
    assert all(d.passages > 0 and d.title and d.type for d in documents)
    counts = Counter(d.type for d in documents)
    assert counts["samenvatting"] == 10 and counts["wetgeving (vervallen versie)"] == 1


@pytest.mark.integration
def test_the_document_list_is_built_once_per_index_generation(tmp_path: Path,
                                                                make_settings: Callable[..., Settings]) -> None:
    """The app lists the documents on every page run: the same list until an ingest changes the index."""
    corpus = copy_corpus(tmp_path / "corpus", ("praktijk/stein-samenwerken-over-grenzen.md",))
    engine = Engine(make_settings(corpus, tmp_path / "index"))
    engine.ingest()
    first = engine.list_documents()
    assert engine.list_documents() is first
    copy_corpus(corpus, ("praktijk/dronten-goed-is-goed-genoeg.md",))
    engine.ingest()
    assert [d.doc_id for d in engine.list_documents()] == [
        "praktijk/dronten-goed-is-goed-genoeg", "praktijk/stein-samenwerken-over-grenzen"]


@pytest.mark.integration
def test_document_passages_give_a_whole_document_in_reading_order(real_index: Settings) -> None:
    engine = engine_for(real_index)
    passages = engine.document_passages(WPO_18A)
    [info] = [d for d in engine.list_documents() if d.doc_id == WPO_18A]
    assert len(passages) == info.passages and {p.doc_id for p in passages} == {WPO_18A}
    assert [p.position for p in passages] == sorted(p.position for p in passages)
    assert engine.document_passages("wetgeving/bestaat-niet") == []


@pytest.mark.integration
def test_follow_ups_are_new_questions_the_engine_answers(real_index: Settings) -> None:
    engine = engine_for(real_index)
    answer = engine.ask(OOGO_QUESTION)
    conversation = [{"role": "user", "content": OOGO_QUESTION}, {"role": "assistant", "content": answer.text}]
    suggestions = engine.follow_ups(answer, conversation)
    assert 2 <= len(suggestions) <= 3 and OOGO_QUESTION not in suggestions
    cited = {c.passage_id for c in answer.citations}
    for suggestion in suggestions:
        reply = engine.ask(suggestion, history=conversation)
        assert not reply.refused, suggestion
        assert {c.passage_id for c in reply.citations} - cited, f"{suggestion}: answered from a passage not cited yet"
    refused = engine.ask("Wat is de hoofdstad van Frankrijk?")
    assert engine.follow_ups(refused, [{"role": "user", "content": "Wat is de hoofdstad van Frankrijk?"}]) == []


# --- no index ---------------------------------------------------------------------------------------------


class NoEmbeddings:
    """The engine must find the missing index before it embeds anything."""

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError("nothing may be embedded without an index")


@pytest.mark.unit
def test_engine_on_an_empty_index_dir_raises_index_missing(tmp_path: Path, make_settings: Callable[..., Settings]) -> None:
    """No refusal with reason "no_index" any more: a missing index is an error the front end shows.
    Fast: with the model's stand-in, nothing is loaded but an empty embedded Chroma folder."""
    engine = Engine(make_settings(tmp_path / "corpus", tmp_path / "index"), embeddings=NoEmbeddings())  # type: ignore[arg-type]
    with pytest.raises(IndexMissingError) as info:
        engine.ask("Wat is OOGO?")
    assert "nog geen index" in str(info.value) and "assistant ingest" in str(info.value)
    for call in (lambda: engine.ask_stream("Wat is OOGO?"), lambda: engine.search("Wat is OOGO?"),
                 engine.list_documents, lambda: engine.get_passage("x")):
        with pytest.raises(IndexMissingError):
            call()
