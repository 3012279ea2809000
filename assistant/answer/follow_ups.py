"""Suggested follow-up questions after an answer: what the sources say next to what was just quoted.

Candidates come from the passages the answer cited and their neighbours in the same document: the
glossary terms they use (not the field's basic words, which most documents use), the headings of
their sections and, for a law, the neighbouring articles and leden. Each becomes a question through
a few fixed Dutch templates. Questions the conversation already asked, or whose topic it already
named, are left out. This module only proposes; the
engine (`Engine.follow_ups`) keeps a candidate only when it would answer it, from a passage the
answer did not already cite, so a suggestion never leads to a refusal or to the same quote again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import chain, zip_longest

from assistant.models import Passage
from assistant.search.glossary import GLOSSARY, Term
from assistant.search.lexical import DUTCH_STOP_WORDS, analyse
from assistant.textutils import normalize

TERM_TEMPLATE = "Wat is {abbreviation} ({full})?"
HEADING_TEMPLATE = "Wat zeggen de bronnen over {topic}?"
LID_TEMPLATE = "Wat regelt artikel {article} lid {lid} van de {law}?"
ARTICLE_TEMPLATE = "Wat regelt artikel {article} van de {law}?"

MIN_HEADING_WORDS = 2
"""A one-word heading ("Inleiding", "Samenwerkingsverbanden") names a chapter, not a question's topic."""
ASKED_OVERLAP = 0.5
"""A heading half of whose content words the conversation's questions already used is what was asked."""
NEIGHBOUR_REACH = 2
"""Passages this far before and after a cited one count as its neighbours: one step gave a third of
the answered dev questions fewer than two candidates (a law lid's neighbours are lids of the same article)."""
COMMON_TERM_SHARE = 0.5
"""A glossary term that more than half of the documents use (SWV, po, vo in this corpus) is the field's
basic vocabulary: asking what it means is no step further."""

_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-z]\.|[IVX]+\.)\s+")
_LAW_HEADING = re.compile(r"^\s*artikel\s+[\w.]*\w\.?\s*", re.IGNORECASE)
# Out of its document, a heading that points at it ("Waar gaat deze pagina over?", "... volgens de
# pagina") points at nothing; one with a number is a date, a byline or a count, not a topic.
_DEICTIC = re.compile(r"\b(deze|dit|hier|hierin|hieronder|onderstaande|pagina|samenvatting|citaten)\b|\d",
                      re.IGNORECASE)
# A heading that is itself a question or a clause ("Waarvoor het OOGO dient") is no noun to ask about.
_QUESTION_WORD = re.compile(r"^(wat|wie|welke?|waar\w*|wanneer|hoe|waarom|of)\b", re.IGNORECASE)


def neighbours(cited: Sequence[Passage], passages: Sequence[Passage], position: Mapping[str, int],
               reach: int = NEIGHBOUR_REACH) -> list[Passage]:
    """The passages up to `reach` before and after each cited one in its document (index order),
    nearest first, not cited themselves."""
    cited_ids = {p.id for p in cited}
    found: dict[str, Passage] = {}
    for distance in range(1, reach + 1):
        for passage in cited:
            at = position.get(passage.id)
            if at is None:
                continue
            for near in (at - distance, at + distance):
                if (0 <= near < len(passages) and passages[near].doc_id == passage.doc_id
                        and passages[near].id not in cited_ids):
                    found.setdefault(passages[near].id, passages[near])
    return list(found.values())


def term_shares(passages: Sequence[Passage]) -> dict[str, float]:
    """Per glossary term (by abbreviation), the share of the documents that use it."""
    documents: dict[str, list[str]] = {}
    for passage in passages:
        documents.setdefault(passage.doc_id, []).append(f"{passage.heading or ''} {passage.text}")
    texts = [" ".join(parts) for parts in documents.values()]
    return {term.abbreviation: sum(names_term(text, term) for text in texts) / len(texts) if texts else 0.0
            for term in GLOSSARY}


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(normalize(phrase))}(?!\w)", normalize(text)) is not None


def names_term(text: str, term: Term) -> bool:
    """The text uses the term: its full form or a variant, or the abbreviation as the glossary writes it
    (case-sensitive, so the Dutch words "so" and "pro" are not the school types so and pro)."""
    if any(_mentions(text, form) for form in (term.full, *term.variants)):
        return True
    return re.search(rf"(?<!\w){re.escape(term.abbreviation)}(?!\w)", text) is not None


def _asked_about(question: str, term: Term) -> bool:
    """The question named the term, also in a form the search maps to it ("samenwerkingsverband", English)."""
    return names_term(question, term) or any(_mentions(question, phrase) for phrase in term.english)


