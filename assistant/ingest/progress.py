"""Progress reporting for long ingests, the same calls for the terminal and the Streamlit app."""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class ProgressReporter(Protocol):
    def stage(self, description: str, total: int) -> None:
        """A new stage of `total` steps starts (reading files, embedding passages)."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more steps of the current stage are done."""


class NullProgress:
    def stage(self, description: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


class RichProgress:
    """A terminal progress bar per stage; a context manager so the bar is cleaned up on errors."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=console, transient=False,
        )
        self._task: int | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def stage(self, description: str, total: int) -> None:
        self._task = self._progress.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)
