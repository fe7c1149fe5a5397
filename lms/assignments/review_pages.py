"""What the trainer's review pages need beyond `lms.assignments.review`: the queue's neighbours within a
filter, audited comment snippets, the review form's fields, and the ZIP of an assignment's hand-ins.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import undefer

from lms.accounts.models import Agency, User
from lms.assignments import review, services, states
from lms.assignments.models import Assignment, CommentSnippet, Submission, SubmissionFile
from lms.assignments.services import require_reviewer, safe_name
from lms.audit import services as audit
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.trainings.models import Training

ZIP_BATCH = 20  # files read from the database at once: memory stays bounded by the batch, not the assignment
ZIP_MEMORY = 4 * 1024 * 1024  # the archive spills to a temporary file beyond this


def neighbours(rows: Sequence[review.QueueRow], submission_id: int, filter_key: str = ""
               ) -> tuple[int | None, int | None]:
    """Return the handed-in submissions before and after this one in the queue's order, within a filter.

    The submission itself need not match the filter: after a decision it has left "Menunggu
    penilaian", and the trainer still goes on to the next one waiting.
    """
    wanted = set(states.FILTERS[filter_key][1]) if filter_key in states.FILTERS else None
    ids = [r.submission.id for r in rows if r.submission is not None]
    if submission_id not in ids:
        return None, None
    at = ids.index(submission_id)

    def fits(row: review.QueueRow) -> bool:
        return (row.submission is not None and row.submission.status in states.HANDED_IN
                and (wanted is None or row.submission.status in wanted))

    handed = [r for r in rows if r.submission is not None]
    before = [r.submission.id for r in handed[:at] if fits(r) and r.submission is not None]
    after = [r.submission.id for r in handed[at + 1:] if fits(r) and r.submission is not None]
    return (before[-1] if before else None), (after[0] if after else None)


def filter_counts(rows: Sequence[review.QueueRow]) -> dict[str, int]:
    """Count each filter's rows from an unfiltered queue (no further query)."""
    return {key: sum(r.status in statuses for r in rows) for key, (_, statuses) in states.FILTERS.items()}


def opd_targets(training: Training) -> list[tuple[Assignment, list[review.OpdCount]]]:
    """Return each assignment of the training that counts posts per OPD, with its OPDs' counts (training page)."""
    return [(a, review.opd_counts(training, a)) for a in services.offered(training) if a.opd_target]


# ---------------------------------------------------------------- the review form


@dataclass(frozen=True)
class ReviewInput:
    levels: dict[str, int]
    comments: dict[str, str]
    overall: str


def read_review_form(assignment: Assignment, form: Mapping[str, str]) -> ReviewInput:
    """Read the rubric's radio buttons (`level-<criterion>`) and comments (`comment-<criterion>`, `overall`).

    A criterion without a chosen level stays unchosen; a level that is not one of the criterion's
    is refused with the criterion's title.
    """
    levels: dict[str, int] = {}
    comments: dict[str, str] = {}
    for criterion in assignment.rubric:
        cid, title = str(criterion["id"]), str(criterion["title"])
        raw = (form.get(f"level-{cid}") or "").strip()
        if raw:
            count = len(criterion.get("levels") or [])
            if not raw.isdigit() or int(raw) >= count:
                raise ValidationFailed(f"Level yang dipilih untuk kriteria \"{title}\" tidak ada di rubrik.", "levels")
            levels[cid] = int(raw)
        comments[cid] = form.get(f"comment-{cid}") or ""
    return ReviewInput(levels, comments, form.get("overall") or "")


def with_snippet(data: ReviewInput, snippet: CommentSnippet) -> ReviewInput:
    """Append a snippet's text to the comment it belongs to (the no-JavaScript way of inserting it)."""
    def joined(text: str) -> str:
        return f"{text.rstrip()}\n{snippet.text}" if text.strip() else snippet.text

    if snippet.criterion_id:
        comments = dict(data.comments)
        comments[snippet.criterion_id] = joined(comments.get(snippet.criterion_id, ""))
        return ReviewInput(data.levels, comments, data.overall)
    return ReviewInput(data.levels, data.comments, joined(data.overall))


# ---------------------------------------------------------------- audited comment snippets


def get_snippet(assignment: Assignment, snippet_id: int) -> CommentSnippet | None:
    snippet = db.session.get(CommentSnippet, snippet_id)
    return snippet if snippet is not None and snippet.assignment_id == assignment.id else None


def add_snippet(actor: User, training: Training, assignment: Assignment, criterion_id: str, text: str,
                now: datetime) -> CommentSnippet:
    """Keep a reusable comment (review.add_snippet), audited as `assignment.snippet_add`."""
    snippet = review.add_snippet(actor, training, assignment, criterion_id, text, now)
    audit.record(actor, "assignment.snippet_add", "assignment", assignment.id,
                 {"training_id": training.id, "snippet_id": snippet.id, "criterion_id": criterion_id}, now=now)
    return snippet


