"""The repository's folders, for tests at any depth of `tests/` (the rooms nest test modules at different depths)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
EVALS = REPO / "evals"
