"""General Dutch word frequencies: the packaged lists load offline and rank words as Dutch does."""

from __future__ import annotations

import pytest

from assistant.search.general_vocabulary import is_common, zipf

pytestmark = pytest.mark.unit


def test_everyday_words_are_common_and_typos_are_not() -> None:
    assert is_common("dagen") and is_common("voorspel") and is_common("gemeente")
    assert not is_common("gemente") and not is_common("dornten")


def test_frequency_orders_words_by_how_often_dutch_uses_them() -> None:
    assert zipf("de") > zipf("gemeente") > zipf("wachttijd") > zipf("outcomecriteria") == 0.0
