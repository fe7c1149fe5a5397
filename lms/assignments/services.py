"""Use cases of the participant side: which assignments a training gives, handing in, files, access.

Reviews, comment snippets, the queue and the OPD target are in `lms.assignments.review`.
Services flush and never commit; the view or CLI commits once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import Role, User
from lms.assignments import due, states
from lms.assignments import files as cleaning
from lms.assignments.definitions import AssignmentDef
from lms.assignments.due import DueText
from lms.assignments.models import Assignment, Submission, SubmissionFile, TrainingAssignment
from lms.audit import services as audit
from lms.courses.models import Course
from lms.errors import LmsError, NotAllowed, Problems, ValidationFailed
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Training, training_courses

END_OF_DAY = due.END_OF_DAY
MAX_TEXT = 20000  # what a draft may hold whatever the assignment's limit: a limit is checked on submit
MAX_LINK = 2000
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


class SubmissionConflict(LmsError):
    """Another tab or device changed the submission since this page loaded (HTTP 409)."""

    status = 409


CONFLICT = ("Tugas ini sudah diubah di tab atau perangkat lain. Muat ulang halaman untuk melihat isian "
            "terbaru; yang sudah tersimpan tidak hilang.")

# ---------------------------------------------------------------- access


def is_owner(user: User, submission: Submission) -> bool:
    return submission.user_id == user.id


def can_review(user: User, training: Training) -> bool:
    """Admins, and trainers assigned to this training."""
    return trainings.can_manage(user, training)


def can_view(user: User, submission: Submission, training: Training) -> bool:
    """The participant who handed it in, the training's trainers, admins."""
    return submission.training_id == training.id and (is_owner(user, submission) or can_review(user, training))


def require_view(user: User, submission: Submission, training: Training) -> None:
    if not can_view(user, submission, training):
        raise NotAllowed("Anda tidak berhak membuka tugas ini.")


def require_owner(user: User, submission: Submission) -> None:
    if not is_owner(user, submission):
        raise NotAllowed("Hanya peserta pemilik tugas ini yang dapat mengubahnya.")


def require_reviewer(user: User, training: Training) -> None:
    if not can_review(user, training):
        raise NotAllowed("Anda tidak ditugaskan pada kegiatan ini.")


def require_participant(user: User, training: Training) -> None:
    if not (user.has_role(Role.PARTICIPANT) and training.status != "draft" and trainings.is_enrolled(user, training)):
        raise NotAllowed("Anda bukan peserta kegiatan ini.")


# ---------------------------------------------------------------- catalog and trainings


def get_assignment(assignment_id: int) -> Assignment | None:
    return db.session.get(Assignment, assignment_id)


def offered(training: Training) -> list[Assignment]:
    """Return the assignments this training gives: its choice, else its courses' and its own."""
    return offered_many([training])[training.id]


def offered_many(trainings_: Sequence[Training]) -> dict[int, list[Assignment]]:
    """Return, per training id, the assignments each gives, in three queries whatever their number."""
    if not trainings_:
        return {}
    ids = [t.id for t in trainings_]
    positions: dict[int, dict[str, int]] = {i: {} for i in ids}
    for training_id, slug, position in db.session.execute(
            select(training_courses.c.training_id, Course.slug, Course.position)
            .join(Course, Course.id == training_courses.c.course_id)
            .where(training_courses.c.training_id.in_(ids))):
        positions[training_id][slug] = position
    choices: dict[int, dict[int, bool]] = {i: {} for i in ids}
    for row in db.session.scalars(select(TrainingAssignment).where(TrainingAssignment.training_id.in_(ids))):
        choices[row.training_id][row.assignment_id] = row.included
    slugs = {slug for each in positions.values() for slug in each}
    chosen = {a for each in choices.values() for a, given in each.items() if given}
    candidates = list(db.session.scalars(select(Assignment).where(
        Assignment.retired_at.is_(None),
        or_(and_(Assignment.scope == "", Assignment.course_slug.in_(slugs)) if slugs else false(),
            Assignment.training_id.in_(ids), Assignment.id.in_(chosen) if chosen else false()))))
    found: dict[int, list[Assignment]] = {}
    for training_id in ids:
        mine, choice = positions[training_id], choices[training_id]
        default = [a for a in candidates if (a.scope == "" and (a.course_slug or "") in mine and a.training_id is None)
                   or a.training_id == training_id]
        given = [a for a in default if choice.get(a.id, True)]
        given += [a for a in candidates if choice.get(a.id) and a not in given]
        found[training_id] = sorted(given, key=lambda a: (a.training_id is not None, mine.get(a.course_slug or "", 999),
                                                          a.position, a.id))
    return found


