"""Text from users and documents shown through Streamlit's Markdown exactly as written."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#<>$|~])")


def escape_markdown(text: str) -> str:
    """User input shown as typed, never as Markdown (or LaTeX, which Streamlit renders between $)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
