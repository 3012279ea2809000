"""Answer backends behind one interface, and the offline default: the extractive composer.

The extractive backend answers only with units (sentences, list items, lids) of the sources, in
their own words. Which units: the fitted unit scorer (`assistant/answer/evidence.py`, `scoring.py`) over
candidates from the top passages and from a unit-level search of the whole index. Whether to answer
at all: the calibrated answerability model (`assistant/answer/answerability.py`), plus two small screens
for questions that are no questions about the sources (instructions, legal approval of a case).
Units of one passage form one paragraph with one `[n]` at its end; a list stays a list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from assistant import messages
from assistant.answer.answer_stream import AnswerStream
from assistant.answer.answer_types import asked_answer_type, contains_answer_type
from assistant.answer.answerability import AnswerabilityModel
from assistant.answer.citations import renumber
from assistant.answer.evidence import (
    FEATURES,
    FEATURES_WITH_READER,
    Unit,
    add_features,
    add_reader_features,
    candidate_units,
    passage_units,
    score_units,
)
from assistant.answer.reader import READ_UNITS, Reader, load_reader
from assistant.answer.scoring import LogisticModel
from assistant.config import Settings
from assistant.models import OUTDATED_TYPE, UPLOADED_TYPE, Answer, Passage, ScoredPassage, Turn
from assistant.search.conversation import rewrite_follow_up
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.lexical import stem, words
from assistant.search.question import QueryAnalysis
from assistant.search.retriever import SearchResult
from assistant.textutils import DUTCH_ORDINALS, normalize

# Questions that are no questions about the sources. Kept small and checked against the look-alike
# questions of the dev split (legitimate questions that mention approval, validity or instructions).
_INSTRUCTION = re.compile(
    r"\b(negeer|vergeet|ignore|disregard|forget)\b.{0,40}\b(instructie|instructies|opdracht|regels|prompt|bronnen"
    r"|instructions|rules|sources)\b"
    r"|\b(systeemprompt|system prompt|verborgen instructies|jailbreak|doe alsof je|pretend (to be|you are)"
    r"|je bent (vanaf )?nu|you are now|schrijf (namens|voor) (mij|ons)|write .{0,20} for me)\b",
    re.IGNORECASE,
)
# A judgement asked of the assistant about the asker's own case: "kun je bevestigen dat wij ...",
# "is ons plan rechtsgeldig". Asking what the rules say ("moet de
# inspectie het plan goedkeuren?") is a question about the sources and passes.
_LEGAL_APPROVAL = re.compile(
    r"\b(je|jij|u|you)\b.{0,20}\b(bevestig\w*|(?:goed)?keur\w*|beoordeel\w*|garandeer\w*|confirm|approve|guarantee)\b"
    r"|\b(keur|bevestig|beoordeel)\w* (je|jij|u)\b.{0,60}\b(ons|onze|mijn)\b"
    r"|\b(is|zijn|wordt|is het)\b.{0,10}\b(ons|onze|mijn|our|my)\b.{0,60}\b(rechtsgeldig|rechtmatig|geldig|legaal"
    r"|juridisch (correct|juist|in orde|houdbaar)|in orde|legally valid|valid)\b"
    r"|\blegal (advice|approval|opinion)\b.{0,40}\b(our|my)\b",
    re.IGNORECASE,
)

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


ON_TOPIC_KNOWN_WORDS = 0.5
"""Only picks the wording of a refusal: a question most of whose words the corpus knows gets "staat
niet in de bronnen" (and, when it asked for a value, what the sources do say), else "valt buiten"."""


def follow_up_about_unknown(question: str, result: SearchResult) -> bool:
    """A follow-up whose own words the sources do not know at all ("En in Zeewolde?" after a question
    about Dronten) asks about something the sources lack. Its search query is the earlier question plus
    these words, so the evidence is about the earlier subject and looks answerable; the share of known
    words of the query hides the new words among the old ones."""
    if result.analysis.question.strip() == question.strip():
        return False  # not rewritten: a standalone question, judged as a whole
    fixes = result.analysis.typo_fixes
    own = [fixes.get(word, word) for word in words(question) if not word.isdigit()]
    known = result.snapshot.bm25.idf  # its keys are the index's stems
    return bool(own) and not any(stem(word) in known for word in own)


def screen_question(question: str) -> str | None:
    """A refusal reason for questions that are not questions about the sources, else None."""
    if _INSTRUCTION.search(question):
        return "instruction"
    if _LEGAL_APPROVAL.search(question):
        return "legal_approval"
    return None


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
        typo_fixes=dict(analysis.typo_fixes),
    )


