"""assistant.answer.reader: how pairs are encoded, the error when the reader is not built, and the reader's
features on the unit scorer's ranking. The exported reader itself is checked against torch when it is
built (`setup/reader_build.py`), and read in the answer integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tokenizers import Tokenizer

from assistant.answer.evidence import Unit, add_reader_features
from assistant.answer.reader import MAX_PAIR_TOKENS, QUERY_PREFIX, UNIT_PREFIX, encode_pairs, load_reader
from assistant.errors import ConfigError
from assistant.models import Passage
from assistant.search.embeddings import load_tokenizer
from tests.conftest import MODELS_DIR

pytestmark = pytest.mark.unit

TOKENIZER_DIR = MODELS_DIR / "multilingual-e5-small"


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return load_tokenizer(TOKENIZER_DIR)[0]


def test_pairs_carry_e5_prefixes_and_a_long_unit_is_cut_not_the_question(tokenizer: Tokenizer) -> None:
    question = "Wie zit er aan tafel bij het OOGO?"
    long_unit = "Het college van burgemeester en wethouders voert het overleg. " * 40
    ids, mask = encode_pairs(tokenizer, 1, question, ["Kort antwoord.", long_unit])
    assert ids.shape == mask.shape and ids.shape[1] == MAX_PAIR_TOKENS
    assert mask[0].sum() < MAX_PAIR_TOKENS and mask[1].sum() == MAX_PAIR_TOKENS
    assert (ids[0][mask[0] == 0] == 1).all()  # padded with XLM-R's pad id
    decoded = tokenizer.decode(ids[1].tolist())
    assert decoded.startswith(QUERY_PREFIX + question) and UNIT_PREFIX.strip() in decoded


def test_pairs_are_what_the_tokenizer_makes_of_a_pair_cut_on_the_unit_side(tokenizer: Tokenizer) -> None:
    """The pieces are joined as XLM-R joins a pair; the reader was trained on exactly these ids."""
    reference = Tokenizer.from_file(str(TOKENIZER_DIR / "tokenizer.json"))
    reference.enable_truncation(MAX_PAIR_TOKENS, strategy="only_second")
    question = "Binnen welke termijn moet het college reageren?"
    units = ["Kort.", "Het college beslist binnen acht weken na ontvangst van het verzoek. " * 12]
    ids, mask = encode_pairs(tokenizer, 1, question, units)
    for row, unit in enumerate(units):
        assert ids[row][mask[row] == 1].tolist() == reference.encode(QUERY_PREFIX + question, UNIT_PREFIX + unit).ids


def test_a_missing_reader_is_a_dutch_error_that_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make reader"):
        load_reader(tmp_path)


def _unit(order: int) -> Unit:
    passage = Passage(id="p", doc_id="d", text="t", title="T", type="handreiking", position=0)
    return Unit(passage, 0, order, f"zin {order}", 0.8)


def test_reader_features_mark_the_read_units_and_zero_the_rest() -> None:
    units = [_unit(order) for order in range(4)]
    add_reader_features(units, [2.5, -1.0])
    assert [(u.features["read"], u.features["reader"]) for u in units] == [(1.0, 2.5), (1.0, -1.0), (0.0, 0.0), (0.0, 0.0)]
