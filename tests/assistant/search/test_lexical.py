"""assistant.search.lexical: the Dutch analyser, Okapi BM25 and typo repair against the corpus vocabulary."""

from __future__ import annotations

import math

import pytest

from assistant.search.lexical import BM25, DUTCH_STOP_WORDS, analyse, repair_typos, stem, words

pytestmark = pytest.mark.unit


# --- analyser -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("gemeente", "gemeenten"),
        ("geschil", "geschillen"),
        ("samenwerkingsverband", "samenwerkingsverbanden"),
        ("leerling", "leerlingen"),
        ("school", "scholen"),
    ],
)
def test_stemming_conflates_singular_and_plural(singular: str, plural: str) -> None:
    assert analyse(singular) == analyse(plural)
    assert len(analyse(singular)) == 1


def test_stemming_keeps_different_words_apart() -> None:
    assert analyse("gemeente") != analyse("school")
    assert analyse("ondersteuningsplan") != analyse("jeugdplan")


def test_stop_words_are_dropped() -> None:
    assert analyse("het is een van de") == []
    assert words("Wat is de rol van de gemeente bij het OOGO?") == ["rol", "gemeente", "oogo"]


def test_english_function_words_are_stop_words_too() -> None:
    assert words("What is the support plan") == ["support", "plan"]


def test_words_are_normalised_before_stop_word_removal() -> None:
    assert words("WAT Is Coördinatie?") == ["coordinatie"]


def test_single_letters_are_dropped_but_numbers_are_kept() -> None:
    assert words("artikel 2 lid 9 onder a") == ["artikel", "2", "lid", "9"]
    assert "2015" in words("Wat stond er in 2015?")


def test_stop_word_list_holds_common_dutch_words_and_no_domain_words() -> None:
    assert {"de", "het", "een", "en", "van", "wat", "welke"} <= DUTCH_STOP_WORDS
    assert not {"gemeente", "oogo", "plan", "wet", "artikel", "lid", "jeugdhulp"} & DUTCH_STOP_WORDS


def test_analyse_is_stem_of_words() -> None:
    text = "De samenwerkingsverbanden voeren overleg met gemeenten over hun ondersteuningsplannen."
    assert analyse(text) == [stem(word) for word in words(text)]


# --- BM25 ---------------------------------------------------------------------------------------------------


DOCS = [
    "de gemeente stelt het jeugdplan vast na overleg met het samenwerkingsverband",
    "het samenwerkingsverband stelt het ondersteuningsplan vast",
    "de leerplichtambtenaar onderzoekt het schoolverzuim",
    "de geschillencommissie adviseert bij een geschil over het ondersteuningsplan",
]


@pytest.fixture
def bm25() -> BM25:
    return BM25.build([analyse(doc) for doc in DOCS])


def test_bm25_ranks_the_document_with_the_query_terms_first(bm25: BM25) -> None:
    scores = bm25.scores(analyse("geschillen over het ondersteuningsplan"))
    ranking = sorted(scores, key=scores.get, reverse=True)
    assert ranking[0] == 3
    assert ranking[1] == 1  # shares "ondersteuningsplan" only


def test_bm25_scores_absent_terms_zero(bm25: BM25) -> None:
    assert bm25.scores(analyse("appeltaart recept")) == {}
    scores = bm25.scores(analyse("leerplichtambtenaar"))
    assert set(scores) == {2}
    assert scores[2] > 0
    # A document that misses every query term never appears, i.e. scores 0.
    assert scores.get(0, 0.0) == 0.0


def test_bm25_rare_terms_weigh_more_than_common_terms(bm25: BM25) -> None:
    assert bm25.idf[stem("leerplichtambtenaar")] > bm25.idf[stem("samenwerkingsverband")]


def test_bm25_idf_formula() -> None:
    index = BM25.build([["a"], ["a"], ["b"]])
    assert index.idf["a"] == pytest.approx(math.log(1 + (3 - 2 + 0.5) / (2 + 0.5)))
    assert index.idf["b"] == pytest.approx(math.log(1 + (3 - 1 + 0.5) / (1 + 0.5)))