class ExtractiveBackend:
    """Composes answers from source units; every word of an answer (but the lead) is a quote."""

    name = "extractive"

    def __init__(self, settings: Settings, unit_model: LogisticModel | None = None,
                 answer_model: AnswerabilityModel | None = None, reader: Reader | None = None) -> None:
        self.settings = settings
        self._unit_model = unit_model
        self._answer_model = answer_model
        self._reader = reader
        self._read_unit_model: LogisticModel | None = None

    @property
    def unit_model(self) -> LogisticModel:
        """The committed unit scorer (loaded on first use, so rewriting a query needs no weights). With the
        reader on, it picks the units the reader reads; the reader-aware scorer then ranks them all."""
        if self._unit_model is None:
            self._unit_model = LogisticModel.load("unit_scorer", FEATURES)
        return self._unit_model

    @property
    def reader(self) -> Reader | None:
        if self._reader is None and self.settings.reader:
            self._reader = load_reader(self.settings.models_dir)
        return self._reader if self.settings.reader else None

    @property
    def read_unit_model(self) -> LogisticModel:
        if self._read_unit_model is None:
            self._read_unit_model = LogisticModel.load("unit_reader", FEATURES_WITH_READER)
        return self._read_unit_model

    @property
    def answer_model(self) -> AnswerabilityModel:
        if self._answer_model is None:
            self._answer_model = AnswerabilityModel.load(with_reader=self.settings.reader)
        return self._answer_model

    def rewrite_query(self, question: str, history: History, facts: CorpusFacts) -> str:
        return rewrite_follow_up(question, history, facts, new_subjects=self.settings.new_subject_check)

    def stream(self, question: str, result: SearchResult, history: History = None) -> AnswerStream:
        """The finished answer as one chunk: composing takes milliseconds, nothing to stream."""
        return AnswerStream.of(self.answer(question, result, history))

    def scored_units(self, result: SearchResult, read: dict[str, float] | None = None) -> list[Unit]:
        """Every candidate unit with its features and fitted score, best first.

        With the reader: the unit scorer's best `READ_UNITS` are read, and the reader-aware scorer ranks
        every unit. `read` keeps the reader's logits by unit text across the two rankings of one answer
        (with and without the normative lift), so no unit is read twice."""
        units = candidate_units(result, self.settings.answer_passages)
        add_features(units, result)
        units = score_units(units, self.unit_model)
        reader = self.reader
        if reader is None:
            return units
        read = {} if read is None else read
        texts = [u.text for u in units[:READ_UNITS]]
        unread = [text for text in dict.fromkeys(texts) if text not in read]
        read.update(zip(unread, reader.logits(result.analysis.question, unread), strict=True))
        add_reader_features(units, [read[text] for text in texts])
        return score_units(units, self.read_unit_model)

    def answer(self, question: str, result: SearchResult, history: History = None) -> Answer:
        analysis, retrieved = result.analysis, result.passages
        if self.settings.screens and (reason := screen_question(question)):
            return refusal(reason, analysis, retrieved, self.name)
        read: dict[str, float] = {}
        units = self.scored_units(result, read)
        if not units:
            return refusal("out_of_domain", analysis, retrieved, self.name)
        suspect = result.snapshot.suspect_documents if self.settings.suspect_units_alone else frozenset()
        chosen = select_units(units, result, self.settings, suspect)
        missing, value_unit = self._value(analysis.question, units, chosen, suspect)
        if value_unit is not None:
            chosen.append(value_unit)
        on_topic = analysis.known_words >= ON_TOPIC_KNOWN_WORDS
        decision = result.for_decision()
        decision_units = units if decision is result else self.scored_units(decision, read)
        answerable = self.answer_model.answerable(decision_units, decision, self.settings.answerability_threshold)
        if self.settings.follow_up_check and follow_up_about_unknown(question, result):
            answerable = missing = False
        if not answerable and not (missing and on_topic):
            return refusal("not_found" if on_topic else "out_of_domain", analysis, retrieved, self.name)
        text, quotes, cited = compose(chosen, analysis.english, missing, result.snapshot.facts)
        checked = renumber(text, cited, quotes)
        return Answer(
            text=checked.text,
            citations=checked.citations,
            refused=bool(missing),
            search_query=analysis.question,
            backend=self.name,
            refusal_reason="missing_value" if missing else None,
            retrieved=retrieved,
            language="en" if analysis.english else "nl",
            typo_fixes=dict(analysis.typo_fixes),
        )

    def _value(self, question: str, units: list[Unit], chosen: list[Unit],
               suspect: frozenset[str]) -> tuple[str | None, Unit | None]:
        """(kind of value asked for but given nowhere, a near-best unit that gives it when the chosen ones do not)."""
        asked = asked_answer_type(question) if self.settings.value_check else None
        if asked is None or contains_answer_type(asked, [u.text for u in chosen], question):
            return None, None
        best = units[0].score if units else 0.0
        for unit in units:
            if (quotable(unit, best, self.settings.value_unit_ratio, self.settings, suspect)
                    and contains_answer_type(asked, [unit.text], question)):
                return None, unit
        return asked, None


