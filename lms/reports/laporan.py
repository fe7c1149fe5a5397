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
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from lms import charts
from lms.accounts import services as accounts
from lms.accounts.identity import format_nip
from lms.accounts.models import Institution, Role, User
from lms.assignments.states import FILTERS
from lms.attendance import services as attendance
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.certificates.models import Certificate
from lms.courses.models import Lesson
from lms.dates import format_date, format_day_month, format_range, format_time, local_date
from lms.errors import LmsError
from lms.evaluations.services import MIN_RESPONSES
from lms.extensions import db
from lms.numbers import decimal_text, percent_text
from lms.reports import document as doc
from lms.reports import drafts as draft_texts
from lms.reports import services
from lms.reports.models import NARRATIVES
from lms.reports.narrative import blocks
from lms.reports.regulations import legal_basis
from lms.reports.training_facts import SESSION_LABELS, SESSION_STATUSES, EvaluationTarget, TrainingFacts, training_facts
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
    facts: TrainingFacts


def gather(training: Training, now: datetime, viewer: User) -> Gathered:
    """Read what the report lists and the training's facts (as `viewer` may see them), in a fixed number of queries."""
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
                    services.saved_narratives(training), lesson_texts, training_facts(training, now, viewer))


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
        certificates=len(data.certificates), **_numbers(data.facts))


def _numbers(facts: TrainingFacts) -> dict[str, Any]:
    """The few figures the drafts quote, from the training's facts."""
    scores, satisfaction = facts.scores, facts.satisfaction
    required = [a for a in facts.assignments if a.required]
    return {
        "attendance_mean": facts.mean_attendance if facts.sessions else None,
        "below_minimum": facts.participants - facts.meeting_minimum if facts.sessions else 0,
        "pretest_mean": scores.paired_mean_pre if scores.pairs else None,
        "posttest_mean": scores.paired_mean_post if scores.pairs else scores.mean_post,
        "mean_gain": scores.mean_gain,
        "posttest_missing": facts.participants - scores.post_taken if scores.has_posttest else 0,
        "evaluation_mean": Fraction(satisfaction.mean).limit_denominator(1000) if satisfaction and
        satisfaction.mean is not None else None,
        "evaluation_scale": satisfaction.scale if satisfaction else 4,
        "assignments_missing": sum(facts.participants - a.counts.get("passed", 0) for a in required),
    }


def drafts_of(data: Gathered) -> dict[str, str]:
    """Return every narrative's generated draft for this data."""
    return draft_texts.drafts(draft_facts(data))


def narratives(data: Gathered, facts: draft_texts.DraftFacts) -> dict[str, tuple[str, bool]]:
    """Return each narrative's Markdown and whether it is the generated draft."""
    generated = draft_texts.drafts(facts)
    return {key: (data.saved[key], False) if data.saved[key].strip() else (generated[key], True)
            for key in NARRATIVES}


def build(training: Training, now: datetime, viewer: User) -> doc.Report:
    """Return the whole report of a training as document elements.

    `viewer` is who downloads it: the evaluation results follow what they may see (a trainer their
    own narasumber results, from five responses; an admin every aggregate).
    """
    data = gather(training, now, viewer)
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
    _number_charts(report.elements)
    return report


def _number_charts(elements: list[doc.Element]) -> None:
    """Number the charts' captions in their order ("Grafik 1. ..."), whichever of them the data gives."""
    number = 0
    for index, element in enumerate(elements):
        if isinstance(element, doc.Chart):
            number += 1
            elements[index] = doc.Chart(element.drawing, f"Grafik {number}. {element.caption}")


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
    facts = data.facts
    body: list[doc.Element] = [doc.Heading("A. Kehadiran", 2), *_kehadiran(data.training, facts),
                               doc.Heading("B. Pre-test dan Post-test", 2), *_nilai(facts),
                               doc.Heading("C. Penyelesaian Modul", 2), *_modul(facts),
                               doc.Heading("D. Tugas", 2), *_tugas(facts),
                               doc.Heading("E. Evaluasi Penyelenggaraan dan Narasumber", 2), *_evaluasi(facts),
                               doc.Heading("F. Sertifikat", 2), *_sertifikat(facts),
                               doc.Heading("G. Rekap per Perangkat Daerah", 2), *_per_opd(facts)]
    return _chapter("BAB III", "HASIL KEGIATAN", body)


