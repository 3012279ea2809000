"""Hybrid retrieval: dense e5 search in Chroma plus Dutch BM25, weighted reciprocal rank fusion,
then a rerank on the best-matching sentence of each candidate and on law references.

Why the rerank: the one law lid that answers a question tends to rank below guidance prose that
merely mentions the topic; the best single sentence of a passage is a sharper signal than the
passage as a whole, and an explicit "artikel 18a lid 9" in the question is the sharpest of all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Set
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
from chromadb.api.models.Collection import Collection

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.models import OUTDATED_TYPE, ScoredPassage
from assistant.search.embeddings import embedding_model_name
from assistant.search.lexical import analyse
from assistant.search.question import QueryAnalysis, analyse_question, law_match
from assistant.search.snapshot import SearchIndex, load_index
from assistant.store.chroma import Store, generation


@dataclass
class SearchResult:
    """One search: the ranked passages, and everything answering needs to stay consistent with them.

    `snapshot` is the in-memory index generation the passages came from; answering scores sentences
    against it, so an ingest in another process between search and answer cannot mix two indexes."""

    analysis: QueryAnalysis
    passages: list[ScoredPassage]
    query_vector: np.ndarray
    snapshot: SearchIndex
    unit_hits: list[tuple[str, int, float]] = field(default_factory=list)
    """The best answer units of the whole index (passage id, unit number, cosine), within the filters:
    the sentence that answers may sit in a passage that ranks below the top k as a whole."""
    unlifted: list[ScoredPassage] | None = None
    """For a normative question, the ranking without the lift of law passages: the decision to answer
    or refuse reads this one (see `Retriever`); None when the lift changed nothing."""

    def for_decision(self) -> SearchResult:
        """The result the answer-or-refuse decision reads: the ranking without the normative lift."""
        return self if self.unlifted is None else replace(self, passages=self.unlifted, unlifted=None)


class Embedder(Protocol):
    """What retrieval needs of the embedding model (a LangChain `Embeddings`)."""

    def embed_query(self, text: str) -> list[float]: ...


class Retriever:
    """Hybrid search over one store; keeps the in-memory index of the collection's current generation.

    Every search reads the store's pointer and reloads the snapshot when another process (or this
    one) switched readers to a new generation since; the snapshot travels with the result
    (`SearchResult`). A store error in the middle of a search (the generation it was reading was
    deleted after its grace period) is retried once against the current pointer."""

    def __init__(self, settings: Settings, store: Store, embed: Callable[[], Embedder]) -> None:
        """`embed` gives the embedding model when a search first needs it: listing documents or
        reading a passage never loads it."""
        self.settings = settings
        self.store = store
        self._embed = embed
        self.model_name = embedding_model_name(settings)
        self._index: SearchIndex | None = None
        self._index_source = ""
        self._lock = threading.Lock()

    def snapshot(self) -> SearchIndex:
        return self._current()[1]

    def _current(self) -> tuple[Collection, SearchIndex]:
        """The collection (fetched anew: its metadata carries the generation) and the matching index."""
        collection = self.store.passages(self.model_name)
        current = generation(collection)
        with self._lock:
            if self._index is None or self._index.generation != current or self._index_source != collection.name:
                self._index = load_index(self.store, collection, current)
                self._index_source = collection.name
            return collection, self._index

    def search(self, question: str, filters: dict[str, Any] | None = None, k: int | None = None) -> SearchResult:
        """The top `k` passages for a question, with the analysis, query vector and snapshot behind them."""
        try:
            return self._search(question, filters, k)
        except AssistantError:
            raise
        except Exception:  # chromadb raises many types for a collection deleted under a running search
            return self._search(question, filters, k)

    def _search(self, question: str, filters: dict[str, Any] | None, k: int | None) -> SearchResult:
        settings = self.settings
        collection, index = self._current()
        analysis = analyse_question(question, index)
        query_vector = np.asarray(self._embed().embed_query(analysis.search_text), dtype=np.float32)
        allowed = _allowed(index, filters, analysis)
        if not allowed:
            return SearchResult(analysis, [], query_vector, index)

        dense = _dense_ranking(collection, query_vector, index, allowed, settings.candidates, filters)
        lexical = _bm25_ranking(index, analysis.search_text, allowed, settings.candidates)
        fused = _fuse(dense, lexical, settings)
        candidates = sorted(fused, key=fused.get, reverse=True)[: settings.candidates]
        scored = [
            ScoredPassage(
                passage=index.passages[i],
                score=fused[i],
                dense=dense.get(i, (None, None))[1],
                dense_rank=dense.get(i, (None, None))[0],
                bm25_rank=lexical.get(i),
            )
            for i in candidates
        ]
        unlifted = None
        if settings.rerank:
            lift = settings.normative_lift and analysis.normative
            plain = _rerank([replace(item) for item in scored] if lift else scored, index, query_vector, analysis, settings)
            if lift:  # a second rerank only for a normative question: the ranking the decision reads stays
                scored = _rerank(scored, index, query_vector, analysis, settings, normative=True)
                if [item.passage.id for item in plain] != [item.passage.id for item in scored]:
                    unlifted = plain[: k or settings.top_k]
            else:
                scored = plain
        unit_hits = index.best_units(query_vector, allowed, settings.unit_candidates)
        return SearchResult(analysis, scored[: k or settings.top_k], query_vector, index, unit_hits, unlifted)


def _allowed(index: SearchIndex, filters: dict[str, Any] | None, analysis: QueryAnalysis) -> Set[int]:
    """Passage positions that pass the user's filters; outdated law only when the question asks for it.

    Without filters the answer is one of two sets the snapshot keeps (the loop over 100,000 passages took
    74 of the 181 ms of an `ask` under cProfile)."""
    filters = filters or {}
    types = set(filters.get("types") or [])
    doc_ids = set(filters.get("doc_ids") or [])
    if not types and not doc_ids:
        return index.every_position if analysis.wants_outdated else index.current_positions
    allowed = set()
    for i, passage in enumerate(index.passages):
        if types and passage.type not in types:
            continue
        if doc_ids and passage.doc_id not in doc_ids:
            continue
        if passage.type == OUTDATED_TYPE and not (analysis.wants_outdated or OUTDATED_TYPE in types):
            continue
        allowed.add(i)
    return allowed


def _dense_ranking(
    collection: Collection,
    query_vector: np.ndarray,
    index: SearchIndex,
    allowed: Set[int],
    depth: int,
    filters: dict[str, Any] | None,
) -> dict[int, tuple[int, float]]:
    """position -> (rank, cosine) of the nearest allowed passages.

    The user's filters go to Chroma as a small `where` on type or doc id; the outdated-law rule is
    applied here on an over-fetched list, because as a `where` it would list every other document
    and make each query slow on a large index."""
    clauses = [{key: {"$in": list(values)}} for key, values in
               (("type", (filters or {}).get("types")), ("doc_id", (filters or {}).get("doc_ids"))) if values]
    where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
    result = collection.query(
        query_embeddings=[query_vector.tolist()],
        n_results=min(depth * 3, len(index.passages)),
        where=where,
        include=["distances"],
    )
    ranking: dict[int, tuple[int, float]] = {}
    for passage_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
        position = index.position.get(passage_id)
        if position is not None and position in allowed and len(ranking) < depth:
            ranking[position] = (len(ranking) + 1, 1.0 - float(distance))
    return ranking


def _bm25_ranking(index: SearchIndex, text: str, allowed: Set[int], depth: int) -> dict[int, int]:
    ranking: dict[int, int] = {}
    for position in index.bm25.ranked(analyse(text)):
        if position in allowed:
            ranking[position] = len(ranking) + 1
            if len(ranking) == depth:
                break
    return ranking


def _fuse(dense: dict[int, tuple[int, float]], lexical: dict[int, int], settings: Settings) -> dict[int, float]:
    """Weighted reciprocal rank fusion: scale-free, so cosines and BM25 scores need no calibration."""
    fused: dict[int, float] = {}
    for position, (rank, _) in dense.items():
        fused[position] = fused.get(position, 0.0) + settings.dense_weight / (settings.rrf_k + rank)
    for position, rank in lexical.items():
        fused[position] = fused.get(position, 0.0) + settings.bm25_weight / (settings.rrf_k + rank)
    return fused


def _rerank(
    scored: list[ScoredPassage], index: SearchIndex, query_vector: np.ndarray, analysis: QueryAnalysis, settings: Settings,
    normative: bool = False,
) -> list[ScoredPassage]:
    """Fuse the first-stage rank with the rank by best sentence, and lift explicitly named law."""
    best_sentence = []
    for item in scored:
        vectors = index.sentence_vectors.get(item.passage.id)
        best_sentence.append(float((vectors @ query_vector).max()) if vectors is not None and len(vectors) else 0.0)
    by_sentence = sorted(range(len(scored)), key=lambda i: best_sentence[i], reverse=True)
    sentence_rank = {i: rank for rank, i in enumerate(by_sentence, start=1)}
    k = settings.rerank_k
    for i, item in enumerate(scored):
        item.score = (
            1.0 / (k + i + 1)
            + settings.sentence_weight / (k + sentence_rank[i])
            + settings.law_ref_weight * law_match(item.passage, analysis, normative) / (k + 1)
        )
    return sorted(scored, key=lambda item: item.score, reverse=True)
