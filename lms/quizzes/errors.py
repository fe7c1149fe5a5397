"""Errors of the attempt engine, each with the HTTP status the JSON API answers with."""

from __future__ import annotations

from lms.errors import LmsError


class AttemptError(LmsError):
    status = 400


class NotYourAttempt(AttemptError):
    status = 403


class UnknownQuestion(AttemptError):
    status = 400


class InvalidAnswer(AttemptError):
    status = 400


class StaleAnswer(AttemptError):
    """Another tab saved a newer answer to this question."""

    status = 409

    def __init__(self, message: str, revision: int, value: object) -> None:
        super().__init__(message)
        self.revision = revision
        self.value = value


class AttemptClosed(AttemptError):
    """The attempt is finished or past its deadline."""

    status = 409


class QuizUnavailable(AttemptError):
    """Not open yet, closed, retired, or no attempts left."""

    status = 403


class MalformedAnswer(AttemptError):
    """The request carrying an answer is not shaped as the page sends it."""

    status = 400
