"""What a certificate prints: the frozen record and its transcript rows, and their checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TranscriptRow:
    topic: str
    jp: int
    trainer: str = ""


@dataclass(frozen=True)
class CertificateData:
    number: str
    code: str
    verify_url: str
    holder_name: str
    nip: str  # nip, pangkat and jabatan may be "": their lines are left out
    pangkat: str
    jabatan: str
    agency: str
    training_title: str
    start_date: date
    end_date: date
    venue: str
    city: str
    jp: int
    score: str | None  # preformatted, e.g. "87,5"
    predikat: str | None
    issue_city: str
    issue_date: date
    signatory_name: str
    signatory_pangkat: str
    signatory_nip: str
    signatory_title: str
    institution_name: str
    institution_address: str
    transcript: tuple[TranscriptRow, ...] = ()


def check_record(data: CertificateData) -> None:
    """Refuse records that would print a self-contradicting certificate."""
    if data.jp < 1:
        raise ValueError(f"JP sertifikat {data.number} harus lebih dari nol")
    if data.end_date < data.start_date:
        raise ValueError(f"tanggal selesai sertifikat {data.number} mendahului tanggal mulai")
    total = sum(row.jp for row in data.transcript)
    if data.transcript and total != data.jp:
        raise ValueError(f"jumlah JP transkrip ({total}) tidak sama dengan JP sertifikat "
                         f"{data.number} ({data.jp})")
