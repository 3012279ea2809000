"""The chat page's sidebar: type filter, new conversation, download, documents, backend, glossary."""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.chat.conversations import ConversationStore
from assistant.config import Settings
from assistant.models import DocumentInfo
from assistant.search.glossary import GLOSSARY
from ui import texts
from ui.answer_view import escape_markdown
from ui.engine import distinct_titles, document_types, type_label
from ui.export import conversation_markdown, dutch_datetime, export_filename
from ui.session import (
    FILTER_KEY,
    conversation_id,
    exchanges,
    identity,
    new_conversation,
    open_document,
    owner,
    switch_conversation,
)


def render_sidebar(settings: Settings, docs: list[DocumentInfo]) -> tuple[list[str], DeltaGenerator]:
    """Draw the sidebar; returns the document types to search in (empty: all) and the slot for the
    conversation buttons, which the page fills last so that they include the answer of this run."""
    with st.sidebar:
        selected = st.multiselect(
            texts.SIDEBAR_FILTER, document_types(docs), key=FILTER_KEY, format_func=type_label,
            placeholder=texts.SIDEBAR_FILTER_PLACEHOLDER, help=texts.SIDEBAR_FILTER_HELP,
        )
        actions = st.container()
        earlier_conversations(settings)
        with st.expander(texts.SIDEBAR_DOCUMENTS.format(count=len(docs)), icon=":material/folder_open:"):
            titles = distinct_titles(docs)
            for doc in docs:  # each title opens the document's text (ui/document_view.py)
                line = texts.SIDEBAR_DOCUMENT_LINE.format(
                    type=type_label(doc.type), date=texts.document_date(doc.date),
                    passages=texts.passage_count(doc.passages),
                )
                st.button(titles[doc.doc_id], key=f"doc-{doc.doc_id}", type="tertiary", on_click=open_document,
                          args=(doc.doc_id,), help=texts.SIDEBAR_DOCUMENT_OPEN.format(title=doc.title), icon=":material/article:")
                st.caption(line)
        with st.expander(texts.SIDEBAR_GLOSSARY, icon=":material/menu_book:"):
            for term in GLOSSARY:
                st.markdown(f"**{escape_markdown(term.abbreviation)}** — {term.full}. {term.explanation}")
        label = texts.BACKEND_LABELS.get(settings.backend, settings.backend)
        st.caption(texts.SIDEBAR_BACKEND.format(label=label))
    return list(selected), actions


def _delete_conversation(settings: Settings, target: str) -> None:
    ConversationStore(settings.conversations_db).delete(target, owner(settings))
    if target == conversation_id():
        new_conversation()


def _short_title(question: str, limit: int = 60) -> str:
    return question if len(question) <= limit else question[: limit - 1].rstrip() + "…"


@st.cache_resource
def _purge_once(settings: Settings) -> None:
    """Old conversations go once per app process, not on every rerun of every session (a write each time)."""
    ConversationStore(settings.conversations_db).purge(settings.conversation_days)


def earlier_conversations(settings: Settings) -> None:
    """This user's or browser's earlier conversations (title: the first question), to reopen or delete;
    old ones are purged first. Nobody else's are listed, and a shared one on screen is not either."""
    store = ConversationStore(settings.conversations_db)
    _purge_once(settings)
    who = identity(settings)
    summaries = store.conversations(who.owner)
    with st.expander(texts.SIDEBAR_CONVERSATIONS.format(count=len(summaries)), icon=":material/history:"):
        st.caption(texts.SIDEBAR_OWN_USER.format(user=who.user) if who.user else texts.SIDEBAR_OWN_BROWSER)
        if not summaries:
            st.caption(texts.SIDEBAR_NO_CONVERSATIONS)
        current = conversation_id()
        for summary in summaries:
            opened, delete = st.columns([5, 1], vertical_alignment="center")
            opened.button(
                _short_title(summary.title), key=f"open-{summary.conversation_id}", width="stretch", wrap=True,
                disabled=summary.conversation_id == current,  # the one on screen: nothing to open
                on_click=switch_conversation, args=(summary.conversation_id,),
            )
            opened.caption(texts.SIDEBAR_CONVERSATION_LINE.format(
                date=dutch_datetime(summary.started_at.astimezone()), questions=texts.question_count(summary.turns)))
            delete.button("", key=f"delete-{summary.conversation_id}", icon=":material/delete:",
                          help=texts.SIDEBAR_DELETE_CONVERSATION, on_click=_delete_conversation,
                          args=(settings, summary.conversation_id))
        st.caption(texts.SIDEBAR_CONVERSATIONS_KEPT.format(days=settings.conversation_days))


def render_conversation_actions(actions: DeltaGenerator) -> None:
    """'Nieuw gesprek' and the Markdown download, enabled once there is a conversation."""
    with actions:
        st.button(texts.SIDEBAR_NEW_CHAT, key="new-conversation", on_click=new_conversation,
                  icon=":material/add_comment:", disabled=not exchanges(), width="stretch")
        now = datetime.now()
        st.download_button(
            texts.SIDEBAR_DOWNLOAD, conversation_markdown(exchanges(), now), file_name=export_filename(now),
            mime="text/markdown", icon=":material/download:", disabled=not exchanges(), on_click="ignore",
            width="stretch",
        )
