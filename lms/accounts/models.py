"""Users, roles, OPDs (agencies) and the issuing institution."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.dates import DEFAULT_ZONE, ZONE_LABELS
from lms.db_types import UTCDateTime, utcnow, uuid_column
from lms.extensions import Model


class Role(str, enum.Enum):
    PARTICIPANT = "participant"
    TRAINER = "trainer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.PARTICIPANT: "Peserta", Role.TRAINER: "Narasumber", Role.ADMIN: "Penyelenggara"}



class Institution(Model):
    """The issuing Diskominfo: one per deployment for now."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(40), default=DEFAULT_ZONE)
    address: Mapped[str] = mapped_column(String(300), default="")
    head_name: Mapped[str] = mapped_column(String(200), default="")
    head_pangkat: Mapped[str] = mapped_column(String(100), default="")
    head_nip: Mapped[str] = mapped_column(String(18), default="")
    head_title: Mapped[str] = mapped_column(String(200), default="")
    certificate_pattern: Mapped[str] = mapped_column(
        String(200), default="{seq:03d}/BIMTEK/DISKOMINFO/{month_roman}/{year}")
    # The public address printed in certificate QR codes; empty: PUBLIC_BASE_URL (environment, make run).
    public_base_url: Mapped[str] = mapped_column(String(300), default="")
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    logo_mime: Mapped[str | None] = mapped_column(String(20))
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    # What the public verification page adds to what verifies a certificate (UU PDP: off by default).
    verify_show_score: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    verify_show_pangkat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    verify_show_jabatan: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(f"time_zone IN ({', '.join(repr(zone) for zone in ZONE_LABELS)})",
                        name="time_zone"),
    )


class Agency(Model):
    """An OPD (Organisasi Perangkat Daerah) whose staff take part."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, single-spaced name: the key imports match on.
    name_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("institution_id", "name_key"),)


class User(Model):
    """A person with a login: participant, trainer or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    pangkat_golongan: Mapped[str] = mapped_column(String(100), default="")
    jabatan: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on a password change or deactivation: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an admin anonymised the account: name replaced, identifiers and password gone.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR nip IS NOT NULL OR anonymised_at IS NOT NULL",
                        name="email_or_nip"),
        CheckConstraint("role IN ('participant', 'trainer', 'admin')", name="role"),
    )

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def login_name(self) -> str:
        """Return what this user types to log in."""
        return self.nip or self.email or ""

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r).value for r in roles}


class UserImport(Model):
    """A participant list uploaded and checked, waiting for the admin's confirmation."""

    __tablename__ = "user_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # Parsed rows until applied; emptied afterwards so no personal data lingers here.
    rows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'applied', 'cancelled')", name="status"),
    )


class LoginSession(Model):
    """One login on one device: logout or "Keluar dari semua perangkat" revokes it server-side."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the random id kept in the session cookie: a database leak opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Chrome di Android": enough to recognise a device, no address kept.
    device: Mapped[str] = mapped_column(String(80), default="")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class LoginThrottle(Model):
    """Consecutive failed logins of one account or one trusted device, shared by every process."""

    __tablename__ = "login_throttles"

    # "account:<hash>" or "device:<hash>"; the hash is keyed with the secret, never a raw NIP.
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
