"""Hybrid retrieval: dense e5 search in Chroma plus Dutch BM25, weighted reciprocal rank fusion,
then a rerank on the best-matching sentence of each candidate and on law references.

Why the rerank: the one law lid that answers a question tends to rank below guidance prose that
merely mentions the topic; the best single sentence of a passage is a sharper signal than the
passage as a whole, and an explicit "artikel 18a lid 9" in the question is the sharpest of all.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection

from assistant.config import Settings
from assistant.embeddings import TextEmbeddings, embedding_model_name, load_embeddings
from assistant.glossary import expansions, looks_english
from assistant.lexical import BM25, analyse, repair_typos, words
from assistant.models import OUTDATED_TYPE, Passage, ScoredPassage
from assistant.store import all_passages, generation, open_collection, sentence_collection
from assistant.textutils import DUTCH_ORDINALS

_ARTICLE_REF = re.compile(r"\bart(?:ikel|\.)?\s*(\d+(?:\.\d+)*[a-z]?)\b", re.IGNORECASE)
_LID_REF = re.compile(rf"\blid\s+(\d+[a-z]?)\b|\b({'|'.join(DUTCH_ORDINALS)})\s+lid\b", re.I)
_ORDINALS = {word: str(number) for number, word in enumerate(DUTCH_ORDINALS, start=1)}
_OUTDATED_WORDS = re.compile(
    r"\b(oud|oude|vervallen|verouderd|vroeger|destijds|2015|17a|historisch|toenmalig|old|former|repealed|outdated)\b", re.I
)


_LAW_INTENT = re.compile(
    r"\bart\.|\b(artikel|wetsartikel\w*|bepaling\w*|welke wet|wettelijk\w*|wetstekst|wet zegt|volgens de wet|lid"
    r"|jeugdwet|leerplichtwet|wpo|wvo|wec|wet op het|wet voortgezet|article|law|legal\w*|statutory|provision)\b",
    re.IGNORECASE,
)
# A law named in a question, and the `short` of the passages that belong to it.
_LAW_NAMES = {
    "jeugdwet": "Jeugdwet", "youth act": "Jeugdwet", "leerplichtwet": "Leerplichtwet 1969",
    "compulsory education act": "Leerplichtwet 1969", "wpo": "WPO", "wet op het primair onderwijs": "WPO",
    "wvo": "WVO", "wet voortgezet onderwijs": "WVO 2020", "wet op het voortgezet onderwijs": "WVO",
    "wec": "WEC", "wet op de expertisecentra": "WEC",
}

# In a question about law, the school sector names the law: vo rules stand in the WVO, po rules in the WPO.
_SECTOR_LAWS = {"voortgezet onderwijs": "WVO", "vo": "WVO", "middelbare school": "WVO",
                "primair onderwijs": "WPO", "po": "WPO", "basisschool": "WPO", "basisonderwijs": "WPO"}


@dataclass
class QueryAnalysis:
    question: str
    search_text: str
    english: bool
    articles: list[str]
    lids: list[str]
    wants_outdated: bool
    typo_fixes: dict[str, str] = field(default_factory=dict)
    law_intent: bool = False
    laws: list[str] = field(default_factory=list)
    known_words: float = 1.0
    """Share of the question's content words that occur in the corpus: 0 means off-topic."""


@dataclass
class SearchIndex:
    """Everything retrieval keeps in memory for one generation of the collection."""

    generation: int
    passages: list[Passage]
    position: dict[str, int]
    bm25: BM25
    vocabulary: frozenset[str]
    sentences: dict[str, list[str]]
    sentence_vectors: dict[str, np.ndarray]


def analyse_question(question: str, vocabulary: frozenset[str], stems: Container[str]) -> QueryAnalysis:
    """Repair typos, add glossary and English-to-Dutch terms, and find law references."""
    fixes = repair_typos(words(question), vocabulary)
    corrected = question
    for wrong, right in fixes.items():
        corrected = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, corrected, flags=re.IGNORECASE)
    added = expansions(corrected)
    lids = [m.group(1) or _ORDINALS[m.group(2).lower()] for m in _LID_REF.finditer(question)]
    content = analyse(" ".join([corrected, *added]))
    known = sum(stem in stems for stem in content) / len(content) if content else 0.0
    return QueryAnalysis(
        question=question,
        search_text=" ".join([corrected, *added]),
        english=looks_english(question),
        articles=[m.group(1).lower() for m in _ARTICLE_REF.finditer(question)],
        lids=lids,
        wants_outdated=bool(_OUTDATED_WORDS.search(question)),
        typo_fixes=fixes,
        law_intent=bool(_LAW_INTENT.search(question)),
        laws=_named_laws(question),
        known_words=known,
    )


def _named_laws(question: str) -> list[str]:
    """Laws a question names outright, or else, when it asks about law, the law of the sector it names."""
    def named(table: dict[str, str]) -> list[str]:
        return sorted({short for name, short in table.items() if re.search(rf"\b{name}\b", question, re.I)})

    laws = named(_LAW_NAMES)
    if not laws and _LAW_INTENT.search(question):
        laws = named(_SECTOR_LAWS)
    return laws


