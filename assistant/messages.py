"""Everything the assistant says to users in its own words (not quotes), kept in one place for one tone."""

from __future__ import annotations

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Wat is OOGO?",
    "Welk artikel verplicht een samenwerkingsverband po tot OOGO met de gemeente?",
    "Wat zijn de zeven werkzame principes voor samenwerking?",
    "Hoe werken gemeente, onderwijs en jeugdhulp samen in Dronten?",
    "Wat kan een samenwerkingsverband doen als het OOGO over het ondersteuningsplan vastloopt?",
    "Wat moet er gebeuren voordat een ondersteuningsplan wordt vastgesteld?",
)

REFUSALS_NL = {
    "not_found": "Dat staat niet in de bronnen die ik heb.",
    "out_of_domain": "Die vraag valt buiten wat mijn bronnen behandelen.",
    "instruction": "Ik volg alleen vragen over de bronnen; instructies om mijn werkwijze te veranderen voer ik niet uit.",
    "legal_approval": "Ik geef geen juridisch oordeel of goedkeuring over uw eigen situatie; daarvoor is een jurist nodig.",
}
REFUSALS_EN = {
    "not_found": "The sources I have do not answer that.",
    "out_of_domain": "That question is outside what my sources cover.",
    "instruction": "I only answer questions about the sources; I do not follow instructions to change how I work.",
    "legal_approval": "I do not give a legal judgement or approval of your own situation; that takes a lawyer.",
}
RULES_LEAD_NL = "Wel kan ik laten zien wat de wetteksten zeggen die erover gaan:"
RULES_LEAD_EN = "What I can do is show what the laws that bear on it say:"
"""After the legal-approval sentence, before the law articles the question touches (assistant/answer/refusal_help.py)."""

TYPE_NOUNS_NL: dict[str, tuple[str, str]] = {
    "wetgeving": ("wettekst", "wetteksten"),
    "wetgeving (vervallen versie)": ("vervallen wettekst", "vervallen wetteksten"),
    "handreiking": ("handreiking", "handreikingen"),
    "praktijkvoorbeeld": ("praktijkvoorbeeld", "praktijkvoorbeelden"),
    "samenvatting": ("samenvatting", "samenvattingen"),
    "opinie": ("opinie", "opinies"),
    "geüpload": ("geüpload document", "geüploade documenten"),
}
"""Counted nouns per document type: (one, many). Also the app's start line (ui/texts.py)."""
TYPE_NOUNS_EN: dict[str, tuple[str, str]] = {
    "wetgeving": ("law text", "law texts"),
    "wetgeving (vervallen versie)": ("repealed law text", "repealed law texts"),
    "handreiking": ("guide", "guides"),
    "praktijkvoorbeeld": ("practice example", "practice examples"),
    "samenvatting": ("summary", "summaries"),
    "opinie": ("opinion piece", "opinion pieces"),
    "geüpload": ("uploaded document", "uploaded documents"),
}


def counted(count: int, doc_type: str, english: bool) -> str:
    """'6 wetteksten', '1 opinie'; an unknown type is counted under its own name."""
    one, many = (TYPE_NOUNS_EN if english else TYPE_NOUNS_NL).get(doc_type, (doc_type, doc_type))
    return f"{count} {one if count == 1 else many}"


def others(count: int, english: bool) -> str:
    """'3 andere', the last item after the titles a scope sentence names."""
    return f"{count} more" if english else f"{count} andere"


def listing(items: list[str], english: bool) -> str:
    """'a, b en c' / 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if english else " en ") + items[-1]


def scope_sentence(parts: list[str], english: bool) -> str:
    """What the assistant covers, from the index: `parts` are counted kinds of document with their names."""
    if english:
        return f"I answer from my sources, which are {listing(parts, True)} (in Dutch)."
    return f"Ik antwoord uit mijn bronnen: {listing(parts, False)}."


def refusal_examples(english: bool) -> str:
    examples = "; ".join(f"“{q}”" for q in EXAMPLE_QUESTIONS[:3])
    return f"For example: {examples}." if english else f"Bijvoorbeeld: {examples}."


def refusal_text(reason: str, english: bool, scope: str = "") -> str:
    """The refusal sentence, what the sources cover (`scope_sentence`, from the index) and example questions."""
    refusals = REFUSALS_EN if english else REFUSALS_NL
    return " ".join(part for part in (refusals[reason], scope, refusal_examples(english)) if part)


def rules_refusal_text(rules: str, english: bool) -> str:
    """A judgement refused in one sentence, then the law the question touches, quoted with its [n]."""
    refusals, lead = (REFUSALS_EN, RULES_LEAD_EN) if english else (REFUSALS_NL, RULES_LEAD_NL)
    return f"{refusals['legal_approval']} {lead}\n\n{rules}"


ANSWER_TYPE_NAMES_NL = {
    "amount": "bedrag",
    "percentage": "percentage",
    "period": "termijn of duur",
    "count": "aantal",
    "date": "datum of jaartal",
    "person": "naam van een persoon",
}
ANSWER_TYPE_NAMES_EN = {
    "amount": "amount",
    "percentage": "percentage",
    "period": "period",
    "count": "number",
    "date": "date",
    "person": "person's name",
}


def missing_value_text(answer_type: str, english: bool) -> str:
    if english:
        return f"The sources do not give that {ANSWER_TYPE_NAMES_EN[answer_type]}. What they do say on the topic:"
    return f"De bronnen noemen geen {ANSWER_TYPE_NAMES_NL[answer_type]} hiervoor. Wat ze wel over het onderwerp zeggen:"


def outdated_note(current: str | None, english: bool) -> str:
    if english:
        base = "Note: this quotes an outdated (2015) text of the law."
        return f"{base} The current provision is {current}." if current else base
    base = "Let op: dit citeert een verouderde wettekst (versie 2015)."
    return f"{base} De huidige bepaling is {current}." if current else base


def law_lead(article: str, lid_words: str | None, law: str, english: bool) -> str:
    if english:
        where = f"article {article}" + (f", paragraph {lid_words}" if lid_words else "")
        return f"According to {where} of the {law} (quoted in Dutch):"
    where = f"artikel {article}" + (f", {lid_words} lid," if lid_words else "")
    return f"Volgens {where} van de {law}:"


SOURCES_LEAD_EN = "According to the sources (quoted in Dutch):"


UPLOADED_LEAD_NL = "Volgens een geüpload document:"
UPLOADED_LEAD_EN = "According to an uploaded document (quoted in Dutch):"


def uploaded_note(numbers: list[int], english: bool) -> str:
    """For a model's answer, whose sentences we do not lead ourselves: which cited sources are uploads."""
    refs = " ".join(f"[{n}]" for n in numbers)
    if english:
        return f"Note: {refs} {'is an uploaded document' if len(numbers) == 1 else 'are uploaded documents'}."
    return f"Let op: {refs} {'is een geüpload document' if len(numbers) == 1 else 'zijn geüploade documenten'}."


STOPPED_NOTE = (
    "U hebt het antwoord gestopt: alleen de zinnen die toen af waren, zijn gecontroleerd op de bronnen en bewaard."
)
"""Under an LLM answer stopped while it was written (`AnswerStream.stop`)."""
