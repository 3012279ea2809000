"""assistant.ingest.loaders: one file in, `SourceText`s (text + metadata) out, or an IngestError naming the file.

Every input is made inside the test (tmp_path), including a real PDF (fpdf2) and a real DOCX
(python-docx), so these run in well under a second each.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest.loaders import SourceText, doc_id_for, load_file

pytestmark = pytest.mark.unit

MAX_BYTES = 25_000_000


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for folder in ("handreikingen", "praktijk", "wetgeving", "samenvattingen", "uploads"):
        (root / folder).mkdir(parents=True)
    return root


def _load(path: Path, corpus: Path, max_bytes: int = MAX_BYTES) -> list[SourceText]:
    return load_file(path, corpus, max_bytes)


def _reject(path: Path, corpus: Path, max_bytes: int = MAX_BYTES) -> IngestError:
    with pytest.raises(IngestError) as info:
        _load(path, corpus, max_bytes)
    error = info.value
    assert error.source == str(path), f"the error must name the file, got source={error.source!r}"
    assert error.message.strip(), "the error needs a reason"
    return error


# --- Markdown and text ------------------------------------------------------------------------------


def test_markdown_front_matter_fields_and_doc_id(corpus: Path) -> None:
    path = corpus / "wetgeving" / "wpo-artikel-18a.md"
    path.write_text(
        "---\n"
        'title: "Wet op het primair onderwijs, artikel 18a"\n'
        "short: WPO\n"
        "type: wetgeving\n"
        "date: 2026-08-01\n"
        "publisher: Staat der Nederlanden\n"
        "source_url: https://wetten.overheid.nl/BWBR0003420\n"
        "---\n"
        "Artikel 18a. Samenwerkingsverbanden\n\n"
        "1. Het bevoegd gezag is aangesloten bij een samenwerkingsverband.\n",
        encoding="utf-8",
    )
    texts = _load(path, corpus)
    assert len(texts) == 1
    text = texts[0]
    assert text.doc_id == "wetgeving/wpo-artikel-18a"
    assert text.page is None
    meta = text.metadata
    assert meta["title"] == "Wet op het primair onderwijs, artikel 18a"
    assert meta["short"] == "WPO"
    assert meta["type"] == "wetgeving"
    assert meta["date"] == "2026-08-01"  # YAML dates become strings (Chroma metadata has no dates)
    assert meta["publisher"] == "Staat der Nederlanden"
    assert meta["source_url"] == "https://wetten.overheid.nl/BWBR0003420"
    assert meta["file"] == "wpo-artikel-18a.md"
    # The front matter is metadata, not text.
    assert "---" not in text.text and "source_url" not in text.text
    assert text.text.lstrip().startswith("Artikel 18a. Samenwerkingsverbanden")


def test_doc_id_is_path_under_corpus_without_extension(corpus: Path) -> None:
    nested = corpus / "wetgeving" / "sub" / "wvo-2020-artikel-2.47.md"
    nested.parent.mkdir()
    assert doc_id_for(nested, corpus) == "wetgeving/sub/wvo-2020-artikel-2.47"


def test_text_without_front_matter_takes_title_from_first_heading(corpus: Path) -> None:
    path = corpus / "praktijk" / "notitie.txt"
    path.write_text(
        "\n\n# Samenwerken in de regio Stein\n\nDe gemeente en het samenwerkingsverband overleggen elk kwartaal.\n",
        encoding="utf-8",
    )
    [text] = _load(path, corpus)
    assert text.doc_id == "praktijk/notitie"
    assert text.metadata["title"] == "Samenwerken in de regio Stein"
    assert text.metadata["type"] == "praktijkvoorbeeld"  # from the folder
    assert "overleggen elk kwartaal" in text.text


def test_folder_gives_type_when_front_matter_has_none(corpus: Path) -> None:
    path = corpus / "samenvattingen" / "kort.md"
    path.write_text("---\ntitle: Kort\n---\nEen samenvatting van een rapport over jeugdhulp.\n", encoding="utf-8")
    [text] = _load(path, corpus)
    assert text.metadata["type"] == "samenvatting"
    assert text.metadata["title"] == "Kort"


def test_windows_1252_text_decodes(corpus: Path) -> None:
    path = corpus / "handreikingen" / "export.txt"
    original = "Overleg over één ondersteuningsplan – ‘op overeenstemming gericht’ – kost € 0.\n"
    path.write_bytes(original.encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is not UTF-8
    [text] = _load(path, corpus)
    assert "één" in text.text
    assert "–" in text.text and "‘op overeenstemming gericht’" in text.text and "€" in text.text


def test_utf8_with_bom_decodes_without_bom(corpus: Path) -> None:
    path = corpus / "handreikingen" / "bom.md"
    path.write_bytes("\ufeff# Titel met BOM\n\nTekst over passend onderwijs.\n".encode())
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Titel met BOM"
    assert "\ufeff" not in text.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes(corpus: Path, encoding: str) -> None:
    """Notepad's "Unicode" export: two bytes per character, so NUL bytes, yet text."""
    path = corpus / "handreikingen" / "unicode.txt"
    path.write_bytes("\ufeff# Overleg\n\nHet ondersteuningsplan wordt geëvalueerd.\n".encode(encoding))
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Overleg"
    assert "geëvalueerd" in text.text and "\ufeff" not in text.text


