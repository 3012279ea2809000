"""Hostile upload names, shared by tests/reliability and `make soak`.

Each name goes through `save_upload`, the function the app's upload page calls with the name the
browser sent. Two figures count: escapes (a stored file whose resolved path is outside the uploads
folder, or any new file elsewhere under the corpus) and silent replacements (an accepted upload
whose content is no longer in the uploads folder afterwards, without a later upload saying it
replaced it). An upload whose name becomes an earlier upload's name replaces it, as the upload page
says: one version per document, and the result names what it replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXISTING = "notitie.md"
"""An upload already in the folder before the hostile names arrive."""
EXISTING_TEXT = b"# Notitie\n\nDe notitie die er al was, over het ondersteuningsplan.\n"

HOSTILE_NAMES: tuple[str, ...] = (
    "../../etc/passwd.md",  # path traversal
    "/etc/passwd.md",  # absolute path
    "..\\..\\windows\\system32\\drivers.md",  # Windows traversal
    "\\\\server\\share\\notitie.md",  # UNC path, and the existing upload's name
    "rapport.md\x00.exe",  # NUL byte: .md to a C library, .exe to us
    "rapport\x00.md",
    "....",  # only dots
    "..",
    "a" * 300 + ".md",  # longer than any file system allows
    "\U00020000" * 100 + ".md",  # 100 letters of 4 bytes each: short in characters, too long in bytes
    "CON.md",  # Windows device names
    "lpt1.txt",
    "-rf --no-preserve-root.md",  # leading dash
    "regel\nnieuwe regel.md",  # newline
    "factuur\u202edm.exe",  # right-to-left override: shows as "factuurexe.md"
    "no\u200btitie\u200d.md",  # zero-width space and joiner
    "Notitie OOGO.md",  # these two sanitise to the same name, with different content
    "notitie -- oogo!.md",
    "caf\u00e9.md",  # NFC "é" and NFD "e" + combining acute: twins after normalisation
    "cafe\u0301.md",
    "Notitie.md",  # case twin of the existing upload, different content: a new version
    "NOTITIE.MD",  # case twin with the existing upload's first content: a version again
    ".env.md",  # hidden file
    "x.md.exe",  # double extensions
    "x.exe.md",
    "%2e%2e%2fetc%2fpasswd.md",  # URL-encoded traversal
    "uploads/../../wetgeving/wec-artikel-28a.md",  # aims at a law text in the corpus
)
SAME_AS_EXISTING = "NOTITIE.MD"


def content(number: int, name: str) -> bytes:
    """Distinct, valid Markdown per upload, except the one meant to repeat the existing upload."""
    if name == SAME_AS_EXISTING:
        return EXISTING_TEXT
    return f"# Upload {number}\n\nDit is upload nummer {number}, over samenwerking in de regio.\n".encode()


@dataclass
class UploadRun:
    names: int
    accepted: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    """Original name -> the Dutch reason it was refused."""
    escapes: list[str] = field(default_factory=list)
    silent_replacements: list[str] = field(default_factory=list)
    replacing: list[str] = field(default_factory=list)
    """Uploads under a name an earlier upload had, which say so (`UploadResult.replaced`)."""
    crashes: list[str] = field(default_factory=list)


def hostile_uploads(corpus: Path) -> UploadRun:
    """Upload every hostile name into `corpus` (a corpus folder with documents, which gets one existing
    upload first) and count; files under `corpus.parent` outside the uploads folder must not change."""
    from assistant.config import Settings
    from assistant.ingest.uploads import save_upload, upload_dir

    settings = Settings(corpus_dir=corpus, index_dir=corpus.parent / "index", chroma_url=None)
    folder = upload_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / EXISTING).write_bytes(EXISTING_TEXT)
    outside_before = _files_outside(corpus.parent, folder)  # the corpus's own documents among them
    run = UploadRun(names=len(HOSTILE_NAMES))
    kept: dict[str, bytes] = {EXISTING: EXISTING_TEXT}
    """Original or stored name -> content that must still be in the folder (unless reported replaced)."""
    stored_as: dict[str, str] = {EXISTING: EXISTING}
    for number, name in enumerate(HOSTILE_NAMES, start=1):
        data = content(number, name)
        try:
            result = save_upload(settings, name, data)
        except Exception as exc:  # counted: the upload page would show an error instead of a reason
            run.crashes.append(f"{name!r}: {exc.__class__.__name__}: {exc}")
            continue
        if not result.accepted:
            run.rejected[name] = str(result.reason)
            continue
        run.accepted += 1
        stored = folder / result.name
        if not stored.resolve().is_relative_to(folder.resolve()) or not stored.is_file():
            run.escapes.append(name)
        if result.replaced:
            run.replacing.append(name)
            for earlier in [n for n, stored in stored_as.items() if stored in result.replaced]:
                kept.pop(earlier)  # reported: the page says which file the new version replaced
                stored_as.pop(earlier)
        kept[name] = data
        stored_as[name] = result.name
    contents = [path.read_bytes() for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")]
    run.silent_replacements = [name for name, data in kept.items() if data not in contents]
    outside_after = _files_outside(corpus.parent, folder)
    run.escapes += sorted(path for path, data in outside_after.items() if outside_before.get(path) != data)
    return run


def _files_outside(root: Path, folder: Path) -> dict[str, bytes]:
    """Every file under `root` that is not in the uploads folder, with its content (new or changed = escaped)."""
    return {str(path): path.read_bytes() for path in root.rglob("*") if path.is_file() and not path.is_relative_to(folder)}
