"""Which rows a training bundle carries, in the order an import writes them, and how each is matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table

from lms.accounts.models import Agency, User
from lms.assignments.models import Assignment, Review, Submission, SubmissionFile, TrainingAssignment
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, EligibilityOverride
from lms.courses.models import LessonProgress
from lms.evaluations.models import EvaluationAnswer, EvaluationSubmission
from lms.extensions import Model
from lms.quizzes.models import Attempt, Response
from lms.reports.models import ReportPhoto, TrainingReport
from lms.trainings.models import AgendaItem, Enrollment, Training

# Foreign keys into the content catalog travel as slugs (both sides sync the same courses/ and
# quizzes/); into the institution they point to the importing side's own.
CATALOG_TABLES = {"quizzes": "quiz", "quiz_versions": "quiz_version", "lessons": "lesson", "courses": "course"}
INSTITUTION_TABLE = "institutions"


@dataclass(frozen=True)
class Kind:
    """One kind of row: its member in the bundle, how it is identified, versioned and matched."""

    name: str  # the table name; the bundle member is <name>.jsonl
    model: type[Model]
    label: str  # what the preview calls it ("catatan presensi")
    identity: str = "uuid"
    version: str | None = "row_version"  # None: the row never changes after creation
    # A unique key besides the identity: a row made on both sides separately is still the same row.
    natural: tuple[str, ...] = ()
    # Columns holding "training:<id>" (quiz attempt context, assignment scope), rewritten on import.
    scoped: tuple[str, ...] = ()
    # Columns holding "u<user id>" (an evaluation's narasumber target), rewritten as "user:<uuid>".
    user_keyed: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()  # columns that never leave the installation

    @property
    def table(self) -> Table:
        return cast(Table, self.model.__table__)  # type: ignore[attr-defined]


USERS = Kind("users", User, "akun", version=None,
             skip=("password_hash", "phone", "session_version", "last_login_at", "must_change_password",
                   "active", "updated_at", "institution_id"))
AGENCIES = Kind("agencies", Agency, "OPD", version=None, skip=("institution_id",))
TRAININGS = Kind("trainings", Training, "kegiatan", skip=("institution_id",))
ASSIGNMENTS = Kind("assignments", Assignment, "tugas", natural=("scope", "slug"), scoped=("scope",))

KINDS: tuple[Kind, ...] = (
    AGENCIES,
    USERS,
    TRAININGS,
    Kind("agenda_items", AgendaItem, "acara agenda"),
    Kind("attendance_sessions", AttendanceSession, "sesi"),
    Kind("enrollments", Enrollment, "pendaftaran", natural=("training_id", "user_id")),
    Kind("attendance_records", AttendanceRecord, "catatan presensi", natural=("session_id", "user_id")),
    Kind("attempts", Attempt, "attempt", natural=("quiz_id", "user_id", "context", "number"), scoped=("context",)),
    Kind("responses", Response, "jawaban kuis", version="revision", natural=("attempt_id", "question_id")),
    Kind("lesson_progress", LessonProgress, "progres bacaan", natural=("user_id", "lesson_id")),
    ASSIGNMENTS,
    Kind("training_assignments", TrainingAssignment, "pilihan tugas", natural=("training_id", "assignment_id")),
    Kind("submissions", Submission, "pengumpulan tugas", version="version",
         natural=("assignment_id", "training_id", "user_id")),
    Kind("submission_files", SubmissionFile, "berkas tugas"),
    Kind("reviews", Review, "penilaian tugas", natural=("submission_id", "round")),
    Kind("evaluation_submissions", EvaluationSubmission, "pengisian evaluasi", version=None,
         natural=("training_id", "user_id", "questionnaire", "target"), user_keyed=("target",)),
    # Answers carry no author and already have a random key: it is their identity.
    Kind("evaluation_answers", EvaluationAnswer, "jawaban evaluasi", identity="id", version=None,
         user_keyed=("target",)),
    Kind("eligibility_overrides", EligibilityOverride, "pengecualian syarat", natural=("training_id", "user_id")),
    # The status-list index is a place in this installation's published lists: given here, on import.
    Kind("certificates", Certificate, "sertifikat", skip=("institution_id", "status_list_index")),
    Kind("training_reports", TrainingReport, "laporan", natural=("training_id",)),
    Kind("report_photos", ReportPhoto, "foto dokumentasi"),
    Kind("audit_events", AuditEvent, "peristiwa audit", version=None),
)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_TABLE = {kind.table.name: kind for kind in KINDS}

# Audit events of these object types travel when their object does (object_id is remapped).
AUDIT_OBJECTS = {"training": "trainings", "agenda_item": "agenda_items", "attendance_session": "attendance_sessions",
                 "attendance_record": "attendance_records", "submission": "submissions",
                 "certificate": "certificates", "assignment": "assignments"}
# Ids inside audit details that name travelling rows (attendance history reads record_id).
AUDIT_DETAIL_REFS = {"training_id": "trainings", "session_id": "attendance_sessions", "user_id": "users",
                     "record_id": "attendance_records", "submission_id": "submissions",
                     "certificate_id": "certificates", "attempt_id": "attempts"}


def reference_of(kind: Kind, column: str) -> str | None:
    """Return what a foreign-key column points to: a kind's name, a catalog key type, or "institution"."""
    col = kind.table.c[column]
    for key in col.foreign_keys:
        target = key.column.table.name
        if target in CATALOG_TABLES:
            return CATALOG_TABLES[target]
        if target == INSTITUTION_TABLE:
            return "institution"
        return target
    return None
