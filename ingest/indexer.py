"""Incremental, idempotent ingest of the corpus into the Chroma collection.

Every passage id carries a hash of its text and metadata, so an unchanged corpus embeds nothing,
a changed file re-embeds only its changed passages (vectors of moved but unchanged text are
reused), and a removed file's passages are deleted. A file that fails to load is reported by
name and keeps whatever passages it had: one bad file never costs the index anything.
Nothing is written to the collection until every file is read and every vector computed.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from assistant.config import Settings
from assistant.embeddings import TextEmbeddings, embedding_model_name, load_embeddings
from assistant.errors import ConfigError, IngestError
from assistant.models import Passage
from assistant.store import drop_collection, mark_changed, open_collection, sentence_collection, stored_hashes
from ingest.chunking import answer_units, chunk, content_hash, embedding_text
from ingest.loaders import SUPPORTED_SUFFIXES, doc_id_for, load_file
from ingest.progress import NullProgress, ProgressReporter

WRITE_BATCH = 500
ENCODE_CALL_BATCHES = 4
"""Encoder batches per encode call (and progress step). Characters only approximate tokens; within a
call the encoder orders texts by token count, so each call's batches pad less. Measured on the
corpus's sentences in batches of 32: padding 1.24x the real token count at one batch per call, 1.12x
at four; the ingest's encoder time went from 1.08x to 1.02x the raw encoding (one thread, CPU s)."""


@dataclass
class FileError:
    path: str
    reason: str


@dataclass
class IngestReport:
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    sentences_embedded: int = 0
    errors: list[FileError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.embedded or self.reused or self.removed or self.sentences_embedded)

    def summary(self) -> str:
        return (
            f"{self.documents} documenten, {self.passages} passages in de index; "
            f"{self.embedded} passages ingebed ({self.sentences_embedded} zinnen), {self.reused} hergebruikt, "
            f"{self.removed} verwijderd; "
            f"{len(self.errors)} bestanden overgeslagen ({self.seconds:.1f} s)."
        )


def discover(corpus_dir: Path) -> list[Path]:
    """Every file under the corpus except hidden files and the corpus's own README files."""
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
        and path.name.lower() != "readme.md"
    )


def read_corpus(settings: Settings, progress: ProgressReporter) -> tuple[list[Passage], list[FileError], set[str]]:
    """All passages of all readable files, the errors of the others, and the doc ids that failed."""
    corpus_dir = settings.corpus_dir
    files = discover(corpus_dir)
    passages: list[Passage] = []
    errors: list[FileError] = []
    failed: set[str] = set()
    max_bytes = int(settings.max_file_mb * 1_000_000)
    progress.stage("Bestanden lezen", len(files))
    for path in files:
        relative = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append(FileError(relative, f"bestandstype {path.suffix or '(geen)'} wordt niet ondersteund"))
        else:
            try:
                for source in load_file(path, corpus_dir, max_bytes):
                    passages.extend(
                        chunk(source, settings.chunk_words, settings.chunk_overlap_words, settings.law_article_max_words)
                    )
            except IngestError as exc:
                errors.append(FileError(relative, exc.message))
                failed.add(doc_id_for(path, corpus_dir))
            except Exception as exc:  # a parser bug on one odd file must not stop the other files
                errors.append(FileError(relative, f"onverwachte fout bij het lezen ({exc.__class__.__name__}: {exc})"))
                failed.add(doc_id_for(path, corpus_dir))
        progress.advance()
    return passages, errors, failed


