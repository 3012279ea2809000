"""Does a type filter hide a better source? Users set a filter and forget it; when the passage the
whole index ranks first is of an excluded type and clearly closer to the question than anything the
filter let through, the answer should say so instead of failing silently.

"Clearly" is measured on the e5 cosine (comparable across the two searches, unlike fused rank scores):
on the real corpus, "Wat is OOGO?" filtered to wetgeving is 0.053 behind a samenvatting, a question
the handreiking answers well 0.020 behind; 0.03 separates the two.
"""

from __future__ import annotations

from assistant.models import Answer
from assistant.search.retriever import SearchResult

CLEARLY_BETTER = 0.03


def better_outside_filter(answer: Answer, unfiltered: SearchResult, filter_types: list[str]) -> str | None:
    """The type of the clearly better passage the filter excluded, or None when the filter cost nothing."""
    if not filter_types or not unfiltered.passages:
        return None
    top = unfiltered.passages[0]
    if top.passage.type in filter_types or top.dense is None:
        return None
    if answer.refused:  # only "not in these sources" can be the filter's doing (not off-topic, not a screen)
        return top.passage.type if answer.refusal_reason == "not_found" else None
    best_within = max((item.dense for item in answer.retrieved if item.dense is not None), default=None)
    if best_within is None or top.dense - best_within >= CLEARLY_BETTER:
        return top.passage.type
    return None
