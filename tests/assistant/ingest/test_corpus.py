"""Checks on the source corpus: front matter, document types, summaries and the README table.

A document is every `corpus/**/*.md` except `README.md`; its id is its path under `corpus/` without
the `.md` extension (only that extension: `wetgeving/wvo-2020-artikel-2.47` keeps its `.47`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.paths import CORPUS

pytestmark = pytest.mark.unit

README = CORPUS / "README.md"

REQUIRED_FIELDS = ("title", "type", "publisher", "date", "licence")
KNOWN_TYPES = (
    "handreiking",
    "praktijkvoorbeeld",
    "opinie",
    "wetgeving",
    "wetgeving (vervallen versie)",
    "samenvatting",
)
MIN_SUMMARY_WORDS = 150
MAX_SUMMARY_WORDS = 500

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


def _documents() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")


def _doc_id(path: Path) -> str:
    relative = path.relative_to(CORPUS).as_posix()
    return relative[: -len(".md")]


def _split(path: Path) -> tuple[dict, str]:
    """Front matter (as a dict) and body of one document; fails the test if there is none."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{_doc_id(path)}: no front matter (the file must start with a '---' block)"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), f"{_doc_id(path)}: front matter is not a YAML mapping"
    return data, match.group(2)


def _word_count(body: str) -> int:
    """Whitespace-separated tokens with at least one letter or digit (so '##' and '-' do not count)."""
    return sum(1 for token in body.split() if re.search(r"\w", token))


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


DOCUMENTS = _documents()
DOC_IDS = [_doc_id(p) for p in DOCUMENTS]


def test_corpus_has_documents() -> None:
    assert DOCUMENTS, f"no documents found under {CORPUS}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOC_IDS)
def test_front_matter_has_required_fields(path: Path) -> None:
    data, _ = _split(path)
    missing = [name for name in REQUIRED_FIELDS if not _filled(data.get(name))]
    assert not missing, f"{_doc_id(path)}: missing or empty front matter field(s) {missing}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOC_IDS)
def test_type_is_known(path: Path) -> None:
    data, _ = _split(path)
    assert data.get("type") in KNOWN_TYPES, f"{_doc_id(path)}: unknown type {data.get('type')!r}"


def _type_of(path: Path) -> str:
    """The document type for selecting tests; '' when the front matter is broken (reported elsewhere)."""
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    try:
        data = yaml.safe_load(match.group(1)) if match else None
    except yaml.YAMLError:
        data = None
    return str(data.get("type", "")) if isinstance(data, dict) else ""


SUMMARIES = [p for p in DOCUMENTS if _type_of(p) == "samenvatting"]
LAWS = [p for p in DOCUMENTS if _type_of(p).startswith("wetgeving")]


@pytest.mark.parametrize("path", SUMMARIES, ids=[_doc_id(p) for p in SUMMARIES])
def test_summary_fields_and_length(path: Path) -> None:
    data, body = _split(path)
    doc_id = _doc_id(path)
    for name in ("source_url", "summary_of"):
        assert _filled(data.get(name)), f"{doc_id}: a samenvatting needs '{name}'"
    words = _word_count(body)
    assert MIN_SUMMARY_WORDS <= words <= MAX_SUMMARY_WORDS, (
        f"{doc_id}: body has {words} words, expected {MIN_SUMMARY_WORDS}-{MAX_SUMMARY_WORDS}"
    )


@pytest.mark.parametrize("path", LAWS, ids=[_doc_id(p) for p in LAWS])
def test_law_fields(path: Path) -> None:
    data, _ = _split(path)
    for name in ("short", "source_url"):
        assert _filled(data.get(name)), f"{_doc_id(path)}: a law document needs '{name}'"


def _readme_table_ids() -> set[str]:
    """First cell of every Markdown table row in the README, without backticks."""
    ids: set[str] = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells:
            ids.add(cells[0].strip("`").strip())
    return ids


def test_readme_lists_every_document() -> None:
    assert README.is_file(), "corpus/README.md is missing"
    listed = _readme_table_ids()
    missing = [doc_id for doc_id in DOC_IDS if doc_id not in listed]
    assert not missing, f"corpus/README.md does not list: {missing}"


def test_readme_lists_no_missing_document() -> None:
    """Rows whose first cell looks like a document id (folder/name) must point at an existing file."""
    listed = {cell for cell in _readme_table_ids() if re.fullmatch(r"[\w-]+/[\w.-]+", cell)}
    stale = sorted(listed - set(DOC_IDS))
    assert not stale, f"corpus/README.md lists documents that do not exist: {stale}"
