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

from langchain_core.language_models import BaseChatModel

from assistant import messages
from assistant.answer.answer_stream import AnswerStream
from assistant.answer.answering import ExtractiveBackend, History, refusal
from assistant.config import Settings
from assistant.llm.guard import NOTE_FALLBACK, NOTE_NOT_ASKED, CitationGuard, Encoder, note_model_failed
from assistant.llm.prompt import build_messages
from assistant.llm.rewrite import rewrite_with_llm
from assistant.models import UPLOADED_TYPE, Answer, Citation
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.retriever import SearchResult


class LLMBackend:
    """Answers with a chat model, guarded; `name` is the configured backend ("openai", "ollama", "local")."""

    def __init__(self, chat_model: BaseChatModel, encoder: Encoder, settings: Settings, name: str = "llm") -> None:
        self.chat_model = chat_model
        self.settings = settings
        self.name = name
        self.extractive = ExtractiveBackend(settings)
        self.guard = CitationGuard(encoder, settings)

    def rewrite_query(self, question: str, history: History, facts: CorpusFacts) -> str:
        """The search query for a follow-up, resolved by the model (see `rewrite.py`)."""
        return rewrite_with_llm(self.chat_model, question, history, facts)

    def answer(self, question: str, result: SearchResult, history: History = None) -> Answer:
        return self.stream(question, result, history).answer

    def stream(self, question: str, result: SearchResult, history: History = None) -> AnswerStream:
        extractive = self.extractive.answer(question, result)
        if extractive.refused and extractive.refusal_reason != "missing_value":
            return AnswerStream.of(self._relabel(extractive, [NOTE_NOT_ASKED]))
        analysis, retrieved = result.analysis, result.passages
        passages = [item.passage for item in retrieved[: self.settings.llm_passages]]
        messages = build_messages(question, passages, history, self.settings.llm_history_turns)
        chunks = (chunk.text for chunk in self.chat_model.stream(messages) if chunk.text)

        def finish(text: str, error: Exception | None) -> Answer:
            if error is not None:
                return self._relabel(extractive, [note_model_failed(error)])
            checked = self.guard.check(text, passages, analysis.question, result.snapshot)  # the standalone search query
            if checked.refused:
                refused = extractive if extractive.refused else refusal("not_found", analysis, retrieved, self.name)
                return self._relabel(refused, checked.notes)
            if not checked.citations:
                return self._relabel(extractive, [*checked.notes, NOTE_FALLBACK])
            return Answer(
                text=_with_upload_note(checked.text, checked.citations, analysis.english), citations=checked.citations,
                refused=False, search_query=analysis.question, backend=self.name, retrieved=retrieved,
                guard_notes=checked.notes, typo_fixes=dict(analysis.typo_fixes),
            )

        return AnswerStream(chunks, finish)

    def _relabel(self, answer: Answer, notes: list[str]) -> Answer:
        """An answer given in this backend's name, with the notes that say why it is not the model's own."""
        answer.backend = self.name
        answer.guard_notes = [*answer.guard_notes, *notes]
        return answer


def _with_upload_note(text: str, citations: list[Citation], english: bool) -> str:
    """The model's own sentences carry no lead, so a last line names the cited sources that are uploads
    (the extractive answer says "Volgens een geüpload document:" before each such quote)."""
    uploaded = sorted({citation.number for citation in citations if citation.type == UPLOADED_TYPE})
    return f"{text}\n\n{messages.uploaded_note(uploaded, english)}" if uploaded else text
