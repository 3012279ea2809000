"""Take the sentences that speak to the assistant out of the passages before they are indexed.

A planted instruction ("Chatbot, zeg bij elke vraag ...") must never be quoted as the sources'
answer, nor reach a language model as part of a passage. `assistant.ingest.instructions` decides per answer
unit from its sentence vector; here the flagged units are cut out of the passage text (so they are
neither an answer unit nor in what an LLM reads) and kept in the passage's `instructions` field, from
which `assistant corpus` and the upload page name them.

The screen needs the units' vectors, which ingest computes anyway: vectors of units already in the
index are read back, the others embedded once and handed on to the sentence collection's writer.
A document whose passages are all in the index under the same ids (same original text) and were
screened by the same fitted screen is not screened again, so an ingest that changes nothing embeds
and reads no vector. A document is screened whole: one clear instruction lowers the threshold for
its other sentences (`assistant.ingest.instructions.Screen.document_threshold`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Protocol

from assistant.answer.scoring import WEIGHTS_DIR
from assistant.config import BUNDLED_MODEL, Settings
from assistant.ingest.chunking import answer_units, content_hash
from assistant.ingest.instructions import MODEL_NAME, addresses_assistant, clauses
from assistant.models import Passage
from assistant.search.embeddings import TextEmbeddings, embedding_model_name, load_embeddings

SCREEN_KEY = "screen"
"""Passage metadata: the version of the screen that produced the stored text."""


@cache
def screen_version() -> str:
    """Changes whenever the fitted screen changes, so a refit screens every passage again."""
    return hashlib.sha256((WEIGHTS_DIR / f"{MODEL_NAME}.json").read_bytes()).hexdigest()[:12]


@dataclass
class Screened:
    passages: list[Passage]
    embedded: int = 0
    """Units the screen embedded (with the index's model, or the bundled one for another model). Not
    counted: the clauses of the units (`assistant.ingest.instructions.clauses`), embedded whenever their document
    is screened and never stored (their own progress stage)."""
    vectors: dict[str, list[float]] = field(default_factory=dict)
    """content hash -> vector of units embedded for the screen with the index's own model: the sentence
    collection's writer reuses them instead of embedding the same text again."""


def screen(passages: list[Passage], stored_passages: StoredRows, stored_units: StoredRows, settings: Settings,
           encoder: Callable[[], TextEmbeddings], embed: Callable[[TextEmbeddings, dict[str, str], bool], dict[str, list[float]]],
           ) -> Screened:
    """`passages` with the sentences that address the assistant cut out (see the module docstring).

    `encoder` gives the index's model; `embed(model, {key: text}, clauses)` embeds as ingest does (with
    progress; `clauses` says which stage: the units or their clauses)."""
    version = screen_version()
    documents: dict[str, list[Passage]] = {}
    for passage in passages:
        documents.setdefault(passage.doc_id, []).append(passage)

    def stored_as_screened(passage: Passage) -> bool:
        metadata = stored_passages.metadatas.get(passage.id)
        return metadata is not None and metadata.get(SCREEN_KEY) == version

    # A document is screened whole (the threshold for its sentences depends on all of them), and again
    # as soon as one of its passages is new or was cut by another screen.
    todo = {doc: parts for doc, parts in documents.items() if not all(stored_as_screened(p) for p in parts)}
    model_name = embedding_model_name(settings)
    screen_settings = settings.model_copy(update={"embedding_model": BUNDLED_MODEL, "embedding_precision": "fp32"})
    same_model = embedding_model_name(screen_settings) == model_name
    units = {content_hash(unit, model_name): unit for parts in todo.values() for p in parts for unit in answer_units(p)}
    vectors = stored_units.vectors_by_hash(set(units)) if same_model and units else {}
    missing = {key: unit for key, unit in units.items() if key not in vectors}
    clause_texts = {clause: clause for unit in units.values() for clause in clauses(unit)}
    screen_encoder = (encoder() if same_model else load_embeddings(screen_settings)) if missing or clause_texts else None
    embedded = embed(screen_encoder, missing, False) if missing else {}
    clause_vectors = embed(screen_encoder, clause_texts, True) if clause_texts else {}
    vectors.update(embedded)
    result: list[Passage] = []
    for doc, parts in documents.items():
        if doc not in todo:
            result.extend(replace(p, text=stored_passages.documents[p.id],
                                  instructions=stored_passages.metadatas[p.id].get("instructions")) for p in parts)
            continue
        doc_units = list(dict.fromkeys(unit for p in parts for unit in answer_units(p)))
        doc_vectors = [vectors[content_hash(unit, model_name)] for unit in doc_units]
        flags = addresses_assistant(doc_units, doc_vectors, clause_vectors)
        flagged = {unit for unit, flag in zip(doc_units, flags, strict=True) if flag}
        for passage in parts:
            found = [unit for unit in answer_units(passage) if unit in flagged]
            result.append(replace(passage, text=_without(passage.text, found) if found else passage.text,
                                  instructions="\n".join(found) or None))
    order = {passage.id: n for n, passage in enumerate(passages)}
    result.sort(key=lambda passage: order[passage.id])
    return Screened(result, len(embedded), embedded if same_model else {})


def _without(text: str, sentences: list[str]) -> str:
    """`text` without these sentences (each lies within one line), and without lines left empty."""
    for sentence in sentences:
        text = text.replace(sentence, "", 1)
    lines = (re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


class StoredRows(Protocol):
    """What the screen reads of a stored collection (`assistant.ingest.indexer._Stored`)."""

    documents: dict[str, str]
    metadatas: dict[str, dict]

    def vectors_by_hash(self, hashes: set[str]) -> dict[str, list[float]]: ...
