"""Incremental, idempotent ingest of the corpus into a new generation of the Chroma collections.

Every passage id carries a hash of its text and metadata, so an unchanged corpus embeds nothing,
a changed file re-embeds only its changed passages (vectors of moved but unchanged text are
reused), and a removed file's passages are deleted. A file that fails to load is reported by
name and keeps whatever passages it had: one bad file never costs the index anything.
Every change is written into new collections, rows that did not change copied with their vectors,
and readers are switched over in one step when they are complete (see `assistant.store.chroma`); an
ingest killed at any point leaves the old index untouched, and the next ingest removes its remains
and says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from chromadb.api.models.Collection import Collection

from assistant.config import Settings
from assistant.errors import ConfigError, IngestError
from assistant.ingest.chunking import answer_units, chunk, content_hash, embedding_text
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, doc_id_for, load_file
from assistant.ingest.progress import NullProgress, ProgressReporter
from assistant.ingest.report import FileError, IngestReport
from assistant.ingest.screening import SCREEN_KEY, screen, screen_version
from assistant.models import Passage
from assistant.search.corpus_facts import FACTS_FILE, CorpusFacts, load_facts
from assistant.search.embeddings import TextEmbeddings, embedding_model_name, load_embeddings
from assistant.store.chroma import SENTENCES_SUFFIX, Store, generation, pages, stored_facts
from assistant.store.locks import exclusive

log = logging.getLogger(__name__)
# Stage names users read in the upload page's progress bar and the CLI: what happens, not how.
STAGE_READ = "Bestanden lezen"
STAGE_SENTENCES = "Zinnen voorbereiden"
STAGE_PASSAGES = "Tekst verwerken"
STAGE_CLAUSES = "Zinsdelen controleren"
"""The instruction screen's clauses (`assistant.ingest.screening`): embedded to judge, never stored."""

EncoderFactory = Callable[[], TextEmbeddings]
"""Gives the embedding model when (and only when) something has to be embedded."""
WRITE_BATCH = 500
ENCODE_CALL_BATCHES = 4
"""Encoder batches per encode call (and progress step). Characters only approximate tokens; within a
call the encoder orders texts by token count, so each call's batches pad less. Measured on the
corpus's sentences in batches of 32: padding 1.24x the real token count at one batch per call, 1.12x
at four; the ingest's encoder time went from 1.08x to 1.02x the raw encoding (one thread, CPU s)."""


def discover(corpus_dir: Path) -> list[Path]:
    """Every file and link the walk of the corpus folder yields (see `walk_corpus`)."""
    return walk_corpus(corpus_dir)[0]


def walk_corpus(corpus_dir: Path) -> tuple[list[Path], list[FileError]]:
    """Every file and link under the corpus except hidden ones, the corpus's own README files and its
    facts file; and what the walk leaves out that a maintainer may have meant as input, with a Dutch reason.

    Links are listed whatever they point to (nothing, a folder), so each is reported by `read_corpus`.
    Reported here: folders that cannot be listed (their files would vanish from the index silently),
    folders named like a document (`map.md/`: its files are read one by one, the folder is not one
    document), special files (pipes, devices) and hidden files with a document extension. Left out
    without a word: hidden folders (`.git`, the upload page's `uploads/.staging`) and files that are not documents by name."""
    files: list[Path] = []
    skipped: list[FileError] = []

    def unreadable(error: OSError) -> None:
        folder = Path(error.filename)
        skipped.append(FileError(_relative(folder, corpus_dir), "map kan niet worden gelezen (geen leesrechten); "
                                 "de bestanden erin zijn niet ingelezen"))

    for folder, subfolders, names in os.walk(corpus_dir, onerror=unreadable):
        here = Path(folder)
        for name in list(subfolders):
            path = here / name
            if name.startswith("."):
                subfolders.remove(name)
            elif path.is_symlink():  # os.walk does not follow links: listed as a file, reported by read_corpus
                subfolders.remove(name)
                files.append(path)
            elif path.suffix.lower() in SUPPORTED_SUFFIXES:
                skipped.append(FileError(_relative(path, corpus_dir), "is een map met de naam van een document, "
                                         "geen document; de bestanden erin worden elk apart ingelezen"))
        for name in names:
            path = here / name
            relative = _relative(path, corpus_dir)
            if name.startswith("."):
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    skipped.append(FileError(relative, "verborgen bestand (naam begint met een punt); niet ingelezen"))
            elif name.lower() == "readme.md" or relative == FACTS_FILE:
                continue
            elif path.is_file() or path.is_symlink():
                files.append(path)
            else:
                skipped.append(FileError(relative, "geen gewoon bestand (bijvoorbeeld een pipe of apparaat); niet ingelezen"))
    return sorted(files), skipped


