"""assistant.store.chroma: errors that say what happened.

A collection that does not exist is `IndexMissingError` ("er is nog geen index"); a Chroma server that
cannot be reached is `StoreUnavailableError`, naming `ASSISTENT_CHROMA_URL` and the address, and never
mistaken for an empty index. Neither needs the embedding model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.engine import Engine
from assistant.errors import IndexMissingError, StoreUnavailableError
from assistant.store.chroma import Store
from tests.processes import chroma_server, free_port

MODEL = "test-model"


class NoEmbeddings:
    """Stands in for the embedding model: these tests must fail on the store before anything is embedded."""

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError("the store error must come before any embedding")

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        raise AssertionError("the store error must come before any embedding")


def assert_unavailable(error: StoreUnavailableError, url: str) -> None:
    message = str(error)
    assert "niet bereikbaar" in message and "ASSISTENT_CHROMA_URL" in message, message
    assert url in message, message
    assert error.source == "ASSISTENT_CHROMA_URL"
    assert not isinstance(error, IndexMissingError), "a server that is down is not an empty index"


# --- embedded store ---------------------------------------------------------------------------------------


@pytest.mark.unit
def test_missing_collection_in_an_embedded_store_is_index_missing(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    store = Store(make_settings(tmp_path / "corpus", tmp_path / "index"))
    with pytest.raises(IndexMissingError) as info:
        store.passages(MODEL)
    assert "nog geen index" in str(info.value) and "assistant ingest" in str(info.value)


@pytest.mark.unit
def test_created_collection_is_found_and_dropped(tmp_path: Path, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(tmp_path / "corpus", tmp_path / "index")
    created = Store(settings).passages(MODEL, create=True)
    Store(settings).sentences()
    assert Store(settings).passages(MODEL).id == created.id  # another Store (process) sees it
    Store(settings).drop()
    with pytest.raises(IndexMissingError):
        Store(settings).passages(MODEL)


# --- Chroma server ----------------------------------------------------------------------------------------


@pytest.mark.unit
def test_nothing_listening_on_the_configured_address_is_store_unavailable(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(tmp_path / "corpus", tmp_path / "index", chroma_url=url)
    with pytest.raises(StoreUnavailableError) as info:
        Store(settings).passages(MODEL)
    assert_unavailable(info.value, url)
    assert not settings.chroma_dir.exists(), "no embedded index is made in its place"


@pytest.mark.integration
def test_stopped_chroma_server_is_store_unavailable_not_a_missing_index(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    """A real `chroma run` on loopback: a collection made through `Store`, then the server stopped."""
    with chroma_server(tmp_path / "server-data", tmp_path / "chroma.log") as (url, process):
        settings = make_settings(tmp_path / "corpus", tmp_path / "index", chroma_url=url)
        open_store = Store(settings)
        open_store.passages(MODEL, create=True)
        open_store.sentences()
        assert Store(settings).passages(MODEL).name == f"{settings.collection}-g1"  # the first generation
        with pytest.raises(IndexMissingError):  # while the server runs, a missing collection is a missing index
            Store(settings.model_copy(update={"collection": "bestaat-niet"})).passages(MODEL)
        process.terminate()
        process.wait(timeout=30)

    for store in (Store(settings), open_store):  # a new client, and one that was connected before
        with pytest.raises(StoreUnavailableError) as info:
            store.passages(MODEL)
        assert_unavailable(info.value, url)
    with pytest.raises(StoreUnavailableError):
        open_store.sentences()

    engine = Engine(settings, embeddings=NoEmbeddings())  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailableError) as info:
        engine.ask("Wat is OOGO?")
    assert_unavailable(info.value, url)
