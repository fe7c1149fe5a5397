"""Domain errors: services raise these, views turn them into messages."""

from __future__ import annotations


class LmsError(Exception):
    """A rule of the domain was broken; the message is Indonesian and safe to show."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(LmsError):
    """The actor may not do this."""


class ValidationFailed(LmsError):
    """Input does not satisfy a rule."""
