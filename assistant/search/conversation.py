"""Chat history and follow-up rewriting: "En voor het voortgezet onderwijs?" becomes a standalone
search query built from the previous question, so retrieval sees what the user means.

Not every question after another is a follow-up. An explicit switch ("Iets anders: wat deed Dronten?")
is a new question, searched without its switch words; so is a question that asks something of its own
about a subject the sources know (a place, a law, a plan) that the previous question did not name.
A follow-up that only swaps the subject ("En in Stein?") keeps the previous question's frame."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.models import Turn
from assistant.search.corpus_facts import CorpusFacts, mentions
from assistant.search.glossary import expansions
from assistant.search.lexical import words

# Words that announce a new topic. Separated from the question by punctuation ("Iets anders: ..."),
# except "los daarvan" / "los van het vorige", which read as an adverb ("Los daarvan wil ik weten ...").
_TOPIC_SWITCH = re.compile(
    r"^\s*(?:(?:(?:nog )?iets (?:heel )?anders|(?:een )?andere vraag|(?:een )?nieuwe vraag|(?:een )?ander onderwerp"
    r"|over iets anders|something else|(?:a )?different question|(?:a )?new question|another question|unrelated"
    r"|different topic|on another note|changing the subject)\s*[:;,.!?\-\u2013\u2014]+"
    r"|los (?:daarvan|van het vorige|van de vorige vraag)\b[\s,:;.\-\u2013\u2014]*)\s*",
    re.IGNORECASE,
)
SUBJECT_SWAP_WORDS = 2
"""A follow-up naming a new subject stands alone once it has this many content words besides the subject
("En in Stein, wie zaten daar aan tafel?": zaten, tafel); with fewer it only swaps the subject in the
previous question ("En in Stein?", "Hoe zit dat in Stein?"). Chosen on dev (README): 1 loses facts on a
follow-up that swaps the plan, 3 lowers citation precision of the follow-ups."""

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
    (a short question that names a term of the field, "Wat is OOGO?", stands alone). A question that
    announces a new topic ("Iets anders: ...") is none."""
    if without_topic_switch(question) != question:
        return False
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


def without_topic_switch(question: str) -> str:
    """The question after an explicit switch ("Iets anders: wat deed Dronten?" -> "wat deed Dronten?");
    the question itself when it has none."""
    rest = _TOPIC_SWITCH.sub("", question, count=1).strip()
    return rest or question


def subject_groups(facts: CorpusFacts) -> list[tuple[str, ...]]:
    """The subjects a question can switch to: each place, each law (its short name and names, not the
    school sectors it governs: "vo" after "po" is the same question for another sector) and each plan."""
    return [*((place,) for place in facts.places), *((law.short, *law.names) for law in facts.laws), *facts.plans]


def new_subject(question: str, anchor: str, facts: CorpusFacts) -> bool:
    """Does `question` ask something of its own about a subject the sources know and `anchor` did not name?"""
    named = [terms for terms in subject_groups(facts) if any(mentions(question, term) for term in terms)]
    fresh = [terms for terms in named if not any(mentions(anchor, term) for term in terms)]
    if not fresh:
        return False
    if not (_FOLLOW_UP_START.match(question) or _ANAPHORA.search(question)):
        return True  # a short question of its own ("Wat deed Dronten?")
    subject_words = {word for terms in named for term in terms for word in words(term)}
    return len([word for word in words(question) if word not in subject_words]) >= SUBJECT_SWAP_WORDS


def rewrite_follow_up(
    question: str, history: Sequence[Mapping[str, str] | Turn] | None, facts: CorpusFacts | None = None,
    *, new_subjects: bool = True,
) -> str:
    """A standalone search query for a follow-up, built from the latest question asked before it; the
    question itself (without switch words) when it stands alone."""
    facts = facts or CorpusFacts()
    previous = [turn.content for turn in to_turns(history) if turn.role == "user"]
    switched = without_topic_switch(question)
    if switched != question or not previous:
        return switched
    anchor = without_topic_switch(previous[-1])
    if not is_follow_up(question) or new_subjects and new_subject(question, anchor, facts):
        return question
    groups = contrast_groups(facts)
    asked = [(kind, terms) for kind, terms in groups if any(mentions(question, term) for term in terms)]
    for kind, terms in groups:
        if (kind, terms) in asked or not any(kind == new_kind for new_kind, _ in asked):
            continue
        for term in sorted(terms, key=len, reverse=True):
            anchor = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)-?", "", anchor, flags=re.IGNORECASE)
    stripped = _FOLLOW_UP_START.sub("", question).strip(" ?.!")
    anchor = re.sub(r"\s{2,}", " ", anchor).strip(" ?.!")
    return f"{anchor}: {stripped}" if stripped else anchor

