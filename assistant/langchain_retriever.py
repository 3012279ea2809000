"""Our hybrid retrieval as a LangChain `BaseRetriever`, for users who build their own chains on it."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.config import Settings
from assistant.engine import engine_for


class HybridRetriever(BaseRetriever):
    """Dense + BM25 + rerank, exactly as `ask` searches; each Document carries the passage metadata
    (doc_id, article, lid, page, source_url) and the rank score in `metadata["score"]`."""

    settings: Settings | None = None
    filters: dict[str, Any] | None = None
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = engine_for(self.settings).search(query, self.filters, k=self.k)
        documents = []
        for item in result.passages:
            document = item.passage.to_document()
            document.metadata["score"] = item.score
            documents.append(document)
        return documents