def _percent(value: Fraction | float | None) -> str:
    return percent_text(value) if value is not None else "—"


def _kehadiran(training: Training, facts: TrainingFacts) -> list[doc.Element]:
    if not facts.sessions:
        return [doc.Text("Kegiatan ini tidak memiliki sesi presensi, sehingga kehadiran tidak dapat dihitung.",
                         "note")]
    if not facts.participants:
        return [doc.Text("Belum ada peserta yang terdaftar, sehingga kehadiran tidak dapat dihitung.", "note")]
    labels = [f"{format_day_month(s.day)} {s.label}" for s in facts.sessions]
    statuses = [key for key in SESSION_STATUSES if any(s.counts.get(key) for s in facts.sessions)]
    chart = charts.stacked_bar_chart(labels, [charts.Series(SESSION_LABELS[key], [s.counts.get(key, 0)
                                                                                 for s in facts.sessions])
                                              for key in statuses], "Kehadiran per sesi (orang)")
    rows = [(format_date(s.day), s.label, *(str(s.counts.get(key, 0)) for key in statuses),
             _percent(Fraction(100 * s.present, facts.participants))) for s in facts.sessions]
    edges = [float(b.low) for b in facts.bins] + [float(facts.bins[-1].high)] if facts.bins else []
    spread = charts.histogram(edges, [b.count for b in facts.bins], "Sebaran persentase kehadiran peserta",
                              threshold=float(facts.min_attendance),
                              threshold_label=f"minimal {facts.min_attendance}%") if facts.bins else None
    counted = "hadir dan terlambat" if "terlambat" in training.present_statuses else "hadir"
    elements: list[doc.Element] = [
        doc.Text(f"Kehadiran rata-rata {_percent(facts.mean_attendance)} dari {len(facts.sessions)} sesi. "
                 f"Sebanyak {facts.meeting_minimum} dari {facts.participants} peserta memenuhi kehadiran minimal "
                 f"{facts.min_attendance}% ({counted} dihitung hadir)."),
        doc.Chart(chart, "Kehadiran per sesi"),
        doc.Table(("Tanggal", "Sesi", *(SESSION_LABELS[key] for key in statuses), "Hadir (%)"), tuple(rows),
                  (3.2, 2, *([1.6] * len(statuses)), 1.8), "ll" + "r" * (len(statuses) + 1), small=True,
                  caption="Tabel kehadiran per sesi (orang)")]
    if spread is not None:
        bin_rows = tuple((f"{decimal_text(b.low)}–{decimal_text(b.high)}%", str(b.count),
                          "ya" if b.meets else "tidak") for b in facts.bins if b.count)
        elements += [doc.Chart(spread, "Sebaran persentase kehadiran terhadap batas minimal"),
                     doc.Table(("Rentang kehadiran", "Peserta", "Memenuhi minimal"), bin_rows, (4, 2, 3), "lrc",
                               small=True)]
    return elements


