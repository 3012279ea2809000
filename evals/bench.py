"""Latency benchmark: retrieval and full `ask` on the real index, and on a synthetic 10,000-passage index.

The large index is made from the real one: every passage (with its sentence rows) is copied under
new document ids with a marker word added and a little noise on its vectors, so the benchmark
measures search at scale without spending half an hour embedding text nobody reads.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embeddings import embedding_model_name
from assistant.engine import Engine
from assistant.store import Store, mark_changed
from evals.metrics import percentile
from evals.questions import load_questions

BATCH = 1000


@dataclass
class LatencyRow:
    index: str
    passages: int
    retrieval_p50_ms: float
    retrieval_p95_ms: float
    ask_p50_ms: float
    ask_p95_ms: float


def measure(engine: Engine, questions: list[str], label: str) -> LatencyRow:
    """Warm the model and index once, then time every question twice over: retrieval alone and ask."""
    engine.ask(questions[0])  # warm-up: model, index, BM25, sentence vectors
    retrieval, full = [], []
    for question in questions:
        started = time.perf_counter()
        engine.search(question)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        engine.ask(question)
        full.append((time.perf_counter() - started) * 1000)
    return LatencyRow(
        index=label,
        passages=len(engine.retriever.snapshot().passages),
        retrieval_p50_ms=round(statistics.median(retrieval), 1),
        retrieval_p95_ms=round(percentile(retrieval, 95) or 0.0, 1),
        ask_p50_ms=round(statistics.median(full), 1),
        ask_p95_ms=round(percentile(full, 95) or 0.0, 1),
    )


def build_synthetic_index(source: Settings, target_dir: Path, passages: int, seed: int = 7) -> Settings:
    """Copy the real collection into `target_dir` until it holds about `passages` passages."""
    target = source.model_copy(update={"index_dir": target_dir})
    model_name = embedding_model_name(source)
    rng = np.random.default_rng(seed)
    source_store, target_store = Store(source), Store(target)
    real = source_store.passages(model_name).get(include=["documents", "metadatas", "embeddings"])
    real_sentences = source_store.sentences().get(include=["documents", "metadatas", "embeddings"])
    sentences_by_passage: dict[str, list[int]] = {}
    for row, metadata in enumerate(real_sentences["metadatas"]):
        sentences_by_passage.setdefault(str(metadata["passage_id"]), []).append(row)

    collection = target_store.passages(model_name, create=True)
    sentences = target_store.sentences()
    copies = max(1, passages // len(real["ids"]))
    for copy in range(copies):
        suffix = f"-kopie{copy}"
        rows = _copy_rows(real, suffix, rng, "doc_id")
        _write(collection, rows)
        sentence_rows = _copy_rows(real_sentences, suffix, rng, "doc_id", id_key="passage_id")
        _write(sentences, sentence_rows)
    mark_changed(collection, model_name)
    return target


def _copy_rows(rows: dict, suffix: str, rng: np.random.Generator, doc_key: str, id_key: str | None = None) -> dict:
    """Rows with new ids and doc ids, a marker word in the text and noisy, re-normalised vectors."""
    vectors = np.asarray(rows["embeddings"], dtype=np.float32)
    vectors = vectors + rng.normal(0, 0.01, vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    metadatas = []
    for metadata in rows["metadatas"]:
        copy = dict(metadata)
        copy[doc_key] = f"{metadata[doc_key]}{suffix}"
        if id_key:
            copy[id_key] = f"{metadata[id_key]}{suffix}"
        metadatas.append(copy)
    return {
        "ids": [f"{row_id}{suffix}" for row_id in rows["ids"]],
        "documents": [f"{text} ({suffix.strip('-')})" for text in rows["documents"]],
        "metadatas": metadatas,
        "embeddings": vectors.tolist(),
    }


def _write(collection, rows: dict) -> None:
    for start in range(0, len(rows["ids"]), BATCH):
        end = start + BATCH
        collection.add(
            ids=rows["ids"][start:end],
            documents=rows["documents"][start:end],
            metadatas=rows["metadatas"][start:end],
            embeddings=rows["embeddings"][start:end],
        )


def run_bench(settings: Settings, questions_path: Path, out: Path, large: int = 10_000) -> list[LatencyRow]:
    questions = [q.question for q in load_questions(questions_path)]
    engine = Engine(settings)
    rows = [measure(engine, questions, "echt corpus")]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        synthetic = build_synthetic_index(settings, Path(tmp), large)
        # The synthetic index shares the loaded model: only the store differs.
        rows.append(measure(Engine(synthetic, embeddings=engine.embeddings), questions, f"synthetisch ({large:,} passages)"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([row.__dict__ for row in rows], indent=2), encoding="utf-8")
    return rows
