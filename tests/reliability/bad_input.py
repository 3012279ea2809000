"""The kinds of bad input a maintainer meets in a corpus folder, shared by tests/reliability and `make soak`.

Each kind is one file (or link) that ingest must skip, reported by name with a Dutch reason; the
`reason` here is a fragment of that reason, so a wrong or generic reason fails. `ODD_GOOD` are files
that look odd but are real documents and must be ingested (a UTF-16 "Unicode" export, a
Windows-1252 export, a file in a folder whose name ends in ".md"): rejecting them would be a bug as well.
The folder itself is reported (`ODD_GOOD_REPORTED`): it is not a document, whatever its name says.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.harness import BASE_DOCS, REPO, doc_id, make_corpus

GOOD_DOC = BASE_DOCS[0]
"""The document the duplicate kind copies; every corpus these kinds are written into holds it."""
MAX_FILE_MB = 1
"""The size limit the scenario sets, so "te groot" needs only a 1.8 MB file."""
_PDF_TEXT = "Het samenwerkingsverband stelt elke vier jaar een ondersteuningsplan vast. " * 40


@dataclass(frozen=True)
class BadInput:
    name: str
    """Path under the corpus folder."""
    reason: str
    """A fragment of the Dutch reason ingest must give."""
    write: Callable[[Path, Path], None]
    """write(path, corpus)."""
    needs_non_root: bool = False
    """Only bad for a user that file permissions apply to: root reads a chmod 000 file."""


def _data(data: bytes) -> Callable[[Path, Path], None]:
    return lambda path, _corpus: path.write_bytes(data)


def _noise(size: int, low: int, high: int) -> bytes:
    rng = random.Random(13)
    return bytes(rng.randrange(low, high) for _ in range(size))


def pdf_bytes(pages: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for body in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, body)
    return bytes(pdf.output())


def _encrypted_pdf(path: Path, _corpus: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([_PDF_TEXT]))))
    writer.encrypt(user_password="geheim", owner_password="eigenaar", algorithm="RC4-128")
    writer.write(path)


def _scanned_pdf(path: Path, _corpus: Path) -> None:
    """A page holding only an image, as a scanner without OCR makes it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=10, y=10, w=190)
    path.write_bytes(bytes(pdf.output()))


