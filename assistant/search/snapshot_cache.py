"""The search snapshot of a generation kept on disk, so that a new process does not read every row of
the index back out of Chroma.

Why: Chroma's `get` returns rows at about 13,000 a second here (texts, metadata and vectors of the
passages and of their sentence rows): every process spent 19 s on 30,000 synthetic passages with their
111,000 sentence rows, 88 s and 4.4 GB on 100,000 (README, Snelheid). A generation never changes once readers can see it
(assistant/store/chroma.py), so the first process that loads one writes its snapshot here and every later
process maps it: the matrices as `.npy` files opened memory-mapped (only the rows a search touches
become resident, and processes share the pages), everything else as one pickle.

The files are written by this project into its own index folder, the same trust as Chroma's own files
next to them. A snapshot is keyed by collection name, collection id (a rebuilt collection of the same
name gets a new id), generation and a fingerprint of the code that builds snapshots (a change to the
analyser invalidates it); a missing, stale or unreadable snapshot is simply built again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

FOLDER = "snapshots"
_RECORD = "snapshot.pickle"
_BUILDERS = ("assistant.search.snapshot", "assistant.search.lexical", "assistant.models", "assistant.search.corpus_facts",
             __name__)
"""Modules whose code decides what a snapshot holds: their source is part of the key."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _BUILDERS:
        digest.update(Path(sys.modules[name].__file__ or "").read_bytes())
    return digest.hexdigest()[:12]


def location(index_dir: Path, collection_name: str, collection_id: object, generation: int) -> Path:
    """Where the snapshot of this generation of this collection lives."""
    return index_dir / FOLDER / collection_name / f"{collection_id}-g{generation}-{code_fingerprint()}"


def load(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """(memory-mapped arrays, other fields) of a saved snapshot; None when there is none to use."""
    try:
        with open(path / _RECORD, "rb") as file:
            record = pickle.load(file)
        arrays = {name: _map(path / f"{name}.npy") for name in record.pop("_arrays")}
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, KeyError, AttributeError, ImportError):
        return None
    return arrays, record


def _map(file: Path) -> np.ndarray:
    """The array in `file`, memory-mapped read-only; an empty one (which cannot be mapped) read plainly."""
    try:
        return np.load(file, mmap_mode="r")
    except ValueError:
        return np.load(file)


def save(path: Path, arrays: dict[str, np.ndarray], record: dict[str, Any]) -> None:
    """Write a snapshot next to the index, atomically (a folder renamed into place); a process that
    cannot write (read-only disk, full disk) just keeps its snapshot in memory."""
    temporary = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        temporary.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            np.save(temporary / f"{name}.npy", np.ascontiguousarray(array))
        with open(temporary / _RECORD, "wb") as file:
            pickle.dump({**record, "_arrays": list(arrays)}, file, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.rename(path)
        for sibling in path.parent.iterdir():  # earlier versions of this collection's snapshot
            if sibling != path and ".tmp" not in sibling.name:
                shutil.rmtree(sibling, ignore_errors=True)
    except OSError:
        pass  # another process saved it first, or the disk refuses: both leave a usable index
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def prune(index_dir: Path, keep: set[str]) -> None:
    """Remove the snapshots of collections other than `keep` (deleted generations).

    A process still reading an older generation keeps its mapped files: the pages stay valid after
    the unlink until the process lets go of them."""
    root = index_dir / FOLDER
    if root.is_dir():
        for folder in root.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