class Retriever:
    """Holds the embedding model and the in-memory index; reloads the index after every ingest."""

    def __init__(self, settings: Settings, embeddings: TextEmbeddings | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings or load_embeddings(settings)
        self.model_name = embedding_model_name(settings)
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def index(self) -> SearchIndex:
        return self._snapshot()[1]

    def _snapshot(self) -> tuple[Collection, SearchIndex]:
        """The collection (fetched anew: its metadata carries the generation) and the matching index."""
        collection = open_collection(self.settings, self.model_name)
        current = generation(collection)
        with self._lock:
            if self._index is None or self._index.generation != current:
                self._index = _load_index(self.settings, collection, current)
            return collection, self._index

    def search(
        self, question: str, filters: dict[str, Any] | None = None, k: int | None = None
    ) -> tuple[QueryAnalysis, list[ScoredPassage], np.ndarray]:
        """The top `k` passages for a question, the analysis behind them and the query vector."""
        settings = self.settings
        collection, index = self._snapshot()
        analysis = analyse_question(question, index.vocabulary, index.bm25.postings)
        query_vector = np.asarray(self.embeddings.embed_query(analysis.search_text), dtype=np.float32)
        allowed = _allowed(index, filters, analysis)
        if not allowed:
            return analysis, [], query_vector

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
        if settings.rerank:
            scored = _rerank(scored, index, query_vector, analysis, settings)
        return analysis, scored[: k or settings.top_k], query_vector

    def sentence_scores(self, passage: Passage, query_vector: np.ndarray) -> list[tuple[str, float]]:
        """Each answer unit of a passage with its cosine to the question (from the index the search used)."""
        index = self._index or self.index()
        sentences = index.sentences.get(passage.id, [])
        vectors = index.sentence_vectors.get(passage.id)
        if not sentences or vectors is None:
            return []
        return list(zip(sentences, (vectors @ query_vector).tolist(), strict=True))


def _load_index(settings: Settings, collection: Collection, current: int) -> SearchIndex:
    passages = all_passages(collection)
    analysed = [analyse(f"{p.title} {p.heading or ''} {p.text}") for p in passages]
    vocabulary = frozenset(w for p in passages for w in words(f"{p.title} {p.text}"))
    sentences, vectors = _load_sentences(settings)
    return SearchIndex(
        generation=current,
        passages=passages,
        position={p.id: i for i, p in enumerate(passages)},
        bm25=BM25.build(analysed),
        vocabulary=vocabulary,
        sentences=sentences,
        sentence_vectors=vectors,
    )


def _load_sentences(settings: Settings, batch: int = 5000) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    collection = sentence_collection(settings)
    rows_by_passage: dict[str, list[tuple[int, str, list[float]]]] = {}
    total = collection.count()
    for offset in range(0, total, batch):
        rows = collection.get(include=["documents", "metadatas", "embeddings"], limit=batch, offset=offset)
        for text, metadata, vector in zip(rows["documents"], rows["metadatas"], rows["embeddings"], strict=True):
            rows_by_passage.setdefault(str(metadata["passage_id"]), []).append((int(metadata["n"]), text, vector))
    sentences: dict[str, list[str]] = {}
    vectors: dict[str, np.ndarray] = {}
    for passage_id, rows in rows_by_passage.items():
        rows.sort(key=lambda row: row[0])
        sentences[passage_id] = [row[1] for row in rows]
        vectors[passage_id] = np.asarray([row[2] for row in rows], dtype=np.float32)
    return sentences, vectors


def _allowed(index: SearchIndex, filters: dict[str, Any] | None, analysis: QueryAnalysis) -> set[int]:
    """Passage positions that pass the user's filters; outdated law only when the question asks for it."""
    filters = filters or {}
    types = set(filters.get("types") or [])
    doc_ids = set(filters.get("doc_ids") or [])
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
    allowed: set[int],
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


def _bm25_ranking(index: SearchIndex, text: str, allowed: set[int], depth: int) -> dict[int, int]:
    scores = index.bm25.scores(analyse(text))
    ranked = sorted((i for i in scores if i in allowed), key=scores.get, reverse=True)[:depth]
    return {position: rank for rank, position in enumerate(ranked, start=1)}


def _fuse(dense: dict[int, tuple[int, float]], lexical: dict[int, int], settings: Settings) -> dict[int, float]:
    """Weighted reciprocal rank fusion: scale-free, so cosines and BM25 scores need no calibration."""
    fused: dict[int, float] = {}
    for position, (rank, _) in dense.items():
        fused[position] = fused.get(position, 0.0) + settings.dense_weight / (settings.rrf_k + rank)
    for position, rank in lexical.items():
        fused[position] = fused.get(position, 0.0) + settings.bm25_weight / (settings.rrf_k + rank)
    return fused


def _law_match(passage: Passage, analysis: QueryAnalysis) -> float:
    """How strongly a passage matches the law the question names: lid > article > the law > 'a law'."""
    if not passage.article:
        return 0.0
    named_law = not analysis.laws or (passage.short or "").startswith(tuple(analysis.laws))
    if passage.article.lower() in analysis.articles and named_law:
        if analysis.lids:
            return 1.0 if passage.lid in analysis.lids else 0.5
        return 0.8
    if analysis.articles:
        return 0.0
    if analysis.laws:
        return 0.7 if named_law else 0.0
    return 0.6 if analysis.law_intent else 0.0


def _rerank(
    scored: list[ScoredPassage], index: SearchIndex, query_vector: np.ndarray, analysis: QueryAnalysis, settings: Settings
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
            + settings.law_ref_weight * _law_match(item.passage, analysis) / (k + 1)
        )
    return sorted(scored, key=lambda item: item.score, reverse=True)
