"""Refusals that help: a refusal says what the assistant does cover, described from the documents in the
index (not a fixed text about one corpus), and a request to judge or approve the asker's own case is
answered with the rules that bear on it, quoted from the law passages the normal search finds.

The backends decide whether to refuse and why (`Answer.refusal_reason`); the engine then calls
`helpful_refusal` with what only it can see: the index's documents and a search restricted to law.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from assistant import messages
from assistant.answer.answering import ExtractiveBackend
from assistant.config import Settings
from assistant.models import DOC_TYPES, UPLOADED_TYPE, Answer, DocumentInfo

LAW_TYPES = ("wetgeving",)
"""Where the rules are: current law texts (a repealed version is no rule that applies)."""
NAMED_KINDS = ("wetgeving",)
"""Kinds whose documents the scope sentence names (by the law's name); others are counted."""
TITLED_KINDS = (UPLOADED_TYPE,)
"""Kinds the scope sentence names by their full titles: an upload can be about anything (a letter about an
airport, a housing report), and only its title tells the asker what the index holds beyond the domain."""
MAX_TITLES = 5
"""Titles named per kind; more are counted ("... en 3 andere"), so the refusal stays one sentence."""
REASONS = frozenset({"not_found", "out_of_domain", "instruction", "legal_approval"})
"""Refusals that get the index's scope; "missing_value" quotes the sources already."""


def rules_backend(settings: Settings) -> ExtractiveBackend:
    """The extractive backend that quotes the law for a judgement request: without the screens (the
    question is a judgement request, that is why we are here) and without the answer-or-refuse decision
    (the user is offered the rules that apply, not an answer to the request)."""
    return ExtractiveBackend(settings.model_copy(update={
        "screens": False, "answerability_threshold": 0.0, "value_check": False, "follow_up_check": False}))


def document_name(title: str) -> str:
    """A law's name from its document title: "Jeugdwet, hoofdstuk 2 (selectie ...)" -> "Jeugdwet"."""
    return re.split(r",|\s\(|:", title, maxsplit=1)[0].strip()


def index_scope(documents: list[DocumentInfo], english: bool) -> str:
    """'Ik antwoord uit mijn bronnen: 6 wetteksten (Jeugdwet, ...), 2 handreikingen en 1 opinie.'"""
    counts = Counter(doc.type for doc in documents)
    order = [t for t in DOC_TYPES if t in counts] + sorted(set(counts) - set(DOC_TYPES))
    parts = []
    for doc_type in order:
        part = messages.counted(counts[doc_type], doc_type, english)
        if doc_type in NAMED_KINDS:
            names = sorted({document_name(doc.title) for doc in documents if doc.type == doc_type})
            part += f" ({', '.join(names)})"
        elif doc_type in TITLED_KINDS:
            titles = sorted({doc.title for doc in documents if doc.type == doc_type})
            shown = [f"“{title}”" for title in titles[:MAX_TITLES]]
            if len(titles) > MAX_TITLES:
                shown.append(messages.others(len(titles) - MAX_TITLES, english))
            part += f" ({messages.listing(shown, english)})"
        parts.append(part)
    return messages.scope_sentence(parts, english) if parts else ""


def helpful_refusal(answer: Answer, documents: list[DocumentInfo], rules: Answer | None = None) -> Answer:
    """`answer` (a refusal) with the index's scope; a refused judgement with the rules that apply when
    `rules` (the law-only answer to the same question) quotes any."""
    if not answer.refused or answer.refusal_reason not in REASONS:
        return answer
    english = answer.language == "en"
    if answer.refusal_reason == "legal_approval" and rules is not None and rules.citations:
        return replace(answer, text=messages.rules_refusal_text(rules.text, english), citations=rules.citations)
    return replace(answer, text=messages.refusal_text(answer.refusal_reason, english, index_scope(documents, english)))