def test_unreadable_file_is_reported_as_such(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root (the tests may run as root), so the refusal to open is simulated."""
    path = corpus / "handreikingen" / "afgeschermd.md"
    path.write_text("# Afgeschermd\n\nTekst.\n", encoding="utf-8")
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):  # noqa: ANN202
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert "geen leesrechten" in _reject(path, corpus).message


def test_old_word_file_renamed_to_docx_says_so(corpus: Path) -> None:
    path = corpus / "handreikingen" / "oud.docx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(2000))
    assert ".doc" in _reject(path, corpus).message


def test_binary_junk_in_txt_is_rejected(corpus: Path) -> None:
    path = corpus / "handreikingen" / "junk.txt"
    rng = random.Random(20260801)
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000)))
    error = _reject(path, corpus)
    assert "binair" in error.message


def test_empty_file_is_rejected_with_dutch_reason(corpus: Path) -> None:
    path = corpus / "handreikingen" / "leeg.md"
    path.write_bytes(b"")
    error = _reject(path, corpus)
    assert error.message == "het bestand is leeg"
    assert str(error) == "het bestand is leeg"


def test_whitespace_only_file_is_rejected(corpus: Path) -> None:
    path = corpus / "handreikingen" / "spaties.txt"
    path.write_text("   \n\n\t \n", encoding="utf-8")
    error = _reject(path, corpus)
    assert "geen leesbare tekst" in error.message


def test_file_over_max_size_is_rejected(corpus: Path) -> None:
    path = corpus / "handreikingen" / "groot.md"
    path.write_text("# Groot\n\n" + "Een zin over samenwerking. " * 200, encoding="utf-8")
    size = path.stat().st_size
    error = _reject(path, corpus, max_bytes=size - 1)
    assert "te groot" in error.message
    # Exactly at the limit is fine.
    assert _load(path, corpus, max_bytes=size)


@pytest.mark.parametrize("name", ["plaatje.png", "tabel.xlsx", "zonder-extensie"])
def test_unknown_extension_is_rejected(corpus: Path, name: str) -> None:
    path = corpus / "uploads" / name
    path.write_text("Tekst die er best leesbaar uitziet.", encoding="utf-8")
    error = _reject(path, corpus)
    assert "wordt niet ondersteund" in error.message
    assert (path.suffix or "(geen)") in error.message


def test_invalid_front_matter_is_rejected(corpus: Path) -> None:
    path = corpus / "handreikingen" / "kapot.md"
    path.write_text("---\ntitle: [niet gesloten\n---\nTekst.\n", encoding="utf-8")
    error = _reject(path, corpus)
    assert "front matter" in error.message


# --- PDF ------------------------------------------------------------------------------------------


def _make_pdf(path: Path, pages: list[str], title: str | None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_author("Gemeente Voorbeeld")
    pdf.set_font("helvetica", size=12)
    for body in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, body)
    pdf.output(str(path))


def test_pdf_gives_one_source_text_per_page(corpus: Path) -> None:
    path = corpus / "handreikingen" / "oogo-notitie.pdf"
    _make_pdf(
        path,
        [
            "Eerste pagina: de gemeente en het samenwerkingsverband voeren OOGO.",
            "Tweede pagina: het ondersteuningsplan wordt elke vier jaar vastgesteld.",
        ],
        title="Notitie over OOGO",
    )
    texts = _load(path, corpus)
    assert [t.page for t in texts] == [1, 2]
    assert all(t.doc_id == "handreikingen/oogo-notitie" for t in texts)
    assert "Eerste pagina" in texts[0].text and "Tweede pagina" not in texts[0].text
    assert "Tweede pagina" in texts[1].text and "vier jaar" in texts[1].text
    for text in texts:
        assert text.metadata["title"] == "Notitie over OOGO"  # from the PDF's document properties
        assert text.metadata["author"] == "Gemeente Voorbeeld"
        assert text.metadata["type"] == "handreiking"
        assert text.metadata["file"] == "oogo-notitie.pdf"
    # Pages do not share one metadata dict (a later edit on one page must not leak to another).
    assert texts[0].metadata is not texts[1].metadata


def test_pdf_without_title_property_takes_first_line(corpus: Path) -> None:
    path = corpus / "praktijk" / "zonder-titel.pdf"
    _make_pdf(path, ["Verslag regio-overleg jeugdhulp\nDe wethouder opende het overleg."], title=None)
    [text] = _load(path, corpus)
    assert text.page == 1
    assert text.metadata["title"].startswith("Verslag regio-overleg jeugdhulp")


def test_broken_pdf_raises_ingest_error_naming_the_file(corpus: Path) -> None:
    path = corpus / "uploads" / "kapot.pdf"
    rng = random.Random(42)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    error = _reject(path, corpus)
    assert "PDF" in error.message


def test_truncated_pdf_raises_ingest_error(corpus: Path, tmp_path: Path) -> None:
    whole = tmp_path / "heel.pdf"
    _make_pdf(whole, ["Een pagina met tekst over leerplicht."], title="Heel")
    path = corpus / "uploads" / "afgebroken.pdf"
    path.write_bytes(whole.read_bytes()[:200])
    _reject(path, corpus)


# --- DOCX -----------------------------------------------------------------------------------------


def _make_docx(path: Path, title: str | None) -> None:
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    document.add_heading("Afspraken over leerlingenvervoer", level=1)
    document.add_paragraph("De gemeente regelt het vervoer naar het speciaal onderwijs.")
    document.add_paragraph("")
    document.add_heading("Evaluatie", level=2)
    document.add_paragraph("Het samenwerkingsverband evalueert de afspraken jaarlijks.")
    document.save(str(path))


def test_docx_title_from_core_properties_and_headings_as_markdown(corpus: Path) -> None:
    path = corpus / "handreikingen" / "vervoer.docx"
    _make_docx(path, title="Handreiking leerlingenvervoer")
    [text] = _load(path, corpus)
    assert text.doc_id == "handreikingen/vervoer"
    assert text.page is None
    assert text.metadata["title"] == "Handreiking leerlingenvervoer"
    assert text.metadata["type"] == "handreiking"
    lines = [line for line in text.text.splitlines() if line.strip()]
    assert lines == [
        "## Afspraken over leerlingenvervoer",
        "De gemeente regelt het vervoer naar het speciaal onderwijs.",
        "## Evaluatie",
        "Het samenwerkingsverband evalueert de afspraken jaarlijks.",
    ]


def test_docx_without_title_property_takes_first_heading(corpus: Path) -> None:
    path = corpus / "praktijk" / "zonder-titel.docx"
    _make_docx(path, title=None)
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Afspraken over leerlingenvervoer"
    assert text.metadata["type"] == "praktijkvoorbeeld"


def test_broken_docx_raises_ingest_error(corpus: Path) -> None:
    path = corpus / "uploads" / "kapot.docx"
    path.write_bytes(b"PK\x03\x04 dit is geen echt zip-bestand" * 20)
    error = _reject(path, corpus)
    assert "Word" in error.message


# --- HTML -----------------------------------------------------------------------------------------


def test_html_drops_scripts_and_styles_and_takes_title(corpus: Path) -> None:
    path = corpus / "samenvattingen" / "pagina.html"
    path.write_text(
        "<!doctype html><html><head><title>OOGO in de praktijk</title>"
        "<style>body { color: red; } .geheim { display: none }</style>"
        "<script>var trackingCode = 'UA-12345';</script></head>"
        "<body><h1>Kop van de pagina</h1>"
        "<p>Gemeenten en samenwerkingsverbanden voeren <b>op overeenstemming gericht overleg</b>.</p>"
        "<script>alert('popup')</script><noscript>Zet JavaScript aan</noscript>"
        "<h2>Geschillen</h2><p>Een geschil gaat naar de commissie.</p></body></html>",
        encoding="utf-8",
    )
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "OOGO in de praktijk"
    assert text.metadata["type"] == "samenvatting"
    body = text.text
    for junk in ("trackingCode", "UA-12345", "color: red", "alert(", "popup", "Zet JavaScript aan", "<p>"):
        assert junk not in body
    assert "op overeenstemming gericht overleg" in body
    assert "# Kop van de pagina" in body and "## Geschillen" in body
    assert body.index("Kop van de pagina") < body.index("Geschillen") < body.index("commissie")


def test_html_without_title_takes_h1(corpus: Path) -> None:
    path = corpus / "uploads" / "zonder-title.htm"
    path.write_text("<html><body><h1>Jeugdhulp en school</h1><p>Tekst.</p></body></html>", encoding="utf-8")
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Jeugdhulp en school"
    assert text.metadata["type"] == "geüpload"  # an upload's kind is unknown: not guessed


def test_an_upload_is_typed_geupload_whatever_its_front_matter_claims(corpus: Path) -> None:
    path = corpus / "uploads" / "notitie.md"
    path.write_text("---\ntitle: Notitie\ntype: wetgeving\n---\n# Notitie\n\nEen eigen notitie.", encoding="utf-8")
    [text] = _load(path, corpus)
    assert text.metadata["type"] == "geüpload"


def test_docx_lists_keep_their_items_and_bold_lines_are_headings(corpus: Path) -> None:
    import docx

    path = corpus / "uploads" / "beleidsplan.docx"
    document = docx.Document()
    document.core_properties.title = "Microsoft Word - beleidsplan_def.docx"  # a placeholder, not a title
    document.add_heading("Jeugdbeleidsplan 2025", level=1)
    document.add_paragraph("De gemeente werkt samen met:")
    document.add_paragraph("het samenwerkingsverband passend onderwijs;", style="List Bullet")
    document.add_paragraph("de jeugdhulpaanbieders in de regio.", style="List Bullet")
    document.add_paragraph().add_run("Afspraken over thuiszitters").bold = True
    document.add_paragraph("Eerst overleggen school en ouders.", style="List Number")
    document.add_paragraph("Daarna schuift de leerplichtambtenaar aan.", style="List Number")
    document.add_paragraph().add_run("Frans Schilder").bold = True
    document.save(str(path))
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Jeugdbeleidsplan 2025"
    assert text.metadata["type"] == "geüpload"
    assert text.marked_headings
    lines = [line for line in text.text.splitlines() if line.strip()]
    assert lines == [
        "## Jeugdbeleidsplan 2025",
        "De gemeente werkt samen met:",
        "- het samenwerkingsverband passend onderwijs;",
        "- de jeugdhulpaanbieders in de regio.",
        "## Afspraken over thuiszitters",
        "1. Eerst overleggen school en ouders.",
        "2. Daarna schuift de leerplichtambtenaar aan.",
        "Frans Schilder",  # a name in bold is a signature, not a heading
    ]


def test_html_drops_navigation_footer_and_cookie_banner_and_keeps_list_items(corpus: Path) -> None:
    path = corpus / "uploads" / "artikel.html"
    path.write_text(
        "<html><head><title>Thuiszitters in de regio</title></head><body>"
        '<div id="cookie-consent"><p>Wij gebruiken cookies.</p><button>Akkoord</button></div>'
        '<header role="banner"><a href="/">Home</a></header>'
        "<nav><ul><li><a href='/'>Home</a></li><li>Nieuws</li></ul></nav>"
        "<main><!-- redactie:\n nog nakijken --><h1>Thuiszitters</h1>"
        "<p>Gemeenten en <b>samenwerkingsverbanden</b> maken\n afspraken over:</p>"
        "<ol><li>het <em>signaleren</em> van verzuim;</li><li>de terugkeer naar school, met"
        "<ul><li>een plan per leerling;</li><li>een vaste contactpersoon.</li></ul></li></ol>"
        "<h2>Evaluatie</h2><p>Elk jaar volgt een evaluatie.</p></main>"
        "<footer><p>© Gemeente Voorbeeld · Privacyverklaring</p></footer></body></html>",
        encoding="utf-8",
    )
    [text] = _load(path, corpus)
    assert text.metadata["title"] == "Thuiszitters in de regio"
    lines = [line for line in text.text.splitlines() if line.strip()]
    assert lines == [
        "# Thuiszitters",
        "Gemeenten en samenwerkingsverbanden maken afspraken over:",
        "1. het signaleren van verzuim;",
        "2. de terugkeer naar school, met",
        "- een plan per leerling;",
        "- een vaste contactpersoon.",
        "## Evaluatie",
        "Elk jaar volgt een evaluatie.",
    ]


def test_pdf_that_needs_the_missing_crypto_package_is_reported(corpus: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """pypdf decrypts AES only with `cryptography` installed; without it the file is reported, not a crash."""
    import pypdf
    from pypdf.errors import DependencyError

    def needs_crypto(*args, **kwargs):  # noqa: ANN202
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    path = corpus / "handreikingen" / "aes.pdf"
    _make_pdf(path, ["Tekst over het ondersteuningsplan."], title="AES")
    monkeypatch.setattr(pypdf, "PdfReader", needs_crypto)
    assert "cryptography" in _reject(path, corpus).message


def test_pdf_with_an_empty_user_password_opens_and_a_real_password_does_not(corpus: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "open.pdf"
    _make_pdf(plain, ["Het ondersteuningsplan wordt elke vier jaar vastgesteld."], title="Rechten beperkt")
    cases = (("", "RC4-128", "rechten.pdf"), ("", "AES-256", "rechten-aes.pdf"), ("geheim", "RC4-128", "slot.pdf"))
    for password, algorithm, name in cases:
        writer = PdfWriter(clone_from=PdfReader(plain))
        writer.encrypt(user_password=password, owner_password="eigenaar", algorithm=algorithm)
        writer.write(corpus / "handreikingen" / name)
    for name in ("rechten.pdf", "rechten-aes.pdf"):  # AES needs pypdf's crypto extra, a declared dependency
        [text] = _load(corpus / "handreikingen" / name, corpus)
        assert "vier jaar" in text.text
    assert "wachtwoord" in _reject(corpus / "handreikingen" / "slot.pdf", corpus).message
