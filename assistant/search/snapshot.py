"""The snapshot of one index generation that ranking and answering read: `SearchIndex` (the passages,
BM25, the vocabulary, the unit matrix), read out of the store once and saved for later processes
(`assistant.search.snapshot_cache`), so a process maps the unit matrix instead of reading every row back.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection

from assistant.models import OUTDATED_TYPE, Passage
from assistant.search import snapshot_cache
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.lexical import BM25, analyse, words
from assistant.store.chroma import Store, all_passages, pages, stored_facts


@dataclass
class SearchIndex:
    """Everything retrieval keeps at hand for one generation of the collection; the unit matrix (and the
    sentence vectors, its rows) is usually memory-mapped from the saved snapshot (`snapshot_cache`)."""

    generation: int
    passages: list[Passage]
    position: dict[str, int]
    bm25: BM25
    vocabulary: frozenset[str]
    sentences: dict[str, list[str]]
    sentence_vectors: dict[str, np.ndarray]
    facts: CorpusFacts = field(default_factory=CorpusFacts)
    outdated_articles: frozenset[str] = frozenset()
    """Articles that occur only in outdated law texts (asking for one asks for the old text)."""
    unit_matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    unit_owner: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    """Row i of `unit_matrix` is unit `unit_owner[i, 1]` of passage position `unit_owner[i, 0]`."""
    centroid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    """Mean unit vector: a unit close to it is close to every question of the domain (a "hub")."""

    def best_units(self, query_vector: np.ndarray, allowed: Set[int], limit: int) -> list[tuple[str, int, float]]:
        """The `limit` units closest to the question among the allowed passages, best first."""
        if not len(self.unit_matrix) or limit <= 0:
            return []
        cosines = self.unit_matrix @ query_vector
        # A partial sort is enough unless filters reject most of the nearest units.
        depth = min(len(cosines), limit * 20)
        nearest = np.argpartition(-cosines, depth - 1)[:depth]
        rows = nearest[np.argsort(-cosines[nearest])]
        if sum(int(self.unit_owner[row, 0]) in allowed for row in rows) < limit:
            rows = np.argsort(-cosines)
        hits: list[tuple[str, int, float]] = []
        for row in rows:
            position, n = (int(v) for v in self.unit_owner[row])
            if position in allowed:
                hits.append((self.passages[position].id, n, float(cosines[row])))
                if len(hits) == limit:
                    break
        return hits

    @cached_property
    def every_position(self) -> frozenset[int]:
        return frozenset(range(len(self.passages)))

    @cached_property
    def suspect_documents(self) -> frozenset[str]:
        """Documents with a sentence the instruction screen cut out (`assistant.ingest.screening`): whoever
        planted one may have planted more than the screen saw, so answering trusts them less."""
        return frozenset(passage.doc_id for passage in self.passages if passage.instructions)

    @cached_property
    def current_positions(self) -> frozenset[int]:
        """Positions of every passage except outdated law texts."""
        return frozenset(i for i, passage in enumerate(self.passages) if passage.type != OUTDATED_TYPE)

    def passage(self, passage_id: str) -> Passage | None:
        position = self.position.get(passage_id)
        return None if position is None else self.passages[position]

    def sentence_scores(self, passage_id: str, query_vector: np.ndarray) -> list[tuple[str, float]]:
        """Each answer unit of a passage with its cosine to the question."""
        sentences = self.sentences.get(passage_id, [])
        vectors = self.sentence_vectors.get(passage_id)
        if not sentences or vectors is None:
            return []
        return list(zip(sentences, (vectors @ query_vector).tolist(), strict=True))


def load_index(store: Store, collection: Collection, current: int) -> SearchIndex:
    """The snapshot of this generation: mapped from disk when a process saved it before, else read from
    the store and saved for the next process (see `assistant.search.snapshot_cache`)."""
    path = snapshot_cache.location(store.settings.index_dir, collection.name, collection.id, current)
    saved = snapshot_cache.load(path)
    if saved is not None:
        return _assemble(*saved)
    arrays, record = _read_index(store, collection, current)
    snapshot_cache.save(path, arrays, record)
    pointer = store.pointer()
    snapshot_cache.prune(store.settings.index_dir, {name for name in (pointer.active, pointer.previous) if name})
    saved = snapshot_cache.load(path)  # mapped, the matrices leave this process's private memory
    return _assemble(*saved) if saved is not None else _assemble(arrays, record)


def _read_index(store: Store, collection: Collection, current: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Everything a snapshot holds, read from the store: the matrices apart, for `snapshot_cache`."""
    passages = all_passages(collection)
    position = {p.id: i for i, p in enumerate(passages)}
    analysed = [analyse(f"{p.title} {p.heading or ''} {p.text}") for p in passages]
    vocabulary = frozenset(w for p in passages for w in words(f"{p.title} {p.text}"))
    texts, matrix, offsets = _load_units(store.sentences(collection.name), position)
    current_articles = {p.article for p in passages if p.article and p.type != OUTDATED_TYPE}
    outdated_articles = {p.article.lower() for p in passages if p.article and p.type == OUTDATED_TYPE} - current_articles
    facts = CorpusFacts.from_json(stored_facts(collection)).with_places({p.place for p in passages if p.place})
    centroid = matrix.mean(axis=0) if len(matrix) else np.zeros(0, dtype=np.float32)
    record = {
        "generation": current,
        "passages": passages,
        "sentences": {passages[i].id: texts[offsets[i]:offsets[i + 1]] for i in range(len(passages))
                      if offsets[i + 1] > offsets[i]},
        "bm25": BM25.build(analysed),
        "vocabulary": sorted(vocabulary),
        "facts": facts,
        "outdated_articles": frozenset(outdated_articles),
    }
    arrays = {
        "unit_matrix": matrix,
        "unit_offsets": offsets,
        "centroid": centroid / (np.linalg.norm(centroid) or 1.0),
    }
    return arrays, record


