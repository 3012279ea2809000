"""The embedding models in use: the bundled model through ONNX Runtime (fp32 and int8), its prompts,
its vectors on Dutch text, and that the default path never imports torch.

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
from assistant.errors import ConfigError
from assistant.search.embeddings import (
    BUNDLED_ID,
    OnnxEmbeddings,
    TextEmbeddings,
    bundled_model_dir,
    embedding_model_name,
    load_embeddings,
    onnx_model_file,
)
from tests.paths import REPO

pytestmark = pytest.mark.integration


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
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers")


def _settings(**overrides: object) -> Settings:
    models_dir = Settings().models_dir
    models_dir = models_dir if models_dir.is_absolute() else REPO / models_dir
    return Settings(models_dir=models_dir, **{"embedding_model": BUNDLED_MODEL, **overrides})


@pytest.fixture(scope="module")
def embeddings() -> TextEmbeddings:
    return load_embeddings(_settings())


@pytest.fixture(scope="module")
def model_dir(embeddings: TextEmbeddings) -> Path:
    return bundled_model_dir(_settings().models_dir).resolve()


@pytest.fixture(scope="module")
def unprompted(model_dir: Path) -> OnnxEmbeddings:
    """The same ONNX model under a name without "e5": no prompts."""
    return OnnxEmbeddings(onnx_model_file(model_dir, "fp32"), model_dir, "geen-prefix")


def test_the_bundled_model_runs_on_onnx_runtime(embeddings: TextEmbeddings) -> None:
    assert isinstance(embeddings, OnnxEmbeddings)
    assert embeddings.model_name == BUNDLED_ID == embedding_model_name(_settings())


def test_dimensions_and_normalisation(embeddings: TextEmbeddings) -> None:
    documents = embeddings.embed_documents([OOGO_PASSAGE, WEATHER_PASSAGE, "kort"])
    query = embeddings.embed_query(OOGO_QUERY)
    batch = embeddings.encode(["een", "twee", "drie"], "passage")

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


def test_batching_by_length_keeps_the_input_order(embeddings: TextEmbeddings) -> None:
    """Texts are encoded shortest first in batches; every vector must still come back in its input row."""
    texts = [OOGO_PASSAGE, "kort", WEATHER_PASSAGE * 3, OOGO_QUERY] * 10  # 40 texts: several batches
    together = embeddings.encode(texts, "passage")
    one_by_one = np.concatenate([embeddings.encode([text], "passage") for text in texts[:4]])
    np.testing.assert_allclose(together[:4], one_by_one, atol=1e-5)
    np.testing.assert_allclose(together[4:], np.tile(together[:4], (9, 1)), atol=1e-5)


def test_encode_uses_the_same_prompts_as_the_langchain_methods(
    embeddings: TextEmbeddings, unprompted: OnnxEmbeddings
) -> None:
    texts = [OOGO_QUERY, "Wie betaalt het leerlingenvervoer?"]
    queries = embeddings.encode(texts, "query")
    passages = embeddings.encode(texts, "passage")

    for row, text in zip(queries, texts, strict=True):
        np.testing.assert_allclose(row, embeddings.embed_query(text), atol=1e-6)
    np.testing.assert_allclose(passages, embeddings.embed_documents(texts), atol=1e-6)
    # The prompt is really applied, and it is e5's literal prefix.
    assert not np.allclose(queries, passages, atol=1e-3)
    np.testing.assert_allclose(queries, unprompted.encode(["query: " + text for text in texts], "query"), atol=1e-6)
    np.testing.assert_allclose(passages, unprompted.encode(["passage: " + text for text in texts], "query"), atol=1e-6)


def test_models_without_e5_in_their_name_get_no_prompt(unprompted: OnnxEmbeddings) -> None:
    as_query = unprompted.embed_query(OOGO_QUERY)
    np.testing.assert_allclose(unprompted.embed_documents([OOGO_QUERY])[0], as_query, atol=1e-6)


def test_every_load_is_a_new_instance(embeddings: TextEmbeddings) -> None:
    """No module cache: the engine that owns the model keeps the one instance."""
    assert load_embeddings(_settings()) is not embeddings


def test_int8_is_a_model_of_its_own(embeddings: TextEmbeddings) -> None:
    int8 = load_embeddings(_settings(embedding_precision="int8"))
    texts = [OOGO_QUERY, OOGO_PASSAGE, WEATHER_PASSAGE]

    assert int8.model_name == f"{BUNDLED_ID}:int8" == embedding_model_name(_settings(embedding_precision="int8"))
    cosines = np.sum(int8.encode(texts, "passage") * embeddings.encode(texts, "passage"), axis=1)
    assert np.all(cosines > 0.98) and np.all(cosines < 0.99999), cosines


def test_int8_needs_the_bundled_model() -> None:
    with pytest.raises(ConfigError) as error:
        embedding_model_name(_settings(embedding_model="BAAI/bge-m3", embedding_precision="int8"))
    assert error.value.source == "ASSISTENT_EMBEDDING_PRECISION"


def test_unknown_model_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as error:
        load_embeddings(_settings(embedding_model="bestaat-niet/geen-model"))
    assert error.value.source == "ASSISTENT_EMBEDDING_MODEL"
    assert "bestaat-niet/geen-model" in str(error.value)


def test_sentence_transformers_model_by_path_keeps_working(model_dir: Path, embeddings: TextEmbeddings) -> None:
    """ASSISTENT_EMBEDDING_MODEL=<path>: loaded by sentence-transformers, recorded under that path."""
    by_path = load_embeddings(_settings(embedding_model=str(model_dir)))
    assert by_path.model_name == str(model_dir) == embedding_model_name(_settings(embedding_model=str(model_dir)))
    assert float(np.dot(by_path.embed_query(OOGO_QUERY), embeddings.embed_query(OOGO_QUERY))) > 0.9999


def test_default_path_imports_no_torch_and_stays_offline(model_dir: Path) -> None:
    """Embedding a query with the bundled model, in a fresh process, imports neither torch nor
    (sentence-)transformers; nothing reaches for a hub: the module sets the offline flags itself, and
    any request that slipped through would hit a closed port instead of the internet."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from assistant.config import Settings
        from assistant.search.embeddings import load_embeddings
        assert os.environ["HF_HUB_OFFLINE"] == "1"
        embeddings = load_embeddings(Settings(models_dir=Path({str(model_dir.parent)!r}), embedding_model="bundled"))
        print(len(embeddings.embed_query("Wat is een ondersteuningsplan?")))
        print(sorted(name for name in {HEAVY_MODULES!r} if name in sys.modules))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env |= {"HF_ENDPOINT": "http://127.0.0.1:9", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["384", "[]"]
