"""The Laporan Pelaksanaan Kegiatan of a training: its data gathered and laid out as a document.Report.

Every number comes from the data when the report is made (the facts of lms.reports.training_facts
for chapter III); the narrative parts are the admin's saved Markdown or, where none is saved,
the generated draft. Lists are read with a bounded number of queries, whatever the number of
participants.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.identity import format_nip
from lms.accounts.models import Institution, User
from lms.attendance import services as attendance
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.certificates.models import Certificate
from lms.courses.models import Lesson
from lms.dates import format_date, format_range, format_time, local_date
from lms.extensions import db
from lms.numbers import decimal_text
from lms.reports import document as doc
from lms.reports import drafts as draft_texts
from lms.reports import services
from lms.reports.models import NARRATIVES
from lms.reports.narrative import blocks
from lms.reports.regulations import legal_basis
from lms.trainings import scope
from lms.trainings.models import Training

NO_OPD = "Tanpa OPD"
# Short codes of the attendance statuses, for the columns of the Lampiran's rekap presensi.
STATUS_CODES = {"hadir": "H", "terlambat": "T", "izin": "I", "sakit": "S", "tidak_hadir": "A"}
MAX_SESSION_COLUMNS = 8  # more sessions than this: the rekap gives counts instead of one column each


@dataclass
class Gathered:
    """Everything the report prints that is not a fact of chapter III."""

    training: Training
    institution: Institution
    people: list[User]
    sessions: list[AttendanceSession]
    statuses: dict[tuple[int, int], str]
    certificates: list[Certificate]
    photos: list[doc.Photo]
    saved: dict[str, str]
    lesson_texts: list[str]


def gather(training: Training) -> Gathered:
    """Read what the report lists, in a fixed number of queries."""
    institution = accounts.find_institution(with_logo=True) or accounts.current_institution()
    sessions, _, cells = attendance.grid(training)
    course_ids = [c.id for c in training.courses]
    lesson_texts = list(db.session.scalars(select(Lesson.body).where(Lesson.course_id.in_(course_ids),
                                                                    Lesson.retired_at.is_(None)))) if course_ids else []
    certificates = list(db.session.scalars(
        select(Certificate).where(Certificate.training_id == training.id, Certificate.status == "valid")
        .order_by(Certificate.seq, Certificate.id)))
    photos = [doc.Photo(p.data, p.width, p.height, p.caption) for p in services.photos(training, with_data=True)]
    return Gathered(training, institution, scope.participants(training), sessions,
                    {key: cell.status for key, cell in cells.items()}, certificates, photos,
                    services.saved_narratives(training), lesson_texts)


def draft_facts(data: Gathered) -> draft_texts.DraftFacts:
    """The words and numbers the generated drafts are written from."""
    training = data.training
    opds = sorted({_opd(u) for u in data.people if u.agency is not None})
    year = training.end_date.year
    return draft_texts.DraftFacts(
        title=training.title, institution=data.institution.name, year=year, description=training.description,
        courses=tuple(c.title for c in training.courses), opds=tuple(opds), participants=len(data.people),
        regulations=tuple(legal_basis(data.lesson_texts)), total_jp=training.total_jp,
        sessions=len(data.sessions), min_attendance=training.min_attendance_percent,
        certificates=len(data.certificates))


def drafts_of(data: Gathered) -> dict[str, str]:
    """Return every narrative's generated draft for this data."""
    return draft_texts.drafts(draft_facts(data))


def narratives(data: Gathered, facts: draft_texts.DraftFacts) -> dict[str, tuple[str, bool]]:
    """Return each narrative's Markdown and whether it is the generated draft."""
    generated = draft_texts.drafts(facts)
    return {key: (data.saved[key], False) if data.saved[key].strip() else (generated[key], True)
            for key in NARRATIVES}