def _truncated_pdf(path: Path, _corpus: Path) -> None:
    """A valid header and half the file, as an interrupted download leaves it."""
    whole = pdf_bytes([_PDF_TEXT, _PDF_TEXT])
    path.write_bytes(whole[: len(whole) // 2])


def _docx_without_document(path: Path, _corpus: Path) -> None:
    """A valid zip with Office parts, but without word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                         'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("docProps/core.xml", "<coreProperties/>")
    path.write_bytes(buffer.getvalue())


def _duplicate(path: Path, corpus: Path) -> None:
    path.write_bytes((corpus / GOOD_DOC).read_bytes())


def _link_outside(path: Path, corpus: Path) -> None:
    outside = corpus.parent / "buiten.md"
    outside.write_text("# Buiten\n\nDit bestand staat buiten de corpusmap.\n", encoding="utf-8")
    os.symlink(outside, path)


def _broken_link(path: Path, corpus: Path) -> None:
    os.symlink(corpus / "verplaatst" / "notitie.md", path)


def _link_to_folder(path: Path, corpus: Path) -> None:
    os.symlink(corpus / Path(GOOD_DOC).parent, path, target_is_directory=True)


def _folder_named_like_a_document(path: Path, _corpus: Path) -> None:
    path.mkdir()


def _unreadable_folder(path: Path, _corpus: Path) -> None:
    path.mkdir()
    (path / "notitie.md").write_text("# Notitie\n\nGemeente en samenwerkingsverband overleggen.\n", encoding="utf-8")
    path.chmod(0)


def _unreadable(path: Path, _corpus: Path) -> None:
    path.write_text("# Notitie\n\nGemeente en samenwerkingsverband overleggen.\n", encoding="utf-8")
    path.chmod(0)


KINDS: tuple[BadInput, ...] = (
    BadInput("leeg.md", "leeg", _data(b"")),
    BadInput("ruis.md", "geen tekstbestand", _data(_noise(20_000, 1, 256))),
    BadInput("stuurtekens.txt", "stuurtekens", _data(_noise(5_000, 1, 32))),
    BadInput("nul.md", "binaire inhoud", _data(b"tekst\x00" * 100)),
    BadInput("programma.exe", "niet ondersteund", _data(b"MZ" + bytes(100))),
    BadInput("zonder-extensie", "niet ondersteund", _data(b"tekst zonder extensie")),
    BadInput("kapot.pdf", "PDF is beschadigd", _data(b"%PDF-1.4\n" + _noise(5_000, 0, 256))),
    BadInput("kapot.docx", "Word-bestand is beschadigd", _data(b"PK\x03\x04" + bytes(100))),
    BadInput("leeg.html", "geen leesbare tekst", _data(b"<html><body></body></html>")),
    BadInput("alleen-witruimte.txt", "geen leesbare tekst", _data(b"   \n\n\t  \n")),
    BadInput("te-groot.txt", "te groot", _data(b"woord " * 300_000)),
    BadInput("kopie.md", f"zelfde inhoud als {GOOD_DOC}", _duplicate),
    BadInput("link-naar-buiten.md", "buiten de corpusmap", _link_outside),
    BadInput("versleuteld.pdf", "wachtwoord", _encrypted_pdf),
    BadInput("scan.pdf", "geen tekst", _scanned_pdf),
    BadInput("afgebroken.pdf", "PDF is beschadigd", _truncated_pdf),
    BadInput("zonder-inhoud.docx", "Word-bestand is beschadigd", _docx_without_document),
    BadInput("oud-formaat.docx", "oud Word-bestand (.doc)", _data(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4_000))),
    BadInput("kapotte-front-matter.md", "front matter is geen geldige YAML",
             _data(b"---\ntitle: [Notitie\ntype: handreiking\n---\n\n# Notitie\n\nGemeenten overleggen.\n")),
    BadInput("alleen-front-matter.md", "geen leesbare tekst", _data(b"---\ntitle: Nog te schrijven\n---\n")),
    BadInput("kapotte-link.md", "niet (meer) bestaat", _broken_link),
    BadInput("link-naar-map", "koppeling naar een map", _link_to_folder),
    BadInput("onleesbaar.md", "geen leesrechten", _unreadable, needs_non_root=True),
    BadInput("map.md", "map met de naam van een document", _folder_named_like_a_document),
    BadInput("onleesbare-map", "map kan niet worden gelezen", _unreadable_folder, needs_non_root=True),
)

ODD_GOOD: dict[str, bytes] = {
    "unicode-export.txt": "Gemeente en samenwerkingsverband bespreken het ondersteuningsplan in het OOGO.\n".encode("utf-16"),
    "windows-export.txt": "Het overleg over één ondersteuningsplan is geëvalueerd door de wethouder.\n".encode("cp1252"),
    "notities.md/overleg.md": b"# Overleg\n\nDe gemeente en het samenwerkingsverband spreken elk kwartaal af.\n",
}
ODD_GOOD_REPORTED: dict[str, str] = {"notities.md": "map met de naam van een document"}
"""What ingest says about the odd good input: the folder named like a document is not one document
(its files are read one by one), and the maintainer is told so."""


def permissions_apply() -> bool:
    """False for root, whom a chmod 000 file does not stop."""
    return os.geteuid() != 0


def applicable_kinds() -> list[BadInput]:
    return [kind for kind in KINDS if permissions_apply() or not kind.needs_non_root]


def write_kind(kind: BadInput, corpus: Path) -> None:
    path = corpus / kind.name
    path.parent.mkdir(parents=True, exist_ok=True)
    kind.write(path, corpus)


def write_odd_good(corpus: Path) -> list[str]:
    """Writes the odd but good files; returns their document ids."""
    for name, data in ODD_GOOD.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [str(Path(name).with_suffix("").as_posix()) for name in ODD_GOOD]


@dataclass
class BadInputRun:
    kinds: int
    reported: int
    """Kinds reported by their own name with the expected Dutch reason."""
    wrong: dict[str, str]
    """Kinds not reported as expected: name -> what ingest said instead ("" when nothing)."""
    odd_good_indexed: int
    odd_good: int
    intact: bool
    """Every passage of the good corpus's first ingest is still in the index, unchanged."""
    root_note: str


def bad_input_after_good_ingest(work: Path, base: tuple[str, ...] = BASE_DOCS) -> BadInputRun:
    """Ingest a good corpus, add every kind of bad input and the odd good files, ingest again:
    what was reported, what was indexed, and whether the first ingest's passages survived."""
    from assistant.config import Settings
    from assistant.ingest.indexer import ingest
    from assistant.store.chroma import Store, all_passages

    corpus = make_corpus(work / "corpus", base)
    settings = Settings(corpus_dir=corpus, index_dir=work / "index", models_dir=REPO / "models",
                        chroma_url=None, max_file_mb=MAX_FILE_MB)
    if (first := ingest(settings)).errors:
        raise RuntimeError(f"the good corpus should ingest without errors: {first.errors}")
    before = {(p.id, p.text) for p in all_passages(Store(settings).passages())}
    kinds = applicable_kinds()
    for kind in kinds:
        write_kind(kind, corpus)
    odd_good = write_odd_good(corpus)
    report = ingest(settings)
    said = {error.path: error.reason for error in report.errors}
    wrong = {kind.name: said.get(kind.name, "") for kind in kinds if kind.reason not in said.get(kind.name, "")}
    wrong |= {path: reason for path, reason in said.items()
              if path not in {kind.name for kind in kinds} and ODD_GOOD_REPORTED.get(path, "\0") not in reason}
    after = all_passages(Store(settings).passages())
    indexed = {p.doc_id for p in after}
    return BadInputRun(
        kinds=len(kinds),
        reported=len(kinds) - len([name for name in wrong if name in {kind.name for kind in kinds}]),
        wrong=wrong,
        odd_good_indexed=sum(doc in indexed for doc in odd_good),
        odd_good=len(odd_good),
        intact=before <= {(p.id, p.text) for p in after} and {doc_id(name) for name in base} <= indexed,
        root_note="" if permissions_apply() else "onleesbaar.md (chmod 000) left out: root reads it anyway",
    )
