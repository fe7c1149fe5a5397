"""Use cases of the trainer's side: reviewing by rubric, comment snippets, the queue, the OPD target.

Every review change is audited (codes `submission.review`, `.return`, `.decide`, `.reopen`); the
details hold ids, criterion ids and the outcome, never the comments' text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from lms.accounts.models import Agency, Role, User
from lms.assignments import rubric, states
from lms.assignments.models import Assignment, CommentSnippet, Review, Submission
from lms.assignments.services import (
    SubmissionConflict,
    WithSubmission,
    audit_details,
    flush_guarded,
    is_offered,
    require_reviewer,
)
from lms.audit import services as audit
from lms.errors import NotAllowed, ValidationFailed
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Enrollment, Training

MAX_COMMENT = 4000

# ---------------------------------------------------------------- reviews


def current_review(submission: Submission) -> Review | None:
    """Return the review of the submission's present round (None before a trainer starts it)."""
    return next((r for r in submission.reviews if r.round == submission.round), None)


def last_decided(submission: Submission) -> Review | None:
    """Return the newest review with an outcome: what the participant reads."""
    decided = [r for r in submission.reviews if r.outcome is not None]
    return decided[-1] if decided else None


def revisions_used(submission: Submission) -> int:
    return sum(1 for r in submission.reviews if r.outcome == "revision")


def revisions_left(submission: Submission) -> int:
    return max(0, submission.assignment.max_revisions - revisions_used(submission))


def _prepare(actor: User, submission: Submission, version: int | None) -> Training:
    training = db.session.get_one(Training, submission.training_id)
    require_reviewer(actor, training)
    if version is not None and version != submission.version:
        raise SubmissionConflict("Tugas ini sudah diubah (oleh peserta atau narasumber lain) sejak halaman ini "
                                 "dibuka. Muat ulang untuk melihat versi terbaru; penilaian yang tersimpan tidak "
                                 "hilang.")
    return training


def _open_review(actor: User, submission: Submission, now: datetime) -> Review:
    review = current_review(submission)
    if review is None:
        review = Review(submission_id=submission.id, round=submission.round, reviewer_id=actor.id, levels={},
                        comments={}, overall_comment="", started_at=now, updated_at=now)
        submission.reviews.append(review)
    return review


def _clean_comments(criteria: Sequence[Mapping[str, object]], comments: Mapping[str, str]) -> dict[str, str]:
    ids = {str(c["id"]) for c in criteria}
    clean = {}
    for cid, text in comments.items():
        if cid not in ids:
            raise ValidationFailed(f"Kriteria \"{cid}\" tidak ada di rubrik tugas ini.", "comments")
        if len(text) > MAX_COMMENT:
            raise ValidationFailed(f"Komentar terlalu panjang ({len(text)} karakter; paling banyak {MAX_COMMENT}).",
                                   "comments")
        if text.strip():
            clean[cid] = text.strip()
    return clean


def save_review(actor: User, submission: Submission, levels: Mapping[str, int], comments: Mapping[str, str],
                overall: str, version: int | None, now: datetime) -> Review:
    """Store the chosen levels and comments (replacing the earlier ones of this round); starts the review."""
    training = _prepare(actor, submission, version)
    if submission.status not in {"in_review"}:
        submission.status = states.move("start_review", submission.status).after
    criteria = submission.assignment.rubric
    try:
        chosen = rubric.check_levels(criteria, levels)
    except ValueError as exc:
        raise ValidationFailed(str(exc), "levels") from None
    if len(overall) > MAX_COMMENT:
        raise ValidationFailed(f"Komentar umum terlalu panjang ({len(overall)} karakter; paling banyak "
                               f"{MAX_COMMENT}).", "overall_comment")
    review = _open_review(actor, submission, now)
    changed = sorted({k for k in set(review.levels) | set(chosen) if review.levels.get(k) != chosen.get(k)})
    review.levels, review.comments = chosen, _clean_comments(criteria, comments)
    review.overall_comment, review.reviewer_id, review.updated_at = overall.strip(), actor.id, now
    submission.reviewed_at = now
    flush_guarded()
    audit.record(actor, "submission.review", "submission", submission.id,
                 audit_details(submission, criteria=changed, training_id=training.id), now=now)
    return review


