"""Hostile upload names never leave the uploads folder and never silently replace another upload."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from ingest import uploads
from ingest.uploads import list_uploads, save_upload
from tests.reliability.harness import make_corpus
from tests.reliability.upload_names import HOSTILE_NAMES, SAME_AS_EXISTING, hostile_uploads

pytestmark = pytest.mark.unit


def test_hostile_upload_names_neither_escape_nor_replace(tmp_path: Path) -> None:
    run = hostile_uploads(make_corpus(tmp_path / "corpus"))
    assert run.names == len(HOSTILE_NAMES) == 27
    assert run.crashes == []
    assert run.escapes == []
    assert run.silent_replacements == []
    assert run.deduplicated == [SAME_AS_EXISTING]
    # Case twins, NFC/NFD twins and names that sanitise alike are kept next to each other.
    assert {"Notitie.md", "notitie -- oogo!.md", "cafe\u0301.md"} <= set(run.numbered)
    # Refused: what has no supported type once the name is read as a file system would.
    assert set(run.rejected) == {"rapport.md\x00.exe", "....", "..", "factuur\u202edm.exe", "x.md.exe"}
    assert all("wordt niet ondersteund" in reason for reason in run.rejected.values())
    assert run.accepted + len(run.rejected) == run.names


def test_two_sessions_uploading_one_name_at_once_keep_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name is chosen and the file moved in under one lock: no session can overwrite the other's file.

    The pause after choosing a name widens the window a real race has (it is microseconds wide), so
    without the lock every thread would pick the same free name."""
    choose = uploads._free_name

    def slow_choice(folder: Path, name: str, data: bytes) -> str:
        chosen = choose(folder, name, data)
        time.sleep(0.05)
        return chosen

    monkeypatch.setattr(uploads, "_free_name", slow_choice)
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", chroma_url=None)
    settings.corpus_dir.mkdir()
    contents = [f"# Verslag\n\nVerslag van sessie {n} over het OOGO.\n".encode() for n in range(8)]
    barrier = threading.Barrier(len(contents))
    accepted: list[bool] = []

    def upload(data: bytes) -> None:
        barrier.wait()
        accepted.append(save_upload(settings, "Verslag.md", data).accepted)

    threads = [threading.Thread(target=upload, args=(data,)) for data in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert accepted == [True] * len(contents)
    stored = sorted(path.read_bytes() for path in list_uploads(settings))
    assert stored == sorted(contents)
