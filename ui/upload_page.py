"""The upload page: add documents to the corpus (ingested at once, with progress) and remove them again."""

from __future__ import annotations

import hmac
import uuid

import streamlit as st

from assistant.config import Settings, get_settings
from assistant.errors import IndexMissingError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.report import FileError
from assistant.ingest.uploads import (
    ALLOWED_TYPES_NL,
    UploadResult,
    excluded_sentences_note,
    list_uploads,
    upload_access,
    upload_doc_id,
)
from ui import attempts, texts
from ui.answer_view import escape_markdown
from ui.engine import get_engine
from ui.errors import friendly_errors
from ui.progress import StreamlitProgress

_UNLOCKED = "upload_unlocked"
_ATTEMPTS_KEY = "upload_attempts_key"  # this session's key in the password limiter
_UPLOADER_ROUND = "uploader_round"
_OUTCOME = "upload_outcome"
_REMOVED = "upload_removed"


def access_granted(settings: Settings) -> bool:
    """Password when one is set; otherwise only a server that listens on this machine alone."""
    access = upload_access(settings.admin_password, st.get_option("server.address"))
    if access == "closed":
        st.warning(texts.UPLOAD_CLOSED, icon=":material/lock:")
        return False
    if access == "local":
        st.caption(texts.UPLOAD_LOCAL)
        return True
    if st.session_state.get(_UNLOCKED):
        return True
    session = st.session_state.setdefault(_ATTEMPTS_KEY, uuid.uuid4().hex)
    limiter = attempts.PASSWORD_ATTEMPTS
    if wait := limiter.wait_seconds(session):
        st.error(texts.upload_locked(wait), icon=":material/timer:")
        return False
    with st.form("unlock"):
        password = st.text_input(texts.UPLOAD_PASSWORD, type="password")
        if st.form_submit_button(texts.UPLOAD_UNLOCK, icon=":material/lock_open:"):
            if hmac.compare_digest(password.encode(), str(settings.admin_password).encode()):
                limiter.succeeded(session)
                st.session_state[_UNLOCKED] = True
                st.rerun()
            limiter.failed(session)
            wait = limiter.wait_seconds(session)
            st.error(texts.upload_locked(wait) if wait else texts.UPLOAD_WRONG_PASSWORD)
    return False


def show_outcome() -> None:
    """The result of the last upload round, kept across the rerun that empties the uploader."""
    outcome: tuple[list[UploadResult], list[FileError]] | None = st.session_state.pop(_OUTCOME, None)
    if outcome is None:
        return
    results, skipped = outcome
    accepted = [result for result in results if result.accepted]
    if accepted:
        st.success(texts.UPLOAD_DONE.format(names=", ".join(f"**{r.name}**" for r in accepted)),
                   icon=":material/check_circle:")
    for result in accepted:
        if result.replaced:
            st.info(texts.UPLOAD_REPLACED.format(name=result.name, replaced=", ".join(result.replaced)),
                    icon=":material/sync:")
    for result in results:
        if not result.accepted:
            st.error(texts.UPLOAD_REJECTED.format(name=escape_markdown(result.original_name), reason=result.reason),
                     icon=":material/block:")
    for error in skipped:
        st.warning(texts.UPLOAD_SKIPPED.format(path=escape_markdown(error.path), reason=error.reason))


def upload_form(settings: Settings) -> None:
    round_number = st.session_state.setdefault(_UPLOADER_ROUND, 0)
    # Only supported types can be picked: an .exe is refused in the file dialog, not after "Inlezen".
    files = st.file_uploader(texts.UPLOAD_PICK, accept_multiple_files=True, key=f"uploader-{round_number}",
                             type=[suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES])
    if not st.button(texts.UPLOAD_START, type="primary", disabled=not files, icon=":material/upload_file:"):
        return
    with friendly_errors():
        progress = StreamlitProgress()
        engine = get_engine(settings)
        results = [engine.save_upload(file.name, file.getvalue()) for file in files or []]
        skipped = engine.ingest(progress=progress).errors if any(r.accepted for r in results) else []
        progress.clear()
        st.session_state[_OUTCOME] = (results, skipped)
        st.session_state[_UPLOADER_ROUND] = round_number + 1
        st.rerun()


def uploaded_documents(settings: Settings) -> None:
    st.subheader(texts.UPLOAD_LIST)
    uploads = list_uploads(settings)
    if not uploads:
        st.caption(texts.UPLOAD_NONE)
        return
    try:
        indexed = {doc.doc_id: doc for doc in get_engine(settings).list_documents()}
    except IndexMissingError:
        indexed = {}
    for path in uploads:
        doc = indexed.get(upload_doc_id(settings, path))
        info, action = st.columns([3, 1], vertical_alignment="center")
        if doc is None:
            info.markdown(texts.UPLOAD_NOT_INDEXED.format(file=escape_markdown(path.name)))
        else:
            line = texts.UPLOAD_DOCUMENT_LINE.format(file=escape_markdown(path.name), passages=texts.passage_count(doc.passages))
            info.markdown(f"**{escape_markdown(doc.title)}**  \n{line}")
            if note := excluded_sentences_note(doc.instructions):
                info.warning(escape_markdown(note), icon=":material/shield:")
        if action.button(texts.UPLOAD_REMOVE, key=f"remove-{path.name}", icon=":material/delete:", width="stretch"):
            with friendly_errors():
                removed = get_engine(settings).remove_upload(path.name)
                st.session_state[_REMOVED] = texts.UPLOAD_REMOVED.format(
                    name=path.name, passages=texts.passage_count(removed))
                st.rerun()


def main() -> None:
    settings = get_settings()
    st.title(texts.UPLOAD_TITLE)
    st.markdown(texts.UPLOAD_INTRO.format(types=ALLOWED_TYPES_NL, max_mb=settings.max_file_mb))
    if not access_granted(settings):
        return
    with friendly_errors():
        get_engine(settings)
    if removed := st.session_state.pop(_REMOVED, None):
        st.success(removed, icon=":material/delete:")
    show_outcome()
    # The list is drawn before the form runs an ingest, so it stays on screen while the ingest works.
    form = st.container()
    uploaded_documents(settings)
    with form:
        upload_form(settings)


main()
