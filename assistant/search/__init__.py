"""The search room: from a question to a ranked `SearchResult`. The embedding model, question
analysis (`question`, `conversation`, `glossary`, `corpus_facts`, `lexical`), the snapshot of an
index generation (`snapshot`, `snapshot_cache`) and the hybrid ranking (`retriever`)."""
