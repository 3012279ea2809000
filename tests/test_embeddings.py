"""The embedding models in use: the bundled model's prompts and its vectors on Dutch text.

Uses the real models directory, so the model is built at most once (by `make model` or the first
test run) and reused afterwards; building it is tested in test_model_build.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.config import BUNDLED_MODEL, Settings
from assistant.embeddings import BUNDLED_ID, SentenceTransformerEmbeddings, TextEmbeddings, bundled_model_dir, load_embeddings
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
def embeddings() -> TextEmbeddings:
    return load_embeddings(_settings())


@pytest.fixture(scope="module")
def model_dir(embeddings: TextEmbeddings) -> Path:
    return bundled_model_dir(_settings().models_dir).resolve()


# --- TextEmbeddings --------------------------------------------------------------------------


def test_dimensions_and_normalisation(embeddings: TextEmbeddings) -> None:
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


def test_dutch_question_prefers_the_relevant_passage(embeddings: TextEmbeddings) -> None:
    query = np.array(embeddings.embed_query(OOGO_QUERY))
    oogo, weather = np.array(embeddings.embed_documents([OOGO_PASSAGE, WEATHER_PASSAGE]))
    assert query @ oogo > query @ weather + 0.05


def test_encode_uses_the_same_prompts_as_the_langchain_methods(embeddings: TextEmbeddings) -> None:
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


def test_models_without_e5_in_their_name_get_no_prompt(embeddings: TextEmbeddings) -> None:
    other = SentenceTransformerEmbeddings(embeddings.model, "BAAI/bge-m3")
    raw = embeddings.model.encode([OOGO_QUERY], normalize_embeddings=True)[0]
    np.testing.assert_allclose(other.embed_query(OOGO_QUERY), raw, atol=1e-6)
    np.testing.assert_allclose(other.embed_documents([OOGO_QUERY])[0], raw, atol=1e-6)


def test_every_load_is_a_new_instance(embeddings: TextEmbeddings) -> None:
    """No module cache: the engine that owns the model keeps the one instance."""
    assert load_embeddings(_settings()) is not embeddings


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
