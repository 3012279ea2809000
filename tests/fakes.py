"""Stand-ins for the answer engine's fitted models and for an index snapshot, for tests without a model.

The extractive backend takes its unit scorer and answerability model as constructor arguments
(`ExtractiveBackend(settings, unit_model, answer_model)`); the committed fits (`assistant/weights/`)
are tuned to e5's cosines on the real corpus, so tests on hand-made passages use these instead:

- `cosine_unit_model(center)`: a `LogisticModel` over the real feature list that looks at the cosine
  only, so a unit's score rises with its cosine (as the old sentence-cosine composer ranked them);
- `CosineAnswerability(min_cosine)`: answerable when the best candidate unit reaches `min_cosine`;
- `search_index(...)`: a real `SearchIndex` over a few passages whose sentence vectors the test chooses;
- `InterruptedChatModel`: a live LLM stream that a click interrupts, as Streamlit interrupts a script run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.outputs import ChatGenerationChunk
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from assistant.answer.evidence import FEATURES, Unit
from assistant.answer.scoring import LogisticModel
from assistant.models import Passage
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.lexical import BM25, analyse, words
from assistant.search.retriever import SearchResult
from assistant.search.snapshot import SearchIndex


def cosine_unit_model(center: float = 0.8, steepness: float = 20.0) -> LogisticModel:
    """score = sigmoid(steepness * (cosine - center)): 0.5 at `center`, monotone in the cosine."""
    coef = np.asarray([steepness if name == "cosine" else 0.0 for name in FEATURES])
    return LogisticModel(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef, -steepness * center)


class CosineAnswerability:
    """Answers when the best candidate unit's cosine reaches `min_cosine` (never without candidates)."""

    def __init__(self, min_cosine: float) -> None:
        self.min_cosine = min_cosine

    def answerable(self, units: list[Unit], result: SearchResult, threshold: float | None = None) -> bool:
        return bool(units) and max(unit.cosine for unit in units) >= self.min_cosine


def search_index(passages: list[Passage], sentences: dict[str, list[str]], vectors: dict[str, np.ndarray],
                 facts: CorpusFacts | None = None) -> SearchIndex:
    """A snapshot over `passages` with the given answer units and unit vectors (rows in unit order)."""
    return SearchIndex(
        generation=1,
        passages=list(passages),
        position={p.id: i for i, p in enumerate(passages)},
        bm25=BM25.build([analyse(f"{p.title} {p.heading or ''} {p.text}") for p in passages]),
        vocabulary=frozenset(w for p in passages for w in words(f"{p.title} {p.text}")),
        sentences=sentences,
        sentence_vectors={pid: np.asarray(matrix, dtype=np.float32) for pid, matrix in vectors.items()},
        facts=facts or CorpusFacts(),
    )


def unit_vectors_with_cosines(cosines: list[float]) -> np.ndarray:
    """Unit vectors whose dot product with `QUERY` (the first axis) is exactly each given cosine."""
    return np.asarray([[c, float(np.sqrt(max(0.0, 1.0 - c * c))), 0.0] for c in cosines], dtype=np.float32)


QUERY = np.asarray([1.0, 0.0, 0.0], dtype=np.float32)
"""The query vector that goes with `unit_vectors_with_cosines`."""


class InterruptedChatModel(GenericFakeChatModel):
    """Streams its message word by word, and once `interrupt_after` has been streamed raises what
    Streamlit raises in a running script when the user clicks a button (with `runner.fastReruns`, the
    default: `StopException`). An AppTest run then ends as the interrupted run does in the browser,
    and the click's own run (`at.button(...).click().run()`) is the one that must finish the answer."""

    interrupt_after: str = ""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        written = ""
        for chunk in super()._stream(*args, **kwargs):
            yield chunk
            written += str(chunk.message.content)
            if self.interrupt_after and self.interrupt_after in written:
                raise StopException()


def passage(pid: str = "p", **fields: object) -> Passage:
    """A law passage `pid` of its own document; `fields` override any field."""
    values: dict[str, object] = {
        "id": pid,
        "doc_id": f"doc/{pid}",
        "text": f"tekst {pid}",
        "title": "t",
        "type": "wetgeving",
        "position": 0,
    }
    values.update(fields)
    return Passage(**values)  # type: ignore[arg-type]
