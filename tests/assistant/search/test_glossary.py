"""assistant.search.glossary: acronym <-> full form expansion, English-to-Dutch search terms, language guess."""

from __future__ import annotations

import pytest

from assistant.search.glossary import ENGLISH_TERMS, GLOSSARY, expansions, looks_english
from assistant.textutils import normalize

pytestmark = pytest.mark.unit


def _normalised(terms: list[str]) -> set[str]:
    return {normalize(term) for term in terms}


# --- acronyms and full forms ------------------------------------------------------------------------------


def test_acronym_adds_its_full_form() -> None:
    assert "op overeenstemming gericht overleg" in expansions("wat is oogo")
    assert "op overeenstemming gericht overleg" in expansions("Wat is OOGO?")


def test_full_form_adds_the_acronym() -> None:
    added = expansions("Wat is op overeenstemming gericht overleg?")
    assert "OOGO" in added
    # The question's own words are not repeated.
    assert "op overeenstemming gericht overleg" not in added


def test_variant_of_the_full_form_adds_the_acronym_and_full_form() -> None:
    added = expansions("Wat is overeenstemmingsgericht overleg?")
    assert {"OOGO", "op overeenstemming gericht overleg"} <= set(added)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Wat doet een SWV?", "samenwerkingsverband passend onderwijs"),
        ("Wie betaalt de JGZ?", "jeugdgezondheidszorg"),
        ("Wat is een OPP?", "ontwikkelingsperspectief"),
        ("Wat is een tlv?", "toelaatbaarheidsverklaring"),
        ("Geldt dit ook voor het vso?", "voortgezet speciaal onderwijs"),
        ("Wat regelt de WEC?", "Wet op de expertisecentra"),
    ],
)
def test_dutch_acronyms_expand(question: str, expected: str) -> None:
    assert expected in expansions(question)


def test_acronym_matches_whole_words_only() -> None:
    # "so" inside "sociaal" or "pro" inside "procedure" is not the acronym.
    added = _normalised(expansions("Wat is de procedure voor sociaal werk?"))
    assert "speciaal onderwijs" not in added
    assert "praktijkonderwijs" not in added


def test_no_expansion_for_a_question_without_terms() -> None:
    assert expansions("Hoe laat is het?") == []


def test_expansions_have_no_duplicates() -> None:
    added = expansions("Wat is OOGO en wat doet het SWV met het OOGO over het ondersteuningsplan?")
    assert len(added) == len(set(added))


# --- English -------------------------------------------------------------------------------------------------


def test_english_phrase_maps_to_the_dutch_term_and_acronym() -> None:
    added = expansions("What is consultation aimed at agreement?")
    assert "op overeenstemming gericht overleg" in added
    assert "OOGO" in added


@pytest.mark.parametrize(
    ("question", "dutch"),
    [
        ("Which municipality is responsible for youth care?", "gemeente"),
        ("Which municipality is responsible for youth care?", "jeugdhulp"),
        ("What must be in the support plan of a school partnership?", "ondersteuningsplan"),
        ("How do municipalities and schools work together?", "gemeenten"),
        ("What does the compulsory education act say about truancy?", "Leerplichtwet"),
    ],
)
def test_english_field_words_map_to_dutch_search_terms(question: str, dutch: str) -> None:
    assert dutch in expansions(question)


def test_longest_english_phrase_wins_over_its_parts() -> None:
    added = expansions("What does the compulsory education act require?")
    assert "Leerplichtwet" in added
    assert "leerplicht" in added  # "compulsory education" also matches; both are Dutch search words


def test_so_in_an_english_sentence_is_not_speciaal_onderwijs() -> None:
    question = "What should the municipality do so that pupils get support?"
    assert looks_english(question)
    added = _normalised(expansions(question))
    assert "speciaal onderwijs" not in added
    assert "so" not in added
    assert "gemeente" in added  # the real field words are still translated


def test_pro_in_an_english_sentence_is_not_praktijkonderwijs() -> None:
    added = _normalised(expansions("What are the pros and the pro arguments for the municipality?"))
    assert "praktijkonderwijs" not in added


def test_lowercase_acronyms_still_expand_in_a_dutch_question() -> None:
    assert "speciaal onderwijs" in expansions("Wat is het verschil tussen sbo en so?")
    assert "praktijkonderwijs" in expansions("Wat is pro in het vo?")


def test_uppercase_acronym_still_expands_in_english() -> None:
    added = expansions("What is the OOGO and who takes part in it?")
    assert "op overeenstemming gericht overleg" in added


# --- looks_english -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "What must a municipality do before the support plan is adopted?",
        "How do schools and youth care work together?",
        "Which article of the law is about the school partnership?",
    ],
)
def test_english_questions_look_english(question: str) -> None:
    assert looks_english(question)


@pytest.mark.parametrize(
    "question",
    [
        "Wat moet de gemeente doen voordat het ondersteuningsplan wordt vastgesteld?",
        "Hoe werken scholen en jeugdhulp samen in Dronten?",
        "Wat is OOGO?",
        "Welk artikel gaat over het samenwerkingsverband?",
        "",
    ],
)
def test_dutch_questions_do_not_look_english(question: str) -> None:
    assert not looks_english(question)


def test_one_english_word_is_not_enough() -> None:
    assert not looks_english("support")
    assert not looks_english("Wat is de support voor scholen in de gemeente?")


# --- the table itself -----------------------------------------------------------------------------------------


def test_glossary_has_unique_acronyms_and_explanations() -> None:
    abbreviations = [normalize(term.abbreviation) for term in GLOSSARY]
    assert len(abbreviations) == len(set(abbreviations))
    assert all(term.full and term.explanation for term in GLOSSARY)


def test_english_terms_map_to_non_empty_dutch() -> None:
    assert all(english == english.lower() and dutch.strip() for english, dutch in ENGLISH_TERMS.items())
