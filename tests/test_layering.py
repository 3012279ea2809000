"""The import arrows of docs/ARCHITECTURE.md, checked on the source: a layer that starts reaching
into another shows up here, not in a review.

Every import counts, also one inside a function or under `if TYPE_CHECKING:`: an arrow is an
arrow whether it runs at start-up or on the first call (and `farm-studio look` draws them all)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "setup", "cli", "ui", "evals")
FRONT_ENDS = ("ui", "cli", "app")

ROOM_FLOORS = {
    "assistant.config": 0, "assistant.errors": 0, "assistant.models": 0, "assistant.messages": 0,
    "assistant.textutils": 0,
    "assistant.store": 1, "assistant.chat": 1,
    "assistant.search": 2,
    "assistant.answer": 3,
    "assistant.llm": 4, "assistant.ingest": 4,
    "assistant.engine": 5,
    "assistant.langchain_retriever": 6, "assistant": 6,
}
"""The runtime's rooms from the ground up (docs/ARCHITECTURE.md): a room imports only rooms on a lower
floor, or its own modules. `assistant` itself is the package face (`assistant.ask`), above the engine."""

FRONT_END_MAY_IMPORT = {
    "assistant", "assistant.engine", "assistant.config", "assistant.errors", "assistant.models",
    "assistant.messages", "assistant.textutils",
    "assistant.chat.conversations", "assistant.chat.feedback",  # the app's own stores, not the index
    "assistant.answer.answer_stream", "assistant.answer.citations", "assistant.answer.render",
    "assistant.search.filter_check", "assistant.search.glossary",
    "assistant.ingest.progress", "assistant.ingest.report",  # what `Engine.ingest` takes and returns
    "assistant.ingest.loaders", "assistant.ingest.uploads",  # only the read-only names below
}
"""What the UI and the CLI import from the runtime: the engine, its types and wording, and pure helpers."""

READ_ONLY_INGEST_NAMES = {
    "SUPPORTED_SUFFIXES", "ALLOWED_TYPES_NL", "UploadResult", "excluded_sentences_note", "list_uploads",
    "upload_access", "upload_doc_id",
}
"""The names a front end may take from the ingest room's loaders and uploads: no function that writes."""


def source_files(package: str) -> Iterator[Path]:
    if package == "app":
        yield REPO / "app.py"
        return
    yield from (path for path in (REPO / package).rglob("*.py") if "__pycache__" not in path.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = REPO / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path) -> Iterator[tuple[str, set[str]]]:
    """(module, names taken from it) for every import in the file, at any depth; `from a import b`
    where `a.b` is a module counts as an import of `a.b`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, set()
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            plain = {alias.name for alias in node.names if not is_module(f"{node.module}.{alias.name}")}
            if plain:
                yield node.module, plain
            for alias in node.names:
                if is_module(f"{node.module}.{alias.name}"):
                    yield f"{node.module}.{alias.name}", set()


def project_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    graph: dict[str, set[str]] = {}
    for package in (*PACKAGES, "app"):
        for path in source_files(package):
            graph[module_name(path)] = {name for name, _ in imported(path) if name.split(".")[0] in (*PACKAGES, "app")}
    return graph


def floor_of(module: str) -> tuple[str, int]:
    """The room a runtime module lives in, and its floor."""
    for room in sorted(ROOM_FLOORS, key=len, reverse=True):
        if module == room or module.startswith(room + "."):
            return room, ROOM_FLOORS[room]
    raise AssertionError(f"{module} is in no room of ROOM_FLOORS: give it one (and a row in docs/ARCHITECTURE.md)")


def test_no_import_circles() -> None:
    graph = project_graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles


def test_runtime_rooms_import_only_rooms_below_them() -> None:
    upward = []
    for module, targets in project_graph().items():
        if not module.startswith("assistant"):
            continue
        room, floor = floor_of(module)
        for target in targets:
            if target.startswith("assistant"):
                target_room, target_floor = floor_of(target)
                if target_room != room and target_floor >= floor:
                    upward.append(f"{module} -> {target}")
    assert not upward


def test_the_runtime_never_imports_evals_ui_cli_or_setup_code() -> None:
    offenders = {module: targets for module, targets in project_graph().items()
                 if module.startswith("assistant") and any(t.split(".")[0] != "assistant" for t in targets)}
    assert not offenders


def test_only_the_engine_runs_the_ingest_room_and_only_when_it_writes() -> None:
    """The ingest room loads the PDF, Word and HTML parsers: a process that only answers never imports it."""
    users = {module for module, targets in project_graph().items()
             if module.startswith("assistant") and not module.startswith("assistant.ingest")
             and any(t.startswith("assistant.ingest") for t in targets)}
    assert users == {"assistant.engine"}
    engine = ast.parse((REPO / "assistant" / "engine.py").read_text(encoding="utf-8"))
    at_start_up = [node.module for node in engine.body if isinstance(node, ast.ImportFrom) and node.module]
    assert not [module for module in at_start_up if module.startswith("assistant.ingest")]


@pytest.mark.parametrize("package", FRONT_ENDS)
def test_front_ends_reach_the_runtime_only_through_the_engine(package: str) -> None:
    """UI and CLI import the engine, its types and pure helpers; nothing that reads or writes the index."""
    for path in source_files(package):
        for module, names in imported(path):
            if module.split(".")[0] != "assistant":
                continue
            assert module in FRONT_END_MAY_IMPORT, f"{path.relative_to(REPO)} imports {module}"
            if module.startswith("assistant.ingest.") and module not in ("assistant.ingest.progress", "assistant.ingest.report"):
                assert names <= READ_ONLY_INGEST_NAMES, f"{path.relative_to(REPO)} imports {names - READ_ONLY_INGEST_NAMES}"


@pytest.mark.parametrize("package", (*FRONT_ENDS, "evals"))
def test_front_ends_and_evals_never_touch_the_engines_store(package: str) -> None:
    """No `.store` of an engine, no store client of their own: every write goes through the Engine."""
    for path in source_files(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reached = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "store"]
        assert not reached, f"{path.relative_to(REPO)}:{reached} reaches the store"
        assert not [module for module, _ in imported(path) if module.startswith("assistant.store")], path


@pytest.mark.parametrize("package", (*FRONT_ENDS, "evals"))
def test_front_ends_never_read_retriever_internals(package: str) -> None:
    for path in source_files(package):
        text = path.read_text(encoding="utf-8")
        assert ".index()" not in text and "._index" not in text and "Retriever(" not in text, path
