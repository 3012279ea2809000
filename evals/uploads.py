"""The index the upload questions are asked against: the corpus plus uploaded documents on other subjects.

Users upload letters, reports and web pages about anything (`corpus/uploads/`, type `geüpload`), and ask
about them next to the OOGO corpus. `evals/uploads/` holds five such documents (PDF, DOCX, HTML: a
province's letter about an airport, a housing report, a municipal waste page, a memo on a heat network, a
water board's newsletter), written with their questions by an independent writer (issue 20). The
`uploads-dev` and `uploads-holdout` splits are asked against a copy of the corpus with these documents in
its `uploads/` folder, indexed in `index/eval-uploads/` (incrementally: only the first run embeds).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.config import Settings

UPLOAD_DOCUMENTS = Path(__file__).with_name("uploads")
UPLOAD_SPLITS = ("uploads-dev", "uploads-holdout")
EVAL_FOLDER = "eval-uploads"


def settings_with_uploads(settings: Settings) -> Settings:
    """`settings` pointed at a fresh copy of its corpus plus the upload documents, ingested and ready."""
    from assistant.engine import Engine
    from assistant.ingest.loaders import UPLOAD_FOLDER

    root = settings.index_dir / EVAL_FOLDER
    corpus = root / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)  # a copy, so a document removed from the corpus goes too
    shutil.copytree(settings.corpus_dir, corpus, ignore=shutil.ignore_patterns(UPLOAD_FOLDER))
    shutil.copytree(UPLOAD_DOCUMENTS, corpus / UPLOAD_FOLDER)
    with_uploads = settings.model_copy(update={"corpus_dir": corpus, "index_dir": root / "index"})
    report = Engine(with_uploads).ingest()
    if report.errors:  # a question about a document that was not indexed would measure nothing
        raise RuntimeError(f"upload documents skipped at ingest: {[(e.path, e.reason) for e in report.errors]}")
    return with_uploads
