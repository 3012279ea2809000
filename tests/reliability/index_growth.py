"""How the index folder grows over a series of ingests after small edits (issue 23), for the test and the README."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.engine import Engine
from tests.reliability.harness import BASE_DOCS, REPO, make_corpus


@dataclass(frozen=True)
class IndexSize:
    generation: int
    folders: int
    """Vector segment folders under index/chroma/ (one per collection that holds vectors)."""
    chroma_bytes: int
    index_bytes: int
    """All of index/: Chroma plus the saved snapshots."""


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(settings: Settings, generation: int) -> IndexSize:
    chroma = settings.chroma_dir
    folders = sum(1 for p in chroma.iterdir() if p.is_dir())
    return IndexSize(generation, folders, folder_bytes(chroma), folder_bytes(settings.index_dir))


def ingests_after_small_edits(work: Path, count: int = 20) -> list[IndexSize]:
    """Ingest a small corpus, then `count - 1` times again after appending one sentence to one document."""
    corpus = make_corpus(work / "corpus", BASE_DOCS)
    settings = Settings(corpus_dir=corpus, index_dir=work / "index", models_dir=REPO / "models", chroma_url=None)
    engine = Engine(settings)
    sizes = []
    for n in range(count):
        if n:
            document = corpus / BASE_DOCS[n % len(BASE_DOCS)]
            with document.open("a", encoding="utf-8") as text:
                text.write(f"\nAanvulling {n}: de gemeente en het samenwerkingsverband evalueren de afspraken.\n")
        engine.ingest()
        sizes.append(measure(settings, n + 1))
    return sizes