def delete_snippet(actor: User, training: Training, assignment: Assignment, snippet: CommentSnippet,
                   now: datetime) -> None:
    """Delete a reusable comment (review.delete_snippet), audited as `assignment.snippet_delete`."""
    snippet_id, criterion_id = snippet.id, snippet.criterion_id
    review.delete_snippet(actor, training, snippet)
    audit.record(actor, "assignment.snippet_delete", "assignment", assignment.id,
                 {"training_id": training.id, "snippet_id": snippet_id, "criterion_id": criterion_id}, now=now)


# ---------------------------------------------------------------- the ZIP of hand-ins


def zip_name(training: Training, assignment: Assignment) -> str:
    return f"tugas-{safe_name(assignment.slug)}-{safe_name(training.slug)}.zip"


def _folders(submissions: Sequence[Submission]) -> dict[int, str]:
    """Return each submission's folder, `OPD/Nama-Peserta`, made unique when two share a name."""
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([s.user_id for s in submissions])))} if submissions else {}
    agency_ids = {s.agency_id if s.agency_id is not None else users[s.user_id].agency_id for s in submissions}
    agencies = {a.id: a.name for a in db.session.scalars(select(Agency).where(
        Agency.id.in_([a for a in agency_ids if a is not None])))} if agency_ids - {None} else {}
    taken: set[str] = set()
    folders: dict[int, str] = {}
    for s in sorted(submissions, key=lambda s: (users[s.user_id].full_name, s.id)):
        aid = s.agency_id if s.agency_id is not None else users[s.user_id].agency_id
        base = f"{safe_name(agencies.get(aid, 'Tanpa OPD') if aid else 'Tanpa OPD')}/" \
               f"{safe_name(users[s.user_id].full_name)}"
        folder, n = base, 2
        while folder.lower() in taken:
            folder, n = f"{base}-{n}", n + 1
        taken.add(folder.lower())
        folders[s.id] = folder
    return folders


def _batches(ids: Sequence[int]) -> Iterator[list[SubmissionFile]]:
    for start in range(0, len(ids), ZIP_BATCH):
        chunk = ids[start:start + ZIP_BATCH]
        rows = db.session.scalars(select(SubmissionFile).where(SubmissionFile.id.in_(chunk))
                                  .options(undefer(SubmissionFile.data)).order_by(SubmissionFile.id))
        found = list(rows)
        yield found
        for stored in found:
            db.session.expire(stored, ["data"])  # let the bytes go before the next batch


def build_zip(actor: User, training: Training, assignment: Assignment, now: datetime) -> tuple[IO[bytes], int]:
    """Write the hand-ins of an assignment (not drafts or withdrawn ones) into a ZIP; audited.

    Each participant has a folder `OPD/Nama` with `teks.txt`, `tautan.txt` and the present round's
    files (foto-N.jpg, dokumen-N.pdf). No NIP, email or phone in any name. Returns the archive
    (a spooled temporary file, rewound) and the number of submissions in it.
    """
    require_reviewer(actor, training)
    submissions = list(db.session.scalars(select(Submission).where(
        Submission.training_id == training.id, Submission.assignment_id == assignment.id,
        Submission.status.in_(states.HANDED_IN)).order_by(Submission.id)))
    folders = _folders(submissions)
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=ZIP_MEMORY)  # noqa: SIM115  (returned open)
    file_ids: list[int] = []
    owners: dict[int, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for s in submissions:
            folder = folders[s.id]
            status = states.label(s.status) + (" (terlambat)" if s.late else "")
            score = f"\nNilai: {s.score}/{assignment.max_points}" if s.score is not None else ""
            archive.writestr(f"{folder}/status.txt", f"Status: {status}{score}\n")
            if not services.round_handed_in(s):
                continue  # being revised: the new text and links are the participant's until handed in
            if s.text.strip():
                archive.writestr(f"{folder}/teks.txt", s.text)
            if s.links:
                archive.writestr(f"{folder}/tautan.txt", "\n".join(s.links) + "\n")
        if submissions:
            by_id = {s.id: s for s in submissions}
            for file_id, submission_id, round_ in db.session.execute(
                    select(SubmissionFile.id, SubmissionFile.submission_id, SubmissionFile.round).where(
                        SubmissionFile.submission_id.in_([s.id for s in submissions]),
                        SubmissionFile.removed.is_(False)).order_by(SubmissionFile.submission_id,
                                                                     SubmissionFile.position)):
                owner = by_id[submission_id]
                if owner.status == "revision_requested" and round_ >= owner.round:
                    continue  # the revision being written is the participant's until handed in
                file_ids.append(file_id)
                owners[file_id] = submission_id
        for batch in _batches(file_ids):
            for stored in batch:
                # Images are JPEG/PNG already compressed: stored, not deflated again.
                archive.writestr(zipfile.ZipInfo(f"{folders[owners[stored.id]]}/{stored.filename}",
                                                 date_time=stored.created_at.timetuple()[:6]),
                                 stored.data, compress_type=zipfile.ZIP_STORED)
    out.seek(0)
    audit.record(actor, "assignment.download", "assignment", assignment.id,
                 {"training_id": training.id, "submissions": len(submissions), "files": len(file_ids)}, now=now)
    return out, len(submissions)