def return_for_revision(actor: User, submission: Submission, version: int | None, now: datetime) -> Review:
    """Send the submission back with the review's comments ("Kembalikan untuk revisi"), within the limit."""
    _prepare(actor, submission, version)
    step = states.move("return", submission.status)
    if revisions_used(submission) >= submission.assignment.max_revisions:
        limit = submission.assignment.max_revisions
        raise ValidationFailed(f"Batas revisi tugas ini ({limit} kali) sudah tercapai; beri nilai akhir."
                               if limit else "Tugas ini tidak menerima revisi; beri nilai akhir.", "revision")
    review = _open_review(actor, submission, now)
    if not (review.overall_comment or review.comments):
        raise ValidationFailed("Tulis komentar (umum atau per kriteria) yang menjelaskan apa yang perlu direvisi, "
                               "lalu simpan, sebelum mengembalikan tugas.", "overall_comment")
    review.outcome, review.decided_at, review.reviewer_id = "revision", now, actor.id
    review.score = rubric.score(submission.assignment.rubric, review.levels).points
    review.rubric = submission.assignment.rubric
    submission.status, submission.reviewed_at = step.after, now
    submission.round += 1  # what the participant hands in next is reviewed as a new round
    flush_guarded()
    audit.record(actor, "submission.return", "submission", submission.id,
                 audit_details(submission, revisions_used=revisions_used(submission)), now=now)
    return review


def decide(actor: User, submission: Submission, version: int | None, now: datetime) -> Review:
    """Give the final score from the chosen levels: Lulus at the pass mark or above, else Belum lulus."""
    _prepare(actor, submission, version)
    assignment = submission.assignment
    states.move("decide", submission.status)  # refuses withdrawn, draft, final ones with their reason
    review = _open_review(actor, submission, now)
    result = rubric.score(assignment.rubric, review.levels)
    if not result.complete:
        missing = [str(c["title"]) for c in assignment.rubric if str(c["id"]) not in review.levels]
        raise ValidationFailed("Pilih level untuk setiap kriteria sebelum memberi nilai akhir (belum: "
                               + ", ".join(missing) + ").", "levels")
    passed = result.points >= assignment.pass_points
    step = states.move("decide", submission.status, passed)
    review.outcome = step.after
    review.score, review.rubric, review.decided_at, review.reviewer_id = result.points, assignment.rubric, now, actor.id
    submission.status, submission.score, submission.decided_at, submission.reviewed_at = (
        step.after, result.points, now, now)
    flush_guarded()
    audit.record(actor, "submission.decide", "submission", submission.id,
                 audit_details(submission, outcome=step.after, score=result.points, maximum=result.maximum), now=now)
    return review


def reopen(actor: User, submission: Submission, reason: str, version: int | None, now: datetime) -> Review:
    """Take back a final score (a mistake) with a recorded reason; the review is open again."""
    _prepare(actor, submission, version)
    if not reason.strip():
        raise ValidationFailed("Tulis alasan membuka kembali penilaian.", "reason")
    step = states.move("reopen", submission.status)
    review = _open_review(actor, submission, now)
    review.outcome, review.decided_at = None, None
    submission.status, submission.score, submission.decided_at, submission.reviewed_at = step.after, None, None, now
    flush_guarded()
    audit.record(actor, "submission.reopen", "submission", submission.id,
                 audit_details(submission, before=step.before, reason=reason.strip()[:300]), now=now)
    return review


# ---------------------------------------------------------------- comment snippets


def snippets(assignment: Assignment) -> list[CommentSnippet]:
    return list(db.session.scalars(select(CommentSnippet).where(CommentSnippet.assignment_id == assignment.id)
                                   .order_by(CommentSnippet.criterion_id, CommentSnippet.id)))


def add_snippet(actor: User, training: Training, assignment: Assignment, criterion_id: str, text: str,
                now: datetime) -> CommentSnippet:
    """Keep a comment to reuse on this assignment ("" criterion: for the overall comment)."""
    require_reviewer(actor, training)
    if not is_offered(training, assignment):
        raise NotAllowed("Tugas ini tidak diberikan di kegiatan ini.")
    if criterion_id and criterion_id not in {str(c["id"]) for c in assignment.rubric}:
        raise ValidationFailed(f"Kriteria \"{criterion_id}\" tidak ada di rubrik tugas ini.", "criterion_id")
    if not text.strip() or len(text) > MAX_COMMENT:
        raise ValidationFailed("Isi komentar siap pakai wajib diisi (paling banyak 4000 karakter).", "text")
    snippet = CommentSnippet(assignment_id=assignment.id, criterion_id=criterion_id, text=text.strip(),
                             created_by_id=actor.id, created_at=now)
    db.session.add(snippet)
    db.session.flush()
    return snippet


