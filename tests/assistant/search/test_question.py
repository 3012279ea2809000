"""assistant.search.question: law references, outdated-law wishes, law intent, typo repair and
expansions, normative questions, and `law_match`.

Pure functions on small in-memory fixtures; no model and no Chroma collection.
"""

from __future__ import annotations

import pytest

from assistant.models import OUTDATED_TYPE
from assistant.search.corpus_facts import load_facts
from assistant.search.lexical import BM25, analyse, words
from assistant.search.question import QueryAnalysis, analyse_question, is_normative, law_match
from assistant.search.snapshot import SearchIndex
from tests.fakes import passage
from tests.paths import CORPUS

pytestmark = pytest.mark.unit

CORPUS_TEXT = (
    "gemeente gemeenten samenwerkingsverband ondersteuningsplan overleg overeenstemming gericht oogo artikel lid "
    "jeugdplan jeugdhulp wet primair voortgezet onderwijs vastgesteld college burgemeester wethouders"
)
FACTS = load_facts(CORPUS)
# The index `analyse_question` reads: vocabulary, BM25 stems, the corpus facts (law names, the years
# of outdated texts) and the articles only outdated texts have (17a of the old WVO, as in the corpus).
ANALYSIS_INDEX = SearchIndex(
    generation=1,
    passages=[],
    position={},
    bm25=BM25.build([analyse(CORPUS_TEXT)]),
    vocabulary=frozenset(words(CORPUS_TEXT)),
    sentences={},
    sentence_vectors={},
    facts=FACTS,
    outdated_articles=frozenset({"17a"}),
)


def _analyse(question: str) -> QueryAnalysis:
    return analyse_question(question, ANALYSIS_INDEX)


# --- analyse_question --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "articles", "lids"),
    [
        ("Wat zegt artikel 18a lid 9 van de WPO?", ["18a"], ["9"]),
        ("Wat staat in het negende lid van artikel 18a?", ["18a"], ["9"]),
        ("Wat regelt art. 2.47 van de WVO 2020?", ["2.47"], []),
        ("Wat zegt art.2.47 lid 10?", ["2.47"], ["10"]),
        ("Wat staat in het tiende lid van artikel 2.47?", ["2.47"], ["10"]),
        ("Wat regelt Artikel 2.2, derde lid, van de Jeugdwet?", ["2.2"], ["3"]),
        ("Wat staat in lid 3a van artikel 18a?", ["18a"], ["3a"]),
        ("Wat is OOGO?", [], []),
    ],
)
def test_law_references_are_found(question: str, articles: list[str], lids: list[str]) -> None:
    analysis = _analyse(question)
    assert analysis.articles == articles
    assert analysis.lids == lids


def test_article_references_are_lowercased() -> None:
    assert _analyse("Wat zegt ARTIKEL 18A?").articles == ["18a"]


@pytest.mark.parametrize(
    "question",
    [
        "Wat stond er in de oude WVO over het OOGO?",
        "Wat stond er in 2015 in de wet?",
        "Wat zei artikel 17a lid 9?",
        "Wat was de vervallen tekst van artikel 18a?",
        "What did the former act say?",
    ],
)
def test_outdated_law_is_wanted_only_when_asked(question: str) -> None:
    assert _analyse(question).wants_outdated


@pytest.mark.parametrize(
    "question",
    ["Wat zegt artikel 18a lid 9 van de WPO?", "Wat is de rol van ouders in het OOGO?", "Wat is OOGO?"],
)
def test_current_questions_do_not_want_outdated_law(question: str) -> None:
    assert not _analyse(question).wants_outdated


@pytest.mark.parametrize(
    "question",
    [
        "Welk artikel verplicht een samenwerkingsverband tot OOGO?",
        "Welke wet regelt het OOGO?",
        "Wat is de wettelijke plicht van de gemeente?",
        "Which law requires consultation?",
        "Wat zegt art.2.47?",
    ],
)
def test_law_intent(question: str) -> None:
    assert _analyse(question).law_intent


def test_law_intent_for_art_abbreviation_followed_by_a_space() -> None:
    assert _analyse("Wat zegt art. 2.47?").law_intent


@pytest.mark.parametrize("question", ["Hoe werken gemeente en onderwijs samen in Dronten?", "Wat is OOGO?"])
def test_no_law_intent(question: str) -> None:
    assert not _analyse(question).law_intent


def test_typos_are_repaired_in_the_search_text_but_the_question_is_kept() -> None:
    analysis = _analyse("Wat doet de gemente in het oogoo?")
    assert analysis.typo_fixes == {"gemente": "gemeente", "oogoo": "oogo"}
    assert "gemeente" in analysis.search_text and "gemente" not in analysis.search_text
    assert analysis.question == "Wat doet de gemente in het oogoo?"
    # the repaired acronym is expanded too
    assert "op overeenstemming gericht overleg" in analysis.search_text