def select_units(units: list[Unit], result: SearchResult, settings: Settings, suspect: frozenset[str]) -> list[Unit]:
    """The best unit's passage leads with its strong units; other passages add only strong units.

    Headings and the source's own questions never stand alone; a lead-in brings its list and a unit
    that leans on the one before brings it (context repair). At most `max_answer_sentences` prose
    units, plus one whole list. A unit of a `suspect` document is held to a higher bar (`quotable`)."""
    eligible = [u for u in units if not (u.is_heading or u.is_question)]
    if not eligible:
        return []
    best = eligible[0]

    def strong(unit: Unit) -> bool:
        return quotable(unit, best.score, settings.keep_ratio, settings, suspect)

    chosen = [u for u in eligible if u.passage.id == best.passage.id and strong(u)]
    passages_used = {best.passage.id}
    for unit in eligible:
        if unit.passage.id in passages_used or unit.score < best.score * settings.other_passage_ratio:
            continue
        if len(passages_used) > settings.extra_passages:
            break
        passages_used.add(unit.passage.id)
        chosen += [u for u in eligible if u.passage.id == unit.passage.id and strong(u)]
    chosen = _dedupe(chosen)
    if settings.context_repair:
        chosen = repair_context(chosen, result, suspect)
    prose = [u for u in chosen if not u.is_list_item]
    if len(prose) > settings.max_answer_sentences:
        kept = {u.key for u in sorted(prose, key=lambda u: -u.score)[: settings.max_answer_sentences]}
        chosen = [u for u in chosen if u.is_list_item or u.key in kept or u.is_lead_in]
    return chosen


def quotable(unit: Unit, best_score: float, ratio: float, settings: Settings, suspect: frozenset[str]) -> bool:
    """Whether `unit` scores `ratio` of the best unit's score. Why a suspect document's unit needs the bar
    of a second passage instead: the screen cut a planted instruction out of that document and may have
    missed another, which then sits beside the answer as a weak unit; the generous `keep_ratio` would
    quote it with the answer (measured on the planted documents of `tests/reliability/test_injection.py`)."""
    bar = max(ratio, settings.other_passage_ratio) if unit.passage.doc_id in suspect else ratio
    return unit.score >= best_score * bar


MAX_SECTION_ITEMS = 8
"""At most this many following section headings stand in for a lead-in's list (the longest
enumeration of sections in the corpus's handreikingen has seven)."""


def repair_context(chosen: list[Unit], result: SearchResult, suspect: frozenset[str]) -> list[Unit]:
    """Bring what a unit's meaning needs: the whole list after a lead-in and the unit before one that
    leans back ("Daarom ..."). A lead-in that ends its passage announces what follows: the list items
    that open the next passage, or else the headings of the next sections (each with text of its own),
    which then stand as the list ("... beter voelbaar door:" - "Contact met ouders en jongeren", ...).
    A unit of a `suspect` document brings nothing: a neighbour there may be a planted instruction."""
    keys = {u.key for u in chosen}
    extra: list[Unit] = []
    for unit in [u for u in chosen if u.passage.doc_id not in suspect]:
        siblings = passage_units(result, unit.passage, unit.passage_rank)
        if unit.is_lead_in or unit.is_list_item:
            following = siblings[unit.order + 1:]
            if unit.is_lead_in and not following:
                following = _next_passage_units(result, unit.passage)
                if not any(item.is_list_item for item in following[:1]):
                    following = _section_items(result, unit)
            for item in following:
                if not item.is_list_item:
                    break
                if item.key not in keys:
                    keys.add(item.key)
                    extra.append(item)
        if unit.leans_back and unit.order > 0:
            before = siblings[unit.order - 1]
            if before.key not in keys and not before.is_heading:
                keys.add(before.key)
                extra.append(before)
    return chosen + extra


def _next_passage_units(result: SearchResult, passage: Passage) -> list[Unit]:
    """The units of the passage after `passage` in its document, where chunking may have put a list."""
    following = _following_passages(result, passage)
    return passage_units(result, following[0], None) if following else []


