"""Smoke tests on the full real corpus, ingested once per session by the `real_index` fixture."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.engine import ask
from assistant.ingest.indexer import discover, ingest
from assistant.ingest.loaders import doc_id_for
from assistant.store.chroma import Store, stored_hashes

pytestmark = pytest.mark.integration

OOGO_QUESTION = "Welk artikel verplicht een samenwerkingsverband po tot OOGO met de gemeente?"
WPO_18A = "wetgeving/wpo-artikel-18a-19"


def test_oogo_question_finds_wpo_18a_in_top_5(real_index: Settings) -> None:
    answer = ask(OOGO_QUESTION, settings=real_index)
    top5 = [item.passage for item in answer.retrieved[:5]]
    assert top5, f"nothing retrieved (refusal: {answer.refusal_reason})"
    found = [p for p in top5 if p.doc_id == WPO_18A and p.article == "18a"]
    assert found, "WPO art. 18a not in the top 5: " + "; ".join(f"{p.doc_id} {p.reference}" for p in top5)
    assert all(p.short == "WPO" for p in found)


def test_full_ingest_is_complete_and_idempotent(real_index: Settings) -> None:
    collection = Store(real_index).passages()
    stored = stored_hashes(collection)
    assert len(stored) > 150, f"only {len(stored)} passages for the full corpus"
    corpus_dir = real_index.corpus_dir
    expected_docs = {doc_id_for(path, corpus_dir) for path in discover(corpus_dir)}
    indexed_docs = {str(info["doc_id"]) for info in stored.values()}
    assert expected_docs, "no documents discovered in corpus/"
    missing = sorted(expected_docs - indexed_docs)
    assert not missing, f"documents missing from the index: {missing}"
    assert indexed_docs <= expected_docs, f"unknown documents in the index: {sorted(indexed_docs - expected_docs)}"

    again = ingest(real_index)
    assert again.errors == []
    assert (again.embedded, again.reused, again.removed, again.sentences_embedded) == (0, 0, 0, 0), again.summary()
    assert again.passages == len(stored)
    assert again.documents == len(expected_docs)
