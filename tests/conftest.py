"""Shared fixtures: per-test settings and one real index of the full corpus per test session.

Every `Settings` made here points `models_dir` at the repository's `models/` (absolute), so the
bundled embedding model that setup built is reused and never rebuilt into a temp folder, and sets
`chroma_url=None` explicitly so an `ASSISTENT_CHROMA_URL` in the environment cannot send a test
to a server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
MODELS_DIR = REPO / "models"


def build_settings(corpus_dir: Path, index_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: its own corpus and index folders, the repository's built model."""
    values: dict[str, Any] = {"models_dir": MODELS_DIR, "chroma_url": None}
    values.update(overrides)
    return Settings(corpus_dir=corpus_dir, index_dir=index_dir, **values)


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """`make_settings(corpus_dir, index_dir, **overrides)` -> Settings (see `build_settings`)."""
    return build_settings


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The FULL real corpus ingested once per session into a temp index; returns its Settings.

    Takes about three minutes the first time it is requested; every later user in the same session
    gets the same index. Tests must treat it as read-only (ingest it again is fine: nothing changes).
    """
    from assistant.ingest.indexer import ingest

    settings = build_settings(CORPUS_DIR, tmp_path_factory.mktemp("real_index"))
    report = ingest(settings)
    assert not report.errors, f"the real corpus should ingest without errors: {report.errors}"
    assert report.passages > 0 and report.embedded > 0, report.summary()
    return settings
