"""Who has answered and what was answered, kept apart so no answer names its author.

`EvaluationSubmission` records that a participant answered a questionnaire for a target (to
refuse a second submission and to list who has not); `EvaluationAnswer` holds the answers with
no user, no timestamp and a random key, so neither the rows nor their keys' order lead back to
a submission.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db_types import uuid_column
from lms.extensions import Model


def random_key() -> str:
    return secrets.token_hex(16)


class EvaluationSubmission(Model):
    """A participant answered one questionnaire for one target (the day only, no time)."""

    __tablename__ = "evaluation_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    questionnaire: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(220))
    submitted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("training_id", "user_id", "questionnaire", "target"),)


class EvaluationAnswer(Model):
    """One answer to one item: a Likert value or a free text, without its author."""

    __tablename__ = "evaluation_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    questionnaire: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(220))
    item_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="value_range"),)
