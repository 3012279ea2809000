"""assistant.search.snapshot: a generation's `SearchIndex`, assembled from the matrices a snapshot
keeps (rows of one unit matrix, no copies), and the unit search over it."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.models import OUTDATED_TYPE
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.lexical import BM25
from assistant.search.snapshot import _assemble
from tests.fakes import QUERY, passage, unit_vectors_with_cosines

pytestmark = pytest.mark.unit

PASSAGES = [passage("a"), passage("b", type=OUTDATED_TYPE), passage("c")]


def assembled():
    """Passage a has two units, b none, c one: offsets 0, 2, 2, 3."""
    matrix = unit_vectors_with_cosines([0.5, 0.9, 0.7])
    record = {"generation": 4, "passages": PASSAGES, "sentences": {"a": ["a0", "a1"], "c": ["c0"]},
              "bm25": BM25.build([["a"], ["b"], ["c"]]), "vocabulary": ["b", "a"], "facts": CorpusFacts(),
              "outdated_articles": frozenset()}
    arrays = {"unit_matrix": matrix, "unit_offsets": np.asarray([0, 2, 2, 3]), "centroid": np.zeros(3, dtype=np.float32)}
    return _assemble(arrays, record), matrix


def test_a_passages_sentence_vectors_are_views_of_the_unit_matrix() -> None:
    index, matrix = assembled()
    assert index.generation == 4 and index.position == {"a": 0, "b": 1, "c": 2}
    assert set(index.sentence_vectors) == {"a", "c"}
    assert np.shares_memory(index.sentence_vectors["a"], matrix)
    assert index.unit_owner.tolist() == [[0, 0], [0, 1], [2, 0]]


def test_the_best_units_within_the_allowed_passages() -> None:
    index, _ = assembled()
    assert [(pid, n) for pid, n, _ in index.best_units(QUERY, {0, 2}, 2)] == [("a", 1), ("c", 0)]
    assert [(pid, n) for pid, n, _ in index.best_units(QUERY, {2}, 5)] == [("c", 0)]
    assert index.best_units(QUERY, {0}, 0) == []


def test_outdated_law_is_left_out_of_the_current_positions() -> None:
    index, _ = assembled()
    assert index.current_positions == {0, 2} and index.every_position == {0, 1, 2}
    assert [text for text, _ in index.sentence_scores("a", QUERY)] == ["a0", "a1"]
    assert index.passage("zz") is None and index.passage("c") is PASSAGES[2]
