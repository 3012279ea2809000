"""Scores for one answer against its gold question, and the aggregates over a run.

Pure functions over `Answer` and `GoldQuestion`, so they can be tested on hand-made answers
without an index, and so a metric means the same in the terminal, results.json and report.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.models import Answer
from assistant.textutils import normalize
from evals.questions import GoldQuestion, SourceRef

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
"""A citation marker: `[2]`, also the list form `[1, 3]` that LLM backends like to write."""

LOWER_IS_BETTER = frozenset(
    {"false_refusal_rate", "invalid_markers", "errors", "latency_p50_s", "latency_p95_s", "lookalike_refusal_rate"}
)
"""Metrics where a drop is an improvement; the comparison needs this to say better or worse."""


@dataclass
class QuestionScores:
    """Everything measured for one question; None where a metric does not apply to it."""

    refused: bool
    refusal_correct: bool
    invalid_markers: list[int]
    hit_at_1: bool | None = None
    hit_at_k: bool | None = None
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    cited: int = 0
    correct_citations: int = 0
    citation_precision: float | None = None
    has_correct_citation: bool | None = None
    fact_coverage: float | None = None
    missing_facts: list[list[str]] = field(default_factory=list)
    overall: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise(text: str) -> str:
    """Fact matching ignores case, diacritics, punctuation and spacing, and never sees markers."""
    return normalize(_MARKER.sub(" ", text))


def fact_present(alternatives: Iterable[str], text: str) -> bool:
    """True when any phrasing occurs in `text` as whole words ("lid 9" must not match "lid 90")."""
    haystack = f" {normalise(text)} "
    return any(f" {normalise(alternative)} " in haystack for alternative in alternatives)


def missing_facts(facts: Sequence[Sequence[str]], text: str) -> list[list[str]]:
    return [list(fact) for fact in facts if not fact_present(fact, text)]


def fact_coverage(facts: Sequence[Sequence[str]], text: str) -> float | None:
    """Share of expected facts in the answer; None when the question lists no facts."""
    if not facts:
        return None
    return 1 - len(missing_facts(facts, text)) / len(facts)


def source_matches(ref: SourceRef, doc_id: str, article: str | None) -> bool:
    """Same document, and the same article when the gold source names one."""
    if ref.doc_id != doc_id:
        return False
    return ref.article is None or (article or "").strip().lower() == ref.article.strip().lower()


def _matches_any(refs: Sequence[SourceRef], doc_id: str, article: str | None) -> bool:
    return any(source_matches(ref, doc_id, article) for ref in refs)


def first_relevant_rank(refs: Sequence[SourceRef], ranked: Sequence[tuple[str, str | None]]) -> int | None:
    """1-based rank of the first retrieved (doc_id, article) that matches an expected source."""
    for rank, (doc_id, article) in enumerate(ranked, start=1):
        if _matches_any(refs, doc_id, article):
            return rank
    return None


def recall_at_k(refs: Sequence[SourceRef], ranked: Sequence[tuple[str, str | None]], k: int) -> float:
    """Share of expected sources that at least one of the top k passages belongs to."""
    top = ranked[:k]
    found = sum(any(source_matches(ref, doc_id, article) for doc_id, article in top) for ref in refs)
    return found / len(refs)


def invalid_markers(text: str, citation_numbers: Iterable[int]) -> list[int]:
    """Marker numbers in the text that no citation carries (each occurrence counts)."""
    known = set(citation_numbers)
    numbers = (int(part) for match in _MARKER.finditer(text) for part in match.group(1).split(","))
    return [number for number in numbers if number not in known]


def ranked_sources(answer: Answer) -> list[tuple[str, str | None]]:
    return [(item.passage.doc_id, item.passage.article) for item in answer.retrieved]


def score_question(question: GoldQuestion, answer: Answer, k: int) -> QuestionScores:
    """All per-question metrics; retrieval and citation metrics only for answerable questions."""
    scores = QuestionScores(
        refused=answer.refused,
        refusal_correct=answer.refused != question.answerable,
        invalid_markers=invalid_markers(answer.text, (citation.number for citation in answer.citations)),
    )
    if question.answerable:
        _score_retrieval(scores, question.expected_sources, ranked_sources(answer), k)
        _score_citations(scores, question.expected_sources, answer)
        scores.fact_coverage = fact_coverage(question.expected_facts, answer.text)
        scores.missing_facts = missing_facts(question.expected_facts, answer.text)
    scores.overall = overall_score(scores, question.answerable)
    return scores


def _score_retrieval(
    scores: QuestionScores, refs: Sequence[SourceRef], ranked: Sequence[tuple[str, str | None]], k: int
) -> None:
    rank = first_relevant_rank(refs, ranked)
    scores.hit_at_1 = rank == 1
    scores.hit_at_k = rank is not None and rank <= k
    scores.recall_at_k = recall_at_k(refs, ranked, k)
    scores.reciprocal_rank = 1 / rank if rank else 0.0


def _score_citations(scores: QuestionScores, refs: Sequence[SourceRef], answer: Answer) -> None:
    scores.cited = len(answer.citations)
    scores.correct_citations = sum(_matches_any(refs, c.doc_id, c.article) for c in answer.citations)
    scores.citation_precision = scores.correct_citations / scores.cited if scores.cited else None
    scores.has_correct_citation = scores.correct_citations > 0


def overall_score(scores: QuestionScores, answerable: bool) -> float:
    """One number per question to rank the worst ones and to say better/worse between runs.

    A wrong refusal decision is the worst outcome either way (an answer from nowhere, or no
    answer at all), so it scores 0; otherwise retrieval recall, fact coverage and having a
    correct citation weigh equally.
    """
    if not scores.refusal_correct:
        return 0.0
    if not answerable:
        return 1.0
    parts = [scores.recall_at_k or 0.0, 1.0 if scores.has_correct_citation else 0.0]
    if scores.fact_coverage is not None:
        parts.append(scores.fact_coverage)
    return sum(parts) / len(parts)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default does."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(value) for value in values if value is not None]
    return sum(present) / len(present) if present else None


@dataclass
class QuestionResult:
    """One question as it went through `ask`: what came back, how it scored, how long it took."""

    question: GoldQuestion
    answer: Answer
    scores: QuestionScores
    latency_s: float
    error: str | None = None


def summarise(results: Sequence[QuestionResult], k: int) -> dict[str, float | int | None]:
    """Run-level metrics over the given question results.

    Retrieval, citation and fact metrics are over answerable questions; citation precision is
    pooled over all citations (a long answer with five wrong citations weighs more than a short
    one with one); refusal metrics are over the questions they concern.
    """
    answerable = [result.scores for result in results if result.question.answerable]
    unanswerable = [result.scores for result in results if not result.question.answerable]
    cited = sum(scores.cited for scores in answerable)
    latencies = [result.latency_s for result in results]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": sum(result.error is not None for result in results),
        "hit_at_1": _mean(scores.hit_at_1 for scores in answerable),
        f"hit_at_{k}": _mean(scores.hit_at_k for scores in answerable),
        f"recall_at_{k}": _mean(scores.recall_at_k for scores in answerable),
        "mrr": _mean(scores.reciprocal_rank for scores in answerable),
        "citation_precision": sum(s.correct_citations for s in answerable) / cited if cited else None,
        "answers_with_correct_citation": _mean(scores.has_correct_citation for scores in answerable),
        "invalid_markers": sum(len(result.scores.invalid_markers) for result in results),
        "fact_coverage": _mean(scores.fact_coverage for scores in answerable),
        "refusal_recall": _mean(scores.refused for scores in unanswerable),
        "false_refusal_rate": _mean(scores.refused for scores in answerable),
        "refusal_accuracy": _mean(result.scores.refusal_correct for result in results),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
    }


FOLLOW_UP_TAGS = ("vervolgvraag", "onderwerpwissel")
"""A question with history either builds on the earlier turns or switches topic (gold-file convention)."""
LOOKALIKE_TAG = "lijkt-op-weigeren"
"""A legitimate question that resembles one that must be refused."""


def probe_figures(results: Sequence[QuestionResult], k: int) -> dict[str, dict[str, float | int | None]]:
    """Two probes read from tags: how follow-ups are searched, and how often look-alikes are refused.

    Follow-up handling is judged by whether the expected source was in the top k: a follow-up
    only finds it when the search merged the history, a topic switch only when it did not, so
    the two tags are reported apart as well as together (all answerable questions with history).
    Files without these tags simply get probes over zero questions (value None).
    """
    with_history = [result for result in results if result.question.history and result.question.answerable]
    probes: dict[str, dict[str, float | int | None]] = {f"followup_hit_at_{k}": _probe(r.scores.hit_at_k for r in with_history)}
    for tag in FOLLOW_UP_TAGS:
        tagged = (result.scores.hit_at_k for result in with_history if tag in result.question.tags)
        probes[f"{tag}_hit_at_{k}"] = _probe(tagged)
    lookalikes = (r.scores.refused for r in results if LOOKALIKE_TAG in r.question.tags and r.question.answerable)
    probes["lookalike_refusal_rate"] = _probe(lookalikes)
    return probes


def _probe(values: Iterable[bool | None]) -> dict[str, float | int | None]:
    present = [value for value in values if value is not None]
    return {"value": _mean(present), "questions": len(present)}