def required_of(training: Training) -> list[Assignment]:
    """Return the assignments of this training a certificate needs passed."""
    return [a for a in offered(training) if a.required]


def statuses(training: Training, assignments: Sequence[Assignment], user_ids: Sequence[int]
             ) -> dict[int, dict[int, str]]:
    """Return each participant's submission status per assignment (absent: not started), in one query."""
    found: dict[int, dict[int, str]] = {}
    if not assignments or not user_ids:
        return found
    for user_id, assignment_id, status in db.session.execute(
            select(Submission.user_id, Submission.assignment_id, Submission.status).where(
                Submission.training_id == training.id, Submission.assignment_id.in_([a.id for a in assignments]),
                Submission.user_id.in_(list(user_ids)))):
        found.setdefault(user_id, {})[assignment_id] = status
    return found


def is_offered(training: Training, assignment: Assignment) -> bool:
    return any(a.id == assignment.id for a in offered(training))


def choosable(training: Training) -> list[tuple[Assignment, bool]]:
    """Return every assignment a manager may give this training, with whether it is given now."""
    given = {a.id for a in offered(training)}
    rows = db.session.scalars(select(Assignment).where(
        Assignment.retired_at.is_(None), or_(Assignment.scope == "", Assignment.training_id == training.id))
        .order_by(Assignment.training_id.is_not(None), Assignment.course_slug, Assignment.position, Assignment.id))
    return [(a, a.id in given) for a in rows]


def set_given(training: Training, assignment: Assignment, given: bool, actor: User,
              now: datetime | None = None, details: dict[str, Any] | None = None) -> None:
    """Record the training's choice to give (or not) one assignment; audited with `details` added."""
    trainings.require_manager(actor, training)
    if assignment.training_id not in (None, training.id):
        raise NotAllowed("Tugas ini milik kegiatan lain.")
    row = db.session.scalars(select(TrainingAssignment).where(
        TrainingAssignment.training_id == training.id, TrainingAssignment.assignment_id == assignment.id)).first()
    if row is None:
        row = TrainingAssignment(training_id=training.id, assignment_id=assignment.id)
        db.session.add(row)
    row.included = given
    audit.record(actor, "assignment.choose", "training", training.id,
                 {"assignment_id": assignment.id, "given": given, **(details or {})}, now=now)
    db.session.flush()


def apply_definition(assignment: Assignment, definition: AssignmentDef) -> None:
    """Copy a checked definition's fields onto the row, with its content hash."""
    for name in ("title", "instructions", "lesson_slug", "accepts", "max_images", "max_chars", "max_links",
                 "due_day", "due_time", "accept_late", "max_revisions", "rubric", "max_points", "pass_points",
                 "required", "opd_target", "position"):
        setattr(assignment, name, getattr(definition, name))
    assignment.content_hash = definition.content_hash


