"""What an ingest reports: the types the `Engine`, the indexer and the front ends (CLI, upload page)
share, apart from the indexer so a front end that reads a report imports no indexing code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileError:
    path: str
    reason: str


@dataclass
class IngestReport:
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    sentences_embedded: int = 0
    errors: list[FileError] = field(default_factory=list)
    seconds: float = 0.0
    rolled_back: list[str] = field(default_factory=list)
    """Collections of an ingest that was interrupted (killed) before it switched readers over: removed."""
    added_docs: list[str] = field(default_factory=list)
    changed_docs: list[str] = field(default_factory=list)
    unchanged_docs: list[str] = field(default_factory=list)
    removed_docs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The summary `assistant ingest --json` prints: document ids per outcome, skipped files with reasons."""
        return {
            "added": self.added_docs,
            "changed": self.changed_docs,
            "unchanged": self.unchanged_docs,
            "removed": self.removed_docs,
            "skipped": [{"file": error.path, "reason": error.reason} for error in self.errors],
            "rolled_back": self.rolled_back,
        }

    def summary(self) -> str:
        return (
            f"{self.documents} documenten, {self.passages} passages in de index; "
            f"{self.embedded} passages ingebed ({self.sentences_embedded} zinnen), {self.reused} hergebruikt, "
            f"{self.removed} verwijderd; "
            f"{len(self.errors)} bestanden overgeslagen ({self.seconds:.1f} s)."
        ) + (
            f" Een onderbroken ingest is teruggedraaid ({len(self.rolled_back)} onvoltooide collecties verwijderd);"
            " de index was intussen onveranderd bruikbaar."
            if self.rolled_back else ""
        )
