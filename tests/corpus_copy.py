"""Small test corpora made of copies of real corpus documents."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.paths import CORPUS


def copy_corpus(root: Path, names: tuple[str, ...]) -> Path:
    """`root` with copies of these corpus documents (paths relative to `corpus/`), folders included."""
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, target)
    return root
