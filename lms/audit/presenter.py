"""The audit log in Indonesian sentences: who did what to whom, with names instead of ids and codes.

Names are resolved for a whole page at once, one query per kind of object (users, trainings,
attendance sessions, quizzes, OPDs), whatever the number of events. An action code without a
sentence of its own still reads as a sentence (`generic`); tests/audit/test_presenter.py fails
when a code recorded anywhere in lms/ has no sentence here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.accounts.models import ROLE_LABELS, Agency, Role, User
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.audit.models import AuditEvent
from lms.dates import format_date
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.trainings.models import Training

# Field names as the forms label them: "fields" details list these.
FIELD_LABELS = {
    "full_name": "nama", "email": "surel", "nip": "NIP", "pangkat_golongan": "pangkat/golongan",
    "jabatan": "jabatan", "phone": "No. HP", "agency_id": "OPD", "role": "peran", "name": "nama",
    "city": "kota", "time_zone": "zona waktu", "address": "alamat", "head_name": "nama kepala dinas",
    "head_pangkat": "pangkat kepala dinas", "head_nip": "NIP kepala dinas", "head_title": "jabatan kepala dinas",
    "certificate_pattern": "pola nomor sertifikat", "public_base_url": "alamat publik",
    "verify_show_score": "tampilan nilai di verifikasi", "verify_show_pangkat": "tampilan pangkat di verifikasi",
    "verify_show_jabatan": "tampilan jabatan di verifikasi", "title": "judul", "slug": "alamat singkat",
    "start_date": "tanggal mulai", "end_date": "tanggal selesai", "venue": "tempat", "status": "status",
    "signatory_name": "nama penanda tangan", "signatory_pangkat": "pangkat penanda tangan",
    "signatory_nip": "NIP penanda tangan", "signatory_title": "jabatan penanda tangan",
    "predikat_bands": "predikat", "password_hash": "kata sandi",
}
SOURCE_LABELS = {"manual": "", "opd": " dari daftar OPD", "walkin": " sebagai peserta pengganti",
                 "import": " dari berkas impor"}
METHOD_LABELS = {"roster": "lewat daftar hadir", "qr": "lewat pindai QR", "code": "lewat kode 6 digit"}
MAX_NAMES = 10  # a long enrolment names the first ten and counts the rest


@dataclass
class Names:
    """Names of the objects a page of events points to, loaded once per kind."""

    users: dict[int, User] = field(default_factory=dict)
    trainings: dict[int, Training] = field(default_factory=dict)
    sessions: dict[int, AttendanceSession] = field(default_factory=dict)
    quizzes: dict[int, Quiz] = field(default_factory=dict)
    agencies: dict[int, Agency] = field(default_factory=dict)

    def user(self, user_id: Any) -> str:
        user = self.users.get(_int(user_id))
        return user.full_name if user is not None else f"pengguna #{user_id}"

    def training(self, training_id: Any) -> str:
        training = self.trainings.get(_int(training_id))
        return training.title if training is not None else f"kegiatan #{training_id}"

    def session(self, session_id: Any) -> str:
        item = self.sessions.get(_int(session_id))
        if item is None:
            return f"sesi #{session_id}"
        return f"{item.label} ({format_date(item.day)})"

    def quiz(self, quiz_id: Any) -> str:
        quiz = self.quizzes.get(_int(quiz_id))
        return quiz.title if quiz is not None else f"kuis #{quiz_id}"

    def agency(self, agency_id: Any) -> str:
        agency = self.agencies.get(_int(agency_id))
        return agency.name if agency is not None else f"OPD #{agency_id}"


@dataclass(frozen=True)
class Line:
    """One event as the audit page shows it."""

    event: AuditEvent
    sentence: str


def _int(value: Any) -> int:
    """Return value as an id; -1 (no row has it) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _ids(values: Iterable[Any]) -> set[int]:
    return {n for n in (_int(v) for v in values) if n > 0}


