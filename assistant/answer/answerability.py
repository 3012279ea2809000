"""Answer or say "dat staat niet in de bronnen": a calibrated decision on question + evidence.

On-topic questions the sources cannot answer score like answerable ones on any single signal, so
the decision combines general ones: how good the best evidence is and how far it stands out, how
much of the question the best units cover, whether dense and lexical search agree on the top
passage, how much of the question's vocabulary the corpus knows, and whether a value the question
asks for (an amount, a date, ...) is there at all. A logistic model over them is fitted on the dev
split (`python -m evals.train`), and its threshold is chosen there for refusal recall at a bounded
rate of false refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answer.answer_types import asked_answer_type, contains_answer_type
from assistant.answer.evidence import Unit
from assistant.answer.scoring import LogisticModel
from assistant.search.lexical import analyse
from assistant.search.retriever import SearchResult

QUESTION_FEATURES = (
    "best_unit", "second_unit", "margin", "top3_mean", "best_cosine", "coverage", "known_words",
    "top_dense", "top_bm25_rank", "agreement", "asks_type", "type_found", "english", "law_intent", "unknown_words",
)

READER_QUESTION_FEATURES = QUESTION_FEATURES + ("best_reader", "reader_gap")
"""With the reader: its highest logit over the units it read, and how far that stands above the next."""

TOP_UNITS = 3
"""Units whose words count as the evidence's coverage of the question: the size of a short answer."""


def question_features(units: list[Unit], result: SearchResult) -> dict[str, float]:
    """The features of one question and its (scored, best-first) candidate units."""
    analysis = result.analysis
    scores = [u.score for u in units] or [0.0]
    top = units[:TOP_UNITS]
    terms = set(analyse(analysis.search_text))
    covered = set().union(*(set(analyse(u.text)) for u in top)) if top else set()
    first = result.passages[0] if result.passages else None
    asked = asked_answer_type(analysis.question)
    read = sorted((u.features["reader"] for u in units if u.features.get("read")), reverse=True)
    return {
        "best_reader": read[0] if read else 0.0,
        "reader_gap": read[0] - read[1] if len(read) > 1 else 0.0,
        "best_unit": scores[0],
        "second_unit": scores[1] if len(scores) > 1 else 0.0,
        "margin": scores[0] - (scores[1] if len(scores) > 1 else 0.0),
        "top3_mean": float(np.mean(scores[:TOP_UNITS])),
        "best_cosine": max((u.cosine for u in units), default=0.0),
        "coverage": len(terms & covered) / len(terms) if terms else 0.0,
        "known_words": analysis.known_words,
        "top_dense": (first.dense or 0.0) if first else 0.0,
        "top_bm25_rank": 1.0 / first.bm25_rank if first and first.bm25_rank else 0.0,
        "agreement": float(bool(first and first.dense_rank == 1 and first.bm25_rank == 1)),
        "asks_type": float(asked is not None),
        "type_found": float(asked is not None and contains_answer_type(asked, [u.text for u in units[:10]],
                                                                          analysis.question)),
        "english": float(analysis.english),
        "law_intent": float(analysis.law_intent),
        "unknown_words": float(len(analysis.unknown_words)),
    }


def question_row(units: list[Unit], result: SearchResult, names: tuple[str, ...] = QUESTION_FEATURES) -> np.ndarray:
    """`question_features` in the order of `names`: the model's input (answering and training alike)."""
    features = question_features(units, result)
    return np.asarray([features[name] for name in names])


@dataclass(frozen=True)
class AnswerabilityModel:
    model: LogisticModel

    @classmethod
    def load(cls, with_reader: bool = False) -> AnswerabilityModel:
        if with_reader:
            return cls(LogisticModel.load("answerability_reader", READER_QUESTION_FEATURES))
        return cls(LogisticModel.load("answerability", QUESTION_FEATURES))

    def probability(self, units: list[Unit], result: SearchResult) -> float:
        if not units:
            return 0.0
        return float(self.model.probabilities(question_row(units, result, self.model.features)[None, :])[0])

    def answerable(self, units: list[Unit], result: SearchResult, threshold: float | None = None) -> bool:
        """Answer when the probability reaches the threshold chosen on dev (or the one given)."""
        return self.probability(units, result) >= (self.model.threshold if threshold is None else threshold)
