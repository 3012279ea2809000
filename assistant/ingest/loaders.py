"""Read one source file into text plus metadata, or fail with a Dutch reason naming the file.

Each loader returns a list of `SourceText`: one for most files, one per page for PDFs, so a
citation can point at the page. Metadata comes from YAML front matter where there is any, else
from the file itself (PDF/DOCX properties, first heading) and its folder.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.errors import IngestError
from assistant.ingest.pdf_layout import analyse, is_lone_name, page_lines, render_pages
from assistant.models import UPLOADED_TYPE
from assistant.textutils import normalize_spaces

if TYPE_CHECKING:
    from docx.table import Table

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")

FOLDER_TYPES = {
    "handreikingen": "handreiking",
    "praktijk": "praktijkvoorbeeld",
    "wetgeving": "wetgeving",
    "samenvattingen": "samenvatting",
    "opinie": "opinie",
}
# Uploads and files in a folder the corpus does not know: we cannot tell what kind of source they are.
UNKNOWN_TYPE = UPLOADED_TYPE
UPLOAD_FOLDER = "uploads"
_LOG = logging.getLogger("ingest")
MIN_PRINTABLE_SHARE = 0.95
"""Below this share of printable characters (letters, digits, punctuation, whitespace) a "text" file is noise."""
MIN_ASCII_SHARE_CP1252 = 0.85
"""Any byte decodes as Windows-1252, so a file that is not UTF-8 must also be mostly plain ASCII to count as text."""

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


@dataclass
class SourceText:
    """The text of one file (or one PDF page) before chunking."""

    doc_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    page: int | None = None
    marked_headings: bool = False
    """True when every heading is a "#" line (PDF, DOCX, HTML loaders decide them from the layout),
    so the chunker must not guess headings from short lines (a signature, an address line)."""


def doc_id_for(path: Path, corpus_dir: Path) -> str:
    """A document's id is its path under the corpus without extension: stable across machines."""
    return path.relative_to(corpus_dir).with_suffix("").as_posix()


def default_type(doc_id: str) -> str:
    """The type a file's folder implies; uploads and unknown folders are `geüpload`, not guessed."""
    return FOLDER_TYPES.get(doc_id.split("/", 1)[0], UNKNOWN_TYPE)


def load_file(path: Path, corpus_dir: Path, max_bytes: int) -> list[SourceText]:
    """Load one file; raises IngestError with the reason a user can act on."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise IngestError(f"bestandstype {path.suffix or '(geen)'} wordt niet ondersteund", source=str(path))
    size = _readable_size(path)
    if size == 0:
        raise IngestError("het bestand is leeg", source=str(path))
    if size > max_bytes:
        raise IngestError(
            f"het bestand is te groot ({size / 1_000_000:.1f} MB; maximaal {max_bytes / 1_000_000:.0f} MB)",
            source=str(path),
        )
    doc_id = doc_id_for(path, corpus_dir)
    texts = loader(path, doc_id)
    texts = [text for text in texts if text.text.strip()]
    if not texts:
        raise IngestError("er staat geen leesbare tekst in het bestand", source=str(path))
    uploaded = doc_id.split("/", 1)[0] == UPLOAD_FOLDER
    for text in texts:
        if uploaded:  # an upload cannot make itself law from the Rijksoverheid by its own front matter
            text.metadata["type"] = UNKNOWN_TYPE
        text.metadata.setdefault("type", default_type(doc_id))
        text.metadata.setdefault("title", file_title(path))
        text.metadata["file"] = path.name
    return texts


def _readable_size(path: Path) -> int:
    """The file's size, after opening it once: a file without read permission is reported as such
    here, not as "damaged" by a loader that catches OSError (or as a crash by one that does not).
    As root, permissions do not stop reading, so such a file is simply read."""
    try:
        with path.open("rb"):
            return path.stat().st_size
    except PermissionError as exc:
        raise IngestError("geen leesrechten op het bestand; pas de rechten aan", source=str(path)) from exc
    except OSError as exc:
        raise IngestError("het bestand kan niet geopend worden", source=str(path)) from exc


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
"""Notepad's "Unicode" and Excel's "Unicode text" exports: real text, two bytes per character (NULs included)."""


def read_text_file(path: Path) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM; fall back to Windows-1252, common
    for Dutch office exports."""
    raw = path.read_bytes()
    if raw.startswith(_UTF16_BOMS):
        try:
            return _checked_text(raw.decode("utf-16"), path)
        except UnicodeDecodeError as exc:
            raise IngestError("het bestand lijkt geen tekstbestand te zijn (ongeldige UTF-16)", source=str(path)) from exc
    if b"\x00" in raw[:4096]:
        raise IngestError("het bestand lijkt geen tekstbestand te zijn (binaire inhoud)", source=str(path))
    try:
        text, utf8 = raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        text, utf8 = raw.decode("cp1252", errors="replace"), False
    if not utf8 and _share(text, lambda char: char.isascii() and (char.isprintable() or char.isspace())) < MIN_ASCII_SHARE_CP1252:
        raise IngestError("het bestand lijkt geen tekstbestand te zijn (onleesbare tekens)", source=str(path))
    if not utf8 and "\ufffd" in text:
        raise IngestError("de tekencodering is onbekend; sla het bestand op als UTF-8", source=str(path))
    return _checked_text(text, path)


