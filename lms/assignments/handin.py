"""What the participant's hand-in pages show: the task list's rows, the page of one task, the rubric
with the trainer's levels and comments, and whether Cek Caption goes beside the text box.

Read-only: the writes are the services' (lms.assignments.services); the views commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lms.accounts.models import User
from lms.assignments import review, services, states
from lms.assignments.models import Assignment, Review, Submission, SubmissionFile
from lms.trainings.models import Training

# The hand-in page's words for a version conflict: unlike services.CONFLICT (reload), the page keeps what
# was typed and shows the saved one beside it, so the participant chooses.
CONFLICT_PAGE = ("Tugas ini sudah diubah di tab atau perangkat lain sejak halaman ini dibuka. Yang Anda ketik belum "
                 "tersimpan dan masih ada di kotak isian di bawah; isian yang tersimpan sekarang ditampilkan di "
                 "atasnya. Tekan Simpan draf untuk menyimpan ketikan Anda menggantikannya.")
CONFLICT_LIVE = ("Tugas ini sudah diubah di tab atau perangkat lain. Yang Anda ketik belum tersimpan dan masih ada di "
                 "kotak isian; pilih mana yang dipakai.")
OUTCOME_LABELS = {"revision": "Dikembalikan untuk revisi", "passed": "Lulus", "failed": "Belum lulus"}


def takes_caption(assignment: Assignment) -> bool:
    """Tell whether the text handed in is a caption (Cek Caption beside it): "caption" in its id or title."""
    return assignment.accepts_kind("text") and "caption" in f"{assignment.slug} {assignment.title}".lower()


def links_text(links: Sequence[str] | None) -> str:
    return "\n".join(links or [])


def read_links(raw: str) -> list[str]:
    """Return the links of a textarea, one per line (blank lines dropped)."""
    return [line.strip() for line in raw.replace("\r", "").split("\n") if line.strip()]


def link_warnings(links: Sequence[str]) -> list[str]:
    """Return why each refused link would be refused at hand-in (a draft keeps them meanwhile)."""
    return [p for p in (services.link_problem(link) for link in links) if p]


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of the rubric with the level the trainer chose (None: none) and their comment."""

    criterion: dict[str, Any]
    level: int | None
    comment: str

    @property
    def chosen(self) -> dict[str, Any] | None:
        levels = self.criterion.get("levels") or []
        return levels[self.level] if self.level is not None and self.level < len(levels) else None


@dataclass(frozen=True)
class ReviewResult:
    """A decided review of one round, as the participant reads it."""

    round: int
    outcome: str
    score: int | None
    maximum: int
    overall: str
    criteria: list[CriterionResult]
    decided_at: datetime | None

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def review_result(assignment: Assignment, item: Review) -> ReviewResult:
    rubric = item.rubric or assignment.rubric
    criteria = [CriterionResult(c, (item.levels or {}).get(str(c["id"])), (item.comments or {}).get(str(c["id"]), ""))
                for c in rubric]
    return ReviewResult(item.round, item.outcome or "", item.score, assignment.max_points, item.overall_comment,
                        criteria, item.decided_at)


@dataclass(frozen=True)
class TaskPage(services.WithSubmission):
    """Everything the hand-in page shows of one participant's task."""

    training: Training
    assignment: Assignment
    submission: Submission | None
    due: datetime | None
    now: datetime
    results: list[ReviewResult] = field(default_factory=list)

    @property
    def version(self) -> int:
        """The version the page's forms name; 0 stands for "no submission yet" (another tab may create one)."""
        return self.submission.version if self.submission else 0

    @property
    def editable(self) -> bool:
        return self.status == "missing" or self.status in states.EDITABLE

    @property
    def files(self) -> list[SubmissionFile]:
        return services.current_files(self.submission) if self.submission else []

    @property
    def images(self) -> int:
        return sum(f.kind == "image" for f in self.files)

    @property
    def pdfs(self) -> int:
        return sum(f.kind == "pdf" for f in self.files)

    @property
    def past_due(self) -> bool:
        return self.due is not None and self.now > self.due

    @property
    def refused_late(self) -> bool:
        """A first hand-in after the due time is refused for this assignment."""
        return self.past_due and not self.assignment.accept_late and self.status in {"missing", "draft", "withdrawn"}

    @property
    def can_withdraw(self) -> bool:
        return self.submission is not None and states.allowed("withdraw", self.status)

    @property
    def submit_label(self) -> str:
        return "Kumpulkan revisi" if self.status == "revision_requested" else "Kumpulkan"

    @property
    def revisions_left(self) -> int:
        return review.revisions_left(self.submission) if self.submission else self.assignment.max_revisions

    @property
    def latest(self) -> ReviewResult | None:
        return self.results[-1] if self.results else None

    @property
    def caption(self) -> bool:
        return takes_caption(self.assignment)

    @property
    def text(self) -> str:
        return self.submission.text if self.submission else ""

    @property
    def links(self) -> list[str]:
        return list(self.submission.links or []) if self.submission else []


def task_page(user: User, training: Training, assignment: Assignment, now: datetime) -> TaskPage:
    """Return the participant's page of one task (no draft is created: a GET writes nothing)."""
    submission = services.submission_of(user, training, assignment)
    results = [review_result(assignment, r) for r in (submission.reviews if submission else [])
               if r.outcome is not None]
    return TaskPage(training, assignment, submission, services.due_at(assignment, training), now, results)


def open_draft(user: User, training: Training, assignment: Assignment, seen: int | None,
               now: datetime) -> Submission:
    """Return the submission to write to, creating the draft; a page that saw none (0) while another tab
    has made one since gets SubmissionConflict."""
    found = services.submission_of(user, training, assignment)
    if found is not None and seen == 0:
        raise services.SubmissionConflict(services.CONFLICT)
    return found if found is not None else services.start(user, training, assignment, now)


@dataclass(frozen=True)
class TaskRow:
    """A row of "Tugas saya": the task and whether it is past its due time unsent."""

    task: services.Task
    now: datetime

    @property
    def status(self) -> str:
        return self.task.status

    @property
    def status_label(self) -> str:
        return self.task.status_label

    @property
    def overdue(self) -> bool:
        return self.task.overdue(self.now)

    @property
    def refused(self) -> bool:
        return self.overdue and not self.task.assignment.accept_late


def task_rows(user: User, now: datetime, trainings_: Sequence[Training] | None = None) -> list[TaskRow]:
    """Return the participant's tasks, those still to do first (the earliest due first), then the rest."""
    rows = [TaskRow(t, now) for t in services.tasks_for(user, trainings_)]
    todo = {"missing", "draft", "withdrawn", "revision_requested"}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda r: (r.status not in todo, r.task.due or far, r.task.training.id,
                                       r.task.assignment.position))
