"""Samenwerkingsassistent: answers about gemeenten, samenwerkingsverbanden and jeugdhulp, with citations.

`Engine(settings)` is the whole public surface; `ask(...)` is a convenience over the default engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.engine import Engine
    from assistant.models import Answer

__all__ = ["Engine", "ask"]


def ask(*args: Any, **kwargs: Any) -> Answer:
    """See `assistant.engine.ask`; imported lazily so `import assistant` stays cheap."""
    from assistant.engine import ask as _ask

    return _ask(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from assistant.engine import Engine

        return Engine
    raise AttributeError(name)
