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

SCOPE_NL = (
    "Ik kan vragen beantwoorden over de samenwerking van gemeenten, samenwerkingsverbanden passend "
    "onderwijs en jeugdhulp: het OOGO en de wetsartikelen erover (WPO, WVO 2020, WEC, Jeugdwet, "
    "Leerplichtwet), handreikingen en praktijkvoorbeelden zoals Dronten en Stein."
)
SCOPE_EN = (
    "I can answer questions about how Dutch municipalities, school partnerships for inclusive education "
    "(samenwerkingsverbanden) and youth care work together: the OOGO consultation and the laws on it, "
    "guidance documents and practice examples such as Dronten and Stein."
)

REFUSALS_NL = {
    "not_found": "Dat staat niet in de bronnen die ik heb.",
    "out_of_domain": "Die vraag valt buiten wat mijn bronnen behandelen.",
    "instruction": "Ik volg alleen vragen over de bronnen; instructies om mijn werkwijze te veranderen voer ik niet uit.",
    "legal_approval": (
        "Ik kan geen juridisch oordeel of goedkeuring geven. Ik kan wel laten zien wat de wetteksten en "
        "handreikingen zeggen; leg uw situatie voor aan een jurist voor een oordeel."
    ),
}
REFUSALS_EN = {
    "not_found": "The sources I have do not answer that.",
    "out_of_domain": "That question is outside what my sources cover.",
    "instruction": "I only answer questions about the sources; I do not follow instructions to change how I work.",
    "legal_approval": (
        "I cannot give a legal judgement or approval. I can show what the laws and guidance say; ask a "
        "lawyer for a judgement on your situation."
    ),
}

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


def refusal_text(reason: str, english: bool) -> str:
    refusals, scope = (REFUSALS_EN, SCOPE_EN) if english else (REFUSALS_NL, SCOPE_NL)
    examples = "; ".join(f"“{q}”" for q in EXAMPLE_QUESTIONS[:3])
    suggestion = f" {scope} " + (f"For example: {examples}." if english else f"Bijvoorbeeld: {examples}.")
    return refusals[reason] + suggestion


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
