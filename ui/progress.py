"""Ingest progress as a Streamlit progress bar: the engine's `ProgressReporter` protocol, drawn in the page."""

from __future__ import annotations

import streamlit as st

from ui import texts


class StreamlitProgress:
    """One bar that restarts for every ingest stage (reading files, embedding sentences and passages)."""

    def __init__(self) -> None:
        self._bar = st.progress(0.0, text=texts.UPLOAD_SAVING)
        self._description = ""
        self._total = 0
        self._done = 0

    def stage(self, description: str, total: int) -> None:
        self._description, self._total, self._done = description, total, 0
        self._draw()

    def advance(self, steps: int = 1) -> None:
        self._done = min(self._total, self._done + steps)
        self._draw()

    def _draw(self) -> None:
        fraction = self._done / self._total if self._total else 1.0
        text = texts.UPLOAD_STAGE.format(stage=self._description, done=self._done, total=self._total)
        self._bar.progress(fraction, text=text)

    def clear(self) -> None:
        self._bar.empty()
