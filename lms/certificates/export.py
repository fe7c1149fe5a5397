"""A training's certificates in one file: a ZIP of their PDFs, one merged PDF, or their list (CSV/XLSX).

The issuing page's download and `flask certificates export` both write through here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from pypdf import PdfWriter
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.certificates.services import pdfs_of
from lms.exports import Column, Table
from lms.extensions import db
from lms.trainings.models import Training

Items = Iterable[tuple[Certificate, bytes]]


@dataclass(frozen=True)
class Export:
    """One written export: its bytes, what they are, the name to save them under, how many certificates."""

    body: bytes
    mimetype: str
    filename: str
    count: int


def certificate_filename(certificate: Certificate) -> str:
    """Return the certificate's PDF name: its number with anything but letters, digits and hyphens as `_`."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", certificate.number).strip("_") + ".pdf"


def write_zip(items: Items, target: IO[bytes]) -> int:
    """Write each certificate's stored PDF into a ZIP on target; return how many."""
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate, pdf in items:
            archive.writestr(certificate_filename(certificate), pdf)
            count += 1
    return count


def write_merged(items: Items, target: IO[bytes]) -> int:
    """Write every certificate's pages, in order, as one PDF on target; return how many certificates."""
    writer = PdfWriter()
    count = 0
    for _, pdf in items:
        writer.append(io.BytesIO(pdf))
        count += 1
    writer.write(target)
    return count


def export_training(training: Training, merged: bool = False) -> Export:
    """Return a training's valid certificates, in number order, as a ZIP or (merged) one PDF."""
    buffer = io.BytesIO()
    if merged:
        count = write_merged(pdfs_of(training), buffer)
        return Export(buffer.getvalue(), "application/pdf", f"sertifikat-{training.slug}.pdf", count)
    count = write_zip(pdfs_of(training), buffer)
    return Export(buffer.getvalue(), "application/zip", f"sertifikat-{training.slug}.zip", count)


LIST_COLUMNS = (Column("No", "integer"), Column("Nomor Sertifikat"), Column("Nama"), Column("NIP", "nip"),
                Column("OPD"), Column("JP", "integer"), Column("Nilai Post-test", "decimal"), Column("Predikat"),
                Column("Tanggal Terbit", "date"), Column("Status"), Column("Alasan Pencabutan"))
_STATUS = {"valid": "Sah", "revoked": "Dicabut"}


def list_table(training: Training) -> Table:
    """Return every certificate of a training (revoked ones too), in number order, as printed on it."""
    found = db.session.execute(select(Certificate.seq, Certificate.data, Certificate.issue_date, Certificate.status,
                                      Certificate.revoke_reason)
                               .where(Certificate.training_id == training.id).order_by(Certificate.seq))
    return Table("Daftar Sertifikat", LIST_COLUMNS, [
        (n, r.data["number"], r.data["holder_name"], r.data.get("nip") or "", r.data.get("agency") or "",
         r.data["jp"], _score(r.data.get("score")), r.data.get("predikat") or "", r.issue_date,
         _STATUS.get(r.status, r.status), r.revoke_reason) for n, r in enumerate(found, start=1)])


def _score(frozen: str | None) -> Decimal | None:
    """Return the frozen score text (90,9) as a number."""
    return Decimal(frozen.replace(",", ".")) if frozen else None
