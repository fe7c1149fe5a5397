"""A bundle uploaded through the admin page, kept between its preview and the admin's confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import Model


class BundleUpload(Model):
    """The uploaded file itself, in the database: the confirmation may reach another app server."""

    __tablename__ = "bundle_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    accept_institution: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