def _assemble(arrays: dict[str, np.ndarray], record: dict[str, Any]) -> SearchIndex:
    """A `SearchIndex` over the record and matrices; a passage's sentence vectors are rows of the one unit
    matrix (views, no copies), `unit_offsets[i]:unit_offsets[i + 1]` for passage position `i`."""
    passages: list[Passage] = record["passages"]
    matrix, offsets = arrays["unit_matrix"], np.asarray(arrays["unit_offsets"])
    counts = np.diff(offsets)
    starts = offsets[:-1]
    owners = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
    order = np.arange(len(owners), dtype=np.int64) - np.repeat(starts, counts)
    return SearchIndex(
        generation=record["generation"],
        passages=passages,
        position={p.id: i for i, p in enumerate(passages)},
        bm25=record["bm25"],
        # Built the same way in every process: typo repair tries words in the set's order, and a set
        # unpickled as it was iterated could come out in another order than the one first built.
        vocabulary=frozenset(record["vocabulary"]),
        sentences=record["sentences"],
        sentence_vectors={passages[i].id: matrix[starts[i]:offsets[i + 1]] for i in np.flatnonzero(counts)},
        facts=record["facts"],
        outdated_articles=record["outdated_articles"],
        unit_matrix=matrix,
        unit_owner=np.stack([owners, order], axis=1) if len(owners) else np.zeros((0, 2), dtype=np.int64),
        centroid=arrays["centroid"],
    )


def _load_units(
    collection: Collection, position: dict[str, int], batch: int = 5000
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every answer unit of the snapshot's passages, in (passage position, unit number) order: the texts,
    one float32 matrix of their vectors, and the offsets of each passage's rows (length passages + 1)."""
    keys: list[tuple[int, int]] = []
    texts: list[str] = []
    blocks: list[np.ndarray] = []
    for rows in pages(collection, ["documents", "metadatas", "embeddings"], batch):
        blocks.append(np.asarray(rows["embeddings"], dtype=np.float32))
        for text, metadata in zip(rows["documents"], rows["metadatas"], strict=True):
            keys.append((position.get(str(metadata["passage_id"]), -1), int(metadata["n"])))
            texts.append(text)
    order = [row for row in sorted(range(len(keys)), key=keys.__getitem__) if keys[row][0] >= 0]
    matrix = np.concatenate(blocks)[order] if order else np.zeros((0, 0), dtype=np.float32)
    counts = np.bincount(np.asarray([keys[row][0] for row in order], dtype=np.int64), minlength=len(position))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return [texts[row] for row in order], matrix, offsets