def _following_passages(result: SearchResult, passage: Passage) -> list[Passage]:
    snapshot = result.snapshot
    position = snapshot.position.get(passage.id)
    if position is None:
        return []
    rest = []
    for candidate in snapshot.passages[position + 1:]:
        if candidate.doc_id != passage.doc_id:
            break
        rest.append(candidate)
    return rest


def _section_items(result: SearchResult, lead_in: Unit) -> list[Unit]:
    """The headings of the sections after a lead-in, as items quoted from the lead-in's passage; a
    section without a sentence of its own (an author's name, a caption) ends the enumeration."""
    items: list[Unit] = []
    for passage in _following_passages(result, lead_in.passage)[:MAX_SECTION_ITEMS]:
        sentences = result.snapshot.sentences.get(passage.id, [])
        if not passage.heading or not any(text.rstrip().endswith((".", "!", "?")) for text in sentences):
            break
        items.append(Unit(lead_in.passage, lead_in.passage_rank, lead_in.order + 1 + len(items), passage.heading,
                          0.0, as_item=True))
    return items


def compose(chosen: list[Unit], english: bool, missing_type: str | None,
            facts: CorpusFacts) -> tuple[str, dict[int, list[str]], list[Passage]]:
    """The answer text: a lead, then per passage one paragraph (or a list) with one `[n]` at its end.

    Returns the text, per number the quotes taken from that passage, and the cited passages in the
    order they are numbered."""
    cited: list[Passage] = []
    lines: list[str] = []
    quotes: dict[int, list[str]] = {}
    by_passage: dict[str, list[Unit]] = {}
    for unit in chosen:  # chosen is best-first by passage: the lead passage comes first
        by_passage.setdefault(unit.passage.id, []).append(unit)
    if missing_type:
        lines.append(messages.missing_value_text(missing_type, english))
    lead = chosen[0].passage
    if lead.article and not missing_type:
        lid_words = (lead.lid if english else lid_in_words(lead.lid)) if lead.lid else None
        lines.append(messages.law_lead(lead.article, lid_words, law_name(lead), english))
    elif english and not missing_type and lead.type != UPLOADED_TYPE:  # the upload's own lead says it
        lines.append(messages.SOURCES_LEAD_EN)
    for group in by_passage.values():
        passage = group[0].passage
        cited.append(passage)
        if passage.type == UPLOADED_TYPE:  # nobody vouched for an upload: the reader is told, per passage
            lines.append(messages.UPLOADED_LEAD_EN if english else messages.UPLOADED_LEAD_NL)
        number = len(cited)
        block: list[str] = []  # the passage's lines: prose paragraphs and list items ("- ...")
        for unit in sorted(group, key=lambda u: u.order):
            quote = _strip_lid_number(unit.text) if passage.lid else unit.text
            quotes.setdefault(number, []).append(quote)
            if unit.is_list_item:
                block.append(f"- {_strip_list_marker(quote)}")
            elif block and not block[-1].startswith("- "):
                block[-1] += f" {quote}"
            else:
                block.append(quote)
        # One marker per passage: after a list's intro line, else at the end of the passage's text.
        intro = next((i for i, line in enumerate(block[:-1]) if block[i + 1].startswith("- ")
                      and not line.startswith("- ")), None)
        at = intro if intro is not None else len(block) - 1
        block[at] += f" [{number}]"
        lines.extend(block)
    outdated = {(p.short, p.article) for p in cited if p.type == OUTDATED_TYPE}
    for short, article in sorted(outdated, key=str):
        lines.append(messages.outdated_note(facts.current_provision(short, article), english))
    return _join(lines), quotes, cited


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


NEAR_DUPLICATE_JACCARD = 0.8
"""Overlapping chunks repeat a sentence with at most a changed marker or punctuation: word-set Jaccard
above 0.8 is the same sentence, while two different sentences of one law lid stay below 0.6 (checked
on the corpus's lids)."""


def _near_duplicate(text: str, others: list[str]) -> bool:
    words = set(normalize(text).split())
    for other in others:
        other_words = set(normalize(other).split())
        if words and len(words & other_words) / len(words | other_words) > NEAR_DUPLICATE_JACCARD:
            return True
    return False


def _dedupe(units: list[Unit]) -> list[Unit]:
    """Overlapping chunks repeat a sentence; keep its first occurrence only."""
    kept: list[Unit] = []
    for unit in units:
        if not _near_duplicate(unit.text, [k.text for k in kept]):
            kept.append(unit)
    return kept

