"""Processes and checks shared by the reliability tests and `make soak` (scripts/soak.py).

Each scenario runs the product as an operator would: a reader process asking questions while
another process ingests, ingests killed with SIGKILL, a cold process hit by many threads. The
child processes are this file run as a script, so they share nothing with the test process
(no Chroma client, no cached collections) except the index folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus_copy import copy_corpus
from tests.paths import REPO

PYTHON = sys.executable

BASE_DOCS = (
    "wetgeving/wec-artikel-28a.md",
    "praktijk/stein-samenwerken-over-grenzen.md",
    "samenvattingen/nji-oogo.md",
)
REMOVED_DOC = "samenvattingen/nji-oogo.md"
ADDED_DOC = "praktijk/dronten-goed-is-goed-genoeg.md"
ADDED_QUESTION = "Wat betekent 'goed is goed genoeg' in Dronten?"
QUESTIONS = (
    "Bij welk samenwerkingsverband moet een school voor speciaal onderwijs zich aansluiten?",
    "Hoe werken Stein en de gemeente samen over grenzen?",
    "Wat is OOGO?",
    ADDED_QUESTION,
)


def doc_id(name: str) -> str:
    return name[: -len(".md")]


def make_corpus(root: Path, names: tuple[str, ...] = BASE_DOCS) -> Path:
    """A small corpus: copies of a few real documents."""
    return copy_corpus(root, names)


def switch_corpus(root: Path, to_changed: bool) -> None:
    """Base corpus <-> changed corpus (one document added, one removed)."""
    added, removed = root / ADDED_DOC, root / REMOVED_DOC
    if to_changed:
        make_corpus(root, (ADDED_DOC,))
        removed.unlink(missing_ok=True)
    else:
        make_corpus(root, (REMOVED_DOC,))
        added.unlink(missing_ok=True)


def child_env(corpus: Path, index: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "ASSISTENT_CORPUS_DIR": str(corpus),
        "ASSISTENT_INDEX_DIR": str(index),
        "ASSISTENT_MODELS_DIR": str(REPO / "models"),
        "ASSISTENT_CHROMA_URL": "",
        "PYTHONPATH": str(REPO),
    })
    return env


def spawn(mode: str, corpus: Path, index: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve()), mode, *args],
        env=child_env(corpus, index), cwd=index.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


# --- checks run in the test process -------------------------------------------------------------


@dataclass
class IndexState:
    """What a reader opening the index right now would see."""

    docs: set[str]
    consistent: bool
    """Every sentence row belongs to a passage of the same generation and every passage has its sentences."""
    unfinished: int
    """Collections of a newer generation that readers cannot reach (left by a killed ingest)."""


def index_state(corpus: Path, index: Path) -> IndexState:
    """Read in a fresh child process, as a reader that starts after a crash would."""
    process = spawn("state", corpus, index)
    out, err = process.communicate(timeout=300)
    if process.returncode:
        raise RuntimeError(err)
    data = json.loads(out.strip().splitlines()[-1])
    return IndexState(set(data["docs"]), data["consistent"], data["unfinished"])


# --- child processes ------------------------------------------------------------------------------


def _state() -> dict:
    from assistant.config import Settings
    from assistant.store.chroma import Store

    store = Store(Settings())
    passages = store.passages()
    rows = passages.get(include=["metadatas"])
    ids = set(rows["ids"])
    sentence_owners = {str(m["passage_id"]) for m in store.sentences(passages.name).get(include=["metadatas"])["metadatas"]}
    generations = store.generations()
    active = generations[passages.name]
    return {"docs": sorted({str(m["doc_id"]) for m in rows["metadatas"]}),
            "consistent": sentence_owners == ids,
            "unfinished": sum(number > active for number in generations.values())}


def _reader(stop_file: str, min_calls: str = "0") -> dict:
    """Ask questions in a loop until `stop_file` exists and `min_calls` were made; then ask about the added document."""
    from assistant.engine import Engine

    engine = Engine()
    calls, errors = 0, []
    ready = Path(stop_file + ".ready")
    while not Path(stop_file).exists() or calls < int(min_calls):
        try:
            engine.ask(QUESTIONS[calls % len(QUESTIONS)])
        except Exception as exc:  # every failure counts; the test reports them
            errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
        calls += 1
        ready.touch()
    top = [item.passage.doc_id for item in engine.search(ADDED_QUESTION).passages[:3]]
    return {"calls": calls, "errors": errors, "top_docs": top}


def _threads(count: str, per_thread: str) -> dict:
    """`count` threads asking `per_thread` questions each on a cold process (nothing loaded yet)."""
    from assistant.engine import Engine

    engine = Engine()
    errors: list[str] = []
    calls = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(int(count))

    def work(n: int) -> None:
        barrier.wait()
        for i in range(int(per_thread)):
            try:
                engine.ask(QUESTIONS[(n + i) % len(QUESTIONS)])
            except Exception as exc:  # counted, not raised: the figure is the number of failures
                with lock:
                    errors.append(f"{exc.__class__.__name__}: {exc}"[:200])
            with lock:
                calls[0] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(int(count))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"calls": calls[0], "errors": errors}


def _ingest(rebuild: str = "") -> dict:
    from assistant.config import Settings
    from assistant.ingest.indexer import ingest

    report = ingest(Settings(), rebuild=rebuild == "rebuild")
    return {"documents": report.documents, "rolled_back": report.rolled_back, "embedded": report.embedded}


# --- scenarios ------------------------------------------------------------------------------------


@dataclass
class ReaderRun:
    calls: int
    errors: list[str]
    new_doc_found: bool
    removed_doc_gone: bool


def reader_during_ingests(work: Path, min_calls: int = 0) -> ReaderRun:
    """A reader process asks while this process ingests (add one, remove one) and then rebuilds."""
    from assistant.config import Settings
    from assistant.ingest.indexer import ingest

    corpus, index = make_corpus(work / "corpus"), work / "index"
    env_settings = Settings(corpus_dir=corpus, index_dir=index, models_dir=REPO / "models", chroma_url=None)
    ingest(env_settings)
    stop = work / "stop"
    reader = spawn("reader", corpus, index, str(stop), str(min_calls))
    try:
        deadline = time.monotonic() + 300
        while not Path(f"{stop}.ready").exists() and time.monotonic() < deadline and reader.poll() is None:
            time.sleep(0.2)
        switch_corpus(corpus, to_changed=True)
        ingest(env_settings)
        ingest(env_settings, rebuild=True)
        time.sleep(3)  # a few more questions on the rebuilt index
        stop.touch()
        out, err = reader.communicate(timeout=1800)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    if reader.returncode:
        return ReaderRun(0, [err[-500:]], False, False)
    data = json.loads(out.strip().splitlines()[-1])
    state = index_state(corpus, index)
    return ReaderRun(data["calls"], data["errors"], doc_id(ADDED_DOC) in data["top_docs"],
                     doc_id(REMOVED_DOC) not in state.docs)


@dataclass
class KillRun:
    delay: float
    killed: bool
    state: str
    """'oud', 'nieuw' or 'gemengd' (the last one is the failure)."""
    unfinished: int
    """Collections the killed ingest left behind."""
    rollback_reported: bool
    """The next ingest said it rolled back (required when anything was left behind)."""
    recovered: bool
    """The next ingest reached the new state."""


@dataclass
class KillSeries:
    runs: list[KillRun] = field(default_factory=list)

    @property
    def consistent(self) -> int:
        return sum(run.state != "gemengd" for run in self.runs)

    @property
    def reported(self) -> int:
        """Runs whose leftovers (if any) the next ingest reported as rolled back."""
        return sum(run.rollback_reported or not run.unfinished for run in self.runs)


def kill_during_ingest(work: Path, delays: list[float], rebuild_every: int = 2) -> KillSeries:
    """Start an ingest (every `rebuild_every`-th a rebuild), SIGKILL it after each delay, check the index.

    The corpus alternates between the base and the changed set, so every run has something to
    write; after each kill a complete ingest must report the rollback (when it had one to do) and
    reach the new state."""
    corpus, index = make_corpus(work / "corpus"), work / "index"
    base = {doc_id(n) for n in BASE_DOCS}
    changed = (base - {doc_id(REMOVED_DOC)}) | {doc_id(ADDED_DOC)}
    _run_ingest(corpus, index)
    series = KillSeries()
    to_changed = True
    for n, delay in enumerate(delays):
        old, new = (base, changed) if to_changed else (changed, base)
        switch_corpus(corpus, to_changed)
        process = spawn("ingest", corpus, index, "rebuild" if n % rebuild_every == 1 else "")
        time.sleep(delay)
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        state = index_state(corpus, index)
        label = "gemengd"
        if state.consistent and state.docs == old:
            label = "oud"
        elif state.consistent and state.docs == new:
            label = "nieuw"
        after = _run_ingest(corpus, index)
        series.runs.append(KillRun(delay, killed, label, state.unfinished, bool(after["rolled_back"]),
                                   index_state(corpus, index).docs == new))
        to_changed = not to_changed
    return series


def ingest_durations(work: Path) -> tuple[float, float]:
    """Wall seconds of one changing ingest and of one rebuild (process start to exit) on the small
    corpus: kill points spread over these hit every stage instead of landing after the ingest ended."""
    corpus, index = make_corpus(work / "corpus"), work / "index"
    _run_ingest(corpus, index)
    switch_corpus(corpus, True)
    started = time.perf_counter()
    _run_ingest(corpus, index)
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    _run_ingest(corpus, index, rebuild=True)
    return ingest_s, time.perf_counter() - started


def _run_ingest(corpus: Path, index: Path, rebuild: bool = False) -> dict:
    process = spawn("ingest", corpus, index, "rebuild" if rebuild else "")
    out, err = process.communicate(timeout=600)
    if process.returncode:
        raise RuntimeError(err)
    return json.loads(out.strip().splitlines()[-1])


def cold_threads(work: Path, threads: int, per_thread: int) -> dict:
    corpus, index = make_corpus(work / "corpus"), work / "index"
    _run_ingest(corpus, index)
    process = spawn("threads", corpus, index, str(threads), str(per_thread))
    out, err = process.communicate(timeout=900)
    if process.returncode:
        raise RuntimeError(err)
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    modes = {"state": _state, "reader": _reader, "threads": _threads, "ingest": _ingest}
    print(json.dumps(modes[sys.argv[1]](*sys.argv[2:])))