def test_bm25_single_term_score_matches_the_okapi_formula() -> None:
    docs = [["x", "x", "y"], ["y", "z"]]
    index = BM25.build(docs)
    k1, b = index.k1, index.b
    average = (3 + 2) / 2
    expected = index.idf["x"] * 2 * (k1 + 1) / (2 + k1 * (1 - b + b * 3 / average))
    assert index.scores(["x"]) == {0: pytest.approx(expected)}


def test_bm25_repeated_query_terms_count_once(bm25: BM25) -> None:
    once = bm25.scores([stem("leerplichtambtenaar")])
    twice = bm25.scores([stem("leerplichtambtenaar")] * 2)
    assert once == twice


def test_bm25_more_occurrences_score_higher() -> None:
    index = BM25.build([["oogo", "plan", "plan", "plan"], ["oogo", "plan", "wet", "wet"], ["wet"]])
    scores = index.scores(["plan"])
    assert scores[0] > scores[1]


def test_bm25_on_an_empty_index_scores_nothing() -> None:
    assert BM25.build([]).scores(["gemeente"]) == {}


# --- typo repair --------------------------------------------------------------------------------------------


VOCABULARY = frozenset(
    "gemeente gemeenten oogo kwaliteitskompas hoofdstuk meld ondersteuningsplan samenwerkingsverband jeugdhulp".split()
)


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [("gemente", "gemeente"), ("oogoo", "oogo"), ("kwaliteitskomas", "kwaliteitskompas"), ("jeugdhlp", "jeugdhulp")],
)
def test_typos_are_repaired_against_the_vocabulary(typo: str, fixed: str) -> None:
    assert repair_typos([typo], VOCABULARY) == {typo: fixed}


def test_long_words_allow_two_edits_short_words_one() -> None:
    # 11+ letters: two edits allowed ("u" missing, "n" typed as "m").
    assert repair_typos(["ondersteningsplam"], VOCABULARY) == {"ondersteningsplam": "ondersteuningsplan"}
    # Three edits is too far even for a long word.
    assert repair_typos(["ondrsteningsplam"], VOCABULARY) == {}
    # Under 11 letters only one edit: "gemnte" is two edits from "gemeente".
    assert repair_typos(["gemnte"], VOCABULARY) == {}


def test_real_words_are_not_bent_into_vocabulary_words() -> None:
    # "hoofdstad" is two edits from "hoofdstuk" and only 9 letters long: left alone.
    assert repair_typos(["hoofdstad"], VOCABULARY) == {}
    # "geld" is one edit from "meld" but short, and typos rarely hit the first letter.
    assert repair_typos(["geld"], VOCABULARY) == {}


def test_first_letter_must_match() -> None:
    assert repair_typos(["xemeente"], VOCABULARY) == {}


def test_known_words_short_words_and_numbers_are_left_alone() -> None:
    assert repair_typos(["gemeente", "oogo", "plan", "2015", "12345"], VOCABULARY) == {}


def test_only_unknown_words_appear_in_the_fixes() -> None:
    fixes = repair_typos(["gemente", "gemeente", "hoofdstad", "oogoo"], VOCABULARY)
    assert fixes == {"gemente": "gemeente", "oogoo": "oogo"}


def test_ordinary_dutch_words_the_sources_lack_are_no_typos() -> None:
    # One edit from a corpus word, but common Dutch: "dagen" must not become "dragen".
    vocabulary = VOCABULARY | {"dragen", "voorstel", "wethouders"}
    assert repair_typos(["dagen", "voorspel", "wethouder"], vocabulary) == {}
    # A real typo of the same shape is still repaired.
    assert repair_typos(["drgen"], vocabulary) == {"drgen": "dragen"}


def test_bm25_ranked_is_the_score_order_with_ties_in_the_order_scores_meets_them() -> None:
    """`ranked` replaces sorting the `scores` dict: equal scores (duplicate passages) keep the dict's order."""
    docs = [["b"], ["a", "b"], ["a"], ["a", "b"], ["c"], ["b"]]
    index = BM25.build(docs)
    for query in (["a", "b"], ["b", "a"], ["b", "a", "c"], ["c"], ["x"]):
        scores = index.scores(query)
        assert index.ranked(query) == sorted(scores, key=scores.get, reverse=True)
    assert list(index.scores(["b", "a"])) == [0, 1, 3, 5, 2]  # term by term, then by document number
