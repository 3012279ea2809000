"""Question analysis: what a question asks for, read once per search and shared by ranking and answering.

Typo repair against the index's vocabulary, glossary and English-to-Dutch expansions, law references
(article, lid, a named law, law intent) and a normative question ("Moet de gemeente ..."); `law_match`
scores how well a passage meets those references: a ranking signal in `assistant.search.retriever` and
a unit feature in `assistant.answer.evidence`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.models import Passage
from assistant.search.corpus_facts import CorpusFacts
from assistant.search.glossary import expansions, looks_english
from assistant.search.lexical import analyse, repair_typos, stem, words
from assistant.search.snapshot import SearchIndex
from assistant.textutils import DUTCH_ORDINALS

_ARTICLE_REF = re.compile(r"\bart(?:ikel|\.)?\s*(\d+(?:\.\d+)*[a-z]?)\b", re.IGNORECASE)
_LID_REF = re.compile(rf"\blid\s+(\d+[a-z]?)\b|\b({'|'.join(DUTCH_ORDINALS)})\s+lid\b", re.I)
_ORDINALS = {word: str(number) for number, word in enumerate(DUTCH_ORDINALS, start=1)}
# Words that ask about an earlier text of a law; the years and articles of the outdated texts
# themselves come from the corpus facts and the index (see `_wants_outdated`).
_OUTDATED_WORDS = re.compile(
    r"\b(oud|oude|vervallen|verouderd|vroeger|destijds|historisch|toenmalig|old|former|repealed|outdated)\b", re.I
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

_LAW_INTENT = re.compile(
    r"\bart\.|\b(artikel|wetsartikel\w*|bepaling\w*|welke wet|wettelijk\w*|wetstekst|wet zegt|volgens de wet|lid"
    r"|wet op het|wet voortgezet|article|law|legal\w*|statutory|provision)\b",
    re.IGNORECASE,
)


# A question about what must or may be done asks for a rule: the law that sets it should outrank prose
# that paraphrases it (school leaders look up obligations and need the article). Unlike `_LAW_INTENT`
# this is no sign that the question is about law, so it lifts law passages in the ranking of what is
# quoted, not in the decision to answer (see `SearchResult.unlifted`).
_NORMATIVE = re.compile(r"\b(moet|moeten|verplicht\w*|mag|mogen|must|required|obliged)\b", re.IGNORECASE)
NORMATIVE_LAW_MATCH = 0.3
"""`law_match` of a law passage for a normative question that names no law (a question that speaks of
law gets 0.6). On dev 0.3 beat 0.6 on every measure (citation precision 0.800 vs 0.772, hit@5 0.976 vs
0.969, correct citation 0.862 vs 0.848)."""


@dataclass
class QueryAnalysis:
    """What the search made of a question: the text it searched for and the signals it found."""

    question: str
    search_text: str
    english: bool
    articles: list[str]
    lids: list[str]
    wants_outdated: bool
    typo_fixes: dict[str, str] = field(default_factory=dict)
    law_intent: bool = False
    normative: bool = False
    """The question asks what must or may be done (a rule): law passages rank higher."""
    laws: list[str] = field(default_factory=list)
    known_words: float = 1.0
    """Share of the question's content words that occur in the corpus: 0 means off-topic."""
    unknown_words: list[str] = field(default_factory=list)
    """Content words of the (typo-repaired) question that no passage contains: what the sources lack."""


def is_normative(question: str) -> bool:
    """The question asks what must or may be done, or whether something is obligatory."""
    return bool(_NORMATIVE.search(question))


def analyse_question(question: str, index: SearchIndex) -> QueryAnalysis:
    """Repair typos, add glossary and English-to-Dutch terms, and find law references."""
    fixes = repair_typos(words(question), index.vocabulary)
    corrected = question
    for wrong, right in fixes.items():
        corrected = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, corrected, flags=re.IGNORECASE)
    added = expansions(corrected)
    laws = _named_laws(corrected, index.facts)
    lids = [m.group(1) or _ORDINALS[m.group(2).lower()] for m in _LID_REF.finditer(question)]
    content = analyse(" ".join([corrected, *added]))
    stems = index.bm25.idf
    known = sum(stem in stems for stem in content) / len(content) if content else 0.0
    articles = [m.group(1).lower() for m in _ARTICLE_REF.finditer(question)]
    unknown = [word for word in words(corrected) if not word.isdigit() and stem(word) not in stems]
    return QueryAnalysis(
        question=question,
        search_text=" ".join([corrected, *added]),
        english=looks_english(question),
        articles=articles,
        lids=lids,
        wants_outdated=_wants_outdated(question, articles, index),
        typo_fixes=fixes,
        law_intent=bool(_LAW_INTENT.search(question)) or bool(index.facts.named_laws(question)),
        normative=is_normative(question),
        laws=laws,
        known_words=known,
        unknown_words=unknown,
    )


def _wants_outdated(question: str, articles: list[str], index: SearchIndex) -> bool:
    """Asks about an old text: in words, by the year of an outdated version, or by an article only old texts have."""
    years = {int(year) for year in _YEAR.findall(question)}
    return bool(
        _OUTDATED_WORDS.search(question)
        or years & index.facts.outdated_years
        or set(articles) & index.outdated_articles
    )


def _named_laws(question: str, facts: CorpusFacts) -> list[str]:
    """Laws a question names outright, or else, when it asks about law, the law of the sector it names."""
    laws = facts.named_laws(question)
    if not laws and _LAW_INTENT.search(question):
        laws = facts.sector_laws(question)
    return laws


def law_match(passage: Passage, analysis: QueryAnalysis, normative: bool = False) -> float:
    """How strongly a passage matches the law the question names: lid > article > the law > 'a law'."""
    if not passage.article:
        return 0.0
    named_law = not analysis.laws or (passage.short or "").startswith(tuple(analysis.laws))
    if passage.article.lower() in analysis.articles and named_law:
        if analysis.lids:
            return 1.0 if passage.lid in analysis.lids else 0.5
        return 0.8
    if analysis.articles:
        return 0.0
    if analysis.laws:
        return 0.7 if named_law else 0.0
    if analysis.law_intent:
        return 0.6
    return NORMATIVE_LAW_MATCH if normative and analysis.normative else 0.0
