"""The `Engine`: built once from `Settings`, it owns the store client, the embedding model, the
retriever and the answer backends, and is the whole public surface the app, the CLI, the evals and
the LangChain retriever use (`ask`, `ask_stream`, `search`, `follow_ups`, `get_passage`,
`document_passages`, `list_documents`), and the one way to write: `ingest`, `save_upload`,
`remove_upload`, and the bench's `add_index_rows`.

Nothing is loaded in the constructor: the embedding model loads on the first search (or ingest), the
store client on the first store call, each once, under a lock, so twenty threads asking at once on a
cold process share one model and one client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.answer.answer_stream import AnswerStream
from assistant.answer.answering import AnswerBackend, ExtractiveBackend, History
from assistant.answer.follow_ups import candidate_questions, neighbours, term_shares
from assistant.answer.refusal_help import LAW_TYPES, REASONS, helpful_refusal, rules_backend
from assistant.config import Settings, get_settings
from assistant.models import Answer, DocumentInfo, IndexRows, Passage, Turn
from assistant.search.conversation import to_turns, without_topic_switch
from assistant.search.embeddings import TextEmbeddings, embedding_model_name, load_embeddings
from assistant.search.retriever import Retriever, SearchResult
from assistant.search.snapshot import SearchIndex
from assistant.store.chroma import Store, add_rows, read_rows, stored_hashes

if TYPE_CHECKING:
    from assistant.ingest.progress import ProgressReporter
    from assistant.ingest.report import IngestReport
    from assistant.ingest.uploads import UploadResult

REQUIRED_FIELDS = ("title", "type", "publisher", "date", "licence")
"""Front-matter fields every document should have (corpus/README.md); `list_documents` reports gaps."""

_T = TypeVar("_T")

MAX_FOLLOW_UPS_CHECKED = 8
"""Candidate follow-ups answered per answer at most: a warm extractive ask takes ~16 ms, so a reply
waits at most ~0.15 s for its suggestions."""


class Engine:
    """One assistant over one index. Thread-safe; make one per process (or per `Settings`)."""

    def __init__(self, settings: Settings | None = None, *, embeddings: TextEmbeddings | None = None) -> None:
        """`embeddings` shares an already loaded model (the bench's second index, tests); else loaded on use."""
        self.settings = settings or get_settings()
        self.store = Store(self.settings)
        self._lock = threading.RLock()
        self._embeddings: TextEmbeddings | None = embeddings
        self._retriever: Retriever | None = None
        self._backends: dict[str, AnswerBackend] = {}
        self._rules: ExtractiveBackend | None = None
        """Quotes the law for a refused judgement (`assistant.answer.refusal_help.rules_backend`), made on first use."""
        self._derived: dict[str, tuple[int, Any]] = {}
        """name -> (index generation, a value derived from that generation's snapshot): see `_of_generation`."""

    # --- owned components, made once on first use ------------------------------------------------

    @property
    def embeddings(self) -> TextEmbeddings:
        return self._once("_embeddings", lambda: load_embeddings(self.settings))

    @property
    def retriever(self) -> Retriever:
        return self._once("_retriever", lambda: Retriever(self.settings, self.store, lambda: self.embeddings))

    def backend(self, name: str | None = None) -> AnswerBackend:
        """The answer backend `name` (default: the configured one), built on first use."""
        name = name or self.settings.backend
        with self._lock:
            if name not in self._backends:
                self._backends[name] = self._build_backend(name)
            return self._backends[name]

    def _build_backend(self, name: str) -> AnswerBackend:
        if name == ExtractiveBackend.name:
            return ExtractiveBackend(self.settings)
        from assistant.llm import build_llm_backend  # optional backends import their client libraries lazily

        return build_llm_backend(name, self.embeddings, self.settings)

    def _once(self, attribute: str, make: Callable[[], _T]) -> _T:
        value = getattr(self, attribute)
        if value is None:
            with self._lock:
                value = getattr(self, attribute)
                if value is None:
                    value = make()
                    setattr(self, attribute, value)
        return value

    def warm_up(self) -> None:
        """Load the model and, when there is an index, its in-memory snapshot (the app's first page view)."""
        _ = self.embeddings
        self._load_snapshot()

    def _load_snapshot(self) -> None:
        """The current generation's snapshot, when there is an index (saving it for later processes)."""
        from assistant.errors import IndexMissingError

        try:
            self.retriever.snapshot()
        except IndexMissingError:
            pass  # nothing indexed yet: the first ingest makes the snapshot

    # --- the public surface -------------------------------------------------------------------

    def search(self, question: str, filters: Mapping[str, Any] | None = None, k: int | None = None,
               history: History = None) -> SearchResult:
        """The ranked passages for a question; with `history`, a follow-up is first made standalone."""
        return self._search_in_context(self.backend(), question.strip(), to_turns(history), filters, k)

    def ask(self, question: str, history: History = None, filters: Mapping[str, Any] | None = None,
            *, backend: str | None = None) -> Answer:
        """Answer a question from the indexed sources, with citations, or refuse plainly.

        Raises `IndexMissingError` when nothing is indexed and `StoreUnavailableError` when the
        configured Chroma server cannot be reached: those are not answers, the caller shows them."""
        answerer, question, result, turns = self._prepare(question, history, filters, backend)
        return self._helpful(answerer.answer(question, result, turns))

    def ask_stream(self, question: str, history: History = None, filters: Mapping[str, Any] | None = None,
                   *, backend: str | None = None) -> AnswerStream:
        """Like `ask`, as an `AnswerStream`: iterate the text, then read `.answer` for the checked result."""
        answerer, question, result, turns = self._prepare(question, history, filters, backend)
        stream = answerer.stream(question, result, turns)
        return stream if stream.live else AnswerStream.of(self._helpful(stream.answer))

    def _helpful(self, answer: Answer) -> Answer:
        """A refusal that says what the index covers; a refused judgement with the law that bears on it,
        found by the normal search restricted to law passages (`assistant.answer.refusal_help`)."""
        if not answer.refused or answer.refusal_reason not in REASONS:
            return answer
        rules = None
        if answer.refusal_reason == "legal_approval":
            law = self.retriever.search(answer.search_query, {"types": list(LAW_TYPES)})
            if law.passages:
                rules = self._once("_rules", lambda: rules_backend(self.settings)).answer(answer.search_query, law)
        return helpful_refusal(answer, self.list_documents(), rules)

    def _prepare(self, question: str, history: History, filters: Mapping[str, Any] | None,
                 backend: str | None) -> tuple[AnswerBackend, str, SearchResult, list]:
        """Shared by `ask` and `ask_stream`: rewrite a follow-up, then search."""
        question = question.strip()
        answerer = self.backend(backend)
        turns = to_turns(history)
        return answerer, question, self._search_in_context(answerer, question, turns, filters), turns

    def _search_in_context(self, answerer: AnswerBackend, question: str, turns: list[Turn],
                           filters: Mapping[str, Any] | None, k: int | None = None) -> SearchResult:
        """Search a follow-up merged with the conversation (the backend decides what is a follow-up);
        a question without history goes straight to the search, without a second look at the store."""
        if turns:
            question = answerer.rewrite_query(question, turns, self.retriever.snapshot().facts)
        else:  # "Iets anders: wat deed Dronten?" as a first question: the switch words are not searched for
            question = without_topic_switch(question)
        return self.retriever.search(question, dict(filters or {}), k)

    def follow_ups(self, answer: Answer, history: History, filters: Mapping[str, Any] | None = None,
                   limit: int = 3) -> list[str]:
        """Up to `limit` questions to ask next (`assistant.answer.follow_ups`). `history` is the conversation up
        to and including `answer`: its questions are never suggested again, and each suggestion is
        asked in it as a click would ask it, and kept only when answered (extractively, whatever the
        backend: no model call per candidate) from a passage `answer` did not cite."""
        if answer.refused or not answer.citations:
            return []
        turns = to_turns(history)
        asked = [turn.content for turn in turns if turn.role == "user"]
        snapshot = self.retriever.snapshot()
        shares = self._of_generation("term_shares", lambda index: term_shares(index.passages))
        cited = [p for c in answer.citations if (p := snapshot.passage(c.passage_id)) is not None]
        near = neighbours(cited, snapshot.passages, snapshot.position)
        cited_ids = {c.passage_id for c in answer.citations}
        candidates = candidate_questions(cited, near, asked, shares)
        kept: list[str] = []
        for question in candidates[:MAX_FOLLOW_UPS_CHECKED]:
            reply = self.ask(question, history=turns, filters=filters, backend=ExtractiveBackend.name)
            if not reply.refused and {c.passage_id for c in reply.citations} - cited_ids:
                kept.append(question)
                if len(kept) == limit:
                    break
        return kept

    def get_passage(self, passage_id: str) -> Passage | None:
        """The full text and metadata of one indexed passage; None when it is no longer indexed."""
        return self.retriever.snapshot().passage(passage_id)

    def document_passages(self, doc_id: str) -> list[Passage]:
        """A document's indexed passages in reading order (its whole text, section by section)."""
        return sorted((p for p in self.retriever.snapshot().passages if p.doc_id == doc_id), key=lambda p: p.position)

    def list_documents(self) -> list[DocumentInfo]:
        """The documents in the index with their passage counts, in doc-id order (read-only: shared
        by every caller until the index changes)."""
        # The app lists them on every page run; building the list scans every passage's sentences
        # (28 ms at 184 passages, seconds at 10,000).
        return self._of_generation("documents", lambda index: _documents_of(index.passages))

    def _of_generation(self, name: str, build: Callable[[SearchIndex], _T]) -> _T:
        """A value derived from the current snapshot, built once per index generation."""
        snapshot = self.retriever.snapshot()
        generation, value = self._derived.get(name, (-1, None))
        if generation != snapshot.generation:
            value = build(snapshot)
            self._derived[name] = (snapshot.generation, value)
        return value

    # --- writes: the index and the uploads folder change only through these ---------------------
    # The ingest room is imported when a write runs: it loads the PDF, Word and HTML parsers, which a
    # process that only answers never needs.

    def ingest(self, progress: ProgressReporter | None = None, rebuild: bool = False) -> IngestReport:
        """Bring the index in line with the corpus folder (see `assistant.ingest.indexer`), with this engine's model."""
        from assistant.ingest.indexer import ingest as run_ingest

        report = run_ingest(self.settings, progress=progress, rebuild=rebuild, store=self.store,
                            embed=lambda: self.embeddings)
        self._load_snapshot()  # saved now, the next process to start (the app) maps it instead of reading Chroma
        return report

    def save_upload(self, name: str, data: bytes) -> UploadResult:
        """Check one uploaded file and keep it in the uploads folder (`assistant.ingest.uploads`); the
        next `ingest` indexes it."""
        from assistant.ingest.uploads import save_upload

        return save_upload(self.settings, name, data)

    def remove_upload(self, name: str) -> int:
        """Delete an uploaded file and its passages (a new generation, like any ingest), through this
        engine's store client; returns how many passages were removed."""
        from assistant.ingest.uploads import remove_upload

        return remove_upload(self.settings, name, self.store)

    def passage_hashes(self) -> dict[str, str | None]:
        """id -> content hash of every stored passage, without texts or vectors: a fingerprint of the index."""
        stored = stored_hashes(self.store.passages(embedding_model_name(self.settings)))
        return {passage_id: row["content_hash"] for passage_id, row in stored.items()}

    def index_rows(self) -> IndexRows:
        """Every row of the active generation with texts, metadata and vectors (the bench copies them)."""
        return read_rows(self.store, embedding_model_name(self.settings))

    def add_index_rows(self, copies: Iterable[IndexRows]) -> None:
        """Write copied rows into this engine's index (made if missing) and bump its generation once: how
        the bench builds a synthetic index of a given size without embedding anything."""
        add_rows(self.store, embedding_model_name(self.settings), copies)


def _documents_of(passages: list[Passage]) -> list[DocumentInfo]:
    """One `DocumentInfo` per document, with its passage count and the sentences that address the assistant."""
    documents: dict[str, DocumentInfo] = {}
    for passage in passages:
        info = documents.get(passage.doc_id)
        if info is None:
            metadata = passage.metadata()
            info = documents[passage.doc_id] = DocumentInfo(
                doc_id=passage.doc_id, title=passage.title, type=passage.type, date=passage.date,
                publisher=passage.publisher, source_url=passage.source_url, passages=0,
                missing_fields=[name for name in REQUIRED_FIELDS if not metadata.get(name)],
            )
        info.passages += 1
        info.instructions.extend(sentence for sentence in (passage.instructions or "").splitlines()
                                 if sentence not in info.instructions)
    return sorted(documents.values(), key=lambda d: d.doc_id)


_DEFAULT_ENGINES: dict[Settings, Engine] = {}
_DEFAULT_LOCK = threading.Lock()


def engine_for(settings: Settings | None = None) -> Engine:
    """The process's engine for `settings` (the environment's by default): one per settings value."""
    settings = settings or get_settings()
    with _DEFAULT_LOCK:
        if settings not in _DEFAULT_ENGINES:
            _DEFAULT_ENGINES[settings] = Engine(settings)
        return _DEFAULT_ENGINES[settings]


def ask(question: str, history: Sequence[Mapping[str, str]] | None = None, filters: Mapping[str, Any] | None = None,
        *, settings: Settings | None = None, backend: str | None = None) -> Answer:
    """Convenience over the default engine: `assistant.ask("Wat is OOGO?")`."""
    return engine_for(settings).ask(question, history, filters, backend=backend)
