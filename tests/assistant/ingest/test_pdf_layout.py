"""PDF layout repair on realistic PDFs made here with fpdf2, line by line as Word and InDesign draw them.

Each artefact a real Dutch policy PDF has is in a generated document: a running header in the
margin column ("Kenmerk ..."), a footer with broken spacing ("P agina 3 van 5"), alternating
report footers ("PBL | 4"), end-of-line hyphenation, a numbered list whose items wrap (and one
that runs over a page break), footnote marks in a smaller raised font with the notes at the foot
of the page, a template metadata title, and a two-column page. The assertions are on what users
see: the passages and their answer units, titles and citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.ingest.chunking import answer_units, chunk
from assistant.ingest.loaders import SourceText, is_placeholder_title, load_file
from assistant.ingest.pdf_layout import is_lone_name, is_page_number, join_lines, normalise_bullet
from assistant.models import Passage

pytestmark = pytest.mark.unit

MAX_BYTES = 25_000_000
PAGE_HEIGHT = 842.0  # A4 in points
LEFT = 72.0
BODY = 11.0
LEADING = 14.0  # Word's single spacing for 11 pt is about 13-14 pt
PARAGRAPH_AFTER = 8.0  # Word's default space after a paragraph
KENMERK = "Kenmerk IENW/BSK-2023/297705"


@dataclass
class Typesetter:
    """Draws pre-broken lines one `text()` call per line, like a word processor's PDF export.

    A "^n" token in a line is a footnote mark: drawn 7 pt and 4 pt above the baseline."""

    title: str | None = None
    furniture: str = "letter"  # "letter": Kenmerk header + "P agina n van N"; "report": "PBL | n" / "n | title"
    pages: list[list[tuple]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.core_fonts_encoding = "windows-1252"  # bullets, curly quotes, en dashes as in real text
        self.pdf.set_auto_page_break(False)
        if self.title is not None:
            self.pdf.set_title(self.title)
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.pdf.add_page()
        number = self.pdf.page_no()
        self.pdf.set_font("helvetica", size=8)
        if self.furniture == "letter":
            self.pdf.text(420, 60, KENMERK)
            self.pdf.set_xy(260, PAGE_HEIGHT - 38)
            self.pdf.cell(text=f"P agina {number} van {{nb}}")  # cell() fills in the page count, text() does not
        else:
            footer = f"PBL | {number}" if number % 2 == 0 else f"{number} | Samenwerken in de regio"
            self.pdf.text(LEFT if number % 2 == 0 else 420, PAGE_HEIGHT - 30, footer)
        self.y = 100.0

    def _line(self, x: float, text: str, size: float = BODY, style: str = "") -> None:
        self.pdf.set_font("helvetica", style, size)
        for part in re.split(r"(\^\d+)", text):
            if part.startswith("^"):
                self.pdf.set_font("helvetica", style, 7)
                self.pdf.text(x, self.y - 4, part[1:])
                x += self.pdf.get_string_width(part[1:])
                self.pdf.set_font("helvetica", style, size)
            elif part:
                self.pdf.text(x, self.y, part)
                x += self.pdf.get_string_width(part)
        self.y += LEADING if size <= BODY else size * 1.3

    def heading(self, text: str, size: float = 14) -> None:
        self.y += 6
        self._line(LEFT, text, size, "B")
        self.y += 4

    def paragraph(self, *lines: str, x: float = LEFT) -> None:
        for line in lines:
            self._line(x, line)
        self.y += PARAGRAPH_AFTER

    def item(self, marker: str, *lines: str) -> None:
        self.pdf.set_font("helvetica", size=BODY)
        self.pdf.text(LEFT + 10, self.y, marker)
        for line in lines:
            self._line(LEFT + 28, line)
        self.y += 2

    def footnotes(self, *notes: str) -> None:
        self.y = PAGE_HEIGHT - 90
        for note in notes:
            self._line(LEFT, note, size=8)

    def output(self, path: Path) -> Path:
        self.pdf.output(str(path))
        return path


def _letter(path: Path) -> Path:
    """A five-page Kamerbrief-like letter with every artefact but two columns."""
    doc = Typesetter(title="PBL rapporten sjabloon", furniture="letter")
    doc.heading("Samenwerken aan passend onderwijs en jeugdhulp", size=20)
    doc.paragraph(
        "Geachte voorzitter,",
    )
    doc.paragraph(
        "Met deze brief informeer ik uw Kamer over de afspraken tussen gemeenten en",
        "samenwerkingsverbanden over de ondersteuning van leerlingen rond Schiphol^1. De",
        "afspraken gelden voor alle EU-landen^2 die aan het programma deelnemen.",
    )
    doc.heading("1. Registratiekosten voor ouders", size=13)
    doc.paragraph(
        "Ouders betalen geen registratiekosten bij een ver-",
        "huizing naar een andere gemeente. Het samenwerkingsverband en de gemeente",
        "stemmen de ondersteuning af in het op overeenstemming gericht overleg.",
    )
    doc.paragraph("Het toezicht bestaat uit de volgende onderdelen:")
    doc.item("1.", "Een jaarlijkse zelfevaluatie door het samenwerkingsverband.")
    doc.item(
        "2.",
        "Periodieke controles door de Nederlandse Arbeidsinspectie (NLA) en de",
        "Inspectie Leefomgeving en Transport (ILT);",
    )
    doc.item("3.", "Een gesprek met de gemeenteraad over de uitkomsten.")
    doc.footnotes(
        "1 Zie de brief van de minister van Infrastructuur en Waterstaat van 3 maart 2023.",
        "2 Het gaat om de lidstaten die de verklaring van Brussel hebben ondertekend.",
    )

    doc.new_page()
    doc.heading("2. Toezicht en verantwoording", size=13)
    doc.paragraph(
        "De inspecties ontvangen signalen van scholen, ouders en jeugdhulpaanbieders. Elk",
        "signaal wordt binnen vier weken beoordeeld. In de meeste regio's ontvangen de",
        "inspecties jaarlijks meer dan tweehonderd",
    )

    doc.new_page()
    doc.paragraph(
        "meldingen.^3 Blinde vlekken zijn er vooral bij thuiszitters en bij leerlingen die",
        "tussen twee regio's verhuizen.",
    )
    doc.paragraph("De regio's nemen de volgende maatregelen:")
    doc.item("-", "Een gezamenlijk meldpunt voor thuiszitters.")
    doc.item(
        "-",
        "Periodieke controles door de Nederlandse Arbeidsinspectie (NLA) en de",
    )
    doc.footnotes("3 Jaarverslag van de Inspectie van het Onderwijs over 2022.")

    doc.new_page()
    doc.paragraph("Inspectie Leefomgeving en Transport (ILT) in alle regio's;", x=LEFT + 28)
    doc.item("-", "Een onafhankelijke klachtencommissie.")
    doc.paragraph(
        "De gemeente en het samenwerkingsverband leggen samen verantwoording af aan de",
        "gemeenteraad en de ondersteuningsplanraad. Zij doen dat ten minste eenmaal per",
    )

    doc.new_page()
    doc.paragraph(
        "jaar, in een openbare vergadering.",
    )
    doc.paragraph("Hoogachtend,")
    doc.paragraph("Frans Schilder")
    return doc.output(path)


def _report(path: Path, title: str = "Microsoft Word - rapport_def.docx") -> Path:
    """A three-page report with alternating footers and a two-column second page."""
    doc = Typesetter(title=title, furniture="report")
    doc.heading("Samenwerken in de regio", size=22)
    doc.paragraph(
        "Dit rapport beschrijft hoe gemeenten en samenwerkingsverbanden in twaalf regio's",
        "samenwerken aan een sluitende aanpak voor leerlingen die extra ondersteuning nodig",
        "hebben.",
    )
    doc.new_page()
    top = doc.y
    doc.heading("Opbrengsten", size=14)
    for line in (
        "In de eerste kolom staat dat de",
        "regio's een gezamenlijke visie op",
        "ondersteuning hebben opgesteld en",
        "die visie elk jaar bespreken met",
    ):
        doc._line(LEFT, line)
    doc.y = top
    for line in (
        "de ondersteuningsplanraad en de",
        "gemeenteraad. De tweede kolom",
        "gaat over de kosten van het",
        "leerlingenvervoer in de regio.",
    ):
        doc._line(320, line)
    doc.new_page()
    doc.paragraph(
        "Tot slot bevelen wij aan dat elke regio een vast aanspreekpunt voor ouders heeft,",
        "zodat ouders weten waar zij terechtkunnen met vragen over ondersteuning.",
    )
    return doc.output(path)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "uploads").mkdir(parents=True)
    return root


def _passages(path: Path, corpus: Path) -> tuple[list[SourceText], list[Passage]]:
    texts = load_file(path, corpus, MAX_BYTES)
    return texts, [passage for text in texts for passage in chunk(text)]


def _units(passages: list[Passage]) -> list[tuple[int | None, str]]:
    return [(passage.page, unit) for passage in passages for unit in answer_units(passage)]


# --- the letter --------------------------------------------------------------------------------------


@pytest.fixture
def letter(corpus: Path) -> tuple[list[SourceText], list[Passage]]:
    return _passages(_letter(corpus / "uploads" / "kamerbrief-toezicht.pdf"), corpus)


def test_letter_title_is_the_real_title_not_the_template(letter) -> None:
    texts, passages = letter
    assert {text.metadata["title"] for text in texts} == {"Samenwerken aan passend onderwijs en jeugdhulp"}
    assert {passage.title for passage in passages} == {"Samenwerken aan passend onderwijs en jeugdhulp"}


def test_no_running_header_footer_or_page_number_in_any_passage(letter) -> None:
    _, passages = letter
    for passage in passages:
        assert "Kenmerk" not in passage.text, passage.text
        assert not re.search(r"P\s?agina", passage.text), passage.text
        assert not re.search(r"\bvan 5\b", passage.text), passage.text
        assert passage.heading is None or not is_page_number(passage.heading)


def test_hyphenation_at_line_end_is_undone(letter) -> None:
    _, passages = letter
    text = " ".join(passage.text for passage in passages)
    assert "bij een verhuizing naar een andere gemeente" in text
    assert "ver-" not in text
    assert "EU-landen" in text  # a hyphen that belongs to the word stays


def test_wrapped_list_item_is_one_item(letter) -> None:
    _, passages = letter
    units = [unit for _, unit in _units(passages)]
    wrapped = (
        "2. Periodieke controles door de Nederlandse Arbeidsinspectie (NLA) en de "
        "Inspectie Leefomgeving en Transport (ILT);"
    )
    assert wrapped in units
    assert "1. Een jaarlijkse zelfevaluatie door het samenwerkingsverband." in units
    assert "3. Een gesprek met de gemeenteraad over de uitkomsten." in units


def test_list_item_over_a_page_break_is_whole_and_cites_its_first_page(letter) -> None:
    _, passages = letter
    item = (
        "- Periodieke controles door de Nederlandse Arbeidsinspectie (NLA) en de "
        "Inspectie Leefomgeving en Transport (ILT) in alle regio's;"
    )
    assert (3, item) in _units(passages)
    assert all(not unit.startswith("Inspectie Leefomgeving") for _, unit in _units(passages))


def test_sentence_over_a_page_break_is_joined_on_the_page_where_it_starts(letter) -> None:
    _, passages = letter
    units = _units(passages)
    assert (2, "In de meeste regio's ontvangen de inspecties jaarlijks meer dan tweehonderd meldingen.") in units
    assert (3, "Blinde vlekken zijn er vooral bij thuiszitters en bij leerlingen die tussen twee regio's verhuizen.") in units
    assert (4, "Zij doen dat ten minste eenmaal per jaar, in een openbare vergadering.") in units


def test_footnote_marks_are_detached_and_notes_are_units_at_the_end_of_the_page(letter) -> None:
    texts, passages = letter
    text = " ".join(passage.text for passage in passages)
    assert "rond Schiphol. De afspraken" in text
    assert "alle EU-landen die aan het programma" in text
    assert not re.search(r"[a-z][.]?\d\b", re.sub(r"Voetnoot \d+:", "", text).replace("2023", "").replace("2022", ""))
    units = _units(passages)
    assert (1, "Voetnoot 1: Zie de brief van de minister van Infrastructuur en Waterstaat van 3 maart 2023.") in units
    assert (3, "Voetnoot 3: Jaarverslag van de Inspectie van het Onderwijs over 2022.") in units
    page1 = texts[0].text.splitlines()
    assert page1[-2:] == [
        "Voetnoot 1: Zie de brief van de minister van Infrastructuur en Waterstaat van 3 maart 2023.",
        "Voetnoot 2: Het gaat om de lidstaten die de verklaring van Brussel hebben ondertekend.",
    ]


def test_headings_come_from_the_layout_never_from_a_name(letter) -> None:
    _, passages = letter
    headings = {passage.heading for passage in passages}
    assert "1. Registratiekosten voor ouders" in headings
    assert "2. Toezicht en verantwoording" in headings
    assert "Frans Schilder" not in headings
    assert headings <= {
        None,
        "Samenwerken aan passend onderwijs en jeugdhulp",
        "1. Registratiekosten voor ouders",
        "2. Toezicht en verantwoording",
    }
    # A section that runs onto the next pages still names its heading there.
    assert {passage.heading for passage in passages if passage.page == 3} == {"2. Toezicht en verantwoording"}


def test_citation_of_a_pdf_passage_reads_page_and_section(letter) -> None:
    _, passages = letter
    passage = next(p for p in passages if "registratiekosten bij een verhuizing" in p.text)
    assert passage.page == 1
    assert passage.reference == "p. 1, 1. Registratiekosten voor ouders"


def test_upload_type_is_geupload(letter) -> None:
    texts, passages = letter
    assert {text.metadata["type"] for text in texts} == {"geüpload"}


# --- the report ---------------------------------------------------------------------------------------


def test_report_alternating_footers_are_dropped_and_title_is_the_largest_text(corpus: Path) -> None:
    texts, passages = _passages(_report(corpus / "uploads" / "rapport.pdf"), corpus)
    assert texts[0].metadata["title"] == "Samenwerken in de regio"
    for passage in passages:
        assert "PBL" not in passage.text and not re.search(r"\d \| ", passage.text), passage.text


def test_two_column_page_reads_column_after_column(corpus: Path) -> None:
    _, passages = _passages(_report(corpus / "uploads" / "rapport.pdf"), corpus)
    assert {passage.heading for passage in passages if passage.page == 2} == {"Opbrengsten"}
    units = [unit for page, unit in _units(passages) if page == 2]
    assert units == [
        "In de eerste kolom staat dat de regio's een gezamenlijke visie op ondersteuning hebben opgesteld en "
        "die visie elk jaar bespreken met de ondersteuningsplanraad en de gemeenteraad.",
        "De tweede kolom gaat over de kosten van het leerlingenvervoer in de regio.",
    ]


def test_a_good_metadata_title_is_kept(corpus: Path) -> None:
    texts, _ = _passages(_report(corpus / "uploads" / "rapport.pdf", title="Sluitende aanpak in twaalf regio's"), corpus)
    assert texts[0].metadata["title"] == "Sluitende aanpak in twaalf regio's"


def test_unknown_folder_gives_type_geupload(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "eigen-map").mkdir(parents=True)
    path = _report(corpus / "eigen-map" / "rapport.pdf")
    texts = load_file(path, corpus, MAX_BYTES)
    assert {text.metadata["type"] for text in texts} == {"geüpload"}


# --- the small rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "placeholder"),
    [
        ("PBL rapporten sjabloon", True),
        ("Microsoft Word - nota_def.docx", True),
        ("Template rapport", True),
        ("rapport_2023_def", True),
        ("Document1", True),
        ("Kamerbrief over toezicht op passend onderwijs", False),
        ("Jeugdwet", False),
    ],
)
def test_placeholder_titles(title: str, placeholder: bool) -> None:
    assert is_placeholder_title(title, "bestand") is placeholder


@pytest.mark.parametrize(
    "line", ["Pagina 3 van 7", "P agina 3 van 7", "PBL | 4", "4 | Samenwerken in de regio", "- 12 -", "blz. 4", "17"]
)
def test_page_numbers_are_recognised(line: str) -> None:
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["3 maart 2023", "Artikel 18a", "1. Inleiding", "De gemeente betaalt 4 | 5 keer"])
def test_text_is_not_a_page_number(line: str) -> None:
    assert not is_page_number(line)


@pytest.mark.parametrize(
    ("text", "name"),
    [("Frans Schilder", True), ("J.A. de Vries", True), ("Mark van der Berg", True), ("Opbrengsten", False),
     ("Passend onderwijs", False), ("Samenwerken in de regio", False)],
)
def test_lone_names(text: str, name: bool) -> None:
    assert is_lone_name(text) is name


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("bij een ver-", "huizing naar", "bij een verhuizing naar"),
        ("alle EU-", "landen", "alle EU-landen"),
        ("provincie Noord-", "Brabant", "provincie Noord-Brabant"),
        ("het jeugd-", "en gezinsbeleid", "het jeugd- en gezinsbeleid"),
        ("periode 2023-", "2024", "periode 2023-2024"),
        ("de gemeente", "betaalt", "de gemeente betaalt"),
    ],
)
def test_join_lines(left: str, right: str, joined: str) -> None:
    assert join_lines(left, right) == joined


def test_a_body_line_repeated_on_every_page_is_not_a_running_header(corpus: Path) -> None:
    """Form-like reports repeat a sentence at the same place on each page; only short lines or
    lines at the page edge can be furniture."""
    doc = Typesetter(title="Regiorapportage", furniture="report")
    for number, region in enumerate(("Stein", "Dronten", "Ede", "Gouda")):
        if number:
            doc.new_page()
        doc.heading(f"Regio {region}", size=14)
        doc.paragraph(f"In {region} wonen {1200 + number * 310} leerlingen die extra ondersteuning krijgen.")
        doc.paragraph("Het samenwerkingsverband stelt elk jaar met de gemeenten een ondersteuningsplan op.")
        doc.paragraph(f"De wethouder van {region} bespreekt dat plan met de gemeenteraad.")
    texts, passages = _passages(doc.output(corpus / "uploads" / "regiorapportage.pdf"), corpus)
    units = _units(passages)
    for page in (1, 2, 3, 4):
        assert (page, "Het samenwerkingsverband stelt elk jaar met de gemeenten een ondersteuningsplan op.") in units
    assert all("PBL" not in passage.text for passage in passages)


def test_without_a_usable_title_the_file_name_in_words_is_the_title(corpus: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Sjabloon nota")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "de gemeente en het samenwerkingsverband overleggen elk kwartaal over de ondersteuning. " * 4)
    path = corpus / "uploads" / "nota_oogo-2024.pdf"
    pdf.output(str(path))
    texts, _ = _passages(path, corpus)
    assert texts[0].metadata["title"] == "nota oogo 2024"


def test_letter_subject_is_the_title_and_turned_margin_text_and_bullet_glyphs_are_handled(corpus: Path) -> None:
    doc = Typesetter(title=None, furniture="letter")
    doc.pdf.set_font("helvetica", size=7)
    doc.pdf.text(LEFT, 80, "> Retouradres Postbus 20901 2500 EX Den Haag")
    with doc.pdf.rotation(90, x=30, y=500):
        doc.pdf.text(30, 500, "CONCEPT - NIET VERSPREIDEN")
    doc.paragraph("Aan de Voorzitter van de Tweede Kamer")
    doc.paragraph("Onderwerp Registratiekosten voor ouders bij verhuizing")
    doc.paragraph("Geachte voorzitter,")
    doc.paragraph("Ouders krijgen in drie gevallen hun registratiekosten terug:")
    for line in ("bij een verhuizing binnen de regio;", "bij een wisseling van school;", "bij een tussentijdse plaatsing."):
        doc.pdf.set_font("helvetica", size=BODY)
        doc.pdf.text(LEFT + 10, doc.y, "•")
        doc._line(LEFT + 28, line)
    texts, passages = _passages(doc.output(corpus / "uploads" / "brief.pdf"), corpus)
    assert texts[0].metadata["title"] == "Registratiekosten voor ouders bij verhuizing"
    text = "\n".join(passage.text for passage in passages)
    assert "CONCEPT" not in text
    units = [unit for _, unit in _units(passages)]
    assert "- bij een verhuizing binnen de regio;" in units
    assert "- bij een tussentijdse plaatsing." in units


@pytest.mark.parametrize(
    ("line", "item"),
    [
        ("• bij een verhuizing;", "- bij een verhuizing;"),
        ("\uf0b7bij een verhuizing;", "- bij een verhuizing;"),  # Word's Symbol bullet, tab stop, no space
        ("– bij een verhuizing;", "- bij een verhuizing;"),
        ("-5 graden", "-5 graden"),  # a minus sign is no bullet
    ],
)
def test_bullets_of_every_font_become_list_items(line: str, item: str) -> None:
    assert normalise_bullet(line) == item