def build(training: Training, now: datetime, viewer: User | None = None) -> doc.Report:
    """Return the whole report of a training as document elements.

    `viewer` is who downloads it: the evaluation results follow what they may see (a trainer their
    own narasumber results, from five responses); None is the office itself (the command line).
    """
    data = gather(training)
    facts = draft_facts(data)
    texts = {key: text for key, (text, _) in narratives(data, facts).items()}
    institution = data.institution
    letterhead = doc.Letterhead(institution.name, _address(institution),
                                institution.logo if institution.logo_sha256 else None)
    cover = doc.Cover("LAPORAN PELAKSANAAN KEGIATAN", training.title, _cover_lines(training), institution.name,
                      training.end_date.year)
    report = doc.Report(letterhead, cover, f"Laporan Pelaksanaan - {training.title}")
    report.elements += _pendahuluan(texts)
    report.elements += _pelaksanaan(data)
    report.elements += _hasil(data)
    report.elements += _chapter("BAB IV", "KENDALA DAN SOLUSI", [_narrative(texts["kendala_solusi"])])
    report.elements += _penutup(data, texts, now)
    report.elements += _lampiran(data)
    return report


def _address(institution: Institution) -> str:
    if institution.city and institution.city not in institution.address:
        return ", ".join(p for p in (institution.address, institution.city) if p)
    return institution.address


def _cover_lines(training: Training) -> tuple[str, ...]:
    place = ", ".join(p for p in (training.venue, training.city) if p)
    return tuple(line for line in (format_range(training.start_date, training.end_date), place) if line)


def _chapter(number: str, title: str, body: list[doc.Element]) -> list[doc.Element]:
    return [doc.Heading(f"{number}\n{title}", 1), *body]


def _narrative(markdown: str) -> doc.Element:
    found = tuple(blocks(markdown))
    return doc.Narrative(found) if found else doc.Text("Belum diisi.", "note")


def _opd(user: User) -> str:
    return user.agency.name if user.agency else NO_OPD


# ---------------------------------------------------------------- I, II


def _pendahuluan(texts: dict[str, str]) -> list[doc.Element]:
    body: list[doc.Element] = []
    for letter, key in zip("ABCD", ("latar_belakang", "dasar_hukum", "maksud_tujuan", "sasaran"), strict=True):
        body += [doc.Heading(f"{letter}. {NARRATIVES[key]}", 2), _narrative(texts[key])]
    return _chapter("BAB I", "PENDAHULUAN", body)


def _pelaksanaan(data: Gathered) -> list[doc.Element]:
    training = data.training
    place = ", ".join(p for p in (training.venue, training.city) if p) or "—"
    days = len(training.days)
    body: list[doc.Element] = [doc.Heading("A. Waktu dan Tempat", 2), doc.Pairs((
        ("Hari/Tanggal", _days_text(training)), ("Lama", f"{days} hari, {training.total_jp} JP "
                                                        f"(1 JP = {training.minutes_per_jp} menit)"),
        ("Tempat", place), ("Sesi presensi", f"{len(data.sessions)} sesi" if data.sessions else
                            "Belum ada sesi presensi")))]
    body += [doc.Heading("B. Peserta", 2), *_peserta_per_opd(data)]
    body += [doc.Heading("C. Narasumber", 2), *_narasumber(training)]
    body += [doc.Heading("D. Agenda dan Jam Pelajaran", 2), *_agenda(training)]
    return _chapter("BAB II", "PELAKSANAAN KEGIATAN", body)


def _days_text(training: Training) -> str:
    if training.start_date == training.end_date:
        return format_date(training.start_date, with_day=True)
    return (f"{format_date(training.start_date, with_day=True)} s.d. "
            f"{format_date(training.end_date, with_day=True)}")


