"""Scale table: search and full `ask` latency, memory, index build and snapshot load time, on the real
index and on synthetic indexes of 10,000, 30,000 and 100,000 passages.

A synthetic index is made from the real one: every passage, with its sentence rows as the real index
has them, is copied under new document ids with a marker word added and a little noise on its vectors,
so the benchmark measures search at scale without spending hours embedding text nobody reads. Building
one (inserting into Chroma) takes minutes at 100,000, so it is kept under `index/bench/`, keyed by
size and by the real index's content and model; a rerun reuses it and reports the time of the build
that made it.

Every index is measured in a fresh process (`python -m evals.bench measure ...`), so its memory
figure is that index's alone and the snapshot load is a real cold load: first the process that
reads the snapshot out of Chroma (and saves it, see `assistant.search.snapshot_cache`), then the measuring
process, which maps the saved snapshot the way every later app or CLI process does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.engine import Engine
from assistant.models import IndexRows
from assistant.search.embeddings import embedding_model_name
from evals.metrics import percentile
from evals.questions import load_questions

SIZES = (10_000, 30_000, 100_000)
NOISE = 0.01
"""Standard deviation of the noise on each copied vector: copies stay near their original (cos ~0.98)
without being exact duplicates, which an HNSW index would treat unrealistically."""
BENCH_FOLDER = "bench"
_MANIFEST = "bench.json"
_FORMAT = 2
"""Part of a synthetic index's key: raise it when the way copies are made changes."""


@dataclass
class ScaleRow:
    """One line of the scale table (times in ms unless the name says s, memory in MB)."""

    index: str
    passages: int
    units: int
    build_s: float | None
    """Inserting the synthetic passages and sentence rows into Chroma (None for the real index)."""
    snapshot_from_store_s: float | None
    """The first process's snapshot: read out of Chroma, then saved (None when it was already saved)."""
    snapshot_load_s: float
    """A fresh process's snapshot, mapped from the saved one."""
    model_load_s: float
    retrieval_p50_ms: float
    retrieval_p95_ms: float
    ask_p50_ms: float
    ask_p95_ms: float
    rss_mb: float
    """Resident memory after warm-up (model, snapshot, one answer)."""
    peak_rss_mb: float


@dataclass
class _Built:
    """What a synthetic index's manifest records about how it was made."""

    build_s: float
    snapshot_from_store_s: float


def run_bench(settings: Settings, questions_path: Path, out: Path, sizes: tuple[int, ...] = SIZES,
              bench_dir: Path | None = None) -> list[ScaleRow]:
    """Measure the real index, then each synthetic size (built or reused from `bench_dir`, by default
    `index/bench/`); write the rows as JSON."""
    bench_dir = bench_dir or settings.index_dir / BENCH_FOLDER
    rows = [_measure_in_child(settings, questions_path, "echt corpus", None)]
    for size in sizes:
        target, built = synthetic_index(settings, size, bench_dir)
        rows.append(_measure_in_child(target, questions_path, f"synthetisch {size:,}".replace(",", "."), built))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(row) for row in rows], indent=2), encoding="utf-8")
    return rows


def synthetic_index(source: Settings, passages: int, bench_dir: Path) -> tuple[Settings, _Built]:
    """Settings of a synthetic index of about `passages` passages, built now or reused from an earlier run."""
    key = hashlib.sha256(json.dumps(
        [_FORMAT, passages, embedding_model_name(source), sorted(Engine(source).passage_hashes().items())]
    ).encode()).hexdigest()[:12]
    folder = bench_dir / f"{passages}-{key}"
    target = source.model_copy(update={"index_dir": folder.resolve()})
    manifest = folder / _MANIFEST
    if manifest.exists():
        return target, _Built(**json.loads(manifest.read_text(encoding="utf-8")))
    for stale in bench_dir.glob(f"{passages}-*"):  # the same size for an earlier corpus or model
        shutil.rmtree(stale, ignore_errors=True)
    started = time.perf_counter()
    build_synthetic_index(source, folder, passages)
    build_s = time.perf_counter() - started
    first = _child(target, None, "Chroma")  # reads the snapshot out of Chroma and saves it
    built = _Built(build_s=round(build_s, 1), snapshot_from_store_s=first["snapshot_load_s"])
    manifest.write_text(json.dumps(asdict(built)), encoding="utf-8")
    return target, built