def _wanted(events: Sequence[AuditEvent]) -> dict[str, set[int]]:
    """Collect the ids of every kind the events point to (as object, or in their details)."""
    wanted: dict[str, list[Any]] = {"users": [], "trainings": [], "sessions": [], "quizzes": [], "agencies": []}
    by_object = {"user": "users", "training": "trainings", "attendance_session": "sessions", "quiz": "quizzes",
                 "agency": "agencies"}
    for event in events:
        details = event.details or {}
        if event.object_type in by_object:
            wanted[by_object[event.object_type]].append(event.object_id)
        wanted["users"] += [details.get("user_id"), *(details.get("user_ids") or [])]
        wanted["trainings"].append(details.get("training_id"))
        wanted["sessions"].append(details.get("session_id"))
    return {kind: _ids(values) for kind, values in wanted.items()}


def load_names(events: Sequence[AuditEvent]) -> Names:
    """Load the names a page of events needs: one query per kind that is needed at all."""
    wanted = _wanted(events)
    models: dict[str, Any] = {"users": User, "trainings": Training, "sessions": AttendanceSession,
                              "quizzes": Quiz, "agencies": Agency}
    names = Names()
    for kind, ids in wanted.items():
        if ids:
            model = models[kind]
            setattr(names, kind, {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))})
    return names


def actor_label(event: AuditEvent) -> str:
    """Return 'Budi (Narasumber)', or the system for the CLI and scheduled jobs."""
    if event.actor is None:
        return "Sistem (perintah CLI atau tugas terjadwal)"
    try:
        role = ROLE_LABELS[Role(event.actor.role)]
    except ValueError:
        role = event.actor.role
    return f"{event.actor.full_name} ({role})"


def _fields(details: dict[str, Any]) -> str:
    fields = [FIELD_LABELS.get(name, name.replace("_", " ")) for name in details.get("fields") or []]
    return ", ".join(fields) if fields else "tanpa rincian kolom"


def _list_people(names: Names, user_ids: Sequence[Any]) -> str:
    shown = [names.user(n) for n in user_ids[:MAX_NAMES]]
    more = len(user_ids) - len(shown)
    return ", ".join(shown) + (f", dan {more} lainnya" if more > 0 else "")


def _role(details: dict[str, Any]) -> str:
    try:
        return ROLE_LABELS[Role(details.get("role", ""))].lower()
    except ValueError:
        return "pengguna"


def _iso_date(text: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(text)[:10]))
    except ValueError:
        return str(text)


Sentence = Callable[[str, AuditEvent, dict[str, Any], Names], str]

