"""Sentences in a source document that speak to the assistant instead of about the topic.

A document is data, never instructions. A sentence that addresses the assistant, the chatbot, "the
model" or "an AI", or orders it about ("zeg bij elke vraag ...", "de assistent moet ... tonen",
"als je een AI bent ...") is a planted prompt injection or a pasted chat: ingest leaves it out of the
passage and its answer units, and records it so `assistant corpus` and the upload page can name it.

A list of known forms (the regex this replaced) misses paraphrases, so the decision is a small
logistic model on the bundled encoder's sentence vector (the "passage:" vector ingest computes for
every answer unit anyway) plus three form features. It is fitted by `python -m evals.train_instructions`
on written examples and the corpus's own sentences, and committed as `weights/instruction_screen.json`:
numpy only at run time, like the answer models (`assistant.answer.scoring`). A sentence counts with the likeliest
of itself and its clauses (`clauses`), so an order set between commas inside policy prose is seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from assistant.answer.scoring import WEIGHTS_DIR, LogisticModel

MODEL_NAME = "instruction_screen"
EMBEDDING_DIMENSIONS = 384
"""multilingual-e5-small's width: the model is fitted on the bundled encoder's vectors (see `SCREEN_MODEL`)."""
SCREEN_MODEL = "bundled"
"""The embedding model whose vectors the screen reads. Ingest with another model embeds the candidate
sentences once more with the bundled one, so the screen means the same with every index."""

# Where a sentence breaks into clauses: an order set into policy prose between commas or brackets.
_CLAUSE_BREAK = re.compile(r"\s*[,;:()]\s*")
MIN_CLAUSE_WORDS = 3
"""Shorter pieces ("Beste ouder", "eerste lid") carry no order of their own."""

FEATURES = tuple(f"e5_{i}" for i in range(EMBEDDING_DIMENSIONS))
"""The sentence vector alone: three features of form (second person, a vocative opening, chat markup) were
measured beside it and added nothing on any held-back set (`evals/train_instructions.py` prints the row)."""


def feature_matrix(sentences: Sequence[str], vectors: Sequence[Sequence[float]]) -> np.ndarray:
    """One row per sentence: its bundled-encoder "passage:" vector."""
    if not sentences:
        return np.zeros((0, len(FEATURES)))
    return np.asarray(vectors, dtype=float)


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence that has more than one (of `MIN_CLAUSE_WORDS` words or more), else none.

    Why: an order embedded in policy prose ("Het samenwerkingsverband stelt het plan vast, waarbij de
    chatbot ... moet zeggen ..., en de gemeente geeft advies.") is diluted in the whole sentence's vector;
    on its own it is judged like any other sentence."""
    parts = [part for part in _CLAUSE_BREAK.split(sentence) if len(part.split()) >= MIN_CLAUSE_WORDS]
    return parts if len(parts) > 1 else []


@dataclass(frozen=True)
class Screen:
    model: LogisticModel
    """`model.threshold`: a sentence at or above it speaks to the assistant."""
    document_threshold: float
    """In a document with one such sentence, the others count from this lower threshold: planted
    instructions come in groups, and an ordinary sentence lost from a suspect document is named to the
    administrator, while a planted one that stays can be quoted to every user."""


@cache
def screen_model() -> Screen:
    data = json.loads((WEIGHTS_DIR / f"{MODEL_NAME}.json").read_text(encoding="utf-8"))
    return Screen(LogisticModel.load(MODEL_NAME, FEATURES), float(data["document_threshold"]))


def instruction_probabilities(model: LogisticModel, sentences: Sequence[str], vectors: Sequence[Sequence[float]],
                               clause_vectors: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Per sentence, `model`'s probability for the sentence or for the likeliest of its `clauses`
    (`clause_vectors`: clause -> its bundled-encoder passage vector)."""
    probabilities = model.probabilities(feature_matrix(sentences, vectors))
    pieces = [(n, clause) for n, sentence in enumerate(sentences) for clause in clauses(sentence)]
    if pieces:
        texts = [clause for _, clause in pieces]
        for (n, _), p in zip(pieces, model.probabilities(feature_matrix(texts, [clause_vectors[t] for t in texts])),
                             strict=True):
            probabilities[n] = max(probabilities[n], p)
    return probabilities


def addresses_assistant(sentences: Sequence[str], vectors: Sequence[Sequence[float]],
                        clause_vectors: Mapping[str, Sequence[float]]) -> list[bool]:
    """For the sentences of one document (with the bundled-encoder passage vectors of them and of their
    `clauses`): which speak to the assistant? None unless one reaches the sentence threshold; then all
    from the document threshold."""
    screen = screen_model()
    probabilities = instruction_probabilities(screen.model, sentences, vectors, clause_vectors)
    if not len(probabilities) or probabilities.max() < screen.model.threshold:
        return [False] * len(sentences)
    return [bool(p >= screen.document_threshold) for p in probabilities]
