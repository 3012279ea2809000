"""Evidence at the level of answer units (sentences, list items, lids), across passages.

Candidates are the units of the top passages plus the best units of a unit-level search over the
whole index (sentence-window retrieval): the sentence that answers often sits in a passage that
ranks below the top passage as a whole. Each candidate gets general features (no feature names a
word, a document or a question) that a small fitted model (`assistant/answer/scoring.py`) turns into the
probability that the unit carries an expected fact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.answer_types import asked_answer_type, contains_answer_type
from assistant.answer.scoring import LogisticModel
from assistant.models import OUTDATED_TYPE, Passage
from assistant.search.lexical import analyse
from assistant.search.question import law_match
from assistant.search.retriever import SearchResult
from assistant.textutils import is_list_item, word_count

# Units that lean on the sentence before them: "Daarom ...", "Dit betekent ...", "Zij ...".
_ANAPHOR_START = re.compile(
    r"^(daarom|daardoor|daarmee|daarbij|daarnaast|daarin|daarvoor|daarover|dit|deze|dat|die|zij|ze|hij|het is|"
    r"hierdoor|hiermee|hierbij|hiervoor|ook|bovendien|tevens|verder|dus|zo|maar|en)\b",
    re.IGNORECASE,
)
_ANAPHOR_INSIDE = re.compile(r"\b(daar\s+aan|daaraan|daarbij|hiervan|daarvan)\b", re.IGNORECASE)
_TERMINAL = (".", "!", "?", ";", ":", "”", "\"", "’", ")")

SOURCE_KINDS = ("wetgeving", "primair", "samenvatting")
"""Law, other primary documents (handreiking, praktijk, opinie, uploads) and the project's own summaries."""

FEATURES = (
    "cosine", "cosine_gap", "unit_rank", "in_top_passages", "passage_rank", "passage_dense",
    "unit_overlap", "unit_idf_overlap", "passage_overlap", "position", "heading", "question",
    "lead_in", "list_item", "anaphor", "hubness", "law_match", "asks_type", "has_type",
    "kind_law", "kind_summary", "log_words", "outdated", "outdated_asked",
)
"""The feature vector of a unit, in this order; the fitted weights are stored by these names."""

READER_FEATURES = ("read", "reader")
"""Added when the reader runs: whether the reader read the unit (the unit scorer's best `READ_UNITS`)
and its logit (0 for a unit it did not read)."""
FEATURES_WITH_READER = FEATURES + READER_FEATURES


@dataclass
class Unit:
    """One candidate answer unit with its passage, place in that passage, and features."""

    passage: Passage
    passage_rank: int | None
    """Rank (0-based) of the passage in the search result; None when only the unit search found it."""
    order: int
    text: str
    cosine: float
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    as_item: bool = False
    """A section heading brought in as one item of the enumeration a lead-in announces."""

    @property
    def key(self) -> tuple[str, int]:
        return self.passage.id, self.order

    @property
    def is_list_item(self) -> bool:
        if self.as_item:
            return True
        starts_lid = bool(self.passage.lid) and self.text.startswith(f"{self.passage.lid}. ")
        return is_list_item(self.text) and not starts_lid

    @property
    def is_lead_in(self) -> bool:
        return self.text.rstrip().endswith(":")

    @property
    def is_heading(self) -> bool:
        """A title or heading line: short and without closing punctuation (never an answer on its own)."""
        text = self.text.strip()
        return not self.is_list_item and not text.endswith(_TERMINAL) and word_count(text) <= 12

    @property
    def is_question(self) -> bool:
        """The source's own (rhetorical) question: it frames an answer, it is none."""
        return self.text.rstrip().endswith("?")

    @property
    def leans_back(self) -> bool:
        return bool(_ANAPHOR_START.match(self.text.strip()) or _ANAPHOR_INSIDE.search(self.text))


def candidate_units(result: SearchResult, answer_passages: int) -> list[Unit]:
    """The units of the top `answer_passages` passages and of the unit search's hits, each once."""
    snapshot, vector = result.snapshot, result.query_vector
    units: dict[tuple[str, int], Unit] = {}
    ranks = {item.passage.id: rank for rank, item in enumerate(result.passages)}
    for item in result.passages[:answer_passages]:
        for order, (text, cosine) in enumerate(snapshot.sentence_scores(item.passage.id, vector)):
            units[(item.passage.id, order)] = Unit(item.passage, ranks[item.passage.id], order, text, cosine)
    for passage_id, order, cosine in result.unit_hits:
        passage = snapshot.passage(passage_id)
        texts = snapshot.sentences.get(passage_id, [])
        if passage is not None and (passage_id, order) not in units and order < len(texts):
            units[(passage_id, order)] = Unit(passage, ranks.get(passage_id), order, texts[order], cosine)
    return list(units.values())


