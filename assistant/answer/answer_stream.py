"""An answer as it is written: text chunks first, then the finished (guarded) `Answer`.

Every backend returns one from `stream`, so the app and the CLI treat the extractive default and
a streaming language model alike."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator

from assistant.messages import STOPPED_NOTE
from assistant.models import Answer

log = logging.getLogger(__name__)


class AnswerStream:
    """Model text as it arrives, then the guarded `Answer`.

    Iterate it for the raw chunks (e.g. `st.write_stream(stream)`), then read `.answer` and show its
    text in place of the streamed text: the guard may drop sentences and renumbers the markers, and
    only `.answer` carries the citations. Reading `.answer` before iterating consumes the stream.
    A model error ends the chunks early; `.answer` then is the fallback answer with a note.

    `stop()` ends it where it is, from any thread: a web front end's stop button reruns its script
    on another thread while the interrupted one may still be waiting for the model's next chunk.
    """

    def __init__(self, chunks: Iterable[str], finish: Callable[[str, Exception | None], Answer],
                 live: bool = True) -> None:
        self._chunks = chunks
        self._finish = finish
        self._answer: Answer | None = None
        self._parts: list[str] = []
        self._lock = threading.Lock()
        self.stopped = False
        """True once `stop()` ended the stream before the model had finished."""
        self.live = live
        """False when the answer was finished before streaming began (a UI may show it at once)."""

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A finished answer as a one-chunk stream, so callers treat every backend alike."""
        return cls([answer.text], lambda _text, _error: answer, live=False)

    def __iter__(self) -> Iterator[str]:
        if self._answer is not None:
            return
        error: Exception | None = None
        try:
            for chunk in self._chunks:
                with self._lock:
                    if self.stopped:  # stop() has finished the answer: end the model's stream too
                        _close(self._chunks)
                        return
                    self._parts.append(chunk)
                yield chunk
        except Exception as exc:  # connection, timeout, server errors: every client raises its own types
            log.warning("LLM call failed: %s: %s", exc.__class__.__name__, exc)
            error = exc
        with self._lock:
            if self._answer is None:
                self._answer = self._finish("".join(self._parts), error)

    @property
    def written(self) -> str:
        """The text streamed so far."""
        with self._lock:
            return "".join(self._parts)

    def stop(self) -> Answer:
        """End the stream now and finish the answer from its complete sentences so far: the same
        finishing (for an LLM: the citation guard) as a full answer, plus a note that it was stopped.
        A stream that had already finished keeps its answer."""
        with self._lock:
            if self._answer is None:
                self.stopped = True
                self._answer = self._finish(complete_part("".join(self._parts)), None)
                self._answer.guard_notes = [STOPPED_NOTE, *self._answer.guard_notes]
            return self._answer

    @property
    def answer(self) -> Answer:
        if self._answer is None:
            for _ in self:
                pass
        assert self._answer is not None
        return self._answer


_SENTENCE_END = re.compile(r"(?:[.!?]|\[\d{1,3}\])[\"')]*(?=\s|$)|\n")


def complete_part(text: str) -> str:
    """`text` up to the end of its last complete sentence (or line): a sentence cut off mid-word is
    no claim to check, and must not be shown as one."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]].rstrip() if ends else ""


def _close(chunks: Iterable[str]) -> None:
    """Close a generator of chunks, which for a streaming client closes its connection."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
