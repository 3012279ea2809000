"""Samenwerkingsassistent: answers about gemeenten, samenwerkingsverbanden and jeugdhulp, with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.models import Answer

__all__ = ["ask"]


def ask(*args: Any, **kwargs: Any) -> Answer:
    """See `assistant.service.ask`; imported lazily so `import assistant` stays cheap."""
    from assistant.service import ask as _ask

    return _ask(*args, **kwargs)
