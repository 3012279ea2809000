"""The upload questions' documents (evals/uploads/): each loads as ingest reads it, and every fact of
every upload question is in the text ingest extracts (not only in the writer's Markdown), so a loader
change that loses text fails here rather than as a lower upload score."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import UPLOAD_FOLDER, load_file
from evals.check_facts import Corpus, check_question, normalise
from evals.questions import load_questions
from evals.uploads import UPLOAD_DOCUMENTS
from tests.paths import EVALS

pytestmark = pytest.mark.unit



def _uploaded_corpus(root: Path) -> Corpus:
    documents: dict[str, str] = {}
    for path in sorted(UPLOAD_DOCUMENTS.iterdir()):
        copy = root / UPLOAD_FOLDER / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
        texts = load_file(copy, root, max_bytes=25 * 2**20)
        documents[texts[0].doc_id] = normalise("\n".join(text.text for text in texts))
    return Corpus(documents=documents, articles={})


def test_upload_documents_are_three_formats_of_other_subjects(tmp_path: Path) -> None:
    corpus = _uploaded_corpus(tmp_path)
    assert {path.suffix for path in UPLOAD_DOCUMENTS.iterdir()} == {".pdf", ".docx", ".html"}
    assert all(len(text.split()) > 400 for text in corpus.documents.values())


def test_every_upload_fact_is_in_the_extracted_text(tmp_path: Path) -> None:
    corpus = _uploaded_corpus(tmp_path)
    questions = [q for name in ("uploads-dev", "uploads-holdout") for q in load_questions(EVALS / f"{name}.jsonl")]
    failures = {q.id: problems for q in questions if (problems := check_question(q, corpus))}
    assert not failures