def build_synthetic_index(source: Settings, target_dir: Path, passages: int, seed: int = 7) -> Settings:
    """Copy the real collection into `target_dir` until it holds about `passages` passages (written by
    the target's `Engine`, as every write to an index is)."""
    target = source.model_copy(update={"index_dir": target_dir})
    rng = np.random.default_rng(seed)
    real = Engine(source).index_rows()
    copies = range(max(1, passages // len(real.passages["ids"])))
    Engine(target).add_index_rows(
        IndexRows(_copy_rows(real.passages, f"-kopie{copy}", rng, "doc_id"),
                  _copy_rows(real.units, f"-kopie{copy}", rng, "doc_id", id_key="passage_id"))
        for copy in copies
    )
    return target


def _copy_rows(rows: dict, suffix: str, rng: np.random.Generator, doc_key: str, id_key: str | None = None) -> dict:
    """Rows with new ids and doc ids, a marker word in the text and noisy, re-normalised vectors."""
    vectors = np.asarray(rows["embeddings"], dtype=np.float32)
    vectors = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
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
        "embeddings": vectors,
    }


def _measure_in_child(settings: Settings, questions_path: Path, label: str, built: _Built | None) -> ScaleRow:
    figures = _child(settings, questions_path, label)
    return ScaleRow(
        index=label,
        build_s=built.build_s if built else None,
        snapshot_from_store_s=built.snapshot_from_store_s if built else None,
        **figures,
    )


def _child(settings: Settings, questions_path: Path | None, label: str) -> dict:
    """Run `measure` in a fresh interpreter and return its figures (without questions: the snapshot only)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        figures = Path(tmp) / "figures.json"
        command = [sys.executable, "-m", "evals.bench", "measure", "--figures", str(figures)]
        if questions_path is not None:
            command += ["--questions", str(questions_path)]
        # Settings go through stdin: they may hold an API key, which a command line would show to `ps`.
        completed = subprocess.run(command, input=settings.model_dump_json(), capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"bench of '{label}' failed:\n{completed.stderr[-4000:]}")
        return json.loads(figures.read_text(encoding="utf-8"))


def measure(settings: Settings, questions: list[str]) -> dict:
    """In this (fresh) process: load model and snapshot, answer once, read memory, then time every
    question twice over, retrieval alone and the whole `ask`."""
    engine = Engine(settings)
    started = time.perf_counter()
    _ = engine.embeddings
    model_load_s = time.perf_counter() - started
    started = time.perf_counter()
    snapshot = engine.retriever.snapshot()
    figures = {
        "passages": len(snapshot.passages),
        "units": len(snapshot.unit_matrix),
        "model_load_s": round(model_load_s, 2),
        "snapshot_load_s": round(time.perf_counter() - started, 2),
    }
    if not questions:
        return figures
    engine.ask(questions[0])  # warm-up: the first search's own one-off costs (HNSW files, caches)
    rss_mb = _rss_mb()
    retrieval, full = [], []
    for question in questions:
        started = time.perf_counter()
        engine.search(question)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        engine.ask(question)
        full.append((time.perf_counter() - started) * 1000)
    return figures | {
        "retrieval_p50_ms": round(statistics.median(retrieval), 1),
        "retrieval_p95_ms": round(percentile(retrieval, 95) or 0.0, 1),
        "ask_p50_ms": round(statistics.median(full), 1),
        "ask_p95_ms": round(percentile(full, 95) or 0.0, 1),
        "rss_mb": rss_mb,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _rss_mb() -> float:
    """This process's resident memory now (Linux `/proc`), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("VmRSS not found in /proc/self/status")


def main(argv: list[str] | None = None) -> None:
    """`python -m evals.bench measure --figures OUT [--questions FILE]`, the settings as JSON on stdin
    (run by `run_bench`)."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench")
    parser.add_argument("command", choices=["measure"])
    parser.add_argument("--figures", type=Path, required=True, help="where the figures go (JSON)")
    parser.add_argument("--questions", type=Path, help="gold-format questions; without: load the snapshot only")
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions(args.questions)] if args.questions else []
    figures = measure(Settings.model_validate_json(sys.stdin.read()), questions)
    args.figures.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