def _relative(path: Path, corpus_dir: Path) -> str:
    return path.relative_to(corpus_dir).as_posix()


def read_corpus(
    settings: Settings, progress: ProgressReporter, facts: CorpusFacts | None = None, indexed: Set[str] = frozenset()
) -> tuple[list[Passage], list[FileError], set[str]]:
    """All passages of all readable files, the errors of the others, and the doc ids that failed.

    `indexed`: the doc ids in the index now. Of two files with the same content the indexed one is
    read first and kept, so a copy added later never takes its place (and its passages) in the index."""
    corpus_dir = settings.corpus_dir
    walked, errors = walk_corpus(corpus_dir)
    files = sorted(walked, key=lambda path: doc_id_for(path, corpus_dir) not in indexed)
    passages: list[Passage] = []
    failed: set[str] = set()
    max_bytes = int(settings.max_file_mb * 1_000_000)
    progress.stage(STAGE_READ, len(files))
    root = corpus_dir.resolve()
    seen: dict[str, str] = {}
    for path in files:
        relative = path.relative_to(corpus_dir).as_posix()
        if not path.exists():
            errors.append(FileError(relative, "koppeling naar een bestand dat niet (meer) bestaat"))
        elif not path.resolve().is_relative_to(root):
            # A link out of the corpus would put any readable file on the machine into answers.
            errors.append(FileError(relative, "verwijst naar een bestand buiten de corpusmap; niet gevolgd"))
        elif path.is_dir():  # the folder's own files are read where they are
            errors.append(FileError(relative, "koppeling naar een map; niet gevolgd"))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append(FileError(relative, f"bestandstype {path.suffix or '(geen)'} wordt niet ondersteund"))
        else:
            try:
                sources = load_file(path, corpus_dir, max_bytes)
                # Checked after loading, so an empty or broken file gets its own reason, not "duplicate".
                if (first := seen.setdefault(_file_hash(path), relative)) != relative:
                    errors.append(FileError(relative, f"zelfde inhoud als {first}; één keer opgenomen"))
                    sources = []
                for source in sources:
                    passages.extend(
                        chunk(source, settings.chunk_words, settings.chunk_overlap_words, settings.law_article_max_words, facts)
                    )
            except IngestError as exc:
                errors.append(FileError(relative, exc.message))
                failed.add(doc_id_for(path, corpus_dir))
            except Exception:  # a parser bug on one odd file must not stop the other files
                log.exception("unexpected error reading %s", relative)  # the details are for the maintainer
                errors.append(FileError(relative, "onverwachte fout bij het lezen; de details staan in het log"))
                failed.add(doc_id_for(path, corpus_dir))
        progress.advance()
    return passages, sorted(errors, key=lambda error: error.path), failed