def term_questions(context: Sequence[Passage], asked: Sequence[str], shares: Mapping[str, float] | None = None) -> list[str]:
    """"Wat is OPP (ontwikkelingsperspectief)?" for each glossary term the passages use and no question of
    the conversation named; with `shares` (`term_shares`), rarer terms first and the common ones left out."""
    text = " ".join(f"{p.heading or ''} {p.text}" for p in context)
    shares = shares or {}
    terms = [term for term in GLOSSARY if shares.get(term.abbreviation, 0.0) <= COMMON_TERM_SHARE
             and names_term(text, term) and not any(_asked_about(question, term) for question in asked)]
    terms.sort(key=lambda term: shares.get(term.abbreviation, 0.0))
    return [TERM_TEMPLATE.format(abbreviation=term.abbreviation, full=term.full) for term in terms]


def topic_of(heading: str, text: str = "") -> str | None:
    """A section heading as the topic of a question, or None when it is no topic (a single word, a
    question or clause, a heading that points at its own document); a law's "Artikel 19. Ouder- en
    jeugdsteunpunt" gives what follows the article. The first word loses its capital unless it is
    a name (never an article like "De"): an acronym, capitalised mid-sentence in `text`, or, in a
    heading with more capitalised words ("Dronten en Stein"), a word `text` never writes in lower case."""
    topic = _LAW_HEADING.sub("", _NUMBERING.sub("", heading)).strip().strip("()").rstrip(".:?!")
    topic = re.sub(r"^over\s+", "", topic, flags=re.IGNORECASE)  # the template says "over" already
    if _DEICTIC.search(topic) or _QUESTION_WORD.match(topic) or len(analyse(topic)) < MIN_HEADING_WORDS:
        return None
    first, *rest = topic.split()
    used_lower = re.search(rf"(?<!\w){re.escape(first.lower())}(?!\w)", text) is not None
    is_name = first.lower() not in DUTCH_STOP_WORDS and (
        first.isupper() or re.search(rf"[a-z,] {re.escape(first)}(?!\w)", text) is not None
        or (not used_lower and any(word[:1].isupper() for word in rest)))
    return topic if is_name else first[:1].lower() + topic[1:]


def heading_questions(context: Sequence[Passage], asked: Sequence[str]) -> list[str]:
    asked_stems = [set(analyse(question)) for question in asked]
    text = " ".join(p.text for p in context)
    questions: list[str] = []
    for passage in context:
        topic = topic_of(passage.heading, text) if passage.heading else None
        if topic is None:
            continue
        stems = set(analyse(topic))
        if any(len(stems & used) >= ASKED_OVERLAP * len(stems) for used in asked_stems):
            continue
        questions.append(HEADING_TEMPLATE.format(topic=topic))
    return questions


def law_questions(context: Sequence[Passage], asked: Sequence[str]) -> list[str]:
    """The articles and leden the passages quote from a law, asked about one by one."""
    questions: list[str] = []
    for passage in context:
        if not (passage.article and passage.short):
            continue
        template = LID_TEMPLATE if passage.lid else ARTICLE_TEMPLATE
        question = template.format(article=passage.article, lid=passage.lid, law=passage.short)
        if not any(_asks_about(earlier, passage) for earlier in asked):
            questions.append(question)
    return questions


def _asks_about(question: str, passage: Passage) -> bool:
    """The question named this article (and this lid, when it named one)."""
    text = normalize(question)
    if not re.search(rf"\bart(?:ikel|\.)?\s*{re.escape(normalize(passage.article or ''))}(?!\w)", text):
        return False
    lids = re.findall(r"\blid\s+(\d+[a-z]?)\b", text)
    return not lids or (passage.lid or "") in lids


def candidate_questions(cited: Sequence[Passage], near: Sequence[Passage], asked: Sequence[str],
                        shares: Mapping[str, float] | None = None) -> list[str]:
    """Candidate follow-ups, alternating term, heading and law questions so that the few kept differ in
    kind; none repeats a question of the conversation. A law question is about a neighbouring article
    or lid: the cited ones were just quoted."""
    context = [*cited, *near]
    kinds = (term_questions(context, asked, shares), heading_questions(context, asked), law_questions(near, asked))
    seen = {normalize(question) for question in asked}
    candidates: list[str] = []
    for question in chain.from_iterable(zip_longest(*kinds)):
        if question and normalize(question) not in seen:
            seen.add(normalize(question))
            candidates.append(question)
    return candidates
