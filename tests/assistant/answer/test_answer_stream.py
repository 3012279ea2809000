"""assistant.answer.answer_stream: an answer as it is written, finished once, stoppable from any thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.answer.answer_stream import AnswerStream, complete_part
from assistant.messages import STOPPED_NOTE
from assistant.models import Answer

pytestmark = pytest.mark.unit


def finished(text: str, error: Exception | None) -> Answer:
    """A finish that records what it was given: the text, and the error's type as a note."""
    return Answer(text=text, citations=[], refused=False, search_query="q",
                  guard_notes=[type(error).__name__] if error else [])


def test_the_chunks_stream_then_the_finished_answer_carries_the_whole_text() -> None:
    stream = AnswerStream(iter(["Eerste zin. ", "Tweede zin."]), finished)
    assert list(stream) == ["Eerste zin. ", "Tweede zin."]
    assert stream.answer.text == "Eerste zin. Tweede zin." and stream.live


def test_reading_the_answer_first_consumes_the_stream() -> None:
    stream = AnswerStream(iter(["a", "b"]), finished)
    assert stream.answer.text == "ab"
    assert list(stream) == []


def test_a_model_error_ends_the_chunks_and_finishes_with_it() -> None:
    def failing() -> Iterator[str]:
        yield "Eerste zin. "
        raise TimeoutError("model")

    stream = AnswerStream(failing(), finished)
    assert list(stream) == ["Eerste zin. "]
    assert stream.answer.guard_notes == ["TimeoutError"]


def test_stop_finishes_from_the_complete_sentences_and_says_so() -> None:
    stream = AnswerStream(iter(["Eerste zin. ", "Tweede zi", "n die nooit komt."]), finished)
    chunks = iter(stream)
    next(chunks), next(chunks)
    stopped = stream.stop()
    assert stopped.text == "Eerste zin." and stopped.guard_notes[0] == STOPPED_NOTE and stream.stopped
    assert list(chunks) == [] and stream.answer is stopped


def test_a_finished_answer_streams_as_one_chunk() -> None:
    answer = finished("Klaar.", None)
    stream = AnswerStream.of(answer)
    assert not stream.live and list(stream) == ["Klaar."] and stream.answer is answer


@pytest.mark.parametrize(
    ("text", "complete"),
    [("Een zin. Een halve", "Een zin."), ("Met bron [1] en meer", "Met bron [1]"), ("Niets af", ""),
     ("Regel een\nregel twee", "Regel een")],
)
def test_complete_part_keeps_whole_sentences_only(text: str, complete: str) -> None:
    assert complete_part(text) == complete
