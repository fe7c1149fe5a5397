"""The editable parts of a training's Laporan Pelaksanaan and its documentation photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model

# The narrative parts of the report, in the order they appear in it, with their headings.
NARRATIVES = {
    "latar_belakang": "Latar Belakang",
    "dasar_hukum": "Dasar Hukum",
    "maksud_tujuan": "Maksud dan Tujuan",
    "sasaran": "Sasaran",
    "kendala_solusi": "Kendala dan Solusi",
    "kesimpulan": "Kesimpulan",
    "rekomendasi": "Rekomendasi",
}


class TrainingReport(Model):
    """The Markdown of a training's narrative sections; an empty one prints its generated draft."""

    __tablename__ = "training_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), unique=True)
    latar_belakang: Mapped[str] = mapped_column(Text, default="")
    dasar_hukum: Mapped[str] = mapped_column(Text, default="")
    maksud_tujuan: Mapped[str] = mapped_column(Text, default="")
    sasaran: Mapped[str] = mapped_column(Text, default="")
    kendala_solusi: Mapped[str] = mapped_column(Text, default="")
    kesimpulan: Mapped[str] = mapped_column(Text, default="")
    rekomendasi: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportPhoto(Model):
    """A documentation photo of a training, re-encoded without metadata, with its caption."""

    __tablename__ = "report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(String(300), default="")
    mime: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
