"""Settings overrides for one eval run (`assistant eval --set NAME=VALUE`).

Ablations switch a rule or feature off for a single run. Overrides are validated against the
`Settings` model itself, so a typo in a name fails before the first question instead of being
ignored (Settings ignores unknown environment variables), and values are parsed by pydantic
exactly as an `ASSISTENT_*` variable would be.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import ConfigError

SECRET_MARKERS = ("key", "password", "token", "secret")
"""Setting names whose values never appear in results.json or a report."""


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """`["rerank=false", "top_k=8"]` -> `{"rerank": "false", "top_k": "8"}`; Dutch error on bad syntax."""
    overrides: dict[str, str] = {}
    for assignment in assignments:
        name, sign, value = assignment.partition("=")
        name = name.strip()
        if not sign or not name:
            raise ConfigError(f"ongeldige --set '{assignment}': verwacht NAAM=WAARDE, bijvoorbeeld rerank=false")
        if name in overrides:
            raise ConfigError(f"instelling '{name}' wordt twee keer gezet met --set", source=name)
        overrides[name] = value.strip()
    return overrides


def apply_overrides(settings: Settings, overrides: dict[str, str]) -> Settings:
    """A copy of `settings` with the overrides, validated and parsed by pydantic.

    Raises `ConfigError` naming an unknown setting (with the list of valid names) or a value
    that does not parse.
    """
    if not overrides:
        return settings
    valid = sorted(Settings.model_fields)
    unknown = sorted(name for name in overrides if name not in Settings.model_fields)
    if unknown:
        raise ConfigError(
            f"onbekende instelling(en): {', '.join(unknown)}; geldige namen: {', '.join(valid)}", source=unknown[0]
        )
    try:
        return Settings.model_validate({**settings.model_dump(), **overrides})
    except ValidationError as error:
        names = [str(item["loc"][0]) if item["loc"] else "?" for item in error.errors()]
        problems = "; ".join(
            f"{name}='{_shown(name, overrides.get(name, ''))}': {item['msg']}"
            for name, item in zip(names, error.errors(), strict=True)
        )
        raise ConfigError(f"ongeldige waarde bij --set: {problems}", source=names[0]) from error


def is_secret(name: str) -> bool:
    """API keys and passwords may be overridden but are never written down."""
    return any(marker in name for marker in SECRET_MARKERS)


def describe_overrides(overrides: dict[str, str]) -> dict[str, str]:
    """The overrides as they may be written to results.json and the report: secret values masked."""
    return {name: _shown(name, value) for name, value in overrides.items()}


def _shown(name: str, value: str) -> str:
    return "***" if is_secret(name) else value
