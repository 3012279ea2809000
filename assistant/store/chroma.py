"""Opens the Chroma collections: embedded on disk by default, a Chroma server when a URL is set.

The collections are the single source of truth for what is indexed: passages, vectors, metadata,
the model that made the vectors, and a generation counter that lets every process (app, CLI,
a second server replica) see that an ingest happened and rebuild its BM25 index.

Every ingest writes a complete new generation (`<name>-g<N>` and `<name>-g<N>-zinnen`) and then
switches readers over by rewriting the metadata of one tiny pointer collection (`<name>-actief`):
a single write, so a reader in any process sees the old index or the new one, never a half-written
mix, even when the writer is killed. Chroma keeps collections it has opened cached per process, and
rewriting a collection another process is reading breaks that reader ("Error finding id"); new
collections it has never opened are read fresh from disk, which is why generations are never edited
in place once readers can see them. The generation before the active one is kept until the next
ingest, so a search that started just before the switch can finish.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError, IndexMissingError, StoreUnavailableError
from assistant.models import IndexRows, Passage

log = logging.getLogger(__name__)

MODEL_KEY = "embedding_model"
GENERATION_KEY = "generation"
FACTS_KEY = "corpus_facts"
SENTENCES_SUFFIX = "-zinnen"
POINTER_SUFFIX = "-actief"
ACTIVE_KEY = "active"
PREVIOUS_KEY = "previous"

_CLIENT_LOCK = threading.Lock()
"""chromadb keeps one shared `System` per path per process, and building two at once from different
threads breaks it ("'RustBindingsAPI' object has no attribute 'bindings'"): clients are made one at a time."""


class Store:
    """The Chroma client of one engine, opened on first use, and the two collections of the index.

    Errors say what happened: a collection that does not exist is `IndexMissingError`; a server that
    cannot be reached is `StoreUnavailableError` naming `ASSISTENT_CHROMA_URL` and the address."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: ClientAPI | None = None

    @property
    def client(self) -> ClientAPI:
        with _CLIENT_LOCK:
            if self._client is None:
                self._client = _open_client(self.settings.chroma_url, str(self.settings.chroma_dir.resolve()))
            return self._client

    def pointer(self) -> Pointer:
        """Which passage collection readers use now; read anew on every search (one small call).

        An index built before generations existed has no pointer: its plain `<name>` collection is active."""
        with self._translated_errors():
            try:
                metadata = self.client.get_collection(self.pointer_name).metadata or {}
            except NotFoundError:
                legacy = self.settings.collection
                active = legacy if legacy in self._names() else None
                return Pointer(active, None)
        return Pointer(metadata.get(ACTIVE_KEY) or None, metadata.get(PREVIOUS_KEY) or None)

    @property
    def pointer_name(self) -> str:
        return f"{self.settings.collection}{POINTER_SUFFIX}"

    def passages(self, model_name: str | None = None, create: bool = False) -> Collection:
        """The active passage collection; checks that its vectors come from `model_name` when one is given.

        `create` makes an empty first generation and points readers at it when there is no index yet."""
        with self._translated_errors():
            active = self.pointer().active
            if active is None:
                if not create:
                    raise IndexMissingError(
                        "er is nog geen index; voer eerst `assistant ingest` uit (of start met `make run`)",
                        source=str(self.settings.index_dir),
                    )
                collection, _ = self.new_generation(1, model_name or "")
                self.switch(collection.name, previous=None)
                return collection
            try:
                collection = self.client.get_collection(active, embedding_function=None)
            except NotFoundError as exc:
                raise IndexMissingError(
                    f"de actieve index '{active}' ontbreekt; bouw hem opnieuw met `assistant ingest --rebuild`",
                    source=str(self.settings.index_dir),
                ) from exc
        check_model(collection, model_name)
        return collection

    def sentences(self, passage_collection: str | None = None) -> Collection:
        """Vectors of every answer unit (sentence or list item), keyed to their passage.

        Precomputed at ingest so that the rerank and the extractive answer can score sentences against
        the question without embedding anything but the question at query time. Belongs to the given
        passage collection (by default the active one): a reader never pairs two generations."""
        name = passage_collection or self.pointer().active or self.settings.collection
        with self._translated_errors():
            return self.client.get_or_create_collection(
                f"{name}{SENTENCES_SUFFIX}", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
            )

    def new_generation(self, number: int, model_name: str, facts_json: str | None = None) -> tuple[Collection, Collection]:
        """Empty passage and sentence collections for generation `number`, invisible to readers until `switch`."""
        metadata: dict[str, Any] = {MODEL_KEY: model_name, GENERATION_KEY: number, "updated": time.time()}
        if facts_json is not None:
            metadata[FACTS_KEY] = facts_json
        name = f"{self.settings.collection}-g{number}"
        with self._translated_errors():
            self.delete([name, f"{name}{SENTENCES_SUFFIX}"])
            passages = self.client.create_collection(
                name, configuration={"hnsw": {"space": "cosine"}},
                metadata=metadata, embedding_function=None,
            )
        return passages, self.sentences(name)

    def switch(self, active: str, previous: str | None) -> None:
        """Point every reader at `active` in one metadata write (the commit point of an ingest)."""
        with self._translated_errors():
            pointer = self.client.get_or_create_collection(self.pointer_name, embedding_function=None)
            pointer.modify(metadata={ACTIVE_KEY: active, PREVIOUS_KEY: previous or "", "updated": time.time()})

    def generations(self) -> dict[str, int]:
        """Every collection of this index (passages and sentences, any generation) -> its generation number.

        The plain `<name>` collections of an index from before generations count as generation 0."""
        base = re.escape(self.settings.collection)
        pattern = re.compile(rf"{base}(?:-g(\d+))?(?:{SENTENCES_SUFFIX})?")
        result = {}
        for name in self._names():
            match = pattern.fullmatch(name)
            if match:
                result[name] = int(match.group(1) or 0)
        return result

    def delete(self, names: list[str]) -> None:
        """Delete these collections where they exist."""
        with self._translated_errors():
            existing = self._names()
            for name in names:
                if name in existing:
                    self.client.delete_collection(name)

    def collect_garbage(self) -> Housekeeping:
        """Remove what Chroma leaves of deleted collections in an embedded index (see `collect_garbage`)."""
        if self.settings.chroma_url:
            return Housekeeping()  # a server keeps its own disk
        return collect_garbage(self.settings.chroma_dir)

    def drop(self) -> None:
        """Delete the whole index: every generation and the pointer."""
        self.delete([*self.generations(), self.pointer_name])

    def _names(self) -> set[str]:
        return {c.name for c in self.client.list_collections()}

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except AssistantError:
            raise
        except Exception as exc:  # chromadb raises many unrelated types for a server that is down
            if self.settings.chroma_url and _unreachable(exc):
                raise _unavailable(self.settings.chroma_url, exc) from exc
            raise


