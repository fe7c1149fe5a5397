"""Domain errors: services raise these, views turn them into messages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class LmsError(Exception):
    """A rule of the domain was broken; the message is Indonesian and safe to show.

    `errors` lists every (field, message) the error stands for: one, or all the problems of an
    input that a service collected (see Problems), so a form can show them at once.
    """

    def __init__(self, message: str, field: str | None = None,
                 errors: Sequence[tuple[str | None, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors: list[tuple[str | None, str]] = list(errors) if errors else [(field, message)]


class NotAllowed(LmsError):
    """The actor may not do this."""


class ValidationFailed(LmsError):
    """Input does not satisfy a rule."""


class Problems:
    """Collect the problems of one input, to refuse it once with all of them."""

    def __init__(self) -> None:
        self.errors: list[tuple[str | None, str]] = []

    def add(self, message: str, field: str | None = None) -> None:
        self.errors.append((field, message))

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Run a check that raises ValidationFailed and keep its problems instead of stopping."""
        try:
            yield
        except ValidationFailed as exc:
            self.errors.extend(exc.errors)

    def has(self, field: str) -> bool:
        return any(name == field for name, _ in self.errors)

    def raise_any(self) -> None:
        """Raise ValidationFailed with every problem collected (the first as its message), if any."""
        if self.errors:
            field, message = self.errors[0]
            raise ValidationFailed(message, field, self.errors)
