"""Errors that reach the user.

Their message is Dutch and written for the person running the assistant (the CLI and the app
show `str(error)` as is); `source` names the file or setting at fault, so a front end can point
at it without parsing the message.
"""

from __future__ import annotations


class AssistantError(Exception):
    """An error with a user-facing Dutch message and, optionally, the file or setting it is about."""

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return self.message


class ConfigError(AssistantError):
    """A setting is wrong or points at something unusable (a model, a directory, a server)."""


class IngestError(AssistantError):
    """A source document cannot be read or indexed."""


class IndexMissingError(AssistantError):
    """There is no index (collection) yet: ingest has to run before anything can be answered."""


class StoreUnavailableError(AssistantError):
    """The configured Chroma server cannot be reached: not the same as an empty index."""
