"""Chat history and follow-up rewriting: "En voor het voortgezet onderwijs?" becomes a standalone
search query built from the previous question, so retrieval sees what the user means."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.glossary import expansions
from assistant.models import Turn
from assistant.textutils import normalize

_FOLLOW_UP_START = re.compile(r"^\s*(en|maar|ook|of|dus|and|but|also|what about|how about)\b", re.IGNORECASE)
_ANAPHORA = re.compile(
    r"\b(dat|daar|daarbij|daarin|daarvoor|daarover|die|dit|deze|hetzelfde|zij|ze|hun|hem|it|that|this|they|them|there)\b",
    re.IGNORECASE,
)
# Terms that replace each other in a follow-up: asking about vo after po drops po from the query.
_CONTRASTS: tuple[tuple[str, ...], ...] = (
    ("po", "primair onderwijs", "basisonderwijs", "wpo"),
    ("vo", "voortgezet onderwijs", "wvo"),
    ("jeugdplan", "plan van de gemeente", "jeugdwet"),
    ("ondersteuningsplan",),
    ("dronten",),
    ("stein",),
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


def _group(term_text: str) -> int | None:
    text = f" {normalize(term_text)} "
    for index, group in enumerate(_CONTRASTS):
        if any(f" {normalize(term)} " in text for term in group):
            return index
    return None


def rewrite_follow_up(question: str, history: Sequence[Mapping[str, str] | Turn] | None) -> str:
    """A standalone search query for a follow-up; the question itself when it stands alone."""
    previous = [turn.content for turn in to_turns(history) if turn.role == "user"]
    if not previous or not is_follow_up(question):
        return question
    anchor = previous[-1]
    new_group = _group(question)
    if new_group is not None:
        for group_index, group in enumerate(_CONTRASTS):
            if group_index != new_group and _same_kind(group_index, new_group):
                for term in sorted(group, key=len, reverse=True):
                    anchor = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)-?", "", anchor, flags=re.IGNORECASE)
    stripped = _FOLLOW_UP_START.sub("", question).strip(" ?.!")
    anchor = re.sub(r"\s{2,}", " ", anchor).strip(" ?.!")
    return f"{anchor}: {stripped}" if stripped else anchor


def _same_kind(a: int, b: int) -> bool:
    """po/vo replace each other, and so do the two plans, and the two towns; nothing else does."""
    kinds = {0: "sector", 1: "sector", 2: "plan", 3: "plan", 4: "place", 5: "place"}
    return kinds[a] == kinds[b]
