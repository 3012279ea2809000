"""Two documents with one title get labels that tell them apart (ui.engine.distinct_titles)."""

from __future__ import annotations

import pytest

from assistant.models import DocumentInfo
from ui.engine import distinct_titles

pytestmark = pytest.mark.unit


def doc(doc_id: str, title: str) -> DocumentInfo:
    return DocumentInfo(doc_id=doc_id, title=title, type="geüpload", date=None, publisher=None, source_url=None,
                        passages=1)


def test_a_shared_title_gets_the_file_name_and_a_unique_one_stays_as_it_is() -> None:
    titles = distinct_titles([doc("uploads/verslag-jan", "Verslag"), doc("uploads/verslag-feb", "verslag "),
                              doc("wetgeving/jeugdwet", "Jeugdwet")])
    assert titles == {"uploads/verslag-jan": "Verslag (verslag-jan)", "uploads/verslag-feb": "verslag (verslag-feb)",
                      "wetgeving/jeugdwet": "Jeugdwet"}
