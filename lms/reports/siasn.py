"""The SIASN-ready JP export: one row per civil servant with a valid certificate, for the BKPSDM.

Every value comes from the certificate's frozen data (what was certified), never from today's
user or training rows. Columns follow the field order of SIASN's riwayat kursus; the app never
sends anything to SIASN (its API is only for authorised agencies): the operator uploads or
types from this file. Participants without an 18-digit NIP are listed apart with the reason.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from sqlalchemy import select

from lms.accounts.identity import NIP_LENGTH
from lms.accounts.services import find_institution
from lms.certificates.models import Certificate
from lms.errors import LmsError
from lms.exports import Column, Table
from lms.extensions import db
from lms.trainings.models import Training
from lms.trainings.scope import get_training

JENIS_DIKLAT = "Bimbingan Teknis"
# The competency type of every bimtek this app runs (kompetensi teknis); one place to change it
# when a BKPSDM's template names it otherwise.
JENIS_KURSUS = "Teknis"
REASON_NO_NIP = "Tidak memiliki NIP (non-ASN): tidak dicatat di SIASN."
REASON_BAD_NIP = "NIP pada sertifikat bukan 18 digit angka: perbaiki data peserta, lalu terbitkan ulang."
_NIP = re.compile(rf"\d{{{NIP_LENGTH}}}")

SIASN_COLUMNS = (
    Column("NIP", "nip"), Column("Jenis Diklat"), Column("Jenis Kursus"), Column("Nama Kursus"),
    Column("Institusi Penyelenggara"), Column("Jumlah Jam", "integer"), Column("Nomor Sertifikat"),
    Column("Tanggal Mulai", "date_text"), Column("Tanggal Selesai", "date_text"), Column("Tahun", "integer"),
    # After the SIASN fields, for the operator's check only.
    Column("Nama"), Column("OPD"),
)
OTHER_COLUMNS = (
    Column("Nama"), Column("OPD"), Column("Nama Kursus"), Column("Jumlah Jam", "integer"),
    Column("Nomor Sertifikat"), Column("Tanggal Selesai", "date_text"), Column("Tahun", "integer"),
    Column("Alasan"),
)


class NothingToExport(LmsError):
    """The chosen training or year does not exist; the message says which, in Indonesian."""


@dataclass(frozen=True)
class Entry:
    """One valid certificate as certified: the frozen values the export prints."""

    certificate_id: int
    nip: str
    holder_name: str
    agency: str
    course: str
    institution: str
    jp: int
    number: str
    start: date
    end: date
    year: int

    @property
    def reason(self) -> str:
        """Why this entry cannot go to SIASN ("" when it can)."""
        if not self.nip:
            return REASON_NO_NIP
        return "" if _NIP.fullmatch(self.nip) else REASON_BAD_NIP


def entry(certificate_id: int, frozen: dict[str, Any], jp_year: int) -> Entry:
    """Return the export entry of one certificate's frozen data."""
    return Entry(certificate_id=certificate_id, nip=str(frozen.get("nip") or "").strip(),
                 holder_name=frozen["holder_name"], agency=frozen.get("agency") or "",
                 course=frozen["training_title"], institution=frozen.get("institution_name") or "",
                 jp=int(frozen["jp"]), number=frozen["number"], start=date.fromisoformat(frozen["start_date"]),
                 end=date.fromisoformat(frozen["end_date"]), year=jp_year)


def siasn_row(item: Entry) -> list[Any]:
    """Return the SIASN row of an entry, in SIASN_COLUMNS order."""
    return [item.nip, JENIS_DIKLAT, JENIS_KURSUS, item.course, item.institution, item.jp, item.number,
            item.start, item.end, item.year, item.holder_name, item.agency]


def other_row(item: Entry) -> list[Any]:
    """Return the row of an entry that cannot go to SIASN, with the reason."""
    return [item.holder_name, item.agency, item.course, item.jp, item.number, item.end, item.year, item.reason]


@dataclass(frozen=True)
class Scope:
    """What is exported: one training, or every training whose JP year is year; optionally one OPD."""

    training: Training | None = None
    year: int | None = None
    agency: str = ""

    @property
    def basename(self) -> str:
        """Return the file name stem: siasn-<training slug> or siasn-<year>, with the OPD when chosen."""
        stem = f"siasn-{self.training.slug}" if self.training else f"siasn-{self.year}"
        if self.agency:
            stem += "-" + (re.sub(r"[^a-z0-9]+", "-", self.agency.lower()).strip("-")[:40] or "opd")
        return stem

    @property
    def covers(self) -> str:
        """Return the training or year the export covers, in Indonesian."""
        return self.training.title if self.training else f"tahun JP {self.year}"

    @property
    def label(self) -> str:
        """Return what the export covers, OPD included, in Indonesian."""
        return self.covers + (f", OPD {self.agency}" if self.agency else "")


