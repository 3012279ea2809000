"""The configured chat model for `ASSISTENT_BACKEND`: `openai`, `ollama` or `local`.

Client libraries are imported here, inside the functions, so the extractive default never loads
them. Construction does no network call; an unreachable server shows up on the first question,
where the backend falls back to the extractive answer with a note.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.config import Settings
from assistant.errors import ConfigError

NO_KEY = "niet-nodig"
"""llama.cpp's server, vLLM and Ollama ignore the key, but the OpenAI client insists on one."""


def openai_chat(settings: Settings) -> BaseChatModel:
    """Any OpenAI-compatible endpoint: OpenAI, Azure's v1 API, llama.cpp's server, vLLM, Ollama's /v1."""
    from langchain_openai import ChatOpenAI

    if not settings.llm_base_url and not settings.llm_api_key:
        raise ConfigError(
            "de openai-backend heeft een API-sleutel (ASSISTENT_LLM_API_KEY) nodig, of een eigen server "
            "(ASSISTENT_LLM_BASE_URL, bijvoorbeeld http://127.0.0.1:8080/v1)",
            source="ASSISTENT_LLM_API_KEY",
        )
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or NO_KEY,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
        max_retries=1,
    )


def ollama_chat(settings: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.ollama_model,
        base_url=settings.ollama_url,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout_s},
    )


def local_chat(settings: Settings) -> BaseChatModel:
    from assistant.llm.llama_cpp_chat import ChatLlamaCpp

    return ChatLlamaCpp(
        model_path=str(settings.local_model_path),
        n_ctx=settings.local_context,
        n_threads=settings.local_threads,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
    )


BUILDERS = {"openai": openai_chat, "ollama": ollama_chat, "local": local_chat}


def build_chat_model(name: str, settings: Settings) -> BaseChatModel:
    if name not in BUILDERS:
        raise ConfigError(f"onbekende backend '{name}'; kies extractive, {', '.join(BUILDERS)}", source="ASSISTENT_BACKEND")
    return BUILDERS[name](settings)
