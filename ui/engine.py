"""The app's handle on the engine: one `Engine` per process and settings, and display helpers.

`st.cache_resource` makes the first page view (not the first question) pay for loading the model,
behind a Dutch spinner; every session then shares the one thread-safe engine.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from assistant.answer.render import TYPE_LABELS
from assistant.config import Settings
from assistant.engine import Engine
from assistant.errors import AssistantError
from assistant.models import DOC_TYPES, DocumentInfo, Passage
from ui import texts


@st.cache_resource(show_spinner=texts.LOADING)
def get_engine(settings: Settings) -> Engine:
    """The process's engine, warmed up (model and, if there is one, the index) so the first answer is quick."""
    engine = Engine(settings)
    engine.warm_up()
    return engine


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


def distinct_titles(docs: list[DocumentInfo]) -> dict[str, str]:
    """doc_id -> the title to show: its own, and where another document has the same title (two uploads
    both called "Verslag"), the file name after it, so two sources never carry one label."""
    counts = Counter(doc.title.strip().casefold() for doc in docs)
    return {doc.doc_id: doc.title if counts[doc.title.strip().casefold()] == 1
            else f"{doc.title.strip()} ({doc.doc_id.rsplit('/', 1)[-1]})" for doc in docs}


def shown_title(settings: Settings, doc_id: str, title: str) -> str:
    """`distinct_titles` for one document of the current index; its own title when the index cannot be read."""
    try:
        return distinct_titles(get_engine(settings).list_documents()).get(doc_id, title)
    except AssistantError:
        return title


def passage_by_id(settings: Settings, passage_id: str) -> Passage | None:
    """The full text of a cited passage; None once it is gone (or the index cannot be read now)."""
    try:
        return get_engine(settings).get_passage(passage_id)
    except AssistantError:
        return None