def _nilai(facts: TrainingFacts) -> list[doc.Element]:
    scores = facts.scores
    if not scores.has_pretest and not scores.has_posttest:
        return [doc.Text("Kegiatan ini tidak memiliki pre-test maupun post-test.", "note")]
    rows = []
    for label, has, taken, mean in (("Pre-test", scores.has_pretest, scores.pre_taken, scores.mean_pre),
                                    ("Post-test", scores.has_posttest, scores.post_taken, scores.mean_post)):
        rows.append((label, f"{taken} dari {facts.participants}" if has else "tidak ada",
                     decimal_text(mean) if mean is not None else "—"))
    elements: list[doc.Element] = [doc.Table(("Tes", "Peserta mengerjakan", "Nilai rata-rata"), tuple(rows),
                                             (3, 4, 3), "lrr")]
    if not scores.has_posttest:
        elements.append(doc.Text("Kegiatan ini tidak memiliki post-test, sehingga peningkatan nilai tidak dapat "
                                 "diukur.", "note"))
        return elements
    if not scores.post_taken:
        elements.append(doc.Text("Belum ada peserta yang mengerjakan post-test.", "note"))
        return elements
    if not scores.pairs:
        elements.append(doc.Text("Belum ada peserta yang mengerjakan pre-test dan post-test sekaligus.", "note"))
        return elements
    gain = (f" Gain ternormalisasi rata-rata {decimal_text(scores.mean_gain, 2)} (Hake: (post − pre) ÷ (100 − pre) "
            "per peserta"
            + (f"; {scores.gain_undefined} peserta dengan pre-test 100 tidak dihitung" if scores.gain_undefined
               else "") + ")." if scores.mean_gain is not None else "")
    elements += [
        doc.Text(f"Dari {len(scores.pairs)} peserta yang mengerjakan kedua tes, nilai rata-rata naik dari "
                 f"{decimal_text(scores.paired_mean_pre)} menjadi {decimal_text(scores.paired_mean_post)}; "
                 f"{scores.improved} peserta naik dan {scores.declined} turun.{gain}"),
        doc.Chart(charts.paired_chart([(float(p.pre), float(p.post)) for p in scores.pairs],
                                      "Nilai pre-test dan post-test per peserta"),
                  "Nilai pre-test dan post-test per peserta (garis tebal: rata-rata)")]
    return elements


def _modul(facts: TrainingFacts) -> list[doc.Element]:
    if not facts.courses:
        return [doc.Text("Kegiatan ini tidak menautkan modul.", "note")]
    rows = tuple((c.title, f"{c.completed} dari {c.participants}", _percent(c.percent)) for c in facts.courses)
    return [doc.Table(("Modul", "Peserta selesai", "Persentase"), rows, (8, 3, 2), "lrr")]


def _tugas(facts: TrainingFacts) -> list[doc.Element]:
    if not facts.assignments:
        return [doc.Text("Kegiatan ini tidak memiliki tugas.", "note")]
    keys = list(FILTERS)
    labels = [a.title + (" (wajib)" if a.required else "") for a in facts.assignments]
    chart = charts.stacked_bar_chart(labels, [charts.Series(FILTERS[key][0], [a.counts.get(key, 0)
                                                                             for a in facts.assignments])
                                              for key in keys], "Status tugas peserta (orang)")
    rows = tuple((label, *(str(a.counts.get(key, 0)) for key in keys))
                 for label, a in zip(labels, facts.assignments, strict=True))
    passed, expected = facts.assignments_passed
    return [doc.Text(f"{passed} dari {expected} tugas{' wajib' if any(a.required for a in facts.assignments) else ''}"
                     " peserta telah dinilai lulus."),
            doc.Chart(chart, "Status tugas peserta"),
            doc.Table(("Tugas", *(FILTERS[key][0] for key in keys)), rows, (5, *([1.7] * len(keys))),
                      "l" + "r" * len(keys), small=True)]


def _evaluasi(facts: TrainingFacts) -> list[doc.Element]:
    if not facts.evaluations:
        return [doc.Text("Tidak ada evaluasi untuk kegiatan ini.", "note")]
    elements: list[doc.Element] = []
    organiser = [t for t in facts.evaluations if t.about_training]
    speakers = [t for t in facts.evaluations if not t.about_training]
    for target in organiser:
        elements.append(doc.Heading(f"Evaluasi penyelenggaraan ({target.responses} tanggapan)", 3))
        elements += _evaluation_items(target, "Rata-rata penilaian penyelenggaraan")
    if speakers:
        elements.append(doc.Heading("Evaluasi narasumber", 3))
        rows = tuple((t.label, str(t.responses), decimal_text(t.mean, 2) if t.shown and t.mean is not None else
                      f"(kurang dari {MIN_RESPONSES} tanggapan)" if not t.shown else "—", f"1–{t.scale}")
                     for t in speakers)
        elements.append(doc.Table(("Narasumber", "Tanggapan", "Rata-rata", "Skala"), rows, (6, 2, 3, 1.6), "lrrc"))
        for target in speakers:
            if target.shown and target.items:
                elements.append(doc.Table(("Butir: " + target.label, "Tanggapan", "Rata-rata"),
                                          tuple((i.text, str(i.responses), decimal_text(i.mean, 2)
                                                 if i.mean is not None else "—") for i in target.items),
                                          (8, 2, 2), "lrr", small=True))
    return elements


