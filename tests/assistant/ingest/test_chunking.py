"""assistant.ingest.chunking: law per artikel and lid, prose per section under a word cap, stable ids.

Small inline texts for the rules, plus the real corpus files the citations depend on
(WPO 18a lid 9, the 2015 WVO (oud) 17a lid 9).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.chunking import MAX_CHARS_PER_WORD, answer_units, chunk
from assistant.ingest.indexer import discover
from assistant.ingest.loaders import SourceText, doc_id_for, load_file
from assistant.models import DOC_TYPES, Passage
from assistant.search.corpus_facts import load_facts
from assistant.textutils import split_sentences, word_count
from tests.paths import REPO

pytestmark = pytest.mark.unit

CORPUS = REPO / "corpus"
SETTINGS = Settings(corpus_dir=CORPUS, models_dir=REPO / "models", chroma_url=None)
FACTS = load_facts(CORPUS)
"""The corpus's law names (feiten.yaml), as ingest passes them: collected law texts get their citation name."""


def _chunk(source: SourceText, settings: Settings = SETTINGS) -> list[Passage]:
    return chunk(source, settings.chunk_words, settings.chunk_overlap_words, settings.law_article_max_words, FACTS)


def _law(text: str, short: str = "WPO", type_: str = "wetgeving") -> SourceText:
    return SourceText("wetgeving/test-wet", text, {"title": "Testwet", "type": type_, "short": short,
                                                    "source_url": "https://wetten.overheid.nl/BWBR0000000"})


def _prose(text: str, title: str = "Handreiking samenwerking") -> SourceText:
    return SourceText("handreikingen/test", text, {"title": title, "type": "handreiking"})


def _load_real(relative: str) -> list[SourceText]:
    return load_file(CORPUS / relative, CORPUS, int(SETTINGS.max_file_mb * 1_000_000))


def _sentences(tag: str, count: int, words: int = 10) -> list[str]:
    """`count` distinct sentences of exactly `words` words, recognisable by `tag` and their number."""
    filler = ["de", "gemeente", "en", "het", "samenwerkingsverband", "maken", "samen", "goede", "afspraken", "over",
              "jeugdhulp", "onderwijs", "vervoer", "en", "zorg"]
    sentences = []
    for n in range(count):
        body = [f"{tag}{n}"] + [filler[(n + i) % len(filler)] for i in range(words - 1)]
        sentences.append(" ".join(body).capitalize() + ".")
    return sentences


