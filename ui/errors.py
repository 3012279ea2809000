"""The app's one error boundary: engine errors become their Dutch message, anything else a calm
Dutch notice plus a log entry for the maintainer. Users never see a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from assistant.errors import AssistantError
from ui import texts

log = logging.getLogger("samenwerkingsassistent.app")


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Show errors raised in the block as a Dutch st.error; Streamlit's own rerun/stop signals pass
    through untouched (they derive from BaseException, not Exception)."""
    try:
        yield
    except AssistantError as error:
        log.warning("engine error: %s (source: %s)", error, error.source)
        st.error(texts.ENGINE_ERROR.format(message=error.message), icon=":material/error:")
    except Exception:
        log.exception("unexpected error in the app")
        st.error(texts.UNEXPECTED_ERROR, icon=":material/error:")
