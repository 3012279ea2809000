"""Optional LLM answer backends (`ASSISTENT_BACKEND=openai|ollama|local`), always behind the citation guard.

`build_llm_backend` is what the `Engine` calls for any backend but "extractive".
Any LangChain chat model can be wrapped directly: `LLMBackend(chat_model, encoder, settings, name)`.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.llm.backend import LLMBackend
from assistant.llm.chat_models import build_chat_model
from assistant.llm.guard import Encoder
from assistant.llm.rewrite import rewrite_with_llm

__all__ = ["LLMBackend", "build_llm_backend", "rewrite_with_llm"]


def build_llm_backend(name: str, encoder: Encoder, settings: Settings) -> LLMBackend:
    return LLMBackend(build_chat_model(name, settings), encoder, settings, name)