VACUUM_FREE_SHARE = 0.25
"""VACUUM `chroma.sqlite3` once a quarter of its pages are free. Every ingest deletes one generation,
so free pages come back each time; rewriting the file at every ingest would cost a copy of the database
for little gain (Chroma's own `chroma utils vacuum` is the same operation, run by hand)."""
VACUUM_WAIT_SECONDS = 5.0
"""A reader holding a read transaction makes VACUUM wait; after this it is left to the next ingest."""
_SEGMENT_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Housekeeping:
    """What `collect_garbage` removed."""

    folders: int = 0
    vacuumed: bool = False


def collect_garbage(chroma_dir: Path) -> Housekeeping:
    """Delete the vector segment folders of collections that no longer exist, and VACUUM the SQLite file
    when enough of it is free.

    chromadb's `delete_collection` removes a collection's rows but not its HNSW folder
    (chroma-core/chroma#5520, still so in the installed 1.5.9), so every ingest left two folders
    behind. A folder is removed only when no row of `segments` names it: the active and the previous
    generation (which readers may still search) keep theirs. Called under the ingest lock, after the
    switch, so no collection is being created meanwhile."""
    database = chroma_dir / "chroma.sqlite3"
    if not database.exists():
        return Housekeeping()
    with closing(sqlite3.connect(database, timeout=VACUUM_WAIT_SECONDS)) as connection:
        live = {row[0] for row in connection.execute("SELECT id FROM segments")}
        orphans = [path for path in chroma_dir.iterdir()
                   if path.is_dir() and _SEGMENT_FOLDER.fullmatch(path.name) and path.name not in live]
        for path in orphans:
            shutil.rmtree(path, ignore_errors=True)
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        total = connection.execute("PRAGMA page_count").fetchone()[0]
        vacuumed = False
        if total and free / total >= VACUUM_FREE_SHARE:
            try:
                connection.execute("VACUUM")
                vacuumed = True
            except sqlite3.OperationalError as exc:  # a reader's transaction: the next ingest tries again
                log.info("VACUUM of %s left for the next ingest: %s", database, exc)
    return Housekeeping(folders=len(orphans), vacuumed=vacuumed)


@dataclass(frozen=True)
class Pointer:
    """The passage collection readers use, and the one before it (kept for searches still running)."""

    active: str | None
    previous: str | None


def check_model(collection: Collection, model_name: str | None) -> None:
    """Refuse an index whose vectors come from another embedding model than the configured one."""
    built_with = (collection.metadata or {}).get(MODEL_KEY)
    if model_name and built_with and built_with != model_name:
        raise ConfigError(
            f"de index is gebouwd met embeddingmodel '{built_with}', maar ingesteld is '{model_name}'. "
            "Vectoren van twee modellen zijn niet vergelijkbaar: bouw de index opnieuw met "
            "`assistant ingest --rebuild`.",
            source="ASSISTENT_EMBEDDING_MODEL",
        )


