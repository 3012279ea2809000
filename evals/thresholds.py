"""Metric limits from thresholds.toml, checked the same way by `assistant eval` and the gate test."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

DEFAULT_THRESHOLDS = Path(__file__).with_name("thresholds.toml")


class ThresholdError(AssistantError):
    """A thresholds file that cannot be read."""


@dataclass(frozen=True)
class ThresholdCheck:
    metric: str
    kind: str
    """"minimum" or "maximum"."""
    limit: float
    measured: float | None

    @property
    def passed(self) -> bool:
        """A metric that was not measured fails: a gate that silently skips is no gate."""
        if self.measured is None:
            return False
        return self.measured >= self.limit if self.kind == "minimum" else self.measured <= self.limit

    def describe(self) -> str:
        sign = ">=" if self.kind == "minimum" else "<="
        measured = "niet gemeten" if self.measured is None else f"gemeten {self.measured:.3f}"
        return f"{self.metric}: {measured}, drempel {sign} {self.limit:g}"


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> dict[str, dict[str, float]]:
    """{'minimum': {...}, 'maximum': {...}} from a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ThresholdError(f"kan drempels in {path} niet lezen ({error})", source=str(path)) from error
    unknown = data.keys() - {"minimum", "maximum"}
    if unknown:
        raise ThresholdError(f"{path}: onbekende secties {', '.join(sorted(unknown))}", source=str(path))
    return {kind: {name: float(value) for name, value in data.get(kind, {}).items()} for kind in ("minimum", "maximum")}


def check_thresholds(metrics: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[ThresholdCheck]:
    """One check per limit, in file order: minimums first, then maximums."""
    return [
        ThresholdCheck(metric=name, kind=kind, limit=limit, measured=metrics.get(name))
        for kind in ("minimum", "maximum")
        for name, limit in thresholds.get(kind, {}).items()
    ]
