"""The one entry point the app, the CLI and the evals share: `ask(question, history, filters)`.

Models and the in-memory index are loaded once per process and settings; the index reloads
itself when an ingest (in any process) bumped the collection's generation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering import AnswerBackend, ExtractiveBackend, refusal
from assistant.config import Settings, get_settings
from assistant.conversation import rewrite_follow_up, to_turns
from assistant.errors import ConfigError, IndexMissingError
from assistant.models import Answer, ScoredPassage, Turn
from assistant.retrieval import QueryAnalysis, Retriever

if TYPE_CHECKING:
    from assistant.llm.backend import AnswerStream

REQUIRED_FIELDS = ("title", "type", "publisher", "date", "licence")


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    type: str
    date: str | None
    publisher: str | None
    source_url: str | None
    passages: int
    missing_fields: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def get_retriever(settings: Settings) -> Retriever:
    return Retriever(settings)


@lru_cache(maxsize=8)
def get_backend(settings: Settings, name: str) -> AnswerBackend:
    if name == "extractive":
        return ExtractiveBackend(get_retriever(settings), settings)
    from assistant.llm import build_llm_backend  # optional backends import their client libraries lazily

    return build_llm_backend(name, get_retriever(settings), settings)


def ask(
    question: str,
    history: Sequence[Mapping[str, str] | Turn] | None = None,
    filters: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    backend: str | None = None,
) -> Answer:
    """Answer a question from the indexed sources, with citations, or refuse plainly."""
    prepared = _prepare(question, history, filters, settings, backend)
    if isinstance(prepared, Answer):
        return prepared
    answerer, question, analysis, retrieved, query_vector = prepared
    if hasattr(answerer, "stream"):  # LLM backends also see the conversation
        return answerer.answer(question, analysis, retrieved, query_vector, to_turns(history))
    return answerer.answer(question, analysis, retrieved, query_vector)


def ask_stream(
    question: str,
    history: Sequence[Mapping[str, str] | Turn] | None = None,
    filters: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    backend: str | None = None,
) -> AnswerStream | Answer:
    """Like `ask`, but an LLM backend's answer as an `AnswerStream` (iterate the text, then read
    `.answer` for the guarded result); the extractive backend returns its finished `Answer`."""
    prepared = _prepare(question, history, filters, settings, backend)
    if isinstance(prepared, Answer):
        return prepared
    answerer, question, analysis, retrieved, query_vector = prepared
    if hasattr(answerer, "stream"):
        return answerer.stream(question, analysis, retrieved, query_vector, to_turns(history))
    return answerer.answer(question, analysis, retrieved, query_vector)


Prepared = tuple[AnswerBackend, str, QueryAnalysis, list[ScoredPassage], np.ndarray]


def _prepare(
    question: str,
    history: Sequence[Mapping[str, str] | Turn] | None,
    filters: Mapping[str, Any] | None,
    settings: Settings | None,
    backend: str | None,
) -> Prepared | Answer:
    """Shared by `ask` and `ask_stream`: rewrite a follow-up, search, and pick the backend."""
    settings = settings or get_settings()
    question = question.strip()
    backend_name = backend or settings.backend
    answerer = get_backend(settings, backend_name)
    rewrite = getattr(answerer, "rewrite_query", rewrite_follow_up)  # an LLM resolves follow-ups better
    search_query = rewrite(question, to_turns(history))
    try:
        analysis, retrieved, query_vector = get_retriever(settings).search(search_query, dict(filters or {}))
    except IndexMissingError:
        empty = QueryAnalysis(question, search_query, False, [], [], False)
        return refusal("no_index", empty, [], backend_name)
    return answerer, question, analysis, retrieved, query_vector


def list_documents(settings: Settings | None = None) -> list[DocumentInfo]:
    """The documents in the index with their passage counts, for the sidebar and `assistant corpus`."""
    settings = settings or get_settings()
    try:
        passages = get_retriever(settings).index().passages
    except (IndexMissingError, ConfigError):
        return []
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
    return sorted(documents.values(), key=lambda d: d.doc_id)
