"""Answer backends behind one interface, and the offline default: the extractive composer.

The extractive backend answers only with sentences from the retrieved passages, in their own
words, each followed by its `[n]`. It refuses when no passage is relevant, when the question is
not a question about the sources (instructions, requests for legal approval), and when the
question asks for a kind of value (amount, period, date, person) that the selected sentences do
not contain: on-topic questions the sources cannot answer score as high as answerable ones, so a
score threshold alone lets them through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant import messages
from assistant.answer_stream import AnswerStream
from assistant.citations import renumber
from assistant.config import Settings
from assistant.conversation import rewrite_follow_up
from assistant.corpus_facts import CorpusFacts
from assistant.lexical import analyse
from assistant.models import OUTDATED_TYPE, Answer, Passage, QueryAnalysis, ScoredPassage, SearchResult, Turn
from assistant.retrieval import SearchIndex
from assistant.textutils import DUTCH_ORDINALS, is_list_item, normalize

_INSTRUCTION = re.compile(
    r"\b(negeer|vergeet|ignore|disregard|forget)\b.{0,40}\b(instructie|instructies|opdracht|regels|prompt|instructions|rules)\b"
    r"|\b(systeemprompt|system prompt|verborgen instructies|jailbreak|doe alsof je|pretend (to be|you are)"
    r"|je bent (vanaf )?nu|you are now|schrijf (namens|voor) mij|write .{0,20} for me|garandeer|guarantee)\b",
    re.IGNORECASE,
)
_LEGAL_APPROVAL = re.compile(
    r"\b(rechtsgeldig|juridisch\w*\s+(?:\w+\s+){0,2}(juist|correct|in orde|houdbaar|advies|oordeel|goedgekeurd)"
    r"|keur\w*\b.{0,60}\bgoed|goedkeur\w*|bevestig\w* dat .{0,80}\b(in orde|rechtmatig|mag|klopt)"
    r"|legally (valid|sound|binding)|legal (advice|approval)|approve (our|my|this))\b",
    re.IGNORECASE,
)
_LIST_QUESTION = re.compile(
    r"\b(welke|noem|opsomming|wat zijn|zeven|zes|vijf|vier|drie|principes|bouwstenen|stappen|onderdelen|"
    r"taken|elementen|which|list|what are)\b",
    re.IGNORECASE,
)

# What a question asks for, and what a sentence must contain to give it.
_DUTCH_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_NUMBER_WORDS = (
    "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien"
    "|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|honderd|duizend"
)
_PERIOD_UNITS = "weken|week|dagen|dag|maanden|maand|jaar|jaren|schooljaren"
_ROLES = "wethouder|minister|directeur|voorzitter|burgemeester|bestuurder|contactpersoon|staatssecretaris"

# What a question asks for, and what a sentence must contain to give it.
_ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "amount": (
        re.compile(r"\b(hoeveel (geld|euro|budget)|welk bedrag|hoe ?veel kost|bedrag|budget per"
                   r"|how much (money|funding))\b", re.I),
        re.compile(r"€|\beuro\b|\d+(?:[.,]\d+)?\s*(miljoen|miljard)", re.I),
    ),
    "percentage": (
        re.compile(r"\b(percentage|hoeveel procent|welk deel|what percentage|how many percent)\b", re.I),
        re.compile(r"\d+(?:[.,]\d+)?\s*(%|procent)", re.I),
    ),
    "period": (
        re.compile(r"\b(hoeveel (weken|dagen|maanden|jaar|jaren)|binnen welke termijn|welke termijn|hoe lang"
                   r"|how long|how many (weeks|days|months|years))\b", re.I),
        # "zes weken", "de komende vijftien jaar"; not an age range like "0-23 jaar"
        re.compile(rf"(?<![-–])\b(\d+|een|één|{_NUMBER_WORDS})\s+(?:\w+\s+)?({_PERIOD_UNITS})\b(?!\s+oud)", re.I),
    ),
    "date": (
        re.compile(r"\b(op welke datum|welke datum|in welk jaar|sinds wanneer|vanaf wanneer|per wanneer"
                   r"|what date|which year|since when)\b", re.I),
        re.compile(rf"\b(19|20)\d\d\b|\b\d{{1,2}}\s+({_DUTCH_MONTHS})\b", re.I),
    ),
    "count": (
        re.compile(r"\bhoeveel\s+(?!geld|euro|procent|budget|weken|dagen|maanden|jaar|jaren|uur)(?:\w+\s+){1,3}"
                   r"(zijn|waren|heeft|hebben|telt|kent)\b|\bhow many\b(?! (weeks|days|months|years|hours))", re.I),
        re.compile(rf"\b(\d+|{_NUMBER_WORDS})\b", re.I),
    ),
    "person": (
        re.compile(rf"\bwie (is|was|zijn)\b.{{0,20}}\b({_ROLES})\b"
                   r"|\bwho is\b.{0,20}\b(alderman|minister|director|chair|mayor)\b", re.I),
        # a name only counts next to the role asked about: "wethouder Jansen", "Jan Jansen, wethouder ..."
        re.compile(rf"\b(?:{_ROLES})\s+(?:\w+\s+){{0,3}}[A-Z][a-z]+|[A-Z][a-z]+\s+[A-Z][a-z]+,?\s+(?:\w+\s+)?(?:{_ROLES})\b"),
    ),
}

_COUNTED = re.compile(r"\bhoeveel\s+(\w+)", re.I)
_TYPE_WORDS = set(analyse("hoeveel welk bedrag percentage procent termijn datum jaar weken dagen wie wanneer lang"))

History = Sequence[Mapping[str, str] | Turn] | None


class AnswerBackend(Protocol):
    """What the engine needs of a backend; the extractive default and every LLM backend implement it."""

    name: str

    def rewrite_query(self, question: str, history: History, facts: CorpusFacts) -> str:
        """The search query for `question`: itself, or a standalone version of a follow-up."""
        ...

    def answer(self, question: str, result: SearchResult, history: History = None) -> Answer: ...

    def stream(self, question: str, result: SearchResult, history: History = None) -> AnswerStream:
        """The answer as text chunks, then the finished `Answer` (see `AnswerStream`)."""
        ...


@dataclass
class _Unit:
    passage_rank: int
    order: int
    text: str
    score: float
    is_list_item: bool
    is_lid: bool = False


def retrieved_is_lid(units: list[_Unit]) -> bool:
    return bool(units) and units[0].is_lid


def screen_question(question: str) -> str | None:
    """A refusal reason for questions that are not questions about the sources, else None."""
    if _INSTRUCTION.search(question):
        return "instruction"
    if _LEGAL_APPROVAL.search(question):
        return "legal_approval"
    return None


def asked_answer_type(question: str) -> str | None:
    for name, (asks, _) in _ANSWER_TYPES.items():
        if asks.search(question):
            return name
    return None


def contains_answer_type(answer_type: str, texts: list[str], question: str | None = None) -> bool:
    """True when a text holds the kind of value asked for; with `question`, that text must also be
    about the question (share a content word), and for a count hold the counted word itself: "10 mei
    2024" in a sentence about something else does not answer "Hoeveel thuiszitters zijn er?"."""
    gives = _ANSWER_TYPES[answer_type][1]
    period_dates = _ANSWER_TYPES["date"][1] if answer_type == "period" else None  # "tot juni 2022" is a period too
    topic = set(analyse(question)) - _TYPE_WORDS if question else set()
    counted = set(analyse(m.group(1))) if question and (m := _COUNTED.search(question)) else set()
    for text in texts:
        if not (gives.search(text) or (period_dates and period_dates.search(text))):
            continue
        stems = set(analyse(text))
        if question and not (stems & topic):
            continue
        if answer_type == "count" and counted and not counted <= stems:
            continue
        return True
    return False