def _checked_text(text: str, path: Path) -> str:
    if _share(text, lambda char: char.isprintable() or char.isspace()) < MIN_PRINTABLE_SHARE:
        raise IngestError("het bestand lijkt geen tekstbestand te zijn (te veel stuurtekens)", source=str(path))
    return text


def _share(text: str, test: Callable[[str], bool]) -> float:
    return sum(1 for char in text if test(char)) / len(text) if text else 1.0


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError("de front matter is geen geldige YAML", source=source) from exc
    if not isinstance(data, dict):
        raise IngestError("de front matter is geen lijst van velden", source=source)
    metadata = {str(key): str(value) for key, value in data.items() if value is not None}
    return metadata, text[match.end():]


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            return stripped[:200]
    return None


def load_markdown(path: Path, doc_id: str) -> list[SourceText]:
    metadata, body = split_front_matter(read_text_file(path), str(path))
    if "title" not in metadata and (heading := _first_heading(body)):
        metadata["title"] = heading
    return [SourceText(doc_id, body, metadata)]


# Metadata titles that name the template or the file rather than the document: "PBL rapporten sjabloon",
# "Microsoft Word - nota_def.docx", "Document1", "Naamloos".
_TEMPLATE_TITLE = re.compile(
    r"sjabloon|template|^microsoft\s+\w+\s*-|^(?:untitled|naamloos|document\s*\d*|presentation\d*)$"
    r"|\.(?:docx?|pdf|odt|rtf|indd|pptx?|xlsx?|dotx?)$",
    re.IGNORECASE,
)


def is_placeholder_title(title: str, file_stem: str) -> bool:
    """A metadata title a reader should not see: a template's name, a file name, or nothing much."""
    title = title.strip()
    if len(title) < 3 or _TEMPLATE_TITLE.search(title):
        return True
    if title.lower() == file_stem.lower() or " " not in title and re.search(r"[_\d]", title):
        return True  # file-name-like: "rapport_2023_def", "PBL2023-4512"
    return False


def file_title(path: Path) -> str:
    """The file name in words: the last resort for a title."""
    return normalize_spaces(path.stem.replace("-", " ").replace("_", " "))


def load_pdf(path: Path, doc_id: str) -> list[SourceText]:
    """One SourceText per page, after layout repair (see assistant.ingest.pdf_layout); the title is the
    metadata title unless it is a placeholder, else the largest text of page 1, else the file name."""
    with _named_warnings(path):
        return _read_pdf(path, doc_id)