def _peserta_per_opd(data: Gathered) -> list[doc.Element]:
    if not data.people:
        return [doc.Text("Belum ada peserta yang terdaftar pada kegiatan ini.", "note")]
    counts = Counter(_opd(u) for u in data.people)
    rows = [(str(n), name, str(count)) for n, (name, count) in enumerate(sorted(counts.items()), start=1)]
    rows.append(("", "Jumlah", str(len(data.people))))
    return [doc.Text(f"Kegiatan diikuti oleh {len(data.people)} peserta dari "
                     f"{len([n for n in counts if n != NO_OPD])} Perangkat Daerah (OPD), dengan rincian:"),
            doc.Table(("No", "Perangkat Daerah (OPD)", "Jumlah Peserta"), tuple(rows), (1, 10, 3), "clr",
                      total=True)]


def _narasumber(training: Training) -> list[doc.Element]:
    speakers: dict[str, tuple[list[str], int]] = {}
    for item in training.agenda:
        name = item.trainer_label.strip()
        if not name:
            continue
        topics, jp = speakers.get(name, ([], 0))
        if item.topic not in topics:
            topics.append(item.topic)
        speakers[name] = (topics, jp + item.jp)
    if not speakers:
        return [doc.Text("Agenda kegiatan belum mencantumkan narasumber.", "note")]
    rows = tuple((str(n), name, "\n".join(topics), str(jp))
                 for n, (name, (topics, jp)) in enumerate(speakers.items(), start=1))
    return [doc.Table(("No", "Narasumber", "Materi", "JP"), rows, (1, 5, 8, 1.4), "cllr")]


def _agenda(training: Training) -> list[doc.Element]:
    if not training.agenda:
        return [doc.Text("Agenda kegiatan belum disusun.", "note")]
    rows: list[tuple[str, ...]] = []
    previous = None
    for item in training.agenda:
        # The day is printed once, on its first slot, as on a printed agenda.
        day, previous = ("" if item.day == previous else format_date(item.day, with_day=True)), item.day
        rows.append((day, f"{format_time(item.start_time)}–{format_time(item.end_time)}",
                     item.topic, item.trainer_label or "—", str(item.jp)))
    rows.append(("", "", "Jumlah", "", str(training.total_jp)))
    return [doc.Table(("Hari/Tanggal", "Waktu", "Materi", "Narasumber", "JP"), tuple(rows), (3.2, 2.4, 6, 4, 1.2),
                      "llllr", total=True)]


# ---------------------------------------------------------------- III


def _hasil(data: Gathered) -> list[doc.Element]:
    body: list[doc.Element] = [doc.Heading("A. Kehadiran", 2), *_kehadiran(data)]
    body += [doc.Heading("B. Sertifikat", 2), *_sertifikat(data)]
    return _chapter("BAB III", "HASIL KEGIATAN", body)


def _kehadiran(data: Gathered) -> list[doc.Element]:
    if not data.sessions:
        return [doc.Text("Kegiatan ini tidak memiliki sesi presensi, sehingga kehadiran tidak dapat dihitung.",
                         "note")]
    present = set(data.training.present_statuses)
    rows = []
    for session in data.sessions:
        count = sum(1 for u in data.people if data.statuses.get((u.id, session.id)) in present)
        share = decimal_text(100 * count / len(data.people)) + "%" if data.people else "—"
        rows.append((format_date(session.day), session.label, str(count), share))
    return [doc.Table(("Tanggal", "Sesi", "Hadir", "Persentase"), tuple(rows), (4, 4, 2, 2), "llrr")]


def _sertifikat(data: Gathered) -> list[doc.Element]:
    return [doc.Text(f"Sertifikat diterbitkan untuk {len(data.certificates)} dari {len(data.people)} peserta.")]


# ---------------------------------------------------------------- V, Lampiran


def _penutup(data: Gathered, texts: dict[str, str], now: datetime) -> list[doc.Element]:
    institution = data.institution
    body: list[doc.Element] = [doc.Heading("A. Kesimpulan", 2), _narrative(texts["kesimpulan"]),
                               doc.Heading("B. Rekomendasi", 2), _narrative(texts["rekomendasi"]),
                               doc.Text("Demikian laporan ini disampaikan sebagai bahan evaluasi dan "
                                        "pertanggungjawaban pelaksanaan kegiatan.")]
    body.append(doc.Signature(institution.city, local_date(now, institution.time_zone),
                              institution.head_title or f"Kepala {institution.name}", institution.head_name or
                              "(nama penanda tangan belum diisi pada profil instansi)",
                              institution.head_pangkat, institution.head_nip))
    return _chapter("BAB V", "PENUTUP", body)


