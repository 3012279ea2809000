"""A LangChain chat model over llama-cpp-python, for the in-process `local` backend.

Why our own small class: langchain-community's ChatLlamaCpp would pull in a large package for two
methods. llama-cpp-python stays optional: it is imported only when a local model is loaded, and a
missing package or GGUF file becomes a Dutch `ConfigError` that says how to build it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from assistant.errors import ConfigError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


@lru_cache(maxsize=2)
def load_llama(model_path: str, n_ctx: int, n_threads: int | None) -> tuple[Any, threading.Lock]:
    """Load a GGUF model once per process (about 1 GB mapped into memory), with the lock that serialises
    its use: a llama.cpp context is not thread-safe, and Streamlit answers each session in its own thread."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigError(
            "de lokale backend heeft llama-cpp-python nodig, en dat is niet geïnstalleerd; "
            "bouw het met `make local-llm` (ongeveer 6 minuten) of kies een andere backend",
            source="ASSISTENT_BACKEND",
        ) from exc
    if not Path(model_path).is_file():
        raise ConfigError(
            f"het lokale taalmodel {model_path} ontbreekt; maak het met `make local-llm` "
            "of wijs met ASSISTENT_LOCAL_MODEL_PATH een ander GGUF-bestand aan",
            source="ASSISTENT_LOCAL_MODEL_PATH",
        )
    return Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False), threading.Lock()


class ChatLlamaCpp(BaseChatModel):
    """Chat completions from a local GGUF model, with the chat template stored in the model file."""

    model_path: str
    n_ctx: int = 8192
    n_threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 600
    repeat_penalty: float = 1.1  # small models otherwise loop on a sentence until max_tokens
    _llama: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._llama, self._lock = load_llama(self.model_path, self.n_ctx, self.n_threads)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> Any:
        return self._llama.create_chat_completion(
            messages=[{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            temperature=self.temperature, max_tokens=self.max_tokens, repeat_penalty=self.repeat_penalty,
            stop=stop, stream=stream,
        )

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with self._lock:
            content = self._request(messages, stop, stream=False)["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            for part in self._request(messages, stop, stream=True):
                if text := part["choices"][0]["delta"].get("content"):
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