class _NamingHandler(logging.Handler):
    """Re-emits pypdf's warnings (which never say which file) prefixed with the file they are about."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.WARNING)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        _LOG.warning("%s: %s", self.path.name, record.getMessage())


@contextmanager
def _named_warnings(path: Path) -> Iterator[None]:
    logger = logging.getLogger("pypdf")
    handler, propagate = _NamingHandler(path), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _read_pdf(path: Path, doc_id: str) -> list[SourceText]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(path)
        # Many PDFs are "encrypted" with an empty user password only to set permissions: they open.
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("de PDF is beveiligd met een wachtwoord", source=str(path))
        lines = [page_lines(page) for page in reader.pages]
        width = float(reader.pages[0].mediabox.width) if reader.pages else 0.0
        info = reader.metadata
    except IngestError:
        raise
    except DependencyError as exc:  # AES needs pypdf[crypto] (declared); a venv without it reports the file
        raise IngestError("de PDF is met AES versleuteld; daarvoor ontbreekt het pakket 'cryptography'",
                          source=str(path)) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError("de PDF is beschadigd of onleesbaar", source=str(path)) from exc
    if not any(page for page in lines):
        raise IngestError("de PDF bevat geen tekst (misschien een scan zonder tekstlaag)", source=str(path))
    layout = analyse(lines, width)
    metadata: dict[str, Any] = {}
    info_title = str(info.title).strip() if info is not None and info.title else ""
    if info_title and not is_placeholder_title(info_title, path.stem):
        metadata["title"] = info_title
    else:
        metadata["title"] = layout.title or file_title(path)
    if info is not None and info.author:
        metadata["author"] = str(info.author)
    return [
        SourceText(doc_id, text, dict(metadata), page=number, marked_headings=True)
        for number, text in enumerate(render_pages(layout), start=1)
    ]


_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
"""The first bytes of Office 97-2003 files (.doc, .xls): a renamed .doc is not a broken .docx."""
_DOCX_HEADING_STYLES = ("heading", "kop", "title", "titel")
# The chunker's lead-in rule and the answerer know these list markers (assistant.textutils).
_DOCX_MARKERS = {"decimal": "{n}.", "lowerLetter": "{a}.", "upperLetter": "{a}.", "lowerRoman": "{a}.", "upperRoman": "{a}."}
_SHORT_HEADING_WORDS = 15  # a bold paragraph longer than this is emphasis, not a heading


def _docx_numbering(paragraph: Any) -> tuple[str, str] | None:
    """(numId, ilvl) of a list paragraph: from its own properties or, for "List Bullet"-like
    styles, from its style."""
    for element in (paragraph._p, paragraph.style.element if paragraph.style is not None else None):
        if element is None:
            continue
        num_ids = element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
        if num_ids and num_ids[0] != "0":  # numId 0 switches numbering off
            levels = paragraph._p.xpath("./w:pPr/w:numPr/w:ilvl/@w:val") or element.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
            return str(num_ids[0]), str(levels[0]) if levels else "0"
    return None


def _docx_number_format(document: Any, num_id: str, level: str) -> str:
    """"bullet", "decimal", "lowerLetter", ... from numbering.xml; a bullet when it cannot be read."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return "bullet"
    abstract = numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
    if not abstract:
        return "bullet"
    formats = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')
    return str(formats[0]) if formats else "bullet"


def _docx_marker(number_format: str, count: int) -> str:
    template = _DOCX_MARKERS.get(number_format)
    if template is None:
        return "-"
    return template.format(n=count, a=chr(ord("a") + (count - 1) % 26))


def _is_bold_heading(paragraph: Any, text: str) -> bool:
    """A short paragraph set wholly in bold serves as a heading in many Word documents."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    return (
        bool(runs)
        and all(run.bold for run in runs)
        and len(text.split()) <= _SHORT_HEADING_WORDS
        and not text.endswith((".", ",", ";"))
        and not is_lone_name(text)
    )


def _docx_table_rows(table: Table) -> list[str]:
    """A table as one list item per row, each cell named by its column's header ("Gemeente: Zuidwaarde;
    Woningen: 1.100"): a row read alone still says what its numbers are. Tables were dropped before."""
    rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2:
        return [f"- {'; '.join(filter(None, row))}" for row in rows]
    header, *body = rows
    return ["- " + "; ".join(f"{name}: {value}" if name else value for name, value in zip(header, row, strict=False) if value)
            for row in body]


