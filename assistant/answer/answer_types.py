"""What kind of value a question asks for (an amount, a percentage, a period, a date, a count, a
person), and whether a sentence gives one: on-topic questions the sources cannot answer score as
high as answerable ones, so the value itself has to be found."""

from __future__ import annotations

import re

from assistant.search.lexical import analyse

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
        re.compile(r"\b(percentage|hoeveel procent|welk percentage|what percentage|how many percent)\b", re.I),
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


