"""The import arrows of docs/ARCHITECTURE.md, checked on the source: a layer that starts reaching
into another shows up here, not in a review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent


def imports(package: str, module_level_only: bool = False) -> dict[str, set[str]]:
    """file -> top-level packages it imports. `module_level_only`: imports inside functions run only
    when called, and `if TYPE_CHECKING:` blocks never run (neither is a top-level statement)."""
    found: dict[str, set[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in tree.body if module_level_only else ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


def test_the_library_never_imports_evals_ui_or_cli() -> None:
    offenders = {f: n & {"evals", "ui", "cli"} for f, n in imports("assistant").items() if n & {"evals", "ui", "cli"}}
    assert not offenders


def test_the_library_imports_ingest_only_inside_the_engine_ingest_call() -> None:
    offenders = {f for f, names in imports("assistant", module_level_only=True).items() if "ingest" in names}
    assert not offenders
    users = {f for f, names in imports("assistant").items() if "ingest" in names}
    assert users <= {"assistant/engine.py"}


def test_ingest_never_imports_evals_ui_or_cli() -> None:
    offenders = {f for f, n in imports("ingest").items() if n & {"evals", "ui", "cli"}}
    assert not offenders


def test_front_ends_never_read_retriever_internals() -> None:
    for package in ("ui", "evals", "cli"):
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert ".index()" not in text and "._index" not in text and "Retriever(" not in text, path