SENTENCES: dict[str, Sentence] = {
    # accounts
    "user.create": lambda a, e, d, n: f"{a} membuat akun {_role(d)} {n.user(e.object_id)}.",
    "user.update": lambda a, e, d, n: f"{a} mengubah data {n.user(e.object_id)}: {_fields(d)}"
                                      + (" (lewat impor peserta)." if d.get("via") == "import" else "."),
    "user.activate": lambda a, e, d, n: f"{a} mengaktifkan kembali akun {n.user(e.object_id)}.",
    "user.deactivate": lambda a, e, d, n: f"{a} menonaktifkan akun {n.user(e.object_id)}.",
    "user.one_time_password": lambda a, e, d, n: f"{a} membuat kata sandi sekali pakai untuk "
                                                 f"{n.user(e.object_id)}.",
    "user.password_change": lambda a, e, d, n: f"{a} mengganti kata sandinya sendiri"
                                               + (" (menggantikan kata sandi sekali pakai)." if d.get("after_one_time")
                                                  else "."),
    "user.password_set": lambda a, e, d, n: f"{a} menetapkan kata sandi{' sekali pakai' if d.get('one_time') else ''} "
                                            f"untuk {n.user(e.object_id)} lewat perintah CLI.",
    "user.login": lambda a, e, d, n: f"{a} masuk.",
    "user.sessions_end_all": lambda a, e, d, n: f"{a} keluar dari semua perangkat ({d.get('sessions', 0)} sesi "
                                                "diakhiri).",
    "user.contact_update": lambda a, e, d, n: f"{a} memperbaiki {_fields(d)} miliknya sendiri.",
    "user.anonymise": lambda a, e, d, n: f"{a} menganonimkan akun #{e.object_id}: nama, NIP, surel, No. HP, "
                                         "pangkat, jabatan, dan kata sandinya dihapus.",
    "agency.create": lambda a, e, d, n: f"{a} menambah OPD {n.agency(e.object_id)}"
                                        + (" (lewat impor peserta)." if d.get("via") == "import" else "."),
    "agency.update": lambda a, e, d, n: f"{a} mengganti nama OPD menjadi {n.agency(e.object_id)}.",
    "institution.update": lambda a, e, d, n: f"{a} mengubah profil instansi: {_fields(d)}" + (
        f" (alamat publik dari {d['public_base_url'].get('old') or 'bawaan server'} menjadi "
        f"{d['public_base_url'].get('new') or 'bawaan server'})." if isinstance(d.get("public_base_url"), dict)
        else "."),
    "institution.logo": lambda a, e, d, n: f"{a} mengganti logo instansi.",
    "import.apply": lambda a, e, d, n: f"{a} mengimpor peserta dari berkas: {d.get('creates', 0)} peserta baru, "
                                       f"{d.get('updates', 0)} diperbarui, {d.get('new_agencies', 0)} OPD baru.",
    "privacy.purge": lambda a, e, d, n: f"{a} menghapus data perangkat dari {d.get('attendance_records', 0)} catatan "
                                        f"presensi dan {d.get('import_previews', 0)} pratinjau impor yang lebih lama "
                                        f"dari {_iso_date(d.get('cutoff', ''))}.",
    # trainings
    "training.create": lambda a, e, d, n: f"{a} membuat kegiatan {n.training(e.object_id)}.",
    "training.update": lambda a, e, d, n: f"{a} mengubah kegiatan {n.training(e.object_id)}: {_fields(d)}.",
    "training.enroll": lambda a, e, d, n: f"{a} mendaftarkan {len(d.get('user_ids') or [])} peserta ke "
                                          f"{n.training(e.object_id)}{SOURCE_LABELS.get(d.get('source', ''), '')}: "
                                          f"{_list_people(n, d.get('user_ids') or [])}.",
    "training.unenroll": lambda a, e, d, n: f"{a} mengeluarkan {n.user(d.get('user_id'))} dari "
                                            f"{n.training(e.object_id)}.",
    "training.signatory": lambda a, e, d, n: f"{a} mengubah penanda tangan dan predikat sertifikat "
                                             f"{n.training(e.object_id)}.",
    "agenda.create": lambda a, e, d, n: f"{a} menambah acara agenda {n.training(d.get('training_id'))} "
                                        f"({d.get('jp', 0)} JP).",
    "agenda.update": lambda a, e, d, n: f"{a} mengubah acara agenda {n.training(d.get('training_id'))} "
                                        f"({d.get('jp', 0)} JP).",
    "agenda.delete": lambda a, e, d, n: f"{a} menghapus satu acara dari agenda {n.training(d.get('training_id'))}.",
    # attendance
    "attendance.session_create": lambda a, e, d, n: f"{a} membuat sesi presensi {n.session(e.object_id)} di "
                                                    f"{n.training(d.get('training_id'))}.",
    "attendance.session_delete": lambda a, e, d, n: f"{a} menghapus sesi presensi #{e.object_id} dari "
                                                    f"{n.training(d.get('training_id'))}.",
    "attendance.mark": lambda a, e, d, n: (
        f"{a} mencatat {n.user(d.get('user_id'))} {STATUS_LABELS.get(d.get('new', ''), d.get('new', ''))} pada "
        f"{n.session(d.get('session_id'))} {METHOD_LABELS.get(d.get('method', ''), '')}".rstrip()
        + (f" (sebelumnya {STATUS_LABELS.get(d['old'], d['old'])})." if d.get("old") else ".")),
    "attendance.bulk": lambda a, e, d, n: (
        f"{a} menandai {len(d.get('before') or [])} peserta "
        f"{STATUS_LABELS.get(d.get('status', ''), d.get('status', ''))} sekaligus pada {n.session(d.get('session_id'))}"
        + (" (Semua hadir)." if d.get("kind") == "all_present" else ".")),
    "attendance.bulk_undo": lambda a, e, d, n: f"{a} membatalkan perubahan massal presensi pada "
                                               f"{n.session(d.get('session_id'))}.",
    "attendance.session_open": lambda a, e, d, n: f"{a} membuka sesi presensi {n.session(e.object_id)} sekarang.",
    "attendance.session_close": lambda a, e, d, n: f"{a} menutup sesi presensi {n.session(e.object_id)}.",
    "attendance.session_extend": lambda a, e, d, n: f"{a} memperpanjang sesi presensi {n.session(e.object_id)} "
                                                    f"{d.get('minutes', '?')} menit.",
    # certificates
    "certificate.issue": lambda a, e, d, n: (
        f"{a} menerbitkan sertifikat {d.get('number', '#' + e.object_id)} untuk {n.user(d.get('user_id'))} "
        f"({n.training(d.get('training_id'))})" + (" sebagai pengganti sertifikat yang dicabut" if d.get("replaces")
                                                   else "")
        + (", dengan pengecualian syarat." if d.get("override") else ".")),
    "certificate.early_issue": lambda a, e, d, n: (
        f"{a} menerbitkan sertifikat {n.training(e.object_id)} sebelum pelatihan selesai "
        f"({_iso_date(d.get('end_date', ''))}) untuk "
        + (n.user(d["user_id"]) if d.get("user_id") else "semua peserta yang memenuhi syarat")
        + f". Alasan: {d.get('reason', '')}"),
    "certificate.override": lambda a, e, d, n: f"{a} memberi pengecualian syarat sertifikat kepada "
                                               f"{n.user(d.get('user_id'))} di {n.training(e.object_id)}.",
    "certificate.revoke": lambda a, e, d, n: f"{a} mencabut sertifikat {d.get('number', '#' + e.object_id)}.",
    "certificate.sign": lambda a, e, d, n: (f"{a} menandatangani sertifikat {d.get('number', '#' + e.object_id)} "
                                            f"secara elektronik ({d.get('signer', '')}: {d.get('signed_by', '')})."),
    "certificate.sign_failed": lambda a, e, d, n: (f"{a} gagal menandatangani {d.get('count', 0)} sertifikat "
                                                   f"{n.training(e.object_id)} ({d.get('signer', '')}): "
                                                   f"{d.get('message', '')}"),
    # assignments
    "assignment.choose": lambda a, e, d, n: f"{a} {'memberikan' if d.get('given') else 'tidak memberikan'} tugas "
                                            f"{_titled(d, d.get('assignment_id', '?'))} di {n.training(e.object_id)}"
                                            + (f"; {d['kept_submissions']} kiriman tetap tersimpan."
                                               if d.get("kept_submissions") else "."),
    "assignment.save": lambda a, e, d, n: f"{a} {'membuat' if d.get('created') else 'menyimpan'} tugas khusus "
                                          f"{_titled(d, e.object_id)} di {n.training(d.get('training_id'))}.",
    "submission.submit": lambda a, e, d, n: f"{a} mengumpulkan tugas #{d.get('assignment_id', '?')} di "
                                            f"{n.training(d.get('training_id'))}"
                                            + (" (terlambat)." if d.get("late") else "."),
    "submission.resubmit": lambda a, e, d, n: f"{a} mengumpulkan revisi ke-{int(d.get('round', 2)) - 1} tugas "
                                              f"#{d.get('assignment_id', '?')} di {n.training(d.get('training_id'))}.",
    "submission.withdraw": lambda a, e, d, n: f"{a} menarik kembali tugas #{d.get('assignment_id', '?')} di "
                                              f"{n.training(d.get('training_id'))}.",
    "submission.review": lambda a, e, d, n: f"{a} menyimpan penilaian tugas {n.user(d.get('user_id'))} di "
                                            f"{n.training(d.get('training_id'))}"
                                            + (f" (level diubah: {', '.join(d['criteria'])})." if d.get("criteria")
                                               else " (komentar)."),
    "submission.return": lambda a, e, d, n: f"{a} mengembalikan tugas {n.user(d.get('user_id'))} di "
                                            f"{n.training(d.get('training_id'))} untuk revisi "
                                            f"(revisi ke-{d.get('revisions_used', '?')}).",
    "submission.decide": lambda a, e, d, n: f"{a} memberi nilai akhir tugas {n.user(d.get('user_id'))} di "
                                            f"{n.training(d.get('training_id'))}: {d.get('score', '?')}/"
                                            f"{d.get('maximum', '?')}, "
                                            + ("Lulus." if d.get("outcome") == "passed" else "Belum lulus."),
    "submission.reopen": lambda a, e, d, n: f"{a} membuka kembali penilaian tugas {n.user(d.get('user_id'))} di "
                                            f"{n.training(d.get('training_id'))}. Alasan: {d.get('reason', '')}",
    "assignment.snippet_add": lambda a, e, d, n: f"{a} menyimpan komentar siap pakai untuk tugas #{e.object_id} di "
                                                 f"{n.training(d.get('training_id'))}.",
    "assignment.snippet_delete": lambda a, e, d, n: f"{a} menghapus komentar siap pakai tugas #{e.object_id} di "
                                                    f"{n.training(d.get('training_id'))}.",
    "assignment.download": lambda a, e, d, n: f"{a} mengunduh kiriman tugas #{e.object_id} di "
                                              f"{n.training(d.get('training_id'))} sebagai ZIP "
                                              f"({d.get('submissions', 0)} kiriman, {d.get('files', 0)} berkas).",
    # the Laporan Pelaksanaan
    "report.update": lambda a, e, d, n: f"{a} mengubah narasi laporan {n.training(e.object_id)}: "
                                        + ", ".join(str(f).replace("_", " ") for f in d.get("fields") or []) + ".",
    "report.photo_add": lambda a, e, d, n: f"{a} menambah foto dokumentasi laporan {n.training(e.object_id)}.",
    "report.photo_delete": lambda a, e, d, n: f"{a} menghapus foto dokumentasi laporan {n.training(e.object_id)}.",
    # quizzes
    "quiz.regrade": lambda a, e, d, n: f"{a} menilai ulang {n.quiz(e.object_id)} (versi {d.get('version', '?')}): "
                                       f"{len(d.get('changed_attempts') or [])} percobaan berubah nilainya.",
}