def save_training_assignment(training: Training, assignment: Assignment | None, definition: AssignmentDef,
                             actor: User, now: datetime) -> Assignment:
    """Create or change an assignment of this training only (made in the web UI); audited."""
    trainings.require_manager(actor, training)
    scope = f"training:{training.id}"
    if assignment is not None and assignment.scope != scope:
        raise NotAllowed("Hanya tugas khusus kegiatan ini yang dapat diubah di sini; tugas modul diubah di "
                         "berkas konten.")
    taken = db.session.scalars(select(Assignment.id).where(Assignment.scope == scope,
                                                           Assignment.slug == definition.slug)).first()
    if taken is not None and (assignment is None or taken != assignment.id):
        raise ValidationFailed(f"id \"{definition.slug}\" sudah dipakai tugas lain di kegiatan ini.", "id")
    if assignment is None:
        assignment = Assignment(scope=scope, slug=definition.slug, training_id=training.id,
                                created_by_id=actor.id, created_at=now)
        db.session.add(assignment)
    elif has_submissions(assignment) and _rubric_changed(assignment, definition):
        raise ValidationFailed("Rubrik tidak dapat diubah setelah ada peserta yang mengumpulkan; buat tugas baru "
                               "bila rubriknya perlu diganti.", "criteria")
    created = assignment.id is None
    assignment.slug = definition.slug
    apply_definition(assignment, definition)
    # The lesson it practises may be of any linked course: the lesson's Praktik section finds it by both.
    assignment.course_slug = definition.course_slug
    assignment.synced_at = now
    db.session.flush()
    audit.record(actor, "assignment.save", "assignment", assignment.id,
                 {"training_id": training.id, "created": created, "title": assignment.title}, now=now)
    return assignment


def _rubric_changed(assignment: Assignment, definition: AssignmentDef) -> bool:
    return (assignment.rubric, assignment.max_points, assignment.pass_points) != (
        definition.rubric, definition.max_points, definition.pass_points)


def has_submissions(assignment: Assignment) -> bool:
    return db.session.scalar(select(Submission.id).where(Submission.assignment_id == assignment.id,
                                                         Submission.status != "draft").limit(1)) is not None


def due_at(assignment: Assignment, training: Training) -> datetime | None:
    """Return the due moment in UTC: day N of the training at the time given, in the training's zone.

    A day past the training's last day means its last day (a shorter training than the module
    was written for still gets a deadline inside it).
    """
    text = due_text(assignment, training)
    return text.moment if text else None


def due_text(assignment: Assignment, training: Training) -> DueText | None:
    """Return the due time in words in the training's zone ("Hari ke-2, 16.00 WITA", its date), or None."""
    return due.describe(assignment.due_day, assignment.due_time, training.start_date, training.end_date,
                        training.time_zone)


# ---------------------------------------------------------------- a participant's hand-ins


def submission_of(user: User, training: Training, assignment: Assignment) -> Submission | None:
    return db.session.scalars(select(Submission).where(
        Submission.assignment_id == assignment.id, Submission.training_id == training.id,
        Submission.user_id == user.id)).first()


def submissions_of(user: User, training_ids: Sequence[int]) -> dict[tuple[int, int], Submission]:
    """Return a participant's submissions in these trainings by (training id, assignment id), in one query."""
    if not training_ids:
        return {}
    rows = db.session.scalars(select(Submission).where(Submission.user_id == user.id,
                                                       Submission.training_id.in_(training_ids)))
    return {(s.training_id, s.assignment_id): s for s in rows}