def _lampiran(data: Gathered) -> list[doc.Element]:
    body: list[doc.Element] = [doc.Heading("1. Daftar Peserta", 2), *_daftar_peserta(data),
                               doc.Heading("2. Rekap Presensi", 2), *_rekap_presensi(data),
                               doc.Heading("3. Daftar Sertifikat", 2), *_daftar_sertifikat(data),
                               doc.Heading("4. Dokumentasi Kegiatan", 2)]
    body.append(doc.Photos(tuple(data.photos)) if data.photos else
                doc.Text("Belum ada foto dokumentasi yang diunggah penyelenggara.", "note"))
    return [doc.Heading("LAMPIRAN", 1), *body]


def _daftar_peserta(data: Gathered) -> list[doc.Element]:
    if not data.people:
        return [doc.Text("Belum ada peserta yang terdaftar.", "note")]
    rows = tuple((str(n), u.full_name, format_nip(u.nip) if u.nip else "—", u.jabatan or "—", _opd(u))
                 for n, u in enumerate(data.people, start=1))
    return [doc.Table(("No", "Nama", "NIP", "Jabatan", "OPD"), rows, (1, 5, 4.2, 4, 5), "clcll", small=True)]


def _rekap_presensi(data: Gathered) -> list[doc.Element]:
    if not data.sessions:
        return [doc.Text("Tidak ada sesi presensi.", "note")]
    if not data.people:
        return [doc.Text("Belum ada peserta yang terdaftar.", "note")]
    present = set(data.training.present_statuses)
    total = len(data.sessions)
    columns = data.sessions if total <= MAX_SESSION_COLUMNS else []
    header = ("No", "Nama", *(f"{s.day:%d/%m}\n{s.label}" for s in columns), "Hadir", "%")
    rows = []
    for n, user in enumerate(data.people, start=1):
        statuses = [data.statuses.get((user.id, s.id), "") for s in data.sessions]
        count = sum(1 for s in statuses if s in present)
        cells = [STATUS_CODES.get(s, "—") for s in statuses] if columns else []
        rows.append((str(n), user.full_name, *cells, f"{count}/{total}", decimal_text(100 * count / total)))
    widths = (1, 6, *([1.4] * len(columns)), 1.6, 1.4)
    legend = ", ".join(f"{code} = {STATUS_LABELS[status]}" for status, code in STATUS_CODES.items())
    return [doc.Table(header, tuple(rows), widths, "cl" + "c" * len(columns) + "rr", small=True,
                      caption=f"Keterangan: {legend}; — = tidak tercatat." if columns else ""),]


def _daftar_sertifikat(data: Gathered) -> list[doc.Element]:
    if not data.certificates:
        return [doc.Text("Belum ada sertifikat yang diterbitkan.", "note")]
    rows = tuple((str(n), c.number, str(c.data.get("holder_name", "")), str(c.data.get("agency", "")) or NO_OPD,
                  format_date(c.issue_date)) for n, c in enumerate(data.certificates, start=1))
    return [doc.Table(("No", "Nomor Sertifikat", "Nama", "OPD", "Tanggal Terbit"), rows, (1, 7, 5, 5, 3.6),
                      "cllll", small=True)]


FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def render(training: Training, now: datetime, kind: str, viewer: User | None = None) -> bytes:
    """Return the report as "pdf" or "docx" bytes."""
    report = build(training, now, viewer)
    if kind == "docx":
        from lms.reports.laporan_docx import render_docx  # python-docx loads lxml: only when asked

        return render_docx(report)
    from lms.reports.laporan_pdf import render_laporan

    return render_laporan(report)