OBJECT_LABELS = {"user": "pengguna", "training": "kegiatan", "certificate": "sertifikat", "agency": "OPD",
                 "institution": "profil instansi", "attendance_session": "sesi presensi",
                 "attendance_record": "catatan presensi", "agenda_item": "acara agenda", "quiz": "kuis",
                 "user_import": "impor peserta", "system": "sistem",
                 "assignment": "tugas", "submission": "pengumpulan tugas"}


def generic(actor: str, event: AuditEvent, details: dict[str, Any], names: Names) -> str:
    """Read an action without a sentence of its own: 'X melakukan "certificate.sign" pada sertifikat #4.'"""
    target = OBJECT_LABELS.get(event.object_type, event.object_type.replace("_", " "))
    return f"{actor} melakukan tindakan \u201c{event.action}\u201d pada {target} #{event.object_id}."


def sentence(event: AuditEvent, names: Names) -> str:
    """Return the event as one Indonesian sentence."""
    details = event.details if isinstance(event.details, dict) else {}
    write = SENTENCES.get(event.action, generic)
    try:
        text = write(actor_label(event), event, details, names)
    except (AttributeError, KeyError, TypeError, ValueError):
        # Details written by an older version of the code: still a readable line, never a 500.
        return generic(actor_label(event), event, details, names)
    # A name that ends with a title's period ("S.I.Kom.") already ends the sentence.
    return text[:-1] if text.endswith("..") else text


def _titled(details: dict[str, Any], object_id: object) -> str:
    """'"Caption kegiatan" (#3)', or '#3' for events recorded before titles were."""
    title = details.get("title")
    return f"\"{title}\" (#{object_id})" if title else f"#{object_id}"


def present(events: Sequence[AuditEvent]) -> list[Line]:
    """Return a page of events as sentences, with their names loaded in one query per kind."""
    names = load_names(events)
    return [Line(event, sentence(event, names)) for event in events]