def lid_in_words(lid: str) -> str:
    return DUTCH_ORDINALS[int(lid) - 1] if lid.isdigit() and 0 < int(lid) <= len(DUTCH_ORDINALS) else f"lid {lid}"


def law_name(passage: Passage) -> str:
    """'Wet op het primair onderwijs' from a heading like 'Wet op het primair onderwijs artikel 18a lid 9
    (tekst van augustus 2015)' or from a title like 'Wet op het primair onderwijs, artikel 18a (...)'."""
    if passage.heading and " artikel " in passage.heading.lower():
        return re.split(r"\s+artikel\s+", passage.heading, maxsplit=1, flags=re.I)[0].strip()
    return re.split(r",|\s\(", passage.title, maxsplit=1)[0].strip()


def refusal(reason: str, analysis: QueryAnalysis, retrieved: list[ScoredPassage], backend: str) -> Answer:
    return Answer(
        text=messages.refusal_text(reason, analysis.english),
        citations=[],
        refused=True,
        search_query=analysis.question,
        backend=backend,
        refusal_reason=reason,
        retrieved=retrieved,
        language="en" if analysis.english else "nl",
    )


class ExtractiveBackend:
    """Composes answers from source sentences; every word of an answer (but the lead) is a quote."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def rewrite_query(self, question: str, history: History, facts: CorpusFacts) -> str:
        return rewrite_follow_up(question, history, facts)

    def stream(self, question: str, result: SearchResult, history: History = None) -> AnswerStream:
        """The finished answer as one chunk: composing takes milliseconds, nothing to stream."""
        return AnswerStream.of(self.answer(question, result, history))

    def answer(self, question: str, result: SearchResult, history: History = None) -> Answer:
        analysis, retrieved = result.analysis, result.passages
        if reason := screen_question(question):
            return refusal(reason, analysis, retrieved, self.name)
        if analysis.known_words < (self.settings.min_known_words_english if analysis.english else self.settings.min_known_words):
            return refusal("out_of_domain", analysis, retrieved, self.name)
        scored = self._score_units(question, retrieved, result.query_vector, result.snapshot)
        if not scored or max(unit.score for unit in scored) < self.settings.min_relevance:
            return refusal("not_found" if retrieved else "out_of_domain", analysis, retrieved, self.name)
        chosen = self._select(question, scored)
        passages = [item.passage for item in retrieved]
        answer_type = asked_answer_type(question)
        missing_value = False
        if answer_type and not contains_answer_type(answer_type, [u.text for u in chosen], question):
            value = self._unit_with_value(answer_type, question, scored, chosen)
            if value is None:
                missing_value = True
            else:
                chosen = sorted([*chosen, value], key=lambda u: (u.passage_rank, u.order))
        text, quotes = self._compose(chosen, passages, analysis.english, missing_value and answer_type, result.snapshot.facts)
        checked = renumber(text, passages, quotes)
        return Answer(
            text=checked.text,
            citations=checked.citations,
            refused=missing_value,
            search_query=analysis.question,
            backend=self.name,
            refusal_reason="missing_value" if missing_value else None,
            retrieved=retrieved,
            language="en" if analysis.english else "nl",
        )

    def _score_units(self, question: str, retrieved: list[ScoredPassage], query_vector: np.ndarray,
                     snapshot: SearchIndex) -> list[_Unit]:
        """Cosine of each sentence to the question, plus a small bonus for shared content words."""
        terms = set(analyse(question))
        units: list[_Unit] = []
        for rank, item in enumerate(retrieved[: self.settings.answer_passages]):
            for order, (text, cosine) in enumerate(snapshot.sentence_scores(item.passage.id, query_vector)):
                overlap = len(terms & set(analyse(text))) / len(terms) if terms else 0.0
                # A lid's own number ("9. Het ondersteuningsplan ...") is not a list marker.
                starts_lid = bool(item.passage.lid) and text.startswith(f"{item.passage.lid}. ")
                score = cosine + self.settings.overlap_weight * overlap
                units.append(_Unit(rank, order, text, score, is_list_item(text) and not starts_lid, bool(item.passage.lid)))
        return units

    def _select(self, question: str, units: list[_Unit]) -> list[_Unit]:
        """The best passage's best sentences; other passages only for what the first one lacks."""
        margin = self.settings.sentence_margin
        # The top-ranked passage leads (the rerank already weighed law references and sentence fit);
        # its best sentence sets the bar for sentences from the other passages.
        lead_rank = min(unit.passage_rank for unit in units)
        primary = [u for u in units if u.passage_rank == lead_rank]
        best = max(primary, key=lambda unit: unit.score)
        chosen = [u for u in primary if u.score >= best.score - margin]
        if retrieved_is_lid(primary) and len(primary) <= self.settings.whole_lid_units:
            chosen = list(primary)  # a lid is one rule: quoting half of it can change its meaning
        elif len(chosen) < self.settings.min_answer_sentences:
            chosen = sorted(primary, key=lambda u: u.score, reverse=True)[: self.settings.min_answer_sentences]
        if self._wants_list(question, primary, chosen):
            chosen = self._with_whole_list(primary, chosen)
        covered = set().union(*(set(analyse(u.text)) for u in chosen))
        for unit in sorted(units, key=lambda u: u.score, reverse=True):
            if unit.passage_rank == best.passage_rank or unit.score < best.score - margin / 2:
                continue
            new_terms = (set(analyse(unit.text)) & set(analyse(question))) - covered
            if new_terms and not _near_duplicate(unit.text, [u.text for u in chosen]):
                chosen.append(unit)
                covered |= set(analyse(unit.text))
        chosen = _dedupe(sorted(chosen, key=lambda u: (u.passage_rank, u.order)))
        # At most `max_answer_sentences` sentences plus one list; a list is never cut short.
        prose = [u for u in chosen if not u.is_list_item]
        if len(prose) > self.settings.max_answer_sentences:
            kept = {id(u) for u in sorted(prose, key=lambda u: u.score, reverse=True)[: self.settings.max_answer_sentences]}
            chosen = [u for u in chosen if u.is_list_item or id(u) in kept]
        return chosen

    def _unit_with_value(self, answer_type: str, question: str, units: list[_Unit], chosen: list[_Unit]) -> _Unit | None:
        """The sentence that holds the asked-for value when the chosen ones lack it: any sentence of the lead
        passage (a value often sits in a short follow-on sentence that scores low on its own, "Het kabinet
        wil hier de komende vijftien jaar ..."), or a nearly as relevant one of the next passage."""
        best = max(unit.score for unit in units)
        lead = min(unit.passage_rank for unit in units)
        for unit in sorted(units, key=lambda u: (u.passage_rank != lead, -u.score)):
            relevant = unit.score >= best - self.settings.sentence_margin
            near = unit.passage_rank == lead or (unit.passage_rank == lead + 1 and relevant)
            if unit in chosen or not near:
                continue
            if contains_answer_type(answer_type, [unit.text], question):
                return unit
        return None

    @staticmethod
    def _wants_list(question: str, primary: list[_Unit], chosen: list[_Unit]) -> bool:
        has_list = any(u.is_list_item for u in primary)
        touches_list = any(u.is_list_item or u.text.rstrip().endswith(":") for u in chosen)
        return has_list and (touches_list or bool(_LIST_QUESTION.search(question)))

    @staticmethod
    def _with_whole_list(primary: list[_Unit], chosen: list[_Unit]) -> list[_Unit]:
        """A list in a source is given complete: its intro line and every item of it."""
        items = [u for u in primary if u.is_list_item]
        first = min(u.order for u in items)
        intro = [u for u in primary if u.order == first - 1 and not u.is_list_item]
        run = [u for u in items if u.order >= first]
        keep = {u.order for u in chosen if u.order < first - 1}
        return [u for u in primary if u.order in keep] + intro + run

    def _compose(self, chosen: list[_Unit], passages: list[Passage], english: bool,
                 missing_type: str | bool | None, facts: CorpusFacts) -> tuple[str, dict[int, list[str]]]:
        lines: list[str] = []
        quotes: dict[int, list[str]] = {}
        if missing_type:
            lines.append(messages.missing_value_text(str(missing_type), english))
        lead_passage = passages[chosen[0].passage_rank]
        if lead_passage.article and not missing_type:
            lid = lead_passage.lid
            lid_words = (lid if english else lid_in_words(lid)) if lid else None
            lines.append(messages.law_lead(lead_passage.article, lid_words, law_name(lead_passage), english))
        elif english and not missing_type:
            lines.append(messages.SOURCES_LEAD_EN)
        paragraph: list[str] = []
        for unit in chosen:
            number = unit.passage_rank + 1
            quote = _strip_lid_number(unit.text) if passages[unit.passage_rank].lid else unit.text
            quotes.setdefault(number, []).append(quote)
            if unit.is_list_item:
                if paragraph:
                    lines.append(" ".join(paragraph))
                    paragraph = []
                lines.append(f"- {_strip_list_marker(quote)} [{number}]")
            else:
                paragraph.append(f"{quote} [{number}]")
        if paragraph:
            lines.append(" ".join(paragraph))
        outdated = {(p.short, p.article) for p in (passages[u.passage_rank] for u in chosen) if p.type == OUTDATED_TYPE}
        for short, article in sorted(outdated, key=str):
            lines.append(messages.outdated_note(facts.current_provision(short, article), english))
        return _join(lines), quotes


def _join(lines: list[str]) -> str:
    """Lead and paragraphs on their own lines; list items as a Markdown list."""
    out: list[str] = []
    for line in lines:
        if out and not (line.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(line)
    return "\n".join(out).replace(":\n\n- ", ":\n- ")


def _strip_lid_number(text: str) -> str:
    return re.sub(r"^\d+[a-z]?\.\s+", "", text)


def _strip_list_marker(text: str) -> str:
    return re.sub(r"^\s*[-*•]\s+", "", text)


def _near_duplicate(text: str, others: list[str]) -> bool:
    words = set(normalize(text).split())
    for other in others:
        other_words = set(normalize(other).split())
        if words and len(words & other_words) / len(words | other_words) > 0.8:
            return True
    return False


def _dedupe(units: list[_Unit]) -> list[_Unit]:
    """Overlapping chunks repeat a sentence; keep its first occurrence only."""
    kept: list[_Unit] = []
    for unit in units:
        if not _near_duplicate(unit.text, [k.text for k in kept]):
            kept.append(unit)
    return kept

