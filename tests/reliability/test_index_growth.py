"""20 ingests after small edits: the index folder stays within two generations (issue 23)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.index_growth import ingests_after_small_edits

pytestmark = pytest.mark.integration

LIVE_GENERATIONS = 2
"""The active generation and the previous one, kept for searches still running (`assistant.ingest.indexer._publish`)."""
FOLDERS_PER_GENERATION = 2
"""A passage and a sentence collection, one HNSW folder each."""
SQLITE_ALLOWANCE = 1.5
"""Free pages up to `store.VACUUM_FREE_SHARE` and Chroma's write log on top of two generations' rows."""


def test_twenty_ingests_stay_within_two_generations(tmp_path: Path) -> None:
    sizes = ingests_after_small_edits(tmp_path, 20)
    one_generation = sizes[0].index_bytes
    for size in sizes:
        print(size)
    assert all(size.folders <= LIVE_GENERATIONS * FOLDERS_PER_GENERATION for size in sizes)
    assert all(size.index_bytes <= LIVE_GENERATIONS * one_generation * SQLITE_ALLOWANCE for size in sizes)