def _file_hash(path: Path) -> str:
    """The content hash that finds one document saved under two names."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ingest_lock(settings: Settings):
    """One ingest at a time per index folder (the app's upload page and the CLI may overlap)."""
    return exclusive(settings.index_dir / ".ingest.lock")


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
        metadata = {**passage.metadata(), "content_hash": content_hash(text, model_name), SCREEN_KEY: screen_version()}
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


@dataclass
class _Stored:
    """The rows of one collection of the active generation (empty for a new index). Vectors are read
    only for the rows a new generation copies: an ingest that changes nothing reads no vector at all."""

    documents: dict[str, str] = field(default_factory=dict)
    metadatas: dict[str, dict] = field(default_factory=dict)
    collection: Collection | None = None

    @classmethod
    def read(cls, collection: Collection | None) -> _Stored:
        stored = cls(collection=collection)
        if collection is None:
            return stored
        for rows in pages(collection, ["documents", "metadatas"], WRITE_BATCH):
            for row_id, text, metadata in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True):
                stored.documents[row_id] = text or ""
                stored.metadatas[row_id] = dict(metadata or {})
        return stored

    def vectors(self, row_ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these rows."""
        found: dict[str, list[float]] = {}
        if self.collection is None:
            return found
        for start in range(0, len(row_ids), WRITE_BATCH):
            rows = self.collection.get(ids=row_ids[start : start + WRITE_BATCH], include=["embeddings"])
            found.update((row_id, list(vector)) for row_id, vector in zip(rows["ids"], rows["embeddings"], strict=True))
        return found

    def vectors_by_hash(self, hashes: set[str]) -> dict[str, list[float]]:
        """Stored vectors of rows whose content hash is one of `hashes`, keyed by that hash."""
        hash_of_row = {rid: str(self.hash_of(rid)) for rid in self.metadatas if self.hash_of(rid) in hashes}
        return {hash_of_row[rid]: vector for rid, vector in self.vectors(list(hash_of_row)).items()}

    @property
    def doc_ids(self) -> set[str]:
        return {str(metadata.get("doc_id")) for metadata in self.metadatas.values()}

    def hash_of(self, row_id: str) -> object:
        return self.metadatas.get(row_id, {}).get("content_hash")


@dataclass
class _Plan:
    """What the next generation of one collection holds: kept rows (copied with their vectors) and new ones."""

    stored: _Stored
    keep: list[str]
    add: list[_Row]
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.add or self.removed)

    @property
    def documents(self) -> set[str]:
        """The doc ids the collection holds once the plan is carried out (known without reading it again)."""
        kept = {str(self.stored.metadatas[rid].get("doc_id")) for rid in self.keep if rid in self.stored.metadatas}
        return kept | {str(row.metadata["doc_id"]) for row in self.add}


def _plan(stored: _Stored, wanted: dict[str, _Row], failed: set[str]) -> _Plan:
    """Compare the wanted rows with the active generation; rows of files that failed to load are kept."""
    keep = [rid for rid, row in wanted.items() if _same(stored.metadatas.get(rid), row.metadata)]
    keep += [rid for rid, meta in stored.metadatas.items() if rid not in wanted and meta.get("doc_id") in failed]
    # A row id can stay while its text changes (sentence n of a passage after an edit): compare hashes.
    add = [row for rid, row in wanted.items() if not _same(stored.metadatas.get(rid), row.metadata)]
    removed = sum(1 for rid, meta in stored.metadatas.items() if rid not in wanted and meta.get("doc_id") not in failed)
    return _Plan(stored, keep, add, removed)


def _same(stored: dict | None, wanted: dict) -> bool:
    """A stored row stays as it is: same embedded text, and (for passages) cut by the same screen."""
    return stored is not None and all(stored.get(key) == wanted.get(key) for key in ("content_hash", SCREEN_KEY))


def _write(collection: Collection, plan: _Plan, encoder: EncoderFactory, progress: ProgressReporter,
           label: str, known: dict[str, list[float]] | None = None) -> _SyncCounts:
    """Fill a new generation's collection: kept rows with their stored vectors, new rows embedded
    unless an identical text already has a vector (a passage that only moved, or a unit the screen embedded)."""
    stored = plan.stored
    added = {str(row.metadata["content_hash"]) for row in plan.add}
    moved = [rid for rid in stored.metadatas if str(stored.hash_of(rid)) in added]
    kept_and_moved = stored.vectors(list(dict.fromkeys([*plan.keep, *moved])))
    by_hash = {**(known or {}), **{str(stored.hash_of(rid)): vector for rid, vector in kept_and_moved.items()}}
    vectors = {row.metadata["content_hash"]: by_hash[row.metadata["content_hash"]]
               for row in plan.add if row.metadata["content_hash"] in by_hash}
    missing = {row.metadata["content_hash"]: row.embed_text
               for row in plan.add if row.metadata["content_hash"] not in vectors}
    if missing:
        vectors.update(_embed(encoder(), missing, progress, label))
    rows = [(rid, stored.documents[rid], stored.metadatas[rid], kept_and_moved[rid]) for rid in plan.keep]
    rows += [(row.id, row.document, row.metadata, vectors[row.metadata["content_hash"]]) for row in plan.add]
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        collection.add(
            ids=[row[0] for row in batch],
            documents=[row[1] for row in batch],
            metadatas=[row[2] for row in batch],
            embeddings=[row[3] for row in batch],
        )
    return _SyncCounts(embedded=len(missing), reused=len(plan.add) - len(missing), removed=plan.removed)


def _clean_up(store: Store) -> list[str]:
    """Delete collections no reader can reach; returns those of an interrupted ingest (rolled back).

    A collection newer than the active generation was being built when its ingest died (kill -9,
    power loss): readers never saw it. Older unreachable ones are the grace copies of earlier
    generations, whose deletion was cut short; removing them is housekeeping, not a rollback."""
    pointer = store.pointer()
    reachable = {name for name in (pointer.active, pointer.previous) if name}
    reachable |= {f"{name}{SENTENCES_SUFFIX}" for name in reachable}
    generations = store.generations()
    active = generations.get(pointer.active or "", 0)
    orphans = [name for name in generations if name not in reachable]
    store.delete(orphans)
    store.collect_garbage()
    return sorted(name for name in orphans if generations[name] > active)


def ingest(settings: Settings, progress: ProgressReporter | None = None, rebuild: bool = False, *,
           store: Store | None = None, embed: EncoderFactory | None = None) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring for the guarantees.

    `store` and `embed` let the `Engine` share its client and model; alone, ingest opens its own."""
    progress = progress or NullProgress()
    store = store or Store(settings)
    encoder = cache(embed or (lambda: load_embeddings(settings)))  # loaded at most once, and only if needed
    started = time.perf_counter()
    if not settings.corpus_dir.is_dir():
        raise ConfigError(f"de map met brondocumenten bestaat niet: {settings.corpus_dir}", source="ASSISTENT_CORPUS_DIR")
    model_name = embedding_model_name(settings)
    with _ingest_lock(settings):
        rolled_back = _clean_up(store)
        facts = load_facts(settings.corpus_dir)
        active = None if store.pointer().active is None else store.passages(None if rebuild else model_name)
        stored = _Stored.read(active)
        passages, errors, failed = read_corpus(settings, progress, facts, stored.doc_ids)
        # A rebuild starts from nothing (a new model, a damaged index): it reuses no stored row.
        source = None if rebuild else active
        stored_units = _Stored.read(None if source is None else store.sentences(source.name))
        screened = screen(passages, _Stored() if rebuild else stored, stored_units, settings, encoder,
                          lambda model, texts, clauses: _embed(model, texts, progress,
                                                               STAGE_CLAUSES if clauses else STAGE_SENTENCES))
        passages = screened.passages
        sentence_plan = _plan(stored_units, _sentence_rows(passages, model_name), failed)
        wanted = _passage_rows(passages, model_name)
        passage_plan = _plan(_Stored() if rebuild else stored, wanted, failed)
        facts_json = facts.to_json()
        report = IngestReport(errors=errors, rolled_back=rolled_back)
        _compare_documents(report, stored, wanted, failed)
        if (active is None or rebuild or passage_plan.changed or sentence_plan.changed
                or stored_facts(active) != facts_json):
            collection, sentences = store.new_generation(_next_generation(store, active), model_name, facts_json)
            written = _write(sentences, sentence_plan, encoder, progress, STAGE_SENTENCES, known=screened.vectors)
            report.sentences_embedded = written.embedded + screened.embedded
            counts = _write(collection, passage_plan, encoder, progress, STAGE_PASSAGES)
            report.embedded, report.reused, report.removed = counts.embedded, counts.reused, counts.removed
            _publish(store, collection.name)
        else:
            collection = active
        report.documents = len(passage_plan.documents)
        report.passages = collection.count()
        report.seconds = time.perf_counter() - started
        return report


def _compare_documents(report: IngestReport, stored: _Stored, wanted: dict[str, _Row], failed: set[str]) -> None:
    """Which documents this ingest adds, changes, leaves alone and removes (a failed file keeps its rows)."""
    before: dict[str, set[tuple[str, object]]] = {}
    for rid, meta in stored.metadatas.items():
        before.setdefault(str(meta.get("doc_id")), set()).add((rid, meta.get("content_hash")))
    after: dict[str, set[tuple[str, object]]] = {}
    for rid, row in wanted.items():
        after.setdefault(str(row.metadata["doc_id"]), set()).add((rid, row.metadata["content_hash"]))
    for doc, rows in before.items():
        if doc in failed and doc not in after:
            after[doc] = rows
    report.added_docs = sorted(set(after) - set(before))
    report.removed_docs = sorted(set(before) - set(after))
    report.changed_docs = sorted(doc for doc in set(after) & set(before) if after[doc] != before[doc])
    report.unchanged_docs = sorted(doc for doc in set(after) & set(before) if after[doc] == before[doc])


def _next_generation(store: Store, active: Collection | None) -> int:
    """A number above every generation that exists (by name or, for an index edited in place, by metadata),
    so a new build can never overwrite a collection that readers may still use."""
    return max([*store.generations().values(), generation(active) if active is not None else 0]) + 1


def _publish(store: Store, name: str) -> None:
    """Switch readers to the new generation, keep the one they leave for searches still running,
    and delete the one before that (its grace period ends with this ingest)."""
    before = store.pointer()
    store.switch(name, previous=before.active)
    if before.previous and before.previous != name:
        store.delete([before.previous, f"{before.previous}{SENTENCES_SUFFIX}"])
    store.collect_garbage()


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


def remove_documents(settings: Settings, doc_ids: list[str], store: Store | None = None) -> int:
    """Remove every passage of these documents (used when an upload is removed); returns the count.

    Written as a new generation like any ingest, so readers switch in one step."""
    store = store or Store(settings)
    model_name = embedding_model_name(settings)
    with _ingest_lock(settings):
        _clean_up(store)
        if store.pointer().active is None:
            return 0
        active = store.passages(model_name)
        gone = set(doc_ids)
        plans = []
        for source in (active, store.sentences(active.name)):
            stored = _Stored.read(source)
            keep = [rid for rid, meta in stored.metadatas.items() if meta.get("doc_id") not in gone]
            plans.append(_Plan(stored, keep, [], len(stored.metadatas) - len(keep)))
        passage_plan, sentence_plan = plans
        if not passage_plan.removed:
            return 0
        collection, sentences = store.new_generation(_next_generation(store, active), model_name, stored_facts(active))
        _write(sentences, sentence_plan, _no_encoder, NullProgress(), "")
        _write(collection, passage_plan, _no_encoder, NullProgress(), "")
        _publish(store, collection.name)
        return passage_plan.removed


def _no_encoder() -> TextEmbeddings:
    """Removing documents copies stored vectors and never embeds."""
    raise AssertionError("removing documents embeds nothing")