def _evaluation_items(target: EvaluationTarget, caption: str) -> list[doc.Element]:
    if not target.responses:
        return [doc.Text("Belum ada tanggapan.", "note")]
    if not target.shown or not target.items:
        return [doc.Text(f"Hasil ditampilkan setelah minimal {MIN_RESPONSES} tanggapan (saat ini "
                         f"{target.responses}).", "note")]
    answered = [i for i in target.items if i.mean is not None]
    elements: list[doc.Element] = []
    if answered:
        chart = charts.bar_chart([i.text for i in answered], [float(i.mean or 0) for i in answered],
                                 "Rata-rata per butir", value_max=float(target.scale), places=2)
        elements += [doc.Text(f"Rata-rata seluruh butir {decimal_text(target.mean, 2)} dari skala {target.scale}."),
                     doc.Chart(chart, caption)]
    elements.append(doc.Table(("Butir", "Tanggapan", "Rata-rata"),
                              tuple((i.text, str(i.responses), decimal_text(i.mean, 2) if i.mean is not None
                                     else "—") for i in target.items), (8, 2, 2), "lrr", small=True))
    return elements


def _sertifikat(facts: TrainingFacts) -> list[doc.Element]:
    counts = facts.certificates
    rows = (("Diterbitkan", str(counts.issued)), ("Memenuhi syarat, belum diterbitkan", str(counts.eligible)),
            ("Belum memenuhi syarat", str(counts.not_eligible)), ("Dicabut", str(counts.revoked)))
    return [doc.Text(f"Sertifikat diterbitkan untuk {counts.issued} dari {facts.participants} peserta "
                     "(daftar lengkap pada Lampiran 3)."),
            doc.Table(("Sertifikat", "Peserta"), rows, (6, 2), "lr")]


def _per_opd(facts: TrainingFacts) -> list[doc.Element]:
    if not facts.agencies:
        return [doc.Text("Belum ada peserta yang terdaftar.", "note")]
    rows = tuple((a.name, str(a.participants), _percent(a.mean_attendance),
                  decimal_text(a.mean_pre) if a.mean_pre is not None else "—",
                  decimal_text(a.mean_post) if a.mean_post is not None else "—") for a in facts.agencies)
    elements: list[doc.Element] = [
        doc.Table(("Perangkat Daerah (OPD)", "Peserta", "Kehadiran", "Pre-test", "Post-test"), rows,
                  (8, 2, 2.4, 2, 2), "lrrrr", small=True)]
    with_attendance = [a for a in facts.agencies if a.mean_attendance is not None]
    if with_attendance:
        chart = charts.bar_chart([a.name for a in with_attendance], [float(a.mean_attendance or 0)
                                                                     for a in with_attendance],
                                 "Kehadiran rata-rata per OPD", value_max=100, unit="%")
        elements.insert(0, doc.Chart(chart, "Kehadiran rata-rata per Perangkat Daerah"))
    return elements


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
    header = ("No", "Nama", *(f"{format_day_month(s.day)}\n{s.label}" for s in columns), "Hadir", "%")
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


def render(training: Training, now: datetime, kind: str, viewer: User) -> bytes:
    """Return the report as "pdf" or "docx" bytes."""
    report = build(training, now, viewer)
    if kind == "docx":
        from lms.reports.laporan_docx import render_docx  # python-docx loads lxml: only when asked

        return render_docx(report)
    from lms.reports.laporan_pdf import render_laporan

    return render_laporan(report)


def office_viewer() -> User:
    """Return the office's first active admin: whose view of the results the command line prints."""
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value, User.active.is_(True))
                               .order_by(User.id)).first()
    if admin is None:
        raise LmsError("Belum ada akun admin yang aktif; laporan memuat hasil evaluasi sebagaimana dilihat admin.")
    return admin
