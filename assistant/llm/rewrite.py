"""Follow-up rewriting with the chat model: "En bij het vo?" becomes a standalone search query.

The rule-based `rewrite_follow_up` handles the common patterns; a model resolves the rest
("Mag de leerling daar zelf iets over zeggen?"). A model's rewrite is only a search query, but a
bad one sends retrieval astray, so it is checked (`acceptable`) and the rules take over when it
is empty, far longer than the question, unchanged, an answer instead of a question, missing the
follow-up's own words, refusal-like, or when the call fails. Standalone questions are not sent to
the model at all: that saves a round trip and keeps the history from bending a question that
needs none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.llm.guard import is_refusal
from assistant.llm.prompt import history_block
from assistant.models import Turn
from assistant.search.conversation import is_follow_up, rewrite_follow_up, to_turns
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.lexical import analyse
from assistant.textutils import normalize

log = logging.getLogger(__name__)

REWRITE_PROMPT = (
    "Herschrijf de laatste vraag van de gebruiker tot één op zichzelf staande vraag in het Nederlands, "
    "met de onderwerpen uit het eerdere gesprek die nodig zijn om haar te begrijpen. Beantwoord de vraag "
    "niet. Geef alleen de herschreven vraag, zonder uitleg."
)
HISTORY_TURNS = 4
_LABEL = re.compile(r"^\s*(herschreven vraag|zoekvraag|vraag|question)\s*:\s*", re.IGNORECASE)
_REFUSAL_LIKE = re.compile(
    r"\b(ik kan|ik weet|sorry|excuses|als (ai|taalmodel)|i can(no|')t|i'm sorry|as an ai)\b", re.IGNORECASE
)


def clean_rewrite(text: str) -> str:
    """First line, without a 'Vraag:' label or surrounding quotes."""
    first = next((line for line in text.strip().splitlines() if line.strip()), "")
    return _LABEL.sub("", first).strip().strip("\"'“”‘’`").strip()


def acceptable(rewrite: str, question: str) -> bool:
    """Usable as a search query: not empty, not an answer or a refusal, and still asking what the user asked.

    Measured on Qwen2.5-1.5B: it often returns the follow-up unchanged (the rules do better), answers
    instead of rewriting (a statement, no question mark), or drops the follow-up's own words."""
    asked = set(analyse(question))
    return (
        bool(rewrite)
        and len(rewrite) <= 3 * len(question) + 40
        and normalize(rewrite) != normalize(question)
        and (rewrite.endswith("?") or not question.rstrip().endswith("?"))
        and len(asked & set(analyse(rewrite))) * 2 >= len(asked)
        and not is_refusal(rewrite)
        and not _REFUSAL_LIKE.search(rewrite)
    )


def rewrite_with_llm(chat_model: BaseChatModel, question: str,
                     history: Sequence[Mapping[str, str] | Turn] | None, facts: CorpusFacts | None = None) -> str:
    """A standalone search query for `question`; the rule-based rewrite when the model's is unusable."""
    if not any(turn.role == "user" for turn in to_turns(history)) or not is_follow_up(question):
        return rewrite_follow_up(question, history, facts)
    messages = [
        SystemMessage(content=REWRITE_PROMPT),
        HumanMessage(content=f"Eerder gesprek:\n{history_block(history, HISTORY_TURNS)}\n\nLaatste vraag: {question}"),
    ]
    try:
        rewrite = clean_rewrite(chat_model.invoke(messages).text)
    except Exception as exc:  # any client error: the rules still give a usable query
        log.warning("LLM rewrite failed: %s: %s", exc.__class__.__name__, exc)
        return rewrite_follow_up(question, history, facts)
    return rewrite if acceptable(rewrite, question) else rewrite_follow_up(question, history, facts)
