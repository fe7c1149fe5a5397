"""Quizzes in the catalog, their content versions, attempts and saved answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model


class Quiz(Model):
    """A quiz as last synced from quizzes/; its questions live in versions."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    course_slug: Mapped[str | None] = mapped_column(String(100))
    pretest_slug: Mapped[str | None] = mapped_column(String(100))
    # The number of the newest QuizVersion: new attempts use it, running ones keep theirs.
    version_number: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("kind IN ('practice', 'pretest', 'posttest')", name="kind"),)


class QuizVersion(Model):
    """One content version of a quiz: settings and questions, frozen."""

    __tablename__ = "quiz_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Deferred: decoded once per process (services.catalog.version_content), not per request.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True, deferred_group="content")
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, deferred=True, deferred_group="content")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[Quiz] = relationship()

    __table_args__ = (UniqueConstraint("quiz_id", "number"),)


class Attempt(Model):
    """One try at a quiz by one user, with the questions it showed frozen in it."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Where the attempt counts: "" on its own, "training:<id>" inside a bimtek (limits and
    # scores are per context, so the same post-test can serve next year's bimtek too).
    context: Mapped[str] = mapped_column(String(40), default="", server_default=text("''"))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id"), index=True)
    window_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The questions as shown: text, answers in their shuffled order, the key.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    points: Mapped[dict[str, str] | None] = mapped_column(JSON)
    score: Mapped[Any | None] = mapped_column(Numeric(7, 3))
    maximum: Mapped[Any | None] = mapped_column(Numeric(9, 3))
    percent: Mapped[Any | None] = mapped_column(Numeric(6, 2))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    finish_reason: Mapped[str | None] = mapped_column(String(20))
    # The page of questions the participant last had open: re-opening the attempt resumes there.
    current_page: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    quiz: Mapped[Quiz] = relationship()
    version: Mapped[QuizVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "context", "number"),
        # At most one open attempt per person, quiz and context, even when two tabs start at once.
        Index("uq_attempts_open", "quiz_id", "user_id", "context", unique=True,
              sqlite_where=text("status = 'in_progress'"),
              postgresql_where=text("status = 'in_progress'")),
        CheckConstraint("status IN ('in_progress', 'finished')", name="status"),
        # Results (final scores, certificate eligibility) read only these columns: from this index
        # alone, never the row, whose question snapshot (~20 KB) SQLite would walk to reach `percent`.
        Index("ix_attempts_results", "quiz_id", "context", "user_id", "number", "status", "percent", "deadline_at"),
    )

    @property
    def finished(self) -> bool:
        return self.status == "finished"


class Response(Model):
    """The saved answer to one question of an attempt; revision guards against stale tabs."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(120))
    value: Mapped[Any] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)