def test_glossary_and_english_terms_are_added_to_the_search_text() -> None:
    analysis = _analyse("What must the municipality do before the support plan is adopted?")
    assert analysis.english
    for dutch in ("gemeente", "ondersteuningsplan", "vastgesteld"):
        assert dutch in analysis.search_text


def test_known_words_share() -> None:
    assert _analyse("gemeente ondersteuningsplan").known_words == 1.0
    assert _analyse("appeltaart recept").known_words == 0.0
    assert _analyse("gemeente appeltaart").known_words == pytest.approx(0.5)
    assert _analyse("de het een").known_words == 0.0  # nothing but stop words


# --- law_match -----------------------------------------------------------------------------------------------------




def _query(articles: list[str] = (), lids: list[str] = (), law_intent: bool = False) -> QueryAnalysis:  # type: ignore[assignment]
    return QueryAnalysis("q", "q", False, list(articles), list(lids), False, law_intent=law_intent)


def test_law_match_order_article_and_lid_over_article_over_intent_over_nothing() -> None:
    lid_9 = passage(article="18a", lid="9")
    lid_7 = passage(article="18a", lid="7")
    other_article = passage(article="2.47", lid="10")
    prose = passage(type="handreiking")

    with_lid = _query(["18a"], ["9"], law_intent=True)
    article_only = _query(["18a"], law_intent=True)
    intent_only = _query(law_intent=True)

    article_and_lid = law_match(lid_9, with_lid)
    same_article_other_lid = law_match(lid_7, with_lid)
    article = law_match(lid_7, article_only)
    intent = law_match(other_article, intent_only)
    nothing = law_match(prose, with_lid)

    assert article_and_lid == 1.0
    assert article_and_lid > article > intent > nothing == 0.0
    assert article > same_article_other_lid > 0.0


def test_law_match_named_law_beats_mere_law_intent() -> None:
    wpo = passage(article="18a", lid="9", short="WPO")
    jeugdwet = passage(article="2.2", lid="3", short="Jeugdwet")
    names_wpo = QueryAnalysis("q", "q", False, [], [], False, law_intent=True, laws=["WPO"])
    intent_only = _query(law_intent=True)
    assert law_match(wpo, names_wpo) > law_match(wpo, intent_only) > 0.0
    assert law_match(jeugdwet, names_wpo) == 0.0  # a law the question does not name


def test_law_match_article_of_another_law_does_not_count() -> None:
    # "artikel 18a van de WPO" must not lift a passage of another law that happens to have an article 18a.
    other_law = passage(article="18a", short="Leerplichtwet 1969")
    names_wpo_18a = QueryAnalysis("q", "q", False, ["18a"], [], False, law_intent=True, laws=["WPO"])
    assert law_match(other_law, names_wpo_18a) == 0.0
    assert law_match(passage(article="18a", short="WPO"), names_wpo_18a) == 0.8


def test_law_match_old_wvo_article_named_in_the_question() -> None:
    analysis = _analyse("Wat stond er in 2015 in artikel 17a lid 9 van de oude WVO?")
    old_wvo = passage(article="17a", lid="9", short="WVO (oud)", type=OUTDATED_TYPE)
    assert law_match(old_wvo, analysis) == 1.0


def test_analyse_question_finds_named_laws() -> None:
    assert _analyse("Wat zegt de Jeugdwet over het jeugdplan?").laws == ["Jeugdwet"]
    assert _analyse("Wat regelt artikel 18a WPO?").laws == ["WPO"]
    assert _analyse("Hoe werken gemeente en onderwijs samen?").laws == []


def test_law_match_named_article_gives_other_articles_nothing() -> None:
    assert law_match(passage(article="2.47", lid="10"), _query(["18a"], law_intent=True)) == 0.0


def test_law_match_without_law_intent_is_zero() -> None:
    assert law_match(passage(article="18a", lid="9"), _query()) == 0.0


def test_law_match_article_comparison_ignores_case() -> None:
    assert law_match(passage(article="18A"), _query(["18a"])) == 0.8


# --- normative questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "normative"),
    [
        ("Moet de gemeente het jeugdplan met het samenwerkingsverband bespreken?", True),
        ("Wat moet er in elk geval in het ondersteuningsplan staan?", True),
        ("Welke onderdelen van het plan moeten erin?", True),
        ("Is een samenwerkingsverband verplicht het mbo uit te nodigen?", True),
        ("Must the municipality consult the school partnership?", True),
        ("Wat is OOGO?", False),
        ("Hoe vergroot je het besef van urgentie?", False),
    ],
)
def test_a_question_is_normative_when_it_asks_what_must_or_may(question: str, normative: bool) -> None:
    assert is_normative(question) is normative