def _open_client(url: str | None, path: str) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=path, settings=chroma_settings)
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise ConfigError(f"'{url}' is geen geldig adres voor een Chroma-server", source="ASSISTENT_CHROMA_URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        return chromadb.HttpClient(
            host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings
        )
    except Exception as exc:  # chromadb raises several unrelated types for an unreachable server
        raise _unavailable(url, exc) from exc


def _unreachable(exc: Exception) -> bool:
    """Connection failures, whichever HTTP library or chromadb wrapper raised them."""
    text = f"{exc.__class__.__name__} {exc}".lower()
    return isinstance(exc, ConnectionError | OSError | TimeoutError) or any(
        word in text for word in ("connect", "connection", "timed out", "timeout", "unreachable", "refused")
    )


def _unavailable(url: str, exc: Exception) -> StoreUnavailableError:
    return StoreUnavailableError(
        f"de Chroma-server op {url} is niet bereikbaar ({exc.__class__.__name__}). Controleer of de server draait "
        "of maak ASSISTENT_CHROMA_URL leeg om de ingebouwde index te gebruiken.",
        source="ASSISTENT_CHROMA_URL",
    )


def generation(collection: Collection) -> int:
    return int((collection.metadata or {}).get(GENERATION_KEY, 0))


def stored_facts(collection: Collection) -> str | None:
    """The corpus facts (JSON) the last ingest kept with the index."""
    return (collection.metadata or {}).get(FACTS_KEY)


def mark_changed(collection: Collection, model_name: str) -> None:
    """Bump the generation so readers rebuild their snapshot (the bench writes its synthetic index in place)."""
    metadata = {key: value for key, value in (collection.metadata or {}).items() if not key.startswith("hnsw:")}
    metadata.update({MODEL_KEY: model_name, GENERATION_KEY: generation(collection) + 1, "updated": time.time()})
    collection.modify(metadata=metadata)


def pages(collection: Collection, include: list[str], batch: int = 2000) -> Iterator[dict[str, Any]]:
    """The collection's rows in pages of at most `batch`: one `get` of a large index would hold every
    text and vector of it at once (and a server caps how much one call returns)."""
    for offset in range(0, collection.count(), batch):
        rows = collection.get(include=include, limit=batch, offset=offset)
        if len(rows["ids"]):
            yield rows


def all_passages(collection: Collection, batch: int = 2000) -> list[Passage]:
    """Every passage in the collection, in a stable order (doc id, position)."""
    passages: list[Passage] = []
    for rows in pages(collection, ["documents", "metadatas"], batch):
        for passage_id, text, metadata in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True):
            passages.append(Passage.from_metadata(passage_id, text or "", dict(metadata or {})))
    passages.sort(key=lambda p: (p.doc_id, p.position))
    return passages


def stored_hashes(collection: Collection, batch: int = 2000) -> dict[str, dict[str, Any]]:
    """id -> {content_hash, doc_id} for every stored passage, without loading texts or vectors."""
    result: dict[str, dict[str, Any]] = {}
    for rows in pages(collection, ["metadatas"], batch):
        for passage_id, metadata in zip(rows["ids"], rows["metadatas"], strict=True):
            metadata = metadata or {}
            result[passage_id] = {"content_hash": metadata.get("content_hash"), "doc_id": metadata.get("doc_id")}
    return result


ROW_FIELDS = ["documents", "metadatas", "embeddings"]
ADD_BATCH = 1000
"""Rows per `add` when rows are copied in (the bench's synthetic indexes): well under Chroma's maximum batch."""


def read_rows(store: Store, model_name: str) -> IndexRows:
    """Every row of the active generation, with texts, metadata and vectors (one `get` per collection)."""
    return IndexRows(store.passages(model_name).get(include=ROW_FIELDS), store.sentences().get(include=ROW_FIELDS))


def add_rows(store: Store, model_name: str, copies: Iterable[IndexRows]) -> None:
    """Write rows into the store's collection (made if missing), then bump its generation once."""
    collection = store.passages(model_name, create=True)
    sentences = store.sentences()
    for rows in copies:
        _add(collection, rows.passages)
        _add(sentences, rows.units)
    mark_changed(collection, model_name)


def _add(collection: Collection, rows: dict[str, Any]) -> None:
    for start in range(0, len(rows["ids"]), ADD_BATCH):
        end = start + ADD_BATCH
        collection.add(
            ids=rows["ids"][start:end],
            documents=rows["documents"][start:end],
            metadatas=rows["metadatas"][start:end],
            embeddings=rows["embeddings"][start:end],
        )
