"""An answer as it is written: text chunks first, then the finished (guarded) `Answer`.

Every backend returns one from `stream`, so the app and the CLI treat the extractive default and
a streaming language model alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from assistant.models import Answer

log = logging.getLogger(__name__)


class AnswerStream:
    """Model text as it arrives, then the guarded `Answer`.

    Iterate it for the raw chunks (e.g. `st.write_stream(stream)`), then read `.answer` and show its
    text in place of the streamed text: the guard may drop sentences and renumbers the markers, and
    only `.answer` carries the citations. Reading `.answer` before iterating consumes the stream.
    A model error ends the chunks early; `.answer` then is the fallback answer with a note.
    """

    def __init__(self, chunks: Iterable[str], finish: Callable[[str, Exception | None], Answer],
                 live: bool = True) -> None:
        self._chunks = chunks
        self._finish = finish
        self._answer: Answer | None = None
        self.live = live
        """False when the answer was finished before streaming began (a UI may show it at once)."""

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A finished answer as a one-chunk stream, so callers treat every backend alike."""
        return cls([answer.text], lambda _text, _error: answer, live=False)

    def __iter__(self) -> Iterator[str]:
        if self._answer is not None:
            return
        parts: list[str] = []
        error: Exception | None = None
        try:
            for chunk in self._chunks:
                parts.append(chunk)
                yield chunk
        except Exception as exc:  # connection, timeout, server errors: every client raises its own types
            log.warning("LLM call failed: %s: %s", exc.__class__.__name__, exc)
            error = exc
        self._answer = self._finish("".join(parts), error)

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        assert self._answer is not None
        return self._answer