def start(user: User, training: Training, assignment: Assignment, now: datetime) -> Submission:
    """Return the participant's submission, creating the draft once even when two tabs ask at once."""
    require_participant(user, training)
    if not is_offered(training, assignment):
        raise NotAllowed("Tugas ini tidak diberikan di kegiatan ini.")
    found = submission_of(user, training, assignment)
    if found is not None:
        return found
    draft = Submission(assignment_id=assignment.id, training_id=training.id, user_id=user.id,
                       agency_id=user.agency_id, status="draft", text="", links=[], created_at=now, saved_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:  # the other tab created it first: use that one
        found = submission_of(user, training, assignment)
        if found is None:
            raise
        return found
    return draft


def _check_version(submission: Submission, version: int | None) -> None:
    if version is not None and version != submission.version:
        raise SubmissionConflict(CONFLICT)


def flush_guarded() -> None:
    """Flush; a concurrent change of the same submission (its version moved) becomes SubmissionConflict."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()  # the session cannot go on after a lost compare-and-set
        raise SubmissionConflict(CONFLICT) from None


def _require_editable(submission: Submission) -> None:
    if submission.status not in states.EDITABLE:
        if submission.status in states.FINAL:
            raise states.TransitionRefused(f"Tugas ini sudah dinilai ({states.label(submission.status)}); "
                                           "isiannya tidak dapat diubah lagi.")
        if submission.status == "in_review":
            raise states.TransitionRefused("Narasumber sedang menilai tugas ini; isiannya tidak dapat diubah.")
        raise states.TransitionRefused("Tugas ini sudah dikumpulkan. Tarik kembali dulu bila ingin mengubahnya.")


def save_draft(user: User, submission: Submission, text: str | None, links: Sequence[str] | None,
               version: int | None, now: datetime) -> Submission:
    """Keep what the participant typed (autosave): limits are checked on submit, nothing is refused here
    but a stale tab, a state that cannot be edited, and text beyond what any assignment takes."""
    require_owner(user, submission)
    _check_version(submission, version)
    _require_editable(submission)
    if text is not None:
        if len(text) > MAX_TEXT:
            raise ValidationFailed(f"Teks terlalu panjang untuk disimpan ({len(text)} karakter; paling banyak "
                                   f"{MAX_TEXT}).", "text")
        submission.text = text
    if links is not None:
        cleaned = [link.strip()[:MAX_LINK] for link in links if link and link.strip()]
        submission.links = cleaned[:50]
    submission.saved_at = now
    flush_guarded()
    return submission


def link_problem(link: str) -> str | None:
    """Return why a hand-in link is refused (not http(s), no host), or None."""
    parts = urlsplit(link)
    if parts.scheme.lower() not in {"http", "https"}:
        return f"Tautan \"{link[:80]}\" harus diawali http:// atau https:// (salin alamat unggahannya dari peramban)."
    if not parts.hostname or "." not in parts.hostname:
        return f"Tautan \"{link[:80]}\" tidak memuat alamat situs yang sah."
    return None


def current_files(submission: Submission) -> list[SubmissionFile]:
    return [f for f in submission.files if not f.removed]


def check_complete(assignment: Assignment, submission: Submission) -> None:
    """Refuse an empty hand-in, or one beyond the assignment's limits, with every problem at once."""
    problems = Problems()
    files = current_files(submission)
    images = [f for f in files if f.kind == "image"]
    pdfs = [f for f in files if f.kind == "pdf"]
    text = submission.text.strip() if assignment.accepts_kind("text") else ""
    links = list(submission.links or []) if assignment.accepts_kind("links") else []
    if not (text or links or images or pdfs):
        wanted = ", ".join(KIND_WORDS[k] for k in assignment.accepts)
        problems.add(f"Tugas masih kosong: isi {wanted} sebelum mengumpulkan.", "text")
    if assignment.max_chars and len(submission.text) > assignment.max_chars:
        problems.add(f"Teks {len(submission.text)} karakter; paling banyak {assignment.max_chars}.", "text")
    if len(images) > assignment.max_images:
        problems.add(f"Foto {len(images)}; paling banyak {assignment.max_images}. Hapus yang tidak perlu.", "files")
    if assignment.max_links and len(links) > assignment.max_links:
        problems.add(f"Tautan {len(links)}; paling banyak {assignment.max_links}.", "links")
    for link in links:
        problem = link_problem(link)
        if problem:
            problems.add(problem, "links")
    problems.raise_any()


KIND_WORDS = {"text": "teks", "images": "foto", "links": "tautan unggahan", "pdf": "berkas PDF"}


def submit(user: User, submission: Submission, version: int | None, now: datetime) -> Submission:
    """Hand in (or hand in again after a withdrawal or a request for revision); audited."""
    require_owner(user, submission)
    _check_version(submission, version)
    assignment, training = submission.assignment, db.session.get_one(Training, submission.training_id)
    action = "resubmit" if submission.status == "revision_requested" else "submit"
    step = states.move(action, submission.status)
    check_complete(assignment, submission)
    due = due_at(assignment, training)
    late = due is not None and now > due
    # A revision the trainer asked for is never late; a first hand-in after the due time is refused or marked.
    if late and action == "submit":
        if not assignment.accept_late:
            raise ValidationFailed("Batas waktu pengumpulan sudah lewat dan tugas ini tidak menerima pengumpulan "
                                   "terlambat. Isian Anda tetap tersimpan sebagai draf; hubungi narasumber.",
                                   "deadline")
        submission.late = True
    elif action == "submit":
        submission.late = False
    submission.status = step.after
    submission.submitted_at = now
    submission.saved_at = now
    submission.agency_id = user.agency_id
    flush_guarded()
    code = "submission.submit"
    if action == "resubmit":
        code = "submission.resubmit"
    audit.record(user, code, "submission", submission.id,
                 {"training_id": training.id, "assignment_id": assignment.id, "round": submission.round,
                  "late": submission.late}, now=now)
    return submission


def withdraw(user: User, submission: Submission, version: int | None, now: datetime) -> Submission:
    """Take a hand-in back before the review starts; audited."""
    require_owner(user, submission)
    _check_version(submission, version)
    step = states.move("withdraw", submission.status)
    submission.status = step.after
    submission.saved_at = now
    flush_guarded()
    audit.record(user, "submission.withdraw", "submission", submission.id,
                 {"training_id": submission.training_id, "assignment_id": submission.assignment_id,
                  "round": submission.round}, now=now)
    return submission


# ---------------------------------------------------------------- files


def max_file_bytes() -> int:
    return int(current_app.config.get("ASSIGNMENT_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def add_file(user: User, submission: Submission, data: bytes, version: int | None, now: datetime,
             name: str = "") -> SubmissionFile:
    """Store one image (cleaned) or PDF in the submission's present round, within the assignment's limits."""
    require_owner(user, submission)
    _check_version(submission, version)
    _require_editable(submission)
    assignment = submission.assignment
    is_pdf = data.lstrip()[:5] == b"%PDF-"
    label = (name or ("Dokumen" if is_pdf else "Foto"))[:80]
    kind = "pdf" if is_pdf else "image"
    if not assignment.accepts_kind("pdf" if is_pdf else "images"):
        raise ValidationFailed(f"{label}: tugas ini tidak menerima {'PDF' if is_pdf else 'foto'}.", "files")
    present = current_files(submission)
    if kind == "image" and sum(f.kind == "image" for f in present) >= assignment.max_images:
        raise ValidationFailed(f"{label}: sudah ada {assignment.max_images} foto, batas tugas ini. Hapus salah satu "
                               "dulu untuk menggantinya.", "files")
    if kind == "pdf" and sum(f.kind == "pdf" for f in present) >= MAX_PDFS:
        raise ValidationFailed(f"{label}: paling banyak {MAX_PDFS} PDF per tugas.", "files")
    clean = (cleaning.clean_pdf if is_pdf else cleaning.clean_image)(data, max_file_bytes(), label)
    stored = SubmissionFile(submission_id=submission.id, kind=clean.kind, round=submission.round,
                            position=max((f.position for f in submission.files), default=0) + 1, mime=clean.mime,
                            data=clean.data, size=len(clean.data), sha256=clean.sha256, width=clean.width,
                            height=clean.height, created_at=now)
    submission.files.append(stored)
    submission.saved_at = now
    flush_guarded()
    return stored


MAX_PDFS = 3


def remove_file(user: User, submission: Submission, file_id: int, version: int | None, now: datetime) -> None:
    """Remove a file while the submission can be edited (one of a reviewed round stays on record, hidden)."""
    require_owner(user, submission)
    _check_version(submission, version)
    _require_editable(submission)
    stored = next((f for f in current_files(submission) if f.id == file_id), None)
    if stored is None:
        raise ValidationFailed("Berkas ini sudah dihapus atau tidak ada.", "files")
    if stored.round < submission.round:
        stored.removed = True
    else:
        submission.files.remove(stored)
        db.session.delete(stored)
    submission.saved_at = now
    flush_guarded()


def file_for(user: User, file_id: int) -> tuple[SubmissionFile, bytes] | None:
    """Return a stored file and its bytes when the user may read it; None for unknown or forbidden ones."""
    stored = db.session.get(SubmissionFile, file_id)
    if stored is None:
        return None
    submission = stored.submission
    training = db.session.get_one(Training, submission.training_id)
    if not can_view(user, submission, training):
        return None
    if not is_owner(user, submission) and not handed_in_file(submission, stored):
        return None  # a reviewer sees what was handed in, never a draft still being written
    return stored, stored.data


# The states in which the present round's files are handed in (revision_requested: the participant
# is writing the next round; its files are theirs alone until they hand it in).
_ROUND_HANDED_IN = frozenset({"submitted", "in_review", "resubmitted", "passed", "failed"})


def round_handed_in(submission: Submission) -> bool:
    """Tell whether the present round is handed in (its text, links and files are the reviewers' to read)."""
    return submission.status in _ROUND_HANDED_IN


def handed_in_file(submission: Submission, stored: SubmissionFile) -> bool:
    """Tell whether a file was handed in: of a round already reviewed, or of the present one once submitted."""
    return stored.round < submission.round or submission.status in _ROUND_HANDED_IN


def reviewer_files(submission: Submission) -> list[SubmissionFile]:
    """Return the files a reviewer sees: the present round's once handed in, else those of reviewed rounds."""
    if submission.status in _ROUND_HANDED_IN:
        return current_files(submission)
    return [f for f in submission.files if f.round < submission.round]


# ---------------------------------------------------------------- what a participant sees


class WithSubmission:
    """A row that may hold a participant's submission: its status, "missing" when there is none."""

    submission: Submission | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "missing"

    @property
    def status_label(self) -> str:
        return states.label(self.status)


@dataclass(frozen=True)
class Task(WithSubmission):
    """One assignment of one of a participant's trainings, with their submission (None: not started)."""

    training: Training
    assignment: Assignment
    submission: Submission | None
    due: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and now > self.due and self.status in {"missing", "draft", "withdrawn"}

    @property
    def due_text(self) -> DueText | None:
        """The due time in words in the training's zone, for the participant's pages."""
        return due_text(self.assignment, self.training)


def tasks_for(user: User, trainings_: Iterable[Training] | None = None) -> list[Task]:
    """Return the assignments of a participant's trainings with their submissions (queries bounded by trainings)."""
    chosen = list(trainings.participant_trainings(user) if trainings_ is None else trainings_)
    mine = submissions_of(user, [t.id for t in chosen])
    given = offered_many(chosen)
    return [Task(t, a, mine.get((t.id, a.id)), due_at(a, t)) for t in chosen for a in given[t.id]]


def tasks_for_lesson(user: User, course_slug: str, lesson_slug: str) -> list[Task]:
    """Return the participant's tasks that practise one lesson (its Praktik section)."""
    return [t for t in tasks_for(user) if t.assignment.course_slug == course_slug
            and t.assignment.lesson_slug == lesson_slug]


def load_submission(submission_id: int) -> Submission | None:
    return db.session.scalars(select(Submission).where(Submission.id == submission_id)
                              .options(selectinload(Submission.files), selectinload(Submission.reviews))).first()


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """Return text as a file or folder name for a download (ASCII letters, digits, . _ -)."""
    return _SAFE.sub("-", text).strip("-")[:80] or "tanpa-nama"


def audit_details(submission: Submission, **more: Any) -> dict[str, Any]:
    return {"training_id": submission.training_id, "assignment_id": submission.assignment_id,
            "user_id": submission.user_id, "round": submission.round, **more}
