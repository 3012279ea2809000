"""assistant.search.snapshot_cache: a generation's snapshot saved once, mapped by later processes, never stale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.engine import Engine
from assistant.search import snapshot, snapshot_cache
from assistant.search.lexical import analyse
from assistant.store.chroma import Store, generation

UNITS = np.arange(12, dtype=np.float32).reshape(4, 3)


def saved(tmp_path: Path, generation: int = 1, name: str = "col-g1") -> Path:
    path = snapshot_cache.location(tmp_path, name, "id-1", generation)
    snapshot_cache.save(path, {"units": UNITS, "empty": np.zeros((0, 0), dtype=np.float32)}, {"words": ["a", "b"]})
    return path


@pytest.mark.unit
def test_a_saved_snapshot_comes_back_with_its_matrices_mapped(tmp_path: Path) -> None:
    loaded = snapshot_cache.load(saved(tmp_path))
    assert loaded is not None
    arrays, record = loaded
    assert record == {"words": ["a", "b"]}
    assert isinstance(arrays["units"], np.memmap) and np.array_equal(arrays["units"], UNITS)
    assert arrays["empty"].shape == (0, 0)  # an empty matrix cannot be mapped and is read plainly


@pytest.mark.unit
def test_nothing_saved_or_a_damaged_snapshot_loads_as_none(tmp_path: Path) -> None:
    assert snapshot_cache.load(snapshot_cache.location(tmp_path, "col-g1", "id-1", 1)) is None
    path = saved(tmp_path)
    (path / "snapshot.pickle").write_bytes(b"not a pickle")
    assert snapshot_cache.load(path) is None


@pytest.mark.unit
def test_the_key_names_collection_id_generation_and_the_code(tmp_path: Path) -> None:
    first = snapshot_cache.location(tmp_path, "col-g1", "id-1", 1)
    assert len({first, snapshot_cache.location(tmp_path, "col-g1", "id-2", 1),
                snapshot_cache.location(tmp_path, "col-g1", "id-1", 2)}) == 3
    assert first.name.endswith(snapshot_cache.code_fingerprint())


@pytest.mark.unit
def test_saving_a_new_version_removes_the_old_one_and_prune_keeps_only_live_collections(tmp_path: Path) -> None:
    old, new = saved(tmp_path, generation=1), saved(tmp_path, generation=2)
    assert not old.exists() and new.exists()
    other = saved(tmp_path, name="col-g0")
    snapshot_cache.prune(tmp_path, keep={"col-g1"})
    assert new.exists() and not other.parent.exists()


@pytest.mark.unit
def test_an_unwritable_index_folder_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = snapshot_cache.location(blocker, "col-g1", "id-1", 1)  # under a file: mkdir fails
    snapshot_cache.save(path, {"units": UNITS}, {})
    assert snapshot_cache.load(path) is None


@pytest.mark.integration
def test_a_mapped_snapshot_holds_exactly_what_chroma_holds(real_index: Settings) -> None:
    """The snapshot read out of the store and the one mapped from disk: the same passages, units, float32
    vectors, BM25 scores and vocabulary, so a search cannot tell them apart."""
    store = Store(real_index)
    collection = store.passages()
    from_store = snapshot._assemble(*snapshot._read_index(store, collection, generation(collection)))
    mapped = Engine(real_index).retriever.snapshot()  # the saved copy, saved now if no process did yet
    assert isinstance(mapped.unit_matrix, np.memmap)
    assert [p.id for p in mapped.passages] == [p.id for p in from_store.passages]
    assert mapped.sentences == from_store.sentences and mapped.vocabulary == from_store.vocabulary
    assert np.array_equal(mapped.unit_matrix, from_store.unit_matrix)
    assert np.array_equal(mapped.unit_owner, from_store.unit_owner)
    assert np.array_equal(mapped.centroid, from_store.centroid)
    assert all(np.array_equal(mapped.sentence_vectors[pid], vectors)
               for pid, vectors in from_store.sentence_vectors.items())
    query = analyse("ontwikkelingsperspectief vaststellen binnen zes weken")
    assert mapped.bm25.scores(query) == from_store.bm25.scores(query)
    assert mapped.bm25.ranked(query) == from_store.bm25.ranked(query)
