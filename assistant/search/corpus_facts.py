"""Facts about the corpus that no single passage states: law names, sectors, superseded provisions,
plans and places.

They live as data (`corpus/feiten.yaml` and the `place` front-matter field), are read at ingest and
kept in the collection metadata, so every process answers with the facts of the index it reads, and
adding a law document or a practice example needs no code change.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import IngestError

FACTS_FILE = "feiten.yaml"
"""The name of the facts file at the root of the corpus folder; ingest never indexes it as a document."""


@dataclass(frozen=True)
class Law:
    """A law the corpus quotes: its citation name, the names people use for it, the sectors it governs."""

    short: str
    names: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Superseded:
    """An outdated provision (as cited in the outdated texts) and the current one that replaced it."""

    law: str
    article: str
    current: str
    year: int | None = None


@dataclass(frozen=True)
class CorpusFacts:
    laws: tuple[Law, ...] = ()
    superseded: tuple[Superseded, ...] = ()
    plans: tuple[tuple[str, ...], ...] = ()
    places: tuple[str, ...] = field(default=())

    def short_for_name(self, name: str) -> str | None:
        """The citation name of a law named in a heading ("Wet op het primair onderwijs" -> "WPO")."""
        wanted = name.strip().lower()
        for law in self.laws:
            if wanted == law.short.lower() or wanted in (n.lower() for n in law.names):
                return law.short
        return None

    def named_laws(self, text: str) -> list[str]:
        """Citation names of the laws a text names outright."""
        return sorted({law.short for law in self.laws if any(mentions(text, name) for name in law.names)})

    def sector_laws(self, text: str) -> list[str]:
        """Citation names of the laws that govern the school sectors a text names."""
        return sorted({law.short for law in self.laws if any(mentions(text, sector) for sector in law.sectors)})

    def current_provision(self, law: str | None, article: str | None) -> str | None:
        for item in self.superseded:
            if item.law == law and item.article == article:
                return item.current
        return None

    @property
    def outdated_years(self) -> frozenset[int]:
        return frozenset(item.year for item in self.superseded if item.year)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> CorpusFacts:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            laws=tuple(Law(d["short"], tuple(d.get("names", ())), tuple(d.get("sectors", ()))) for d in data.get("laws", ())),
            superseded=tuple(Superseded(**d) for d in data.get("superseded", ())),
            plans=tuple(tuple(group) for group in data.get("plans", ())),
            places=tuple(data.get("places", ())),
        )

    def with_places(self, places: set[str]) -> CorpusFacts:
        return CorpusFacts(self.laws, self.superseded, self.plans, tuple(sorted(places)))


def mentions(text: str, name: str) -> bool:
    """Whole-word, case-insensitive: "po" in "het po" but not in "postcode"."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def load_facts(corpus_dir: Path) -> CorpusFacts:
    """The facts file of a corpus folder; a corpus without one has no facts (and still works)."""
    path = corpus_dir / FACTS_FILE
    if not path.is_file():
        return CorpusFacts()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return CorpusFacts(
            laws=tuple(
                Law(str(item["short"]), tuple(map(str, item.get("names", ()))), tuple(map(str, item.get("sectors", ()))))
                for item in data.get("laws", ())
            ),
            superseded=tuple(
                Superseded(str(item["law"]), str(item["article"]), str(item["current"]), item.get("year"))
                for item in data.get("superseded", ())
            ),
            plans=tuple(tuple(map(str, group)) for group in data.get("plans", ())),
        )
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(
            f"{FACTS_FILE} is ongeldig ({exc.__class__.__name__}: {exc}); zie corpus/README.md voor het formaat",
            source=str(path),
        ) from exc
