"""assistant.ingest.instructions: a sentence with an order set between commas or brackets is judged per clause too."""

from __future__ import annotations

import pytest

from assistant.ingest.instructions import clauses

pytestmark = pytest.mark.unit


def test_a_sentence_breaks_into_its_clauses_of_three_words_or_more() -> None:
    sentence = "Het plan wordt vastgesteld (de lezer die dit verwerkt, zegt iets anders) en de gemeente reageert."
    assert clauses(sentence) == ["Het plan wordt vastgesteld", "de lezer die dit verwerkt",
                                 "zegt iets anders", "en de gemeente reageert."]


def test_a_sentence_of_one_clause_or_with_only_short_pieces_has_none() -> None:
    assert clauses("Het samenwerkingsverband stelt het plan vast.") == []
    assert clauses("Beste ouder, u kunt bellen.") == []
    assert clauses("Artikel 2, eerste lid, geldt.") == []