def _paragraph(tag: str, words: int, sentence_words: int = 10) -> str:
    assert words % sentence_words == 0
    return " ".join(_sentences(tag, words // sentence_words, sentence_words))


def _body(passage: Passage) -> str:
    """The passage text without its heading line."""
    lines = passage.text.splitlines()
    return "\n".join(lines[1:]) if passage.heading and lines[0] == passage.heading else passage.text


# --- law ------------------------------------------------------------------------------------------

SHORT_LAW = """\
§ 1. Algemene bepalingen

Artikel 1. Begrippen

In deze wet wordt verstaan onder samenwerkingsverband: het samenwerkingsverband passend onderwijs.

Artikel 2. Taak van het samenwerkingsverband

1. Het samenwerkingsverband stelt een ondersteuningsplan vast.

2. Het samenwerkingsverband verdeelt de ondersteuningsmiddelen.

Artikel 3. Overleg

1. Het ondersteuningsplan wordt vastgesteld na overleg met de gemeente.
"""


def test_law_is_split_per_article_with_article_metadata() -> None:
    passages = _chunk(_law(SHORT_LAW))
    assert [p.article for p in passages] == ["1", "2", "3"]
    assert all(p.short == "WPO" and p.type == "wetgeving" for p in passages)
    first, second, third = passages
    assert first.text.splitlines()[0] == "Artikel 1. Begrippen"
    assert "verstaan onder samenwerkingsverband" in first.text
    assert first.lid is None  # no numbered lid
    # A short article with two lids stays whole; it is not one lid, so no lid number.
    assert second.lid is None
    assert "1. Het samenwerkingsverband stelt" in second.text and "2. Het samenwerkingsverband verdeelt" in second.text
    assert "Artikel 3" not in second.text
    # An article of exactly one lid is that lid.
    assert third.lid == "1"
    assert third.reference == "WPO art. 3 lid 1"
    # Structure headings (§, Hoofdstuk) are not passages and do not leak into articles.
    assert not any("Algemene bepalingen" in p.text for p in passages)


def _long_article() -> str:
    lids = [f"{n}. " + _paragraph(f"lid{n}x", 100) for n in (1, 2, 3)]
    return "Artikel 5. Ondersteuningsplan\n\n" + "\n\n".join(lids) + "\n\nArtikel 6. Kort\n\nEen korte bepaling.\n"


def test_long_article_is_split_per_lid_with_heading_first() -> None:
    text = _long_article()
    assert word_count(text) > SETTINGS.law_article_max_words  # the fixture really is a long article
    passages = _chunk(_law(text))
    article5 = [p for p in passages if p.article == "5"]
    assert [p.lid for p in article5] == ["1", "2", "3"]
    for passage in article5:
        lines = passage.text.splitlines()
        assert lines[0] == "Artikel 5. Ondersteuningsplan"
        assert passage.heading == "Artikel 5. Ondersteuningsplan"
        assert lines[1].startswith(f"{passage.lid}. Lid{passage.lid}x0")
        # Each lid passage holds its own lid only.
        others = {"1", "2", "3"} - {passage.lid}
        assert not any(f"lid{other}x" in passage.text.lower() for other in others)
    assert [p.article for p in passages if p.article != "5"] == ["6"]


def test_per_lid_split_follows_the_article_max_words_setting() -> None:
    text = _long_article()
    roomy = Settings(models_dir=REPO / "models", chroma_url=None, law_article_max_words=1000, chunk_words=1000)
    passages = _chunk(_law(text), roomy)
    assert [(p.article, p.lid) for p in passages] == [("5", None), ("6", None)]


def test_repealed_article_produces_no_passage() -> None:
    text = SHORT_LAW.replace(
        "Artikel 3. Overleg", "Artikel 2a. Oude taak\n\nVervallen.\n\nArtikel 2b. Ook weg\n\nVervallen\n\nArtikel 3. Overleg"
    )
    passages = _chunk(_law(text))
    assert [p.article for p in passages] == ["1", "2", "3"]
    assert not any("Vervallen" in p.text for p in passages)


def test_real_wpo_18a_lid_9() -> None:
    [source] = _load_real("wetgeving/wpo-artikel-18a-19.md")
    passages = _chunk(source)
    assert all(p.doc_id == "wetgeving/wpo-artikel-18a-19" for p in passages)
    matches = [p for p in passages if p.article == "18a" and p.lid == "9"]
    assert len(matches) == 1, [(p.article, p.lid) for p in passages]
    lid9 = matches[0]
    assert lid9.short == "WPO"
    assert lid9.reference == "WPO art. 18a lid 9"
    assert lid9.type == "wetgeving"
    assert lid9.source_url == "https://wetten.overheid.nl/BWBR0003420"
    assert lid9.text.splitlines()[0] == "Artikel 18a. Samenwerkingsverbanden"
    assert lid9.text.splitlines()[1].startswith("9. Het ondersteuningsplan wordt niet vastgesteld")
    assert "op overeenstemming gericht overleg" in lid9.text
    assert "10. " not in lid9.text
    # Article 18 of the same file is "Vervallen": no passage.
    assert "18" not in {p.article for p in passages}
    assert {p.article for p in passages} == {"18a", "19"}


def test_real_historic_2015_wvo_oud_17a_lid_9() -> None:
    [source] = _load_real("wetgeving/historisch-2015-oogo-bepalingen.md")
    passages = _chunk(source)
    assert all(p.type == "wetgeving (vervallen versie)" for p in passages)
    wvo = [p for p in passages if p.article == "17a"]
    assert len(wvo) == 1
    assert (wvo[0].short, wvo[0].lid) == ("WVO (oud)", "9")
    assert wvo[0].reference == "WVO (oud) art. 17a lid 9"
    assert "artikel 18a, tweede lid, van de Wet op het primair onderwijs" in wvo[0].text
    # The other laws collected in the same file keep their own short names.
    by_article = {(p.short, p.article, p.lid) for p in passages}
    assert ("WPO", "18a", "9") in by_article
    assert ("Jeugdwet", "2.2", "3") in by_article


# --- prose ----------------------------------------------------------------------------------------


def test_prose_splits_on_headings() -> None:
    text = (
        "# Samenwerken in de regio\n\n"
        "## Inleiding\n\nGemeenten en samenwerkingsverbanden hebben elkaar nodig.\n\n"
        "## Werkwijze\n\nZe voeren elk jaar op overeenstemming gericht overleg.\n\n"
        "Ze leggen de afspraken vast in een convenant.\n"
    )
    passages = _chunk(_prose(text))
    assert [p.heading for p in passages] == ["Inleiding", "Werkwijze"]
    assert passages[0].text == "Inleiding\nGemeenten en samenwerkingsverbanden hebben elkaar nodig."
    assert passages[1].text.splitlines()[0] == "Werkwijze"
    assert "convenant" in passages[1].text and "convenant" not in passages[0].text
    assert all(p.article is None and p.lid is None for p in passages)
    assert [p.position for p in passages] == [0, 1]


@pytest.mark.parametrize("paragraph_words", [60, 120, 250, 290, 300])
def test_no_prose_passage_exceeds_the_word_cap(paragraph_words: int) -> None:
    cap = SETTINGS.chunk_words
    paragraphs = [_paragraph(f"p{n}s", paragraph_words) for n in range(6)]
    long_sentence_block = _paragraph("lang", 2 * cap + 40)  # one block bigger than the cap: split by sentence
    text = (
        "## Een kop van meerdere woorden boven een lange sectie\n\n"
        + "\n\n".join(paragraphs)
        + "\n\n## Tweede sectie\n\n"
        + long_sentence_block
        + "\n"
    )
    passages = _chunk(_prose(text))
    assert len(passages) >= 4
    sizes = [word_count(p.text) for p in passages]
    assert max(sizes) <= cap, f"passage sizes {sizes} exceed chunk_words={cap}"
    # Nothing is lost: every sentence of the input is in some passage.
    everything = "\n".join(p.text for p in passages)
    for sentence in split_sentences("\n".join(paragraphs + [long_sentence_block])):
        assert sentence in everything


def test_word_cap_follows_settings() -> None:
    small = Settings(models_dir=REPO / "models", chroma_url=None, chunk_words=50, chunk_overlap_words=15)
    text = "## Sectie\n\n" + "\n\n".join(_paragraph(f"q{n}s", 30) for n in range(8))
    passages = _chunk(_prose(text), small)
    assert len(passages) >= 5
    assert max(word_count(p.text) for p in passages) <= 50


def test_overlap_sentence_between_chunks_of_one_section() -> None:
    paragraphs = [_paragraph(f"p{n}s", 120) for n in range(3)]
    text = "## Lange sectie\n\n" + "\n\n".join(paragraphs) + "\n"
    passages = _chunk(_prose(text))
    assert len(passages) == 2
    first, second = passages
    assert first.heading == second.heading == "Lange sectie"
    last_sentence_of_first = split_sentences(_body(first))[-1]
    assert last_sentence_of_first == split_sentences(paragraphs[1])[-1]
    # The second chunk opens (after its heading) with the last sentence of the first one.
    assert second.text.splitlines()[1] == last_sentence_of_first
    assert paragraphs[2] in second.text and paragraphs[2] not in first.text
    assert word_count(last_sentence_of_first) <= SETTINGS.chunk_overlap_words


def test_marked_headings_are_the_only_headings() -> None:
    """PDF, DOCX and HTML loaders mark every heading with "#"; a signature or address line of a few
    words is then text, not the start of a section."""
    text = "## Toezicht\nDe inspectie ziet toe op de afspraken.\nHoogachtend,\nFrans Schilder\nPostbus 20018"
    guessed = chunk(_prose(text))
    marked = chunk(SourceText("uploads/brief", text, {"title": "Brief", "type": "geüpload"}, page=2, marked_headings=True))
    assert "Frans Schilder" in {p.heading for p in guessed}  # the old guess, kept for Markdown and text
    assert {p.heading for p in marked} == {"Toezicht"}
    assert "Frans Schilder" in marked[0].text and "Postbus 20018" in marked[0].text
    assert marked[0].reference == "p. 2, Toezicht"


def test_no_overlap_across_sections() -> None:
    text = "## Een\n\n" + _paragraph("a", 120) + "\n\n## Twee\n\n" + _paragraph("b", 120) + "\n"
    first, second = _chunk(_prose(text))
    assert "A0" not in second.text and "a11" not in second.text.lower()
    assert second.text.splitlines()[1].startswith("B0")


# --- ids --------------------------------------------------------------------------------------------

ID_TEXT = (
    "## Eerste sectie\n\nDe gemeente stelt het beleidsplan vast na overleg.\n\n"
    "## Tweede sectie\n\nHet samenwerkingsverband stelt het ondersteuningsplan vast.\n"
)


def test_ids_are_stable_for_the_same_input() -> None:
    first = _chunk(_prose(ID_TEXT))
    again = _chunk(_prose(ID_TEXT))
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == len(first) == 2
    assert all(p.id.startswith("handreikingen/test::") for p in first)


def test_ids_change_when_text_changes() -> None:
    before = _chunk(_prose(ID_TEXT))
    after = _chunk(_prose(ID_TEXT.replace("ondersteuningsplan", "ondersteuningsprogramma")))
    assert before[0].id == after[0].id  # the untouched section keeps its id
    assert before[1].id != after[1].id
    retitled = _chunk(_prose(ID_TEXT, title="Andere titel"))
    assert {p.id for p in retitled}.isdisjoint({p.id for p in before})  # metadata is part of the id


def test_law_ids_stable_and_text_sensitive() -> None:
    a = _chunk(_law(SHORT_LAW))
    b = _chunk(_law(SHORT_LAW))
    c = _chunk(_law(SHORT_LAW.replace("na overleg met de gemeente", "na overleg met de gemeenten")))
    assert [p.id for p in a] == [p.id for p in b]
    assert [p.id for p in a][:2] == [p.id for p in c][:2]
    assert a[2].id != c[2].id


# --- answer units ------------------------------------------------------------------------------------


def test_answer_units_drop_the_heading_line() -> None:
    text = (
        "## Afspraken over vervoer\n\n"
        "De gemeente regelt het leerlingenvervoer. Ouders vragen het vervoer aan bij de gemeente.\n\n"
        "Zie ook.\n"
    )
    [passage] = _chunk(_prose(text))
    assert passage.heading == "Afspraken over vervoer"
    units = answer_units(passage)
    assert units == ["De gemeente regelt het leerlingenvervoer.", "Ouders vragen het vervoer aan bij de gemeente."]


def test_answer_units_of_a_law_lid_skip_the_article_heading() -> None:
    [source] = _load_real("wetgeving/wpo-artikel-18a-19.md")
    lid9 = next(p for p in _chunk(source) if p.article == "18a" and p.lid == "9")
    units = answer_units(lid9)
    assert units, "a lid has quotable sentences"
    assert all("Artikel 18a. Samenwerkingsverbanden" != unit for unit in units)
    assert units[0].startswith("9. Het ondersteuningsplan wordt niet vastgesteld")
    assert units[-1] == "De procedure bevat een voorziening voor het beslechten van geschillen."


# --- the real corpus -----------------------------------------------------------------------------------

REAL_FILES = discover(CORPUS)


def test_real_corpus_is_discovered() -> None:
    assert len(REAL_FILES) >= 20
    assert not any(p.name.lower() == "readme.md" for p in REAL_FILES)


@pytest.mark.parametrize("path", REAL_FILES, ids=[doc_id_for(p, CORPUS) for p in REAL_FILES])
def test_every_real_passage_has_title_and_type(path: Path) -> None:
    doc_id = doc_id_for(path, CORPUS)
    passages = [p for source in _load_real(path.relative_to(CORPUS).as_posix()) for p in _chunk(source)]
    assert passages, f"{doc_id} gives no passages"
    for passage in passages:
        assert passage.doc_id == doc_id
        assert passage.title and passage.title.strip(), passage.id
        assert passage.type and passage.type in DOC_TYPES, (passage.id, passage.type)
        assert passage.text.strip()
        assert word_count(passage.text) <= SETTINGS.chunk_words, (passage.id, word_count(passage.text))
        if passage.type.startswith("wetgeving"):
            assert passage.article, f"{passage.id}: a law passage needs its article"
            assert passage.short, f"{passage.id}: a law passage needs the law's short name"
    assert len({p.id for p in passages}) == len(passages), "passage ids must be unique within a document"


# --- every passage bounded (issue 23) -------------------------------------------------------------

_VOCABULARY = ("de", "gemeente", "samenwerkingsverband", "ondersteuningsplan", "jeugdhulp", "OOGO", "en",
               "het", "artikel", "lid", "Ouders", "school", "https://example.org/" + "pad/" * 30, "x" * 4_000)
_SEPARATORS = (" ", " ", " ", " ", "\n", "\n\n", ". ", "; ", " | ", "\n- ", "\n# ", "\n1. ", "\nArtikel 3\n")


def _random_text(rng: random.Random) -> str:
    """Words, long URLs, space-less blobs, headings, list markers, table bars and article lines, in any order."""
    pieces = []
    for _ in range(rng.randrange(1, 3_000)):
        pieces.append(rng.choice(_VOCABULARY) if rng.random() < 0.97 else "".join(rng.choices("abc", k=rng.randrange(1, 9_000))))
        pieces.append(rng.choice(_SEPARATORS))
    return "".join(pieces)


def _within_limit(passage: Passage, chunk_words: int) -> bool:
    return word_count(passage.text) <= chunk_words and len(passage.text) <= chunk_words * MAX_CHARS_PER_WORD


@pytest.mark.parametrize("seed", range(40))
def test_no_passage_exceeds_the_limit_whatever_the_text(seed: int) -> None:
    rng = random.Random(seed)
    chunk_words = rng.choice((20, 60, 300))
    text = _random_text(rng)
    for source in (_prose(text), _law(text), SourceText("uploads/x", text, {"type": "geüpload"}, marked_headings=True)):
        passages = chunk(source, chunk_words, min(40, chunk_words // 2), chunk_words * 3 // 4, FACTS)
        assert all(_within_limit(p, chunk_words) for p in passages), max(len(p.text) for p in passages)


@pytest.mark.parametrize("seed", range(20))
def test_a_line_cut_to_the_limit_loses_no_word(seed: int) -> None:
    """One line (no headings, no sections): every word is in a passage, a blob over the limit in slices."""
    rng = random.Random(seed)
    chunk_words = rng.choice((20, 60, 300))
    text = " ".join(_random_text(rng).split())
    kept = " ".join(p.text for p in chunk(_prose(text), chunk_words, min(40, chunk_words // 2), chunk_words, FACTS))
    assert all(word[:chunk_words] in kept for word in text.split())


def test_text_without_sentence_ends_is_cut_on_word_boundaries() -> None:
    """The tester's case: 2,000 words without a capitalised sentence start were one passage."""
    text = " ".join(["de gemeente bespreekt het ondersteuningsplan met het samenwerkingsverband"] * 250)
    passages = _chunk(_prose(text))
    assert len(passages) >= 2_000 // SETTINGS.chunk_words
    assert all(_within_limit(p, SETTINGS.chunk_words) for p in passages)
    assert all(p.text.split()[0] in text.split() for p in passages)  # no word cut in two


def test_a_two_megabyte_single_line_document_becomes_many_bounded_passages() -> None:
    rng = random.Random(7)
    line = " ".join(rng.choice(_VOCABULARY[:12]) for _ in range(2_000_000 // 8))
    assert len(line) >= 2_000_000 and "\n" not in line
    passages = _chunk(_prose(line))
    assert len(passages) >= 100
    assert all(_within_limit(p, SETTINGS.chunk_words) for p in passages)
    assert all(answer_units(p) for p in passages)
