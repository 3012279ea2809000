"""Chat history and follow-up rewriting: "En voor het voortgezet onderwijs?" becomes a standalone
search query built from the previous question, so retrieval sees what the user means."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.corpus_facts import CorpusFacts, mentions
from assistant.glossary import expansions
from assistant.models import Turn

_FOLLOW_UP_START = re.compile(r"^\s*(en|maar|ook|of|dus|and|but|also|what about|how about)\b", re.IGNORECASE)
_ANAPHORA = re.compile(
    r"\b(dat|daar|daarbij|daarin|daarvoor|daarover|die|dit|deze|hetzelfde|zij|ze|hun|hem|it|that|this|they|them|there)\b",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"\w{3,}")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


def to_turns(history: Sequence[Mapping[str, str] | Turn] | None) -> list[Turn]:
    """Accept the app's and the eval set's `{"role", "content"}` dicts as well as `Turn`s."""
    turns: list[Turn] = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif item.get("role") in ("user", "assistant") and str(item.get("content", "")).strip():
            turns.append(Turn(role=item["role"], content=str(item["content"])))  # type: ignore[arg-type]
    return turns


def is_follow_up(question: str) -> bool:
    """Starts like a continuation, points back ("dat", "daarbij"), or is too short to stand alone
    (a short question that names a term of the field, "Wat is OOGO?", stands alone)."""
    if _FOLLOW_UP_START.match(question) or _ANAPHORA.search(question):
        return True
    short = len(_CONTENT_WORD.findall(question)) <= 3
    return short and not expansions(question) and not _ACRONYM.search(question)


def contrast_groups(facts: CorpusFacts) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, terms) groups whose terms replace each other in a follow-up: asking about vo after po drops
    po from the query. Sectors (with their law), laws, plans and places come from the corpus facts."""
    groups: list[tuple[str, tuple[str, ...]]] = []
    for law in facts.laws:
        kind = "sector" if law.sectors else "law"
        groups.append((kind, (*law.sectors, law.short, *law.names)))
    groups += [("plan", plan) for plan in facts.plans]
    groups += [("place", (place,)) for place in facts.places]
    return groups


def rewrite_follow_up(
    question: str, history: Sequence[Mapping[str, str] | Turn] | None, facts: CorpusFacts | None = None
) -> str:
    """A standalone search query for a follow-up; the question itself when it stands alone."""
    previous = [turn.content for turn in to_turns(history) if turn.role == "user"]
    if not previous or not is_follow_up(question):
        return question
    anchor = previous[-1]
    groups = contrast_groups(facts or CorpusFacts())
    asked = [(kind, terms) for kind, terms in groups if any(mentions(question, term) for term in terms)]
    for kind, terms in groups:
        if (kind, terms) in asked or not any(kind == new_kind for new_kind, _ in asked):
            continue
        for term in sorted(terms, key=len, reverse=True):
            anchor = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)-?", "", anchor, flags=re.IGNORECASE)
    stripped = _FOLLOW_UP_START.sub("", question).strip(" ?.!")
    anchor = re.sub(r"\s{2,}", " ", anchor).strip(" ?.!")
    return f"{anchor}: {stripped}" if stripped else anchor

