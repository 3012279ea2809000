"""Documents that users upload through the app: safe names, validation before keeping, removal.

Uploads live in `<corpus_dir>/uploads/`, so an upload can never land in (or overwrite) another
folder's document, and their document ids are `uploads/<name>`. A file is read with the same
loader ingest uses before it is kept: a file that would fail ingest is rejected with the
loader's Dutch reason instead of sitting in the corpus as a recurring error.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.config import Settings
from assistant.errors import IngestError
from assistant.ingest.indexer import remove_documents
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, UPLOAD_FOLDER, doc_id_for, load_file
from assistant.store.chroma import Store
from assistant.store.locks import exclusive

log = logging.getLogger(__name__)
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_STEM_CHARS = 80
MAX_NAME_BYTES = 200
"""File systems allow 255 bytes per name (ext4, NTFS in UTF-16 units); 80 letters of a script outside
the BMP take 320. 200 leaves room for a number ("-12") and the longest suffix (".markdown")."""
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))})
"""Names Windows will not create with any extension ("con.md"): a corpus copied to or served from Windows breaks on them."""
ALLOWED_TYPES_NL = "PDF, Word (DOCX), Markdown (MD), tekst (TXT) en HTML"
# Hidden, so ingest's discovery never sees a half-validated file.
_STAGING = ".staging"
_NAME_LOCK = ".names.lock"

UploadAccess = Literal["password", "local", "closed"]


@dataclass
class UploadResult:
    """What became of one uploaded file: kept as `name` (replacing the earlier uploads `replaced`, which
    had its document id), or rejected with a reason."""

    original_name: str
    name: str
    reason: str | None = None
    replaced: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.reason is None


def upload_access(admin_password: str | None, server_address: str | None) -> UploadAccess:
    """Who may upload: anyone with the admin password when one is set; otherwise only a server that
    listens on this machine alone (its user is the person at the keyboard); otherwise nobody."""
    if admin_password:
        return "password"
    if server_address and server_address.strip("[]").lower() in LOCAL_ADDRESSES:
        return "local"
    return "closed"


def safe_filename(name: str) -> str:
    """A plain file name of letters (any script), digits, '.', '_' and '-', lowercase, without any directory part.

    "../../etc/Passwd.MD" becomes "passwd.md", "Notitie OOGO (def).docx" becomes
    "notitie-oogo-def.docx", "Записка.md" stays "записка.md" (a Russian or Arabic name is a name, not
    noise); a name with nothing usable left becomes "document<suffix>"."""
    base = re.split(r"[\\/]", name.strip())[-1]
    base = unicodedata.normalize("NFKC", base).lower()
    suffix = Path(base).suffix
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        suffix = ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    # Latin letters lose their accents (as before); other scripts keep their letters.
    stem = "".join(_latin_base(char) for char in stem)
    stem = re.sub(r"[^\w.-]+", "-", stem)
    stem = _shortened(re.sub(r"[-._]{2,}", "-", stem).strip("-._")[:MAX_STEM_CHARS]).strip("-._")
    # Ingest skips README files, and Windows cannot hold its device names: neither may be an upload's name.
    if not stem or stem == "readme" or stem in WINDOWS_RESERVED:
        stem = f"{stem}-document" if stem else "document"
    return stem + suffix


def _shortened(stem: str) -> str:
    """At most MAX_NAME_BYTES in UTF-8, cut between characters."""
    while len(stem.encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem


def _latin_base(char: str) -> str:
    """"é" -> "e"; a letter of another script unchanged (its marks are part of the letter: "й", "ド")."""
    base = unicodedata.normalize("NFKD", char)[0]
    return base if base.isascii() else char


def upload_dir(settings: Settings) -> Path:
    return settings.corpus_dir / UPLOAD_FOLDER


def list_uploads(settings: Settings) -> list[Path]:
    folder = upload_dir(settings)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def upload_doc_id(settings: Settings, path: Path) -> str:
    return doc_id_for(path, settings.corpus_dir)


def _rejection(data: bytes, suffix: str, max_bytes: int) -> str | None:
    """The reason to refuse a file before reading it, or None."""
    if suffix not in SUPPORTED_SUFFIXES:
        return f"bestandstype {suffix or '(geen)'} wordt niet ondersteund (wel: {ALLOWED_TYPES_NL})"
    if not data:
        return "het bestand is leeg"
    if len(data) > max_bytes:
        return f"het bestand is te groot ({len(data) / 1_000_000:.1f} MB; maximaal {max_bytes / 1_000_000:.0f} MB)"
    return None


def save_upload(settings: Settings, original_name: str, data: bytes) -> UploadResult:
    """Validate one uploaded file and keep it in the uploads folder. It replaces an earlier upload with
    the same name (as `safe_filename` makes it), or the same name with another extension (which has the
    same document id): one version of a document, as a new version of a file in a shared drive. The
    result names what it replaced, so the page says so; nothing is replaced without that."""
    name = safe_filename(original_name)
    max_bytes = int(settings.max_file_mb * 1_000_000)
    if reason := _rejection(data, Path(name).suffix, max_bytes):
        return UploadResult(original_name, name, reason)
    folder = upload_dir(settings)
    staging_root = folder / _STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_root) as staging:
        staged = Path(staging) / name
        staged.write_bytes(data)
        try:
            load_file(staged, settings.corpus_dir, max_bytes)
        except IngestError as error:
            return UploadResult(original_name, name, error.message)
        except Exception:  # a parser crash on a malformed file is a rejection, not an app error
            log.exception("upload %s could not be read", name)  # the details are for the maintainer
            return UploadResult(original_name, name, "het bestand kan niet gelezen worden")
        # Finding the earlier versions and moving the file in is one step for every session and process:
        # two uploads under one name at once leave one version, and each says what it replaced.
        with exclusive(folder / _NAME_LOCK):
            target = folder / name
            earlier = _same_id(folder, target.stem)
            for path in earlier:
                if path.name != name:
                    path.unlink()
            os.replace(staged, target)
    return UploadResult(original_name, name, replaced=sorted(path.name for path in earlier))


def _same_id(folder: Path, stem: str) -> list[Path]:
    """The uploads whose document id would be `uploads/<stem>`: the same stem, any extension."""
    return [path for path in folder.glob(f"{glob.escape(stem)}.*") if path.is_file() and path.stem == stem]


def remove_upload(settings: Settings, name: str, store: Store | None = None) -> int:
    """Delete an uploaded file and its passages; returns how many passages were removed. `store`: the
    caller's open store (the app's engine), so no second Chroma client is opened for the same folder."""
    path = upload_dir(settings) / safe_filename(name)
    if path not in list_uploads(settings):
        raise FileNotFoundError(name)
    doc_id = upload_doc_id(settings, path)
    path.unlink()
    return remove_documents(settings, [doc_id], store)


def excluded_sentences_note(instructions: list[str]) -> str | None:
    """What the upload page tells the administrator about an upload's sentences addressed to the assistant."""
    if not instructions:
        return None
    listed = "\n".join(f"- “{sentence[:200]}”" for sentence in instructions)
    return (f"{len(instructions)} zin(nen) in dit document spreken de assistent aan of geven hem een opdracht. "
            f"Ze zijn bij het inlezen weggelaten en worden nooit als antwoord geciteerd:\n{listed}")
