"""Hostile upload names never leave the uploads folder, and replace an earlier upload only when they become
its name, saying so."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest import uploads
from assistant.ingest.uploads import list_uploads, save_upload
from tests.reliability.harness import make_corpus
from tests.reliability.upload_names import HOSTILE_NAMES, SAME_AS_EXISTING, hostile_uploads

pytestmark = pytest.mark.unit


def test_hostile_upload_names_neither_escape_nor_replace(tmp_path: Path) -> None:
    run = hostile_uploads(make_corpus(tmp_path / "corpus"))
    assert run.names == len(HOSTILE_NAMES) == 27
    assert run.crashes == []
    assert run.escapes == []
    assert run.silent_replacements == []
    # Case twins, NFC/NFD twins and names that sanitise alike are one name: a new version, reported.
    assert {"Notitie.md", SAME_AS_EXISTING, "notitie -- oogo!.md", "cafe\u0301.md"} <= set(run.replacing)
    # Refused: what has no supported type once the name is read as a file system would.
    assert set(run.rejected) == {"rapport.md\x00.exe", "....", "..", "factuur\u202edm.exe", "x.md.exe"}
    assert all("wordt niet ondersteund" in reason for reason in run.rejected.values())
    assert run.accepted + len(run.rejected) == run.names


def test_sessions_uploading_one_name_at_once_leave_one_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The earlier versions are found and the file moved in under one lock: one version is left, and
    every upload but the first says which version it replaced.

    The pause after finding the earlier versions widens the window a real race has (it is microseconds
    wide), so without the lock several threads would each find the folder empty."""
    find = uploads._same_id

    def slow_find(folder: Path, stem: str) -> list[Path]:
        found = find(folder, stem)
        time.sleep(0.05)
        return found

    monkeypatch.setattr(uploads, "_same_id", slow_find)
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", chroma_url=None)
    settings.corpus_dir.mkdir()
    contents = [f"# Verslag\n\nVerslag van sessie {n} over het OOGO.\n".encode() for n in range(8)]
    barrier = threading.Barrier(len(contents))
    results: list[uploads.UploadResult] = []

    def upload(data: bytes) -> None:
        barrier.wait()
        results.append(save_upload(settings, "Verslag.md", data))

    threads = [threading.Thread(target=upload, args=(data,)) for data in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result.accepted for result in results)
    [stored] = list_uploads(settings)
    assert stored.name == "verslag.md" and stored.read_bytes() in contents
    assert sorted(len(result.replaced) for result in results) == [0] + [1] * (len(contents) - 1), \
        "each upload after the first replaced exactly the version before it"
