"""The app's handle on the engine: settings, the once-per-process warm-up, and index look-ups.

The engine already caches its retriever per settings; `st.cache_resource` on top of it makes the
first page view (not the first question) pay for loading the model, behind a Dutch spinner.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from assistant.config import Settings
from assistant.errors import IndexMissingError
from assistant.models import DOC_TYPES, Passage
from assistant.render import TYPE_LABELS
from assistant.service import DocumentInfo, get_retriever
from ui import texts


@st.cache_resource(show_spinner=texts.LOADING)
def warm_up(settings: Settings) -> None:
    """Load the embedding model and, if there is one, the index, so the first answer is quick."""
    retriever = get_retriever(settings)
    try:
        retriever.index()
    except IndexMissingError:
        pass  # the start screen says there are no documents yet


def type_label(doc_type: str) -> str:
    return TYPE_LABELS.get(doc_type, doc_type)


def document_types(docs: list[DocumentInfo]) -> list[str]:
    """Types present in the index, in the project's usual order, unknown ones last."""
    present = {doc.type for doc in docs}
    order = list(DOC_TYPES) + sorted(present - set(DOC_TYPES))
    return [doc_type for doc_type in order if doc_type in present]


def corpus_line(docs: list[DocumentInfo]) -> str:
    """'Ik beantwoord vragen uit **22 documenten**: 10 samenvattingen, 7 wetteksten en ...'"""
    counts = Counter(doc.type for doc in docs)
    parts = []
    for doc_type in document_types(docs):
        one, many = texts.TYPE_NOUNS.get(doc_type, (type_label(doc_type), type_label(doc_type)))
        parts.append(f"{counts[doc_type]} {one if counts[doc_type] == 1 else many}")
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]
    noun = "document" if len(docs) == 1 else "documenten"
    return texts.KNOWS.format(count=len(docs), documents=noun, parts=joined)


def passage_by_id(settings: Settings, passage_id: str) -> Passage | None:
    """The full text of a cited passage, from the retriever's in-memory index; None once it is gone."""
    try:
        index = get_retriever(settings).index()
    except IndexMissingError:
        return None
    position = index.position.get(passage_id)
    return None if position is None else index.passages[position]
