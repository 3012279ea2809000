"""assistant.textutils: Dutch sentence splitting and normalisation shared by chunking, retrieval and answering."""

from __future__ import annotations

import pytest

from assistant.textutils import DUTCH_ORDINALS, is_list_item, normalize, split_sentences, strip_accents, word_count

pytestmark = pytest.mark.unit


# --- split_sentences ----------------------------------------------------------------------------------------


def test_plain_sentences_split_at_full_stop_question_and_exclamation_mark() -> None:
    text = "De gemeente voert overleg. Wie betaalt de hulp? Dat regelt de wet! Daarna volgt een besluit."
    assert split_sentences(text) == [
        "De gemeente voert overleg.",
        "Wie betaalt de hulp?",
        "Dat regelt de wet!",
        "Daarna volgt een besluit.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Het samenwerkingsverband regelt o.a. het vervoer van leerlingen naar school.",
        "Scholen werken bijv. samen met het wijkteam in de buurt.",
        "Zie art. 18a van de Wet op het primair onderwijs voor de regels.",
        "Afspraken m.b.t. het leerlingenvervoer staan in het plan.",
        "De inzet t.a.v. thuiszitters is een gezamenlijke opgave.",
        "Het overleg vindt plaats i.v.m. de nieuwe wet op passend onderwijs.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert split_sentences(text) == [text]


def test_abbreviation_inside_a_paragraph_keeps_both_neighbouring_sentences_whole() -> None:
    text = "De partners noemen o.a. Veilig Thuis en de wijkteams. Zie art. 2.2 Jeugdwet. Dat is alles."
    assert split_sentences(text) == [
        "De partners noemen o.a. Veilig Thuis en de wijkteams.",
        "Zie art. 2.2 Jeugdwet.",
        "Dat is alles.",
    ]


def test_the_placeholder_for_protected_full_stops_never_leaks_into_output() -> None:
    sentences = split_sentences("Dit geldt bijv. voor het vso. Ook o.a. voor het sbo.")
    assert all("\u2024" not in sentence for sentence in sentences)
    assert sentences == ["Dit geldt bijv. voor het vso.", "Ook o.a. voor het sbo."]


def test_a_decimal_article_number_does_not_split() -> None:
    text = "Artikel 2.47 van de Wet voortgezet onderwijs 2020 gaat over samenwerkingsverbanden."
    assert split_sentences(text) == [text]


def test_lowercase_after_full_stop_is_not_a_new_sentence() -> None:
    # Only a capital, digit, quote or bracket starts a sentence; "enz. en" keeps going.
    text = "Het gaat om vervoer, huisvesting enz. en om de leerplicht."
    assert split_sentences(text) == [text]


def test_list_items_stay_units_of_their_own() -> None:
    text = (
        "Het NJi noemt de volgende punten:\n"
        "- een visie die de partijen delen;\n"
        "- duidelijke doelgroepen. Ook duidelijke behoeften;\n"
        "- voorzieningen die daarbij passen"
    )
    assert split_sentences(text) == [
        "Het NJi noemt de volgende punten:",
        "- een visie die de partijen delen;",
        "- duidelijke doelgroepen.",
        "Ook duidelijke behoeften;",
        "- voorzieningen die daarbij passen",
    ]


def test_lettered_items_of_a_law_stay_separate_units() -> None:
    text = "a. het vaststellen van een ondersteuningsplan,\nb. het verdelen van ondersteuningsmiddelen, en"
    assert split_sentences(text) == [
        "a. het vaststellen van een ondersteuningsplan,",
        "b. het verdelen van ondersteuningsmiddelen, en",
    ]


def test_lid_number_stays_with_its_sentence() -> None:
    text = (
        "9. Het ondersteuningsplan wordt niet vastgesteld voordat overleg heeft plaatsgevonden. "
        "De procedure bevat een voorziening voor het beslechten van geschillen."
    )
    sentences = split_sentences(text)
    assert sentences == [
        "9. Het ondersteuningsplan wordt niet vastgesteld voordat overleg heeft plaatsgevonden.",
        "De procedure bevat een voorziening voor het beslechten van geschillen.",
    ]
    assert "9." not in sentences  # the lid number is never a sentence of its own


def test_lid_with_letter_suffix_stays_with_its_sentence() -> None:
    assert split_sentences("10a. Het samenwerkingsverband kan centra inrichten.") == [
        "10a. Het samenwerkingsverband kan centra inrichten."
    ]


def test_blank_lines_and_surrounding_space_are_dropped() -> None:
    assert split_sentences("\n\n   Eerste zin.   \n\n\nTweede zin.  \n") == ["Eerste zin.", "Tweede zin."]
    assert split_sentences("") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Het motto is ‘Goed is goed genoeg.’ Daarna volgt de lunch.",
            ["Het motto is ‘Goed is goed genoeg.’", "Daarna volgt de lunch."],
        ),
        ('Hij zei: "Dat klopt." Daarna ging hij weg.', ['Hij zei: "Dat klopt."', "Daarna ging hij weg."]),
        ("Zie de wet (artikel 2.47.) Daarna volgt meer.", ["Zie de wet (artikel 2.47.)", "Daarna volgt meer."]),
    ],
)
def test_closing_quote_or_bracket_stays_with_its_sentence(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_sentence_ending_in_a_quote_still_splits_from_the_next() -> None:
    sentences = split_sentences("Het motto is ‘Goed is goed genoeg.’ Daarna volgt de lunch.")
    assert len(sentences) == 2
    assert sentences[1] == "Daarna volgt de lunch."


# --- is_list_item -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["- item", "* item", "• item", "a. item", "b) item", "9. item", "10a. item", "1° item"])
def test_list_markers_are_recognised(line: str) -> None:
    assert is_list_item(line)


@pytest.mark.parametrize("line", ["Het plan.", "Artikel 18a", "2015 was een jaar.", "-geen spatie"])
def test_ordinary_lines_are_not_list_items(line: str) -> None:
    assert not is_list_item(line)


# --- normalize ----------------------------------------------------------------------------------------------


def test_normalize_lowercases_strips_diacritics_and_punctuation() -> None:
    assert normalize("Coördinatie, Één OOGO-overleg!  Café") == "coordinatie een oogo overleg cafe"


def test_normalize_makes_variants_of_the_same_phrase_equal() -> None:
    assert normalize("Mét andere ogen") == normalize("met   ANDERE ogen.")
    assert normalize("ouder- en jeugdsteunpunt") == normalize("Ouder en jeugdsteunpunt")


def test_normalize_collapses_white_space_and_trims() -> None:
    assert normalize("  \tde\n\ngemeente   ") == "de gemeente"


def test_strip_accents_keeps_case_and_punctuation() -> None:
    assert strip_accents("Één coördinatie, René!") == "Een coordinatie, Rene!"


def test_word_count() -> None:
    assert word_count("Het  plan\nwordt vastgesteld.") == 4
    assert word_count("") == 0


def test_dutch_ordinals_name_lid_numbers() -> None:
    assert DUTCH_ORDINALS[0] == "eerste"
    assert DUTCH_ORDINALS[8] == "negende"
    assert DUTCH_ORDINALS[9] == "tiende"
    assert len(DUTCH_ORDINALS) == 20