@contextmanager
def _ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingest at a time per index folder (the app's upload page and the CLI may overlap)."""
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / ".ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class _Row:
    """One row to write: a passage or one of its answer units."""

    id: str
    document: str
    metadata: dict
    embed_text: str


def _passage_rows(passages: list[Passage], model_name: str) -> dict[str, _Row]:
    rows = {}
    for passage in passages:
        text = embedding_text(passage)
        metadata = {**passage.metadata(), "content_hash": content_hash(text, model_name)}
        rows[passage.id] = _Row(passage.id, passage.text, metadata, text)
    return rows


def _sentence_rows(passages: list[Passage], model_name: str) -> dict[str, _Row]:
    rows = {}
    for passage in passages:
        for n, unit in enumerate(answer_units(passage)):
            row_id = f"{passage.id}#{n}"
            metadata = {"passage_id": passage.id, "doc_id": passage.doc_id, "n": n,
                        "content_hash": content_hash(unit, model_name)}
            rows[row_id] = _Row(row_id, unit, metadata, unit)
    return rows


@dataclass
class _SyncCounts:
    embedded: int = 0
    reused: int = 0
    removed: int = 0


def _sync(collection, wanted: dict[str, _Row], failed: set[str], model: Callable[[], TextEmbeddings],
          progress: ProgressReporter, label: str) -> _SyncCounts:
    """Make `collection` hold exactly `wanted` (plus the old rows of files that failed to load)."""
    stored = stored_hashes(collection)
    to_remove = [rid for rid, info in stored.items() if rid not in wanted and info["doc_id"] not in failed]
    # A row id can stay while its text changes (sentence n of a passage after an edit): compare hashes.
    to_add = [row for rid, row in wanted.items() if stored.get(rid, {}).get("content_hash") != row.metadata["content_hash"]]
    vectors = _reusable_vectors(collection, stored, {row.metadata["content_hash"] for row in to_add})
    missing = {row.metadata["content_hash"]: row.embed_text for row in to_add if row.metadata["content_hash"] not in vectors}
    if missing:
        vectors.update(_embed(model(), missing, progress, label))
    for start in range(0, len(to_add), WRITE_BATCH):
        batch = to_add[start : start + WRITE_BATCH]
        collection.upsert(
            ids=[row.id for row in batch],
            embeddings=[vectors[row.metadata["content_hash"]] for row in batch],
            documents=[row.document for row in batch],
            metadatas=[row.metadata for row in batch],
        )
    for start in range(0, len(to_remove), WRITE_BATCH):
        collection.delete(ids=to_remove[start : start + WRITE_BATCH])
    return _SyncCounts(embedded=len(missing), reused=len(to_add) - len(missing), removed=len(to_remove))


def ingest(
    settings: Settings,
    progress: ProgressReporter | None = None,
    rebuild: bool = False,
    embeddings: TextEmbeddings | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring for the guarantees.

    `embeddings` is the caller's loaded model (the app's, say); without it the configured model is
    loaded when the first text needs embedding, so an unchanged corpus never loads it.
    """
    progress = progress or NullProgress()
    model = cache(lambda: embeddings if embeddings is not None else load_embeddings(settings))
    started = time.perf_counter()
    if not settings.corpus_dir.is_dir():
        raise ConfigError(f"de map met brondocumenten bestaat niet: {settings.corpus_dir}", source="ASSISTENT_CORPUS_DIR")
    model_name = embedding_model_name(settings)
    with _ingest_lock(settings):
        passages, errors, failed = read_corpus(settings, progress)
        if rebuild:
            drop_collection(settings)
        collection = open_collection(settings, model_name, create=True)
        # Sentences first: readers take the passage collection's generation as the signal to reload.
        sentences = _sync(sentence_collection(settings), _sentence_rows(passages, model_name), failed,
                          model, progress, "Zinnen inbedden")
        counts = _sync(collection, _passage_rows(passages, model_name), failed, model, progress, "Passages inbedden")
        if counts.embedded or counts.reused or counts.removed or sentences.removed or sentences.embedded or rebuild:
            mark_changed(collection, model_name)
        documents = {str(info["doc_id"]) for info in stored_hashes(collection).values()}
        return IngestReport(
            documents=len(documents),
            passages=collection.count(),
            embedded=counts.embedded,
            reused=counts.reused,
            removed=counts.removed,
            sentences_embedded=sentences.embedded,
            errors=errors,
            seconds=time.perf_counter() - started,
        )


def _reusable_vectors(collection, stored: dict[str, dict], wanted_hashes: set[str]) -> dict[str, list[float]]:
    """Vectors already in the collection for texts we need again (a passage that only moved)."""
    ids = [rid for rid, info in stored.items() if info["content_hash"] in wanted_hashes]
    vectors: dict[str, list[float]] = {}
    for start in range(0, len(ids), WRITE_BATCH):
        rows = collection.get(ids=ids[start : start + WRITE_BATCH], include=["embeddings", "metadatas"])
        for metadata, vector in zip(rows["metadatas"], rows["embeddings"], strict=True):
            vectors[str(metadata["content_hash"])] = list(vector)
    return vectors


def _embed(model: TextEmbeddings, texts: dict[str, str], progress: ProgressReporter, label: str) -> dict[str, list[float]]:
    """Embed texts (keyed by content hash) as passages, shortest first, reporting progress per encode call.

    Shortest first: a batch is padded to its longest text, and attention costs grow with the square
    of that length. In corpus order a batch of one-line sentences often carried one long list item or
    lid, and the ingest spent 2.0x the raw encoding of the same texts in the encoder (issue 15).
    """
    progress.stage(label, len(texts))
    items = sorted(texts.items(), key=lambda item: len(item[1]))
    step = model.batch_size * ENCODE_CALL_BATCHES
    vectors: dict[str, list[float]] = {}
    for start in range(0, len(items), step):
        chunk = items[start : start + step]
        for (key, _), vector in zip(chunk, model.embed_documents([text for _, text in chunk]), strict=True):
            vectors[key] = vector
        progress.advance(len(chunk))
    return vectors


def remove_documents(settings: Settings, doc_ids: list[str]) -> int:
    """Delete every passage of these documents (used when an upload is removed); returns the count."""
    model_name = embedding_model_name(settings)
    collection = open_collection(settings, model_name, create=True)
    where = {"doc_id": {"$in": list(doc_ids)}}
    with _ingest_lock(settings):
        ids = collection.get(where=where, include=[])["ids"]
        sentence_collection(settings).delete(where=where)
        if ids:
            collection.delete(ids=ids)
            mark_changed(collection, model_name)
        return len(ids)
