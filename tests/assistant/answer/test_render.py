"""`assistant ask` in the terminal: each cited source once, with its kind said once."""

from __future__ import annotations

import pytest
from rich.console import Console

from assistant.answer.render import print_answer
from assistant.models import Answer, Citation

pytestmark = pytest.mark.unit


def _citation(number: int, title: str, doc_type: str) -> Citation:
    return Citation(number=number, doc_id=f"map/doc-{number}", title=title, type=doc_type, article=None, lid=None,
                    page=None, quote="Een zin uit de bron.", source_url=None, passage_id=f"map/doc-{number}::0")


def test_each_source_names_its_kind_once_even_when_its_title_already_does() -> None:
    console = Console(record=True, width=200)
    answer = Answer(text="Antwoord [1] [2]", citations=[
        _citation(1, "Op overeenstemming gericht overleg (samenvatting)", "samenvatting"),
        _citation(2, "Goed is goed genoeg", "praktijkvoorbeeld"),
    ], refused=False, search_query="Wat is OOGO?")
    print_answer(console, answer, "Wat is OOGO?")
    text = console.export_text()
    assert "[1] Op overeenstemming gericht overleg (samenvatting)\n" in text
    assert "(samenvatting) (samenvatting)" not in text
    assert "[2] Goed is goed genoeg (praktijkvoorbeeld)" in text
