"""assistant.answer.citations: [n] markers checked against the passages given, renumbered by first use."""

from __future__ import annotations

import pytest

from assistant.answer.citations import OUTDATED_TYPE, cited_numbers, juriconnect_url, make_citation, renumber, source_link
from assistant.models import Citation, Passage

pytestmark = pytest.mark.unit


def _passage(n: int, **fields: object) -> Passage:
    values: dict[str, object] = {
        "id": f"p{n}",
        "doc_id": f"doc/{n}",
        "text": f"Dit is de tekst van passage {n}. Een tweede zin van passage {n}.",
        "title": f"Titel {n}",
        "type": "handreiking",
        "position": n,
    }
    values.update(fields)
    return Passage(**values)  # type: ignore[arg-type]


PASSAGES = [_passage(n) for n in range(1, 6)]


def test_numbering_follows_first_use_without_gaps() -> None:
    checked = renumber("Eerst dit [3]. Dan dat [1]. Daarna [5]. Weer het eerste [3].", PASSAGES)
    assert checked.text == "Eerst dit [1]. Dan dat [2]. Daarna [3]. Weer het eerste [1]."
    assert [c.number for c in checked.citations] == [1, 2, 3]
    assert [c.doc_id for c in checked.citations] == ["doc/3", "doc/1", "doc/5"]
    assert checked.invalid_markers == 0


def test_every_marker_in_the_text_has_its_citation() -> None:
    checked = renumber("A [4]. B [2]. C [4]. D [5].", PASSAGES)
    numbers = {c.number for c in checked.citations}
    assert set(cited_numbers(checked.text)) == numbers
    assert numbers == set(range(1, len(numbers) + 1))


def test_markers_to_missing_passages_are_removed_and_counted() -> None:
    checked = renumber("Goed [2]. Fout [9]. Nul [0]. Ver weg [99]. Goed [1].", PASSAGES)
    assert checked.invalid_markers == 3
    assert "[9]" not in checked.text and "[0]" not in checked.text and "[99]" not in checked.text
    assert checked.text == "Goed [1]. Fout. Nul. Ver weg. Goed [2]."
    assert [c.doc_id for c in checked.citations] == ["doc/2", "doc/1"]


def test_uncited_passages_are_dropped() -> None:
    checked = renumber("Alleen deze [4].", PASSAGES)
    assert len(checked.citations) == 1
    assert checked.citations[0].passage_id == "p4"
    assert checked.citations[0].number == 1


def test_text_without_markers_has_no_citations() -> None:
    checked = renumber("Geen bronnen hier.", PASSAGES)
    assert checked.citations == []
    assert checked.text == "Geen bronnen hier."


def test_markers_with_no_passages_at_all_are_all_invalid() -> None:
    checked = renumber("Iets [1]. Nog iets [2].", [])
    assert checked.invalid_markers == 2
    assert checked.citations == []
    assert cited_numbers(checked.text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zin [1] [1].", "Zin [1]."),
        ("Zin [1][1][1].", "Zin [1]."),
        ("Zin [2] [2] en verder [2].", "Zin [1] en verder [1]."),
    ],
)
def test_duplicate_adjacent_markers_are_merged(text: str, expected: str) -> None:
    assert renumber(text, PASSAGES).text == expected


def test_different_adjacent_markers_are_kept() -> None:
    assert renumber("Zin [2] [1].", PASSAGES).text == "Zin [1] [2]."


def test_quotes_are_attached_per_original_number() -> None:
    quotes = {3: ["Dit is de tekst van passage 3.", "Een tweede zin van passage 3."], 1: ["Dit is de tekst van passage 1."]}
    checked = renumber("A [3]. B [1].", PASSAGES, quotes)
    by_number = {c.number: c for c in checked.citations}
    assert by_number[1].quote == "Dit is de tekst van passage 3. Een tweede zin van passage 3."
    assert by_number[2].quote == "Dit is de tekst van passage 1."


