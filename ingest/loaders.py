"""Read one source file into text plus metadata, or fail with a Dutch reason naming the file.

Each loader returns a list of `SourceText`: one for most files, one per page for PDFs, so a
citation can point at the page. Metadata comes from YAML front matter where there is any, else
from the file itself (PDF/DOCX properties, first heading) and its folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import IngestError

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")

FOLDER_TYPES = {
    "handreikingen": "handreiking",
    "praktijk": "praktijkvoorbeeld",
    "wetgeving": "wetgeving",
    "samenvattingen": "samenvatting",
    "opinie": "opinie",
}
# Uploads and files in a folder the corpus does not know: we cannot tell what kind of source they are.
UNKNOWN_TYPE = "geüpload"

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
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"bestand kan niet gelezen worden ({exc.strerror})", source=str(path)) from exc
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
    for text in texts:
        text.metadata.setdefault("type", default_type(doc_id))
        text.metadata.setdefault("title", file_title(path))
        text.metadata["file"] = path.name
    return texts


def read_text_file(path: Path) -> str:
    """Decode UTF-8 (with or without BOM); fall back to Windows-1252, common for Dutch office exports."""
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise IngestError("het bestand lijkt geen tekstbestand te zijn (binaire inhoud)", source=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise IngestError(
            "de tekencodering is onbekend; sla het bestand op als UTF-8", source=str(path)
        ) from exc


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"de front matter is geen geldige YAML ({exc.__class__.__name__})", source=source) from exc
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
    return re.sub(r"\s+", " ", path.stem.replace("-", " ").replace("_", " ")).strip()


def load_pdf(path: Path, doc_id: str) -> list[SourceText]:
    """One SourceText per page, after layout repair (see ingest.pdf_layout); the title is the
    metadata title unless it is a placeholder, else the largest text of page 1, else the file name."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from ingest.pdf_layout import analyse, page_lines, render_pages

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise IngestError("de PDF is beveiligd met een wachtwoord", source=str(path))
        lines = [page_lines(page) for page in reader.pages]
        width = float(reader.pages[0].mediabox.width) if reader.pages else 0.0
        info = reader.metadata
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"de PDF is beschadigd of onleesbaar ({exc.__class__.__name__})", source=str(path)) from exc
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


def load_docx(path: Path, doc_id: str) -> list[SourceText]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"het Word-bestand is beschadigd of onleesbaar ({exc.__class__.__name__})", source=str(path)) from exc
    lines: list[str] = []
    first_heading: str | None = None
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if paragraph.style is not None and paragraph.style.name.lower().startswith(("heading", "kop", "title")):
            first_heading = first_heading or text
            lines.append(f"## {text}")
        else:
            lines.append(text)
    metadata: dict[str, Any] = {}
    title = document.core_properties.title
    if title and title.strip():
        metadata["title"] = title.strip()
    elif first_heading:
        metadata["title"] = first_heading
    if document.core_properties.author:
        metadata["author"] = document.core_properties.author
    return [SourceText(doc_id, "\n\n".join(lines), metadata)]


def load_html(path: Path, doc_id: str) -> list[SourceText]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text_file(path), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    metadata: dict[str, Any] = {}
    heading = soup.find("h1")
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = soup.title.get_text(strip=True)
    elif heading is not None:
        metadata["title"] = heading.get_text(" ", strip=True)
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.replace_with(f"\n\n{'#' * level} {tag.get_text(' ', strip=True)}\n\n")
    body = soup.body or soup
    text = body.get_text("\n")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n\s*", "\n\n", text)
    return [SourceText(doc_id, text.strip(), metadata)]


_LOADERS: dict[str, Callable[[Path, str], list[SourceText]]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_markdown,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}
