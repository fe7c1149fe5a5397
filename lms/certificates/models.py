"""Issued certificates (frozen data and PDF), their numbering sequence, overrides and bulk jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.accounts.models import User
from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model
from lms.trainings.models import Training


class Certificate(Model):
    """A certificate as issued: everything printed is frozen here, with the PDF and its hash."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="valid")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issue_date: Mapped[date] = mapped_column(Date)
    jp: Mapped[int] = mapped_column(Integer)
    jp_year: Mapped[int] = mapped_column(Integer, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(100), default="default")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # Its place in the published Bitstring Status Lists (lms.certificates.badges): set at issue, never reused.
    status_list_index: Mapped[int | None] = mapped_column(Integer, unique=True)
    # Electronic signature (lms.certificates.signing): "none" when no signing is configured, "pending"
    # (Menunggu TTE) until signed, then "signed": `pdf` and `pdf_sha256` are then the signed file's,
    # and `unsigned_sha256` keeps the hash of the PDF as rendered.
    sign_state: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    unsigned_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by: Mapped[str] = mapped_column(String(300), default="", server_default=text("''"))
    signer_label: Mapped[str] = mapped_column(String(100), default="", server_default=text("''"))
    # Where the signature field goes (page, x1, y1, x2, y2 in points), fixed when the PDF is rendered.
    signature_box: Mapped[list[float] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    training: Mapped[Training] = relationship()

    __table_args__ = (
        UniqueConstraint("institution_id", "year", "seq"),
        # One valid certificate per person and training, even when two admins click at once.
        Index("uq_certificates_valid", "training_id", "user_id", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
        CheckConstraint("status IN ('valid', 'revoked')", name="status"),
        CheckConstraint("sign_state IN ('none', 'pending', 'signed')", name="sign_state"),
        Index("ix_certificates_training_sign_state", "training_id", "sign_state"),
    )

    @property
    def signed(self) -> bool:
        return self.sign_state == "signed"

    @property
    def sign_label(self) -> str:
        return SIGN_LABELS[self.sign_state]


SIGN_LABELS = {"none": "Tanpa TTE", "pending": "Menunggu TTE", "signed": "Ditandatangani"}


class CertificateSequence(Model):
    """The last number used per institution and year: the row everyone locks to number."""

    __tablename__ = "certificate_sequences"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class EligibilityOverride(Model):
    """An admin's recorded decision to certify someone who misses a rule."""

    __tablename__ = "eligibility_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("training_id", "user_id"),)


class EligibilityRevision(Model):
    """A token that changes, in the same transaction, with every write the certificates page's facts read.

    lms.certificates.revisions sets a new random value whenever a participant's attendance, lesson
    completion, enrolment or assignment status in the training changes, so a cache keyed by it is
    exact across processes and clocks (a restored backup or an emptied database never reuses one).
    """

    __tablename__ = "eligibility_revisions"

    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), primary_key=True)
    token: Mapped[int] = mapped_column(BigInteger)


class Job(Model):
    """A bulk task run in the background, with progress a page can show."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The worker's last sign of life: set when it takes the job and after every committed batch.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    training: Mapped[Training | None] = relationship()

    @property
    def last_seen(self) -> datetime:
        return self.updated_at or self.created_at

    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)