def test_without_quotes_the_whole_passage_is_the_quote() -> None:
    checked = renumber("A [2].", PASSAGES, {1: ["niet gebruikt"]})
    assert checked.citations[0].quote == PASSAGES[1].text


def test_space_before_punctuation_left_by_a_removed_marker_is_closed() -> None:
    checked = renumber("Een zin [7] , met komma [1] .", PASSAGES)
    assert checked.text == "Een zin, met komma [1]."


def test_cited_numbers_reads_markers_in_order() -> None:
    assert cited_numbers("a [2] b [10] c [2]") == [2, 10, 2]
    assert cited_numbers("geen [x] markers [] hier") == []


def test_make_citation_copies_the_passage_location() -> None:
    passage = _passage(
        9,
        doc_id="wetgeving/wpo-artikel-18a-19",
        type="wetgeving",
        article="18a",
        lid="9",
        short="WPO",
        source_url="https://wetten.overheid.nl/BWBR0003420",
    )
    citation = make_citation(2, passage, "Het ondersteuningsplan wordt niet vastgesteld ...")
    assert citation.number == 2
    assert citation.doc_id == "wetgeving/wpo-artikel-18a-19"
    assert (citation.article, citation.lid) == ("18a", "9")
    assert citation.reference == "WPO art. 18a lid 9"
    assert citation.passage_id == "p9"
    assert citation.source_url == "https://wetten.overheid.nl/BWBR0003420"
    assert citation.quote == "Het ondersteuningsplan wordt niet vastgesteld ..."
    assert citation.outdated is False


def test_make_citation_marks_outdated_law() -> None:
    passage = _passage(1, type=OUTDATED_TYPE, article="17a", lid="9", short="WVO (oud)")
    assert make_citation(1, passage, "q").outdated is True


def test_make_citation_of_a_pdf_page_has_a_page_reference() -> None:
    citation = make_citation(1, _passage(1, page=3), "q")
    assert citation.page == 3
    assert citation.reference == "p. 3"


def test_make_citation_of_a_pdf_page_names_its_section() -> None:
    citation = make_citation(1, _passage(1, page=3, heading="2. Toezicht en verantwoording"), "q")
    assert citation.reference == "p. 3, 2. Toezicht en verantwoording"
    # Law keeps its own reference; a Markdown section has no page to name.
    assert _passage(2, article="18a", lid="9", short="WPO", heading="Artikel 18a").reference == "WPO art. 18a lid 9"
    assert _passage(3, heading="Inleiding").reference == ""


@pytest.mark.unit
def test_law_sources_link_to_the_article_and_lid_with_juriconnect() -> None:
    assert juriconnect_url("BWBR0003420", "18a", "9") == "https://wetten.overheid.nl/jci1.3:c:BWBR0003420&artikel=18a&lid=9"
    assert juriconnect_url("BWBR0039296", "2.47") == "https://wetten.overheid.nl/jci1.3:c:BWBR0039296&artikel=2.47"
    assert juriconnect_url("BWBR0003420") == "https://wetten.overheid.nl/jci1.3:c:BWBR0003420"

    def cite(**values: object) -> Citation:
        base: dict = {"number": 1, "doc_id": "d", "title": "t", "type": "wetgeving", "article": "18a", "lid": "9",
                      "page": None, "quote": "q", "source_url": None, "passage_id": "p"}
        return Citation(**{**base, **values})

    assert source_link(cite(bwb_id="BWBR0003420")).endswith("jci1.3:c:BWBR0003420&artikel=18a&lid=9")
    # An index built before passages carried bwb_id: the id is read from the law's source_url.
    assert source_link(cite(source_url="https://wetten.overheid.nl/BWBR0003420")).endswith("&artikel=18a&lid=9")
    handreiking = cite(type="handreiking", article=None, lid=None, source_url="https://example.org/oogo")
    assert source_link(handreiking) == "https://example.org/oogo"
    assert source_link(cite(type="praktijkvoorbeeld", article=None, lid=None)) is None