@dataclass
class SiasnExport:
    """The entries of a scope: those SIASN takes and the others (non-ASN, bad NIP), with counts."""

    scope: Scope
    trainings: int
    entries: list[Entry] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)  # every OPD in the scope before the OPD filter

    @property
    def rows(self) -> list[Entry]:
        return [e for e in self.entries if not e.reason]

    @property
    def others(self) -> list[Entry]:
        return [e for e in self.entries if e.reason]

    @property
    def total_jp(self) -> int:
        return sum(e.jp for e in self.rows)

    def per_agency(self) -> list[tuple[str, int, int]]:
        """Return (OPD, rows for SIASN, others) per OPD, by name."""
        good = Counter(e.agency for e in self.rows)
        bad = Counter(e.agency for e in self.others)
        return [(name, good[name], bad[name]) for name in sorted(set(good) | set(bad))]

    def tables(self) -> tuple[Table, Table]:
        """Return the SIASN sheet and the sheet of the others."""
        return (Table("SIASN Riwayat Kursus", SIASN_COLUMNS, [siasn_row(e) for e in self.rows]),
                Table("Tanpa NIP (non-ASN)", OTHER_COLUMNS, [other_row(e) for e in self.others]))


def scope_for(slug: str | None, year: int | None, agency: str = "") -> Scope:
    """Return the scope of one training (by slug) or one JP year, or raise NothingToExport saying what is wrong."""
    if bool(slug) == (year is not None):
        raise NothingToExport("Pilih satu kegiatan atau satu tahun (bukan keduanya).")
    agency = " ".join(agency.split())
    if slug:
        training = get_training(slug)
        if training is None:
            raise NothingToExport(f"Kegiatan {slug} tidak ditemukan.")
        return Scope(training=training, agency=agency)
    return Scope(year=year, agency=agency)


def export_for(scope: Scope) -> SiasnExport:
    """Collect the valid certificates of a scope (two queries, PDFs not loaded); raise for a year without trainings."""
    trainings = _trainings(scope)
    if not trainings:
        raise NothingToExport(f"Tidak ada kegiatan yang berakhir pada tahun {scope.year}; pilih tahun lain.")
    order = {t.id: (t.end_date, t.title, t.id) for t in trainings}
    found = list(db.session.execute(select(Certificate.id, Certificate.training_id, Certificate.seq,
                                           Certificate.data, Certificate.jp_year)
                                    .where(Certificate.training_id.in_(order), Certificate.status == "valid")))
    found.sort(key=lambda r: (order[r.training_id], r.seq))
    every = [entry(r.id, r.data, r.jp_year) for r in found]
    agencies = sorted({e.agency for e in every if e.agency}, key=str.casefold)
    wanted = scope.agency.casefold()
    if wanted and wanted not in {a.casefold() for a in agencies}:
        raise NothingToExport(f"Tidak ada sertifikat sah untuk OPD {scope.agency} pada {scope.covers}. "
                              f"OPD yang ada: {', '.join(agencies) or 'tidak ada'}.")
    chosen = [e for e in every if not wanted or e.agency.casefold() == wanted]
    return SiasnExport(scope, len(trainings), chosen, agencies)


def _trainings(scope: Scope) -> Sequence[Training]:
    if scope.training is not None:
        return [scope.training]
    institution = find_institution()
    if scope.year is None or institution is None:
        return []
    return db.session.scalars(select(Training).where(
        Training.institution_id == institution.id, Training.end_date >= date(scope.year, 1, 1),
        Training.end_date <= date(scope.year, 12, 31))).all()


def years() -> list[int]:
    """Return the JP years that hold a valid certificate, newest first (the page's year choices)."""
    return list(db.session.scalars(select(Certificate.jp_year).where(Certificate.status == "valid")
                                   .distinct().order_by(Certificate.jp_year.desc())))


def trainings_of(year: int) -> list[Training]:
    """Return the trainings whose JP year is year, by end date (the page's training choices)."""
    return list(db.session.scalars(select(Training).where(
        Training.end_date >= date(year, 1, 1), Training.end_date <= date(year, 12, 31))
        .order_by(Training.end_date, Training.title)))


def pdf_names(rows: Sequence[Entry]) -> list[tuple[int, str]]:
    """Return (certificate id, file name) per row: <NIP>.pdf, then <NIP>_2.pdf… for a second certificate."""
    seen: Counter[str] = Counter()
    names = []
    for item in rows:
        seen[item.nip] += 1
        suffix = f"_{seen[item.nip]}" if seen[item.nip] > 1 else ""
        names.append((item.certificate_id, f"{item.nip}{suffix}.pdf"))
    return names


def _pdfs(ids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
    """Yield (id, stored PDF) in batches, so a year of certificates is never all in memory."""
    for start in range(0, len(ids), 100):
        batch = ids[start:start + 100]
        by_id = {r.id: r.pdf for r in db.session.execute(select(Certificate.id, Certificate.pdf)
                                                         .where(Certificate.id.in_(batch)))}
        for certificate_id in batch:
            yield certificate_id, by_id[certificate_id]


def write_pdfs(export: SiasnExport, target: IO[bytes]) -> int:
    """Write the stored certificate PDFs of the SIASN rows into a ZIP on target, named by NIP; return how many."""
    names = dict(pdf_names(export.rows))
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate_id, pdf in _pdfs(list(names)):
            archive.writestr(names[certificate_id], pdf)
            count += 1
    return count
