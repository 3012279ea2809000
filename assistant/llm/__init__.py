"""Optional LLM answer backends (`ASSISTENT_BACKEND=openai|ollama|local`), always behind the citation guard.

`build_llm_backend` is what `assistant.service.get_backend` calls for any backend but "extractive".
Any LangChain chat model can be wrapped directly: `LLMBackend(chat_model, retriever, settings, name)`.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.llm.backend import AnswerStream, LLMBackend
from assistant.llm.chat_models import build_chat_model
from assistant.llm.rewrite import rewrite_with_llm
from assistant.retrieval import Retriever

__all__ = ["AnswerStream", "LLMBackend", "build_llm_backend", "rewrite_with_llm"]


def build_llm_backend(name: str, retriever: Retriever, settings: Settings) -> LLMBackend:
    return LLMBackend(build_chat_model(name, settings), retriever, settings, name)