def load_docx(path: Path, doc_id: str) -> list[SourceText]:
    """Headings from paragraph styles (or a short wholly bold paragraph), list items with their bullet
    or number from Word's numbering, so the chunker sees the same structure the reader does."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    with path.open("rb") as file:
        old_format = file.read(len(_OLE2_MAGIC)) == _OLE2_MAGIC
    if old_format:
        raise IngestError("dit is een oud Word-bestand (.doc) met de extensie .docx; sla het in Word op als .docx",
                          source=str(path))
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise IngestError("het Word-bestand is beschadigd of onleesbaar", source=str(path)) from exc
    lines: list[str] = []
    first_heading: str | None = None
    counters: dict[tuple[str, str], int] = {}
    for paragraph in document.iter_inner_content():
        if isinstance(paragraph, Table):
            lines += _docx_table_rows(paragraph)
            continue
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = paragraph.style.name.lower() if paragraph.style is not None else ""
        numbering = _docx_numbering(paragraph)
        if style.startswith(_DOCX_HEADING_STYLES) or numbering is None and _is_bold_heading(paragraph, text):
            first_heading = first_heading or text
            lines.append(f"## {text}")
        elif numbering is not None:
            num_id, level = numbering
            counters[numbering] = counters.get(numbering, 0) + 1
            for key in [key for key in counters if key[0] == num_id and int(key[1]) > int(level)]:
                del counters[key]  # a deeper level starts again under the next item
            lines.append(f"{_docx_marker(_docx_number_format(document, num_id, level), counters[numbering])} {text}")
        else:
            lines.append(text)
    metadata: dict[str, Any] = {}
    title = (document.core_properties.title or "").strip()
    if title and not is_placeholder_title(title, path.stem):
        metadata["title"] = title
    elif first_heading:
        metadata["title"] = first_heading
    if document.core_properties.author:
        metadata["author"] = document.core_properties.author
    return [SourceText(doc_id, "\n\n".join(lines), metadata, marked_headings=True)]


# Site furniture, not content: navigation, footers, cookie and consent banners.
_HTML_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "nav", "footer", "form", "iframe", "button"]
_HTML_DROP_ROLES = re.compile(r"^(?:navigation|contentinfo|banner|search|dialog|alertdialog)$")
_HTML_BANNER = re.compile(r"cookie|consent|gdpr|privacy-?banner|skip-?link", re.IGNORECASE)
_HTML_BANNER_MAX_CHARS = 2000  # a banner is short; an element this long is the page itself
_HTML_BLOCKS = [
    "p", "div", "section", "article", "main", "header", "aside", "blockquote", "table", "tr", "dl", "dt", "dd",
    "ul", "ol", "figure", "figcaption", "pre", "address",
]


def _drop_html_furniture(soup: Any) -> None:
    for tag in soup(_HTML_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": _HTML_DROP_ROLES}):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main"):
            continue
        names = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if _HTML_BANNER.search(names) and len(tag.get_text()) <= _HTML_BANNER_MAX_CHARS:
            tag.decompose()


def _html_list_items(soup: Any) -> None:
    """Each <li> becomes one line "- item" (or "3. item" in an <ol>); nested lists follow as lines
    of their own, deepest first so an item's text never swallows its sub-list."""
    for item in reversed(soup.find_all("li")):
        nested = [child.extract() for child in item.find_all(["ul", "ol"], recursive=False)]
        own = " ".join(item.get_text(" ").split())
        parent = item.parent
        marker = "-"
        if parent is not None and parent.name == "ol":
            start = int(parent.get("start", "1")) if str(parent.get("start", "1")).isdigit() else 1
            marker = f"{start + parent.find_all('li', recursive=False).index(item)}."
        sub = "".join(child.get_text("") for child in nested)
        item.replace_with(f"\n{marker} {own}\n{sub}" if own else sub)


def load_html(path: Path, doc_id: str) -> list[SourceText]:
    """Text of the page's main content: headings as "#" lines from h1..h6, list items as items, one
    line per paragraph; navigation, footers and cookie banners dropped."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(read_text_file(path), "html.parser")
    _drop_html_furniture(soup)
    metadata: dict[str, Any] = {}
    heading = soup.find("h1")
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = soup.title.get_text(strip=True)
    elif heading is not None:
        metadata["title"] = heading.get_text(" ", strip=True)
    for string in soup.find_all(string=True):
        if type(string) is NavigableString and "\n" in string and string.find_parent("pre") is None:
            string.replace_with(string.replace("\n", " "))  # source line breaks are spaces; blocks break lines
    _html_list_items(soup)
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.replace_with(f"\n{'#' * level} {' '.join(tag.get_text(' ').split())}\n")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    lines = [" ".join(line.split()) for line in body.get_text("").splitlines()]
    return [SourceText(doc_id, "\n\n".join(line for line in lines if line), metadata, marked_headings=True)]


_LOADERS: dict[str, Callable[[Path, str], list[SourceText]]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_markdown,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}