def passage_units(result: SearchResult, passage: Passage, rank: int | None) -> list[Unit]:
    """Every unit of one passage (for context repair: the list after a lead-in, the sentence before)."""
    scored = result.snapshot.sentence_scores(passage.id, result.query_vector)
    return [Unit(passage, rank, order, text, cosine) for order, (text, cosine) in enumerate(scored)]


def source_kind(passage: Passage) -> str:
    if passage.type.startswith("wetgeving"):
        return "wetgeving"
    return "samenvatting" if passage.type == "samenvatting" else "primair"


def add_features(units: list[Unit], result: SearchResult) -> None:
    """Fill `unit.features` for every candidate (see `FEATURES`)."""
    if not units:
        return
    analysis, snapshot = result.analysis, result.snapshot
    question = analysis.question
    terms = set(analyse(analysis.search_text))
    idf = snapshot.bm25.idf
    total_idf = sum(idf.get(term, 0.0) for term in terms) or 1.0
    best = max(unit.cosine for unit in units)
    by_cosine = {unit.key: rank for rank, unit in enumerate(sorted(units, key=lambda u: -u.cosine), start=1)}
    asked_type = asked_answer_type(question)
    dense = {item.passage.id: item.dense or 0.0 for item in result.passages}
    passage_terms: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.passage.id] = len(snapshot.sentences.get(unit.passage.id, ())) or 1
    for unit in units:
        stems = set(analyse(unit.text))
        if unit.passage.id not in passage_terms:
            passage_terms[unit.passage.id] = set(analyse(unit.passage.text))
        vector_row = snapshot.sentence_vectors.get(unit.passage.id)
        hub = float(vector_row[unit.order] @ snapshot.centroid) if vector_row is not None and len(snapshot.centroid) else 0.0
        kind = source_kind(unit.passage)
        unit.features = {
            "cosine": unit.cosine,
            "cosine_gap": best - unit.cosine,
            "unit_rank": 1.0 / by_cosine[unit.key],
            "in_top_passages": float(unit.passage_rank is not None),
            "passage_rank": 1.0 / (unit.passage_rank + 1) if unit.passage_rank is not None else 0.0,
            "passage_dense": dense.get(unit.passage.id, 0.0),
            "unit_overlap": len(stems & terms) / len(terms) if terms else 0.0,
            "unit_idf_overlap": sum(idf.get(term, 0.0) for term in stems & terms) / total_idf,
            "passage_overlap": len(passage_terms[unit.passage.id] & terms) / len(terms) if terms else 0.0,
            "position": unit.order / counts[unit.passage.id],
            "heading": float(unit.is_heading),
            "question": float(unit.is_question),
            "lead_in": float(unit.is_lead_in),
            "list_item": float(unit.is_list_item),
            "anaphor": float(unit.leans_back),
            "hubness": hub,
            "law_match": law_match(unit.passage, analysis),
            "asks_type": float(asked_type is not None),
            "has_type": float(asked_type is not None and contains_answer_type(asked_type, [unit.text], question)),
            "kind_law": float(kind == "wetgeving"),
            "kind_summary": float(kind == "samenvatting"),
            "log_words": math.log1p(word_count(unit.text)),
            "outdated": float(unit.passage.type == OUTDATED_TYPE),
            "outdated_asked": float(unit.passage.type == OUTDATED_TYPE and analysis.wants_outdated),
        }


def add_reader_features(units: list[Unit], logits: Sequence[float]) -> None:
    """The reader's logits for the first `len(logits)` units (best first by the unit scorer), 0 for the rest."""
    for index, unit in enumerate(units):
        read = index < len(logits)
        unit.features["read"] = float(read)
        unit.features["reader"] = float(logits[index]) if read else 0.0


def feature_matrix(units: list[Unit], features: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.asarray([[unit.features[name] for name in features] for unit in units], dtype=np.float64)


def score_units(units: list[Unit], model: LogisticModel) -> list[Unit]:
    """Set each featurised unit's fitted score and return the units best first (answering and training alike)."""
    for unit, probability in zip(units, model.probabilities(feature_matrix(units, model.features)), strict=True):
        unit.score = float(probability)
    return sorted(units, key=lambda u: -u.score)
