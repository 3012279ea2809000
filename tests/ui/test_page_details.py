"""The small things a reader meets (issue 21, item 6), without a browser: dates as a reader says them,
source labels without "onbekend", a document read as one text without repeated sentences, the cited
passage marked, an honest loading note, and the page script's Dutch filled in."""

from __future__ import annotations

import re

import pytest
from test_app import citation

from assistant.models import Passage
from ui import texts
from ui.answer_view import source_label
from ui.document_view import CITED_CLASS, document_html
from ui.style import page_script

pytestmark = pytest.mark.unit

HEADING = "Samenwerking gemeenten en onderwijs"
CARRIED = "Gemeente indiceert schoolvervoer."


def passage(position: int, body: str, **overrides: object) -> Passage:
    values: dict = {"id": f"doc::{position:05d}", "doc_id": "handreikingen/doc", "text": f"{HEADING}\n{body}",
                    "title": "Goed samenspel", "type": "handreiking", "position": position, "heading": HEADING}
    values.update(overrides)
    return Passage(**values)


# Two chunks of one section as ingest makes them: the second opens with the first one's last sentence.
SECTION = [
    passage(0, f"Link gemeenten: Gemeente indiceert extra jeugdhulp. {CARRIED}"),
    passage(1, f"{CARRIED}\nIn het kader van passend onderwijs zijn al stappen gezet."),
]


@pytest.mark.parametrize(("date", "known", "line"), [
    ("2026-08-01", "1 augustus 2026", "1 augustus 2026"),
    ("oktober 2021", "oktober 2021", "oktober 2021"),
    ("onbekend", None, "datum onbekend"),
    ("onbekend (na oktober 2022)", None, "datum onbekend (na oktober 2022)"),
    (None, None, "datum onbekend"),
    ("", None, "datum onbekend"),
])
def test_dates_read_as_a_reader_says_them(date: str | None, known: str | None, line: str) -> None:
    assert texts.known_date(date) == known
    assert texts.document_date(date) == line


def test_a_source_label_leaves_an_unknown_date_out() -> None:
    unknown = source_label(citation(1, "x"), passage(0, "x", date="onbekend (na oktober 2022)"))
    assert "onbekend" not in unknown and not unknown.rstrip().endswith("·"), unknown
    dated = source_label(citation(1, "x"), passage(0, "x", date="2026-08-01"))
    assert dated.endswith("· 1 augustus 2026"), dated


def sentences_of(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 2]


@pytest.mark.parametrize("cited", [None, 0, 1])
def test_a_document_says_each_sentence_once(cited: int | None) -> None:
    """Read as one text, the carried sentence is shown once, with its heading once; where a source card
    opened the document, it stays in the cited passage, marked."""
    quote = CARRIED if cited is not None else ""
    html = document_html(SECTION, (SECTION[cited].id, quote) if cited is not None else None)
    assert html.count(CARRIED) == 1
    assert html.count(HEADING) == 1
    found = sentences_of(html)
    assert len(found) == len(set(found)), found
    if cited is None:
        assert CITED_CLASS not in html and "<mark>" not in html
    else:
        cited_block = html.split(f"class='bron-passage {CITED_CLASS}'")[1].split("class='bron-passage")[0]
        assert f"<mark>{CARRIED}</mark>" in cited_block


def test_a_document_keeps_a_sentence_that_only_looks_like_a_repeat() -> None:
    """Another section (another heading) that happens to open with the same words loses nothing."""
    other = passage(1, f"{CARRIED}\nNog een zin.", heading="Schoolvervoer", text=f"Schoolvervoer\n{CARRIED}\nNog een zin.")
    assert document_html([SECTION[0], other]).count(CARRIED) == 2


def test_the_loading_note_says_what_loads_and_promises_no_time() -> None:
    assert "zoekmodel" in texts.LOADING and not re.search(r"\d|seconde", texts.LOADING)


def test_the_page_script_has_its_dutch_filled_in() -> None:
    script = page_script()
    assert "__WORDS__" not in script and "__PATTERNS__" not in script and "__PAGE__" not in script
    assert '"Send message": "Vraag versturen"' in script and texts.SKIP_TO_QUESTION in script