def delete_snippet(actor: User, training: Training, snippet: CommentSnippet) -> None:
    """Delete a snippet: its author or an admin."""
    require_reviewer(actor, training)
    if snippet.created_by_id != actor.id and not actor.has_role(Role.ADMIN):
        raise NotAllowed("Hanya pembuatnya atau penyelenggara yang dapat menghapus komentar siap pakai ini.")
    db.session.delete(snippet)
    db.session.flush()


# ---------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueueRow(WithSubmission):
    user_id: int
    name: str
    agency: str
    submission: Submission | None


def queue(training: Training, assignment: Assignment, filter_key: str = "") -> list[QueueRow]:
    """Return every participant with their submission of this assignment, by name, in two queries.

    `filter_key` is one of states.FILTERS ("missing", "waiting", "revision", "passed", "failed"), or
    "" for everyone.
    """
    wanted = states.FILTERS[filter_key][1] if filter_key else None
    people = db.session.execute(trainings.participant_rows(training)).all()
    found = {s.user_id: s for s in db.session.scalars(select(Submission).where(
        Submission.training_id == training.id, Submission.assignment_id == assignment.id))}
    rows = [QueueRow(uid, name, agency, found.get(uid)) for uid, name, agency in people]
    return [r for r in rows if wanted is None or r.status in wanted]


def neighbours(rows: Sequence[QueueRow], submission_id: int) -> tuple[int | None, int | None]:
    """Return the ids of the submissions before and after this one in a queue (missing ones skipped)."""
    ids = [r.submission.id for r in rows if r.submission is not None and r.submission.status in states.HANDED_IN]
    if submission_id not in ids:
        return None, None
    at = ids.index(submission_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def counts(training: Training, assignment: Assignment) -> dict[str, int]:
    """Return how many participants each queue filter holds."""
    rows = queue(training, assignment)
    return {key: sum(r.status in statuses for r in rows) for key, (_, statuses) in states.FILTERS.items()}


# ---------------------------------------------------------------- the OPD target


@dataclass(frozen=True)
class OpdPost:
    url: str
    name: str
    status: str
    submission_id: int


@dataclass
class OpdCount:
    agency_id: int | None
    name: str
    target: int
    posts: list[OpdPost] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def met(self) -> bool:
        return self.count >= self.target


COUNTED = states.HANDED_IN - {"failed"}


def _link_key(url: str) -> str:
    return url.strip().rstrip("/").lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")


def opd_counts(training: Training, assignment: Assignment) -> list[OpdCount]:
    """Return each OPD of the training's participants with its distinct published-post links against the target.

    A link counts once per OPD (two staff handing in the same post count it once), from hand-ins that
    are not drafts, withdrawn or failed. OPDs come from the submission (its OPD when handed in), or
    the participant's present OPD. Three queries whatever the number of OPDs.
    """
    target = assignment.opd_target or 0
    names: dict[int, str] = {}
    agency_of: dict[int, int | None] = {}
    for uid, name, aid in db.session.execute(
            select(User.id, User.full_name, User.agency_id).join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.training_id == training.id)):
        names[uid], agency_of[uid] = name, aid
    handed_in = list(db.session.scalars(select(Submission).where(
        Submission.training_id == training.id, Submission.assignment_id == assignment.id,
        Submission.status.in_(COUNTED)).order_by(Submission.submitted_at, Submission.id)))
    wanted = {a for a in agency_of.values() if a is not None} | {s.agency_id for s in handed_in if s.agency_id}
    agencies = {aid: name for aid, name in db.session.execute(select(Agency.id, Agency.name)
                                                             .where(Agency.id.in_(wanted)))} if wanted else {}

    def group_of(aid: int | None) -> OpdCount:
        if aid not in groups:
            groups[aid] = OpdCount(aid, agencies.get(aid, "Tanpa OPD") if aid else "Tanpa OPD", target)
        return groups[aid]

    groups: dict[int | None, OpdCount] = {}
    for uid in names:
        group_of(agency_of.get(uid))
    seen: set[tuple[int | None, str]] = set()
    for submission in handed_in:
        aid = submission.agency_id if submission.agency_id is not None else agency_of.get(submission.user_id)
        for url in submission.links or []:
            if (aid, _link_key(url)) not in seen:
                seen.add((aid, _link_key(url)))
                group_of(aid).posts.append(OpdPost(url, names.get(submission.user_id, ""), submission.status,
                                                   submission.id))
    return sorted(groups.values(), key=lambda g: (g.agency_id is None, g.name))
