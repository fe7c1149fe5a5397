"""Assignments (tugas), the trainings that give them, hand-ins, their files and their reviews."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.accounts.models import User
from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model

# What a participant may hand in, and the Indonesian words for it.
KINDS = {"text": "Teks", "images": "Foto/gambar", "links": "Tautan unggahan", "pdf": "Berkas PDF"}
# Submission states (lms/assignments/states.py holds the transitions).
STATUSES = ("draft", "submitted", "withdrawn", "in_review", "revision_requested", "resubmitted",
            "passed", "failed")
OUTCOMES = ("revision", "passed", "failed")


class Assignment(Model):
    """A task to hand in: from a course's content files, or made for one training in the web UI.

    `scope` keeps slugs unique: "" for content (synced from courses/, keyed by slug like courses),
    "training:<id>" for a training-only assignment. `rubric` is the validated list of criteria
    (lms/assignments/rubric.py), each {"id", "title", "description", "levels": [{"label",
    "points", "description"}]}, highest level first.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    scope: Mapped[str] = mapped_column(String(40), default="")
    slug: Mapped[str] = mapped_column(String(100))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id"), index=True)
    course_slug: Mapped[str | None] = mapped_column(String(100), index=True)
    lesson_slug: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    accepts: Mapped[list[str]] = mapped_column(JSON)
    max_images: Mapped[int] = mapped_column(Integer, default=0)
    max_chars: Mapped[int] = mapped_column(Integer, default=0)
    max_links: Mapped[int] = mapped_column(Integer, default=0)
    # Due: day N of the training (1 = first day) at this local time (None: the end of that day).
    due_day: Mapped[int | None] = mapped_column(Integer)
    due_time: Mapped[time | None] = mapped_column(Time)
    accept_late: Mapped[bool] = mapped_column(Boolean, default=True)
    max_revisions: Mapped[int] = mapped_column(Integer, default=2)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    max_points: Mapped[int] = mapped_column(Integer)
    pass_points: Mapped[int] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Published-post links counted per OPD against this target (Sulsel: 2); None: not counted.
    opd_target: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("scope", "slug"),
        CheckConstraint("pass_points >= 0 AND pass_points <= max_points", name="pass_points"),
        CheckConstraint("max_revisions >= 0", name="max_revisions"),
    )

    def accepts_kind(self, kind: str) -> bool:
        return kind in (self.accepts or [])


class TrainingAssignment(Model):
    """A training's choice about one assignment: given (included) or left out.

    Without a row, a training gives the assignments of its linked courses and its own ones.
    """

    __tablename__ = "training_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    included: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("training_id", "assignment_id"),)


class Submission(Model):
    """One participant's hand-in of one assignment in one training, through every round.

    `version` grows with every change: each write names the version it saw, so a second tab or
    a second reviewer gets a clear refusal instead of overwriting (compare-and-set).
    `round` is 1 for the first hand-in and grows by one each time the trainer returns it for revision.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The OPD when handed in: counts and ZIP folders stay put when a person moves.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    round: Mapped[int] = mapped_column(Integer, default=1)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last review change: every review action writes the row, so it moves `version` too.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship()
    files: Mapped[list[SubmissionFile]] = relationship(back_populates="submission",
                                                       order_by="SubmissionFile.position")
    reviews: Mapped[list[Review]] = relationship(back_populates="submission", order_by="Review.round")

    __table_args__ = (
        UniqueConstraint("assignment_id", "training_id", "user_id"),
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status"),
        Index("ix_submissions_queue", "training_id", "assignment_id", "status"),
    )
    # Every UPDATE checks and bumps `version`: two requests that read the same version cannot both write.
    __mapper_args__ = {"version_id_col": version}


class SubmissionFile(Model):
    """An image (re-encoded, EXIF stripped, at most 2,048 px) or a PDF of a submission, in the database."""

    __tablename__ = "submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The round it was added in. A file of a reviewed round is marked removed, not deleted, so what
    # the trainer reviewed stays on record; a file of the present round is deleted outright.
    round: Mapped[int] = mapped_column(Integer, default=1)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    mime: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="files")

    __table_args__ = (CheckConstraint("kind IN ('image', 'pdf')", name="kind"),)

    @property
    def filename(self) -> str:
        extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(self.mime, "bin")
        return f"{'foto' if self.kind == 'image' else 'dokumen'}-{self.position}.{extension}"


class Review(Model):
    """A trainer's review of one round: a level and a comment per criterion, an overall comment.

    `levels` maps criterion id to the chosen level's index in the rubric; `rubric` is the rubric
    as it was when the review was decided (later content edits never change a decided score).
    `outcome` stays None while the review is being filled in.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    levels: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    comments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(Integer)
    rubric: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("submission_id", "round"),
        CheckConstraint("outcome IS NULL OR outcome IN ('revision', 'passed', 'failed')", name="outcome"),
    )


class CommentSnippet(Model):
    """A reusable review comment of one assignment, for one criterion ("" = the overall comment)."""

    __tablename__ = "comment_snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(100), default="", server_default=text("''"))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
