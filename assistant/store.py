"""Opens the Chroma collection: embedded on disk by default, a Chroma server when a URL is set.

The collection is the single source of truth for what is indexed: passages, vectors, metadata,
the model that made the vectors, and a generation counter that lets every process (app, CLI,
a second server replica) see that an ingest happened and rebuild its BM25 index.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings
from assistant.errors import ConfigError, IndexMissingError
from assistant.models import Passage

MODEL_KEY = "embedding_model"
GENERATION_KEY = "generation"


def open_client(settings: Settings) -> ClientAPI:
    return _client(settings.chroma_url, str(settings.chroma_dir.resolve()))


@lru_cache(maxsize=8)
def _client(url: str | None, path: str) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=path, settings=chroma_settings)
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise ConfigError(f"'{url}' is geen geldige adres voor een Chroma-server", source="ASSISTENT_CHROMA_URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        return chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings
        )
    except Exception as exc:  # chromadb raises several unrelated types for an unreachable server
        raise ConfigError(f"de Chroma-server op {url} is niet bereikbaar ({exc})", source="ASSISTENT_CHROMA_URL") from exc


def open_collection(settings: Settings, model_name: str | None = None, create: bool = False) -> Collection:
    """The passage collection; checks that its vectors come from `model_name` when one is given."""
    client = open_client(settings)
    if create:
        collection = client.get_or_create_collection(
            settings.collection,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={MODEL_KEY: model_name or "", GENERATION_KEY: 0},
            embedding_function=None,
        )
    else:
        try:
            collection = client.get_collection(settings.collection, embedding_function=None)
        except Exception as exc:  # NotFoundError in embedded mode, a ValueError from some servers
            raise IndexMissingError(
                "er is nog geen index; voer eerst `assistant ingest` uit (of start met `make run`)",
                source=str(settings.index_dir),
            ) from exc
    built_with = (collection.metadata or {}).get(MODEL_KEY)
    if model_name and built_with and built_with != model_name:
        raise ConfigError(
            f"de index is gebouwd met embeddingmodel '{built_with}', maar ingesteld is '{model_name}'. "
            "Vectoren van twee modellen zijn niet vergelijkbaar: bouw de index opnieuw met "
            "`assistant ingest --rebuild`.",
            source="ASSISTENT_EMBEDDING_MODEL",
        )
    return collection


def sentence_collection(settings: Settings) -> Collection:
    """Vectors of every answer unit (sentence or list item), keyed to their passage.

    Precomputed at ingest so that the rerank and the extractive answer can score sentences against
    the question without embedding anything but the question at query time."""
    return open_client(settings).get_or_create_collection(
        f"{settings.collection}-zinnen", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )


def drop_collection(settings: Settings) -> None:
    client = open_client(settings)
    names = {c.name for c in client.list_collections()}
    for name in (settings.collection, f"{settings.collection}-zinnen"):
        if name in names:
            client.delete_collection(name)


def generation(collection: Collection) -> int:
    return int((collection.metadata or {}).get(GENERATION_KEY, 0))


def mark_changed(collection: Collection, model_name: str) -> None:
    """Bump the generation so readers in other processes rebuild their BM25 and document lists."""
    metadata = {key: value for key, value in (collection.metadata or {}).items() if not key.startswith("hnsw:")}
    metadata.update({MODEL_KEY: model_name, GENERATION_KEY: generation(collection) + 1, "updated": time.time()})
    collection.modify(metadata=metadata)


def all_passages(collection: Collection, batch: int = 2000) -> list[Passage]:
    """Every passage in the collection, in a stable order (doc id, position)."""
    passages: list[Passage] = []
    total = collection.count()
    for offset in range(0, total, batch):
        rows = collection.get(include=["documents", "metadatas"], limit=batch, offset=offset)
        for passage_id, text, metadata in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True):
            passages.append(Passage.from_metadata(passage_id, text or "", dict(metadata or {})))
    passages.sort(key=lambda p: (p.doc_id, p.position))
    return passages


def stored_hashes(collection: Collection, batch: int = 2000) -> dict[str, dict[str, Any]]:
    """id -> {content_hash, doc_id} for every stored passage, without loading texts or vectors."""
    result: dict[str, dict[str, Any]] = {}
    total = collection.count()
    for offset in range(0, total, batch):
        rows = collection.get(include=["metadatas"], limit=batch, offset=offset)
        for passage_id, metadata in zip(rows["ids"], rows["metadatas"], strict=True):
            metadata = metadata or {}
            result[passage_id] = {"content_hash": metadata.get("content_hash"), "doc_id": metadata.get("doc_id")}
    return result
