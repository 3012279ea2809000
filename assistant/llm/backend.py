"""An answer backend around any LangChain chat model, with the citation guard on every answer.

Flow per question:
1. The extractive backend answers first (milliseconds). When it refuses outright (nothing relevant,
   an instruction, a request for legal approval), that refusal stands and the model is not asked:
   a language model given irrelevant passages is the usual source of answers from outside them.
2. The model gets the Dutch prompt (`prompt.py`) and its text streams out as it comes.
3. The complete text goes through `CitationGuard`. A refusal sentence becomes our refusal; an answer
   left without a valid citation, or a model that failed, becomes the extractive answer, with a
   Dutch note in `Answer.guard_notes` saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from langchain_core.language_models import BaseChatModel

from assistant.answering import ExtractiveBackend, refusal
from assistant.config import Settings
from assistant.guard import NOTE_FALLBACK, NOTE_NOT_ASKED, CitationGuard, note_model_failed
from assistant.llm.prompt import build_messages
from assistant.llm.rewrite import rewrite_with_llm
from assistant.models import Answer, ScoredPassage, Turn
from assistant.retrieval import QueryAnalysis, Retriever

log = logging.getLogger(__name__)

History = Sequence[Mapping[str, str] | Turn] | None


class AnswerStream:
    """Model text as it arrives, then the guarded `Answer`.

    Iterate it for the raw chunks (e.g. `st.write_stream(stream)`), then read `.answer` and show its
    text in place of the streamed text: the guard may drop sentences and renumbers the markers, and
    only `.answer` carries the citations. Reading `.answer` before iterating consumes the stream.
    A model error ends the chunks early; `.answer` then is the fallback answer with a note.
    """

    def __init__(self, chunks: Iterable[str], finish: Callable[[str, Exception | None], Answer]) -> None:
        self._chunks = chunks
        self._finish = finish
        self._answer: Answer | None = None

    @classmethod
    def of(cls, answer: Answer) -> AnswerStream:
        """A finished answer as a one-chunk stream, so callers treat every backend alike."""
        return cls([answer.text], lambda _text, _error: answer)

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


class LLMBackend:
    """Answers with a chat model, guarded; `name` is the configured backend ("openai", "ollama", "local")."""

    def __init__(self, chat_model: BaseChatModel, retriever: Retriever, settings: Settings, name: str = "llm") -> None:
        self.chat_model = chat_model
        self.retriever = retriever
        self.settings = settings
        self.name = name
        self.extractive = ExtractiveBackend(retriever, settings)
        self.guard = CitationGuard(retriever, settings)

    def rewrite_query(self, question: str, history: History) -> str:
        """The search query for a follow-up, resolved by the model (see `rewrite.py`)."""
        return rewrite_with_llm(self.chat_model, question, history)

    def answer(self, question: str, analysis: QueryAnalysis, retrieved: list[ScoredPassage],
               query_vector: np.ndarray, history: History = None) -> Answer:
        return self.stream(question, analysis, retrieved, query_vector, history).answer

    def stream(self, question: str, analysis: QueryAnalysis, retrieved: list[ScoredPassage],
               query_vector: np.ndarray, history: History = None) -> AnswerStream:
        extractive = self.extractive.answer(question, analysis, retrieved, query_vector)
        if extractive.refused and extractive.refusal_reason != "missing_value":
            return AnswerStream.of(self._relabel(extractive, [NOTE_NOT_ASKED]))
        passages = [item.passage for item in retrieved[: self.settings.llm_passages]]
        messages = build_messages(question, passages, history, self.settings.llm_history_turns)
        chunks = (chunk.text for chunk in self.chat_model.stream(messages) if chunk.text)

        def finish(text: str, error: Exception | None) -> Answer:
            if error is not None:
                return self._relabel(extractive, [note_model_failed(error)])
            result = self.guard.check(text, passages, analysis.question)  # the standalone search query
            if result.refused:
                refused = extractive if extractive.refused else refusal("not_found", analysis, retrieved, self.name)
                return self._relabel(refused, result.notes)
            if not result.citations:
                return self._relabel(extractive, [*result.notes, NOTE_FALLBACK])
            return Answer(
                text=result.text, citations=result.citations, refused=False, search_query=analysis.question,
                backend=self.name, retrieved=retrieved, guard_notes=result.notes,
            )

        return AnswerStream(chunks, finish)

    def _relabel(self, answer: Answer, notes: list[str]) -> Answer:
        """An answer given in this backend's name, with the notes that say why it is not the model's own."""
        answer.backend = self.name
        answer.guard_notes = [*answer.guard_notes, *notes]
        return answer
