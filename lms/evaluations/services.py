"""Evaluation use cases: what a participant still has to answer, submitting, and the results.

Results are aggregates only. A trainer sees their own narasumber results and nothing below
MIN_RESPONSES; an admin sees every aggregate and the free texts, which never carry a name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.dates import format_date, local_date
from lms.errors import NotAllowed, Problems
from lms.evaluations.models import EvaluationAnswer, EvaluationSubmission
from lms.evaluations.questionnaires import Questionnaire, available
from lms.extensions import db
from lms.trainings import scope
from lms.trainings.models import Training

MIN_RESPONSES = 5
MAX_TEXT = 2000
TRAINING_TARGET = "kegiatan"
BELOW_THRESHOLD = f"Hasil ditampilkan setelah minimal {MIN_RESPONSES} tanggapan"


@dataclass(frozen=True)
class Target:
    """One questionnaire to answer for one subject: the training, or one narasumber."""

    questionnaire: Questionnaire
    key: str  # "kegiatan", "u<user id>" for a trainer account, "g:<name>" for a guest speaker
    label: str
    topics: tuple[str, ...] = ()
    trainer_id: int | None = None


def questionnaires() -> list[Questionnaire]:
    return available(Path(current_app.config["QUIZZES_DIR"]))


def targets(training: Training, found: Iterable[Questionnaire] | None = None) -> list[Target]:
    """Every evaluation of a training: each training questionnaire once, each narasumber one once per speaker."""
    result: list[Target] = []
    speakers: dict[str, tuple[str, list[str], int | None]] = {}
    for item in training.agenda:
        name = item.trainer_label.strip()
        if item.trainer_id is None and not name:
            continue
        key = f"u{item.trainer_id}" if item.trainer_id is not None else f"g:{name}"[:220]
        label, topics, trainer_id = speakers.setdefault(key, (name, [], item.trainer_id))
        if item.topic not in topics:
            topics.append(item.topic)
    for questionnaire in (questionnaires() if found is None else found):
        if questionnaire.target == "training":
            result.append(Target(questionnaire, TRAINING_TARGET, training.title))
        else:
            result += [Target(questionnaire, key, label, tuple(topics), trainer_id)
                       for key, (label, topics, trainer_id) in speakers.items()]
    return result


def find_target(training: Training, slug: str, key: str) -> Target | None:
    return next((t for t in targets(training) if t.questionnaire.slug == slug and t.key == key), None)


# ---------------------------------------------------------------- the window


def window(training: Training) -> tuple[date, date]:
    """From the training's last day until evaluation_days after it (local dates, inclusive)."""
    return training.end_date, training.end_date + timedelta(days=training.evaluation_days)


def is_open(training: Training, now: datetime) -> bool:
    first, last = window(training)
    return training.status != "draft" and first <= local_date(now, training.time_zone) <= last


# ---------------------------------------------------------------- a participant


def submitted_keys(user: User, training: Training) -> set[tuple[str, str]]:
    return {(q, t) for q, t in db.session.execute(
        select(EvaluationSubmission.questionnaire, EvaluationSubmission.target).where(
            EvaluationSubmission.training_id == training.id, EvaluationSubmission.user_id == user.id))}


@dataclass
class ParticipantEvaluations:
    targets: list[Target]
    done: set[tuple[str, str]]
    open: bool
    first: date
    last: date

    @property
    def pending(self) -> list[Target]:
        return [t for t in self.targets if (t.questionnaire.slug, t.key) not in self.done]


def for_participant(user: User, training: Training, now: datetime) -> ParticipantEvaluations:
    first, last = window(training)
    return ParticipantEvaluations(targets(training), submitted_keys(user, training), is_open(training, now),
                                  first, last)


def open_for_participant(user: User, trainings: Iterable[Training], now: datetime) -> list[tuple[Training, int]]:
    """The trainings whose evaluation window is open, with how many evaluations this user still owes."""
    result = []
    for training in trainings:
        if is_open(training, now):
            done = submitted_keys(user, training)
            owed = sum(1 for t in targets(training) if (t.questionnaire.slug, t.key) not in done)
            if owed:
                result.append((training, owed))
    return result


def missing_for_certificate(user: User, training: Training) -> list[Target]:
    """The evaluations a participant still owes before downloading this training's certificate."""
    if not training.require_evaluation:
        return []
    done = submitted_keys(user, training)
    return [t for t in targets(training) if (t.questionnaire.slug, t.key) not in done]


def certificate_block_reason(user: User, training: Training) -> str | None:
    missing = missing_for_certificate(user, training)
    if not missing:
        return None
    return (f"Isi dahulu evaluasi kegiatan ({len(missing)} belum diisi): sertifikat kegiatan ini "
            "dapat diunduh setelah semua evaluasi diisi.")


def certificate_blocks(user: User, training_ids: Iterable[int]) -> dict[int, str]:
    """For the certificate page: training id -> why its download waits, for the trainings that require it."""
    ids = set(training_ids)
    if not ids:
        return {}
    gated = db.session.scalars(select(Training).where(Training.id.in_(ids), Training.require_evaluation.is_(True)))
    return {t.id: reason for t in gated if (reason := certificate_block_reason(user, t))}


def submit(user: User, training: Training, slug: str, key: str, form: Mapping[str, str], now: datetime) -> Target:
    """Record one participant's answers for one target, anonymously. Raises with what is wrong."""
    if not scope.is_enrolled(user, training) or training.status == "draft":
        raise NotAllowed("Anda bukan peserta kegiatan ini.")
    target = find_target(training, slug, key)
    if target is None:
        raise NotAllowed("Evaluasi ini tidak ada pada kegiatan ini.")
    first, last = window(training)
    if not is_open(training, now):
        raise NotAllowed(f"Evaluasi hanya dapat diisi dari {format_date(first)} sampai {format_date(last)}.")
    if (slug, key) in submitted_keys(user, training):
        raise NotAllowed("Anda sudah mengisi evaluasi ini. Setiap evaluasi hanya dapat diisi sekali.")
    record(training, user.id, target, _read_answers(target.questionnaire, form), local_date(now, training.time_zone))
    return target


def record(training: Training, user_id: int, target: Target, answers: Iterable[tuple[str, int | None, str]],
           on: date) -> None:
    """Store that user_id answered target (the day only) and, apart from it, the answers without them."""
    slug, key = target.questionnaire.slug, target.key
    db.session.add(EvaluationSubmission(training_id=training.id, user_id=user_id, questionnaire=slug, target=key,
                                        submitted_on=on))
    try:
        db.session.flush()
    except IntegrityError:  # the same person submitting twice at once
        db.session.rollback()
        raise NotAllowed("Anda sudah mengisi evaluasi ini. Setiap evaluasi hanya dapat diisi sekali.") from None
    for item_id, value, text in answers:
        db.session.add(EvaluationAnswer(training_id=training.id, questionnaire=slug, target=key, item_id=item_id,
                                        value=value, text=text))


def _read_answers(questionnaire: Questionnaire, form: Mapping[str, str]) -> list[tuple[str, int | None, str]]:
    problems = Problems()
    answers: list[tuple[str, int | None, str]] = []
    for number, item in enumerate(questionnaire.items, start=1):
        raw = (form.get(item.id) or "").strip()
        if item.type == "likert":
            if not raw:
                if item.required:
                    problems.add(f"Butir {number} ({item.text}): pilih salah satu nilai "
                                 f"1–{questionnaire.scale}.", item.id)
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= questionnaire.scale:
                problems.add(f"Butir {number} ({item.text}): nilai harus 1–{questionnaire.scale}.", item.id)
                continue
            answers.append((item.id, int(raw), ""))
        else:
            if len(raw) > MAX_TEXT:
                problems.add(f"Butir {number} ({item.text}): paling banyak {MAX_TEXT} karakter, "
                             f"tertulis {len(raw)}.", item.id)
                continue
            if not raw and item.required:
                problems.add(f"Butir {number} ({item.text}): wajib diisi.", item.id)
                continue
            if raw:
                answers.append((item.id, None, raw))
    problems.raise_any()
    return answers


# ---------------------------------------------------------------- results


@dataclass
class ItemResult:
    item_id: str
    text: str
    count: int
    mean: float | None
    distribution: list[int]  # how many answered 1, 2, ... scale


@dataclass
class TargetResult:
    target: Target
    responses: int
    items: list[ItemResult] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # item id -> texts (admin only)

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def visible_targets(viewer: User, training: Training) -> list[Target]:
    """Admins: every evaluation. A trainer of the training: their own narasumber evaluations only."""
    every = targets(training)
    if viewer.has_role(Role.ADMIN):
        return every
    if not scope.can_manage(viewer, training):
        raise NotAllowed("Anda tidak ditugaskan pada kegiatan ini.")
    return [t for t in every if t.trainer_id == viewer.id]


def results(viewer: User, training: Training) -> list[TargetResult]:
    """Aggregates per target and item, in three queries whatever the number of responses."""
    chosen = visible_targets(viewer, training)
    admin = viewer.has_role(Role.ADMIN)
    counts = dict(((q, t), n) for q, t, n in db.session.execute(
        select(EvaluationSubmission.questionnaire, EvaluationSubmission.target, func.count(EvaluationSubmission.id))
        .where(EvaluationSubmission.training_id == training.id)
        .group_by(EvaluationSubmission.questionnaire, EvaluationSubmission.target)))
    values: dict[tuple[str, str, str], dict[int, int]] = defaultdict(dict)
    for q, t, item, value, n in db.session.execute(
            select(EvaluationAnswer.questionnaire, EvaluationAnswer.target, EvaluationAnswer.item_id,
                   EvaluationAnswer.value, func.count(EvaluationAnswer.id))
            .where(EvaluationAnswer.training_id == training.id, EvaluationAnswer.value.is_not(None))
            .group_by(EvaluationAnswer.questionnaire, EvaluationAnswer.target, EvaluationAnswer.item_id,
                      EvaluationAnswer.value)):
        values[(q, t, item)][int(value)] = n  # type: ignore[arg-type]
    texts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    if admin:
        # Sorted by text, never by storage order, so the list does not follow the order of submitting.
        for q, t, item, text in db.session.execute(
                select(EvaluationAnswer.questionnaire, EvaluationAnswer.target, EvaluationAnswer.item_id,
                       EvaluationAnswer.text)
                .where(EvaluationAnswer.training_id == training.id, EvaluationAnswer.value.is_(None))
                .order_by(EvaluationAnswer.text)):
            texts[(q, t, item)].append(text)
    out: list[TargetResult] = []
    for target in chosen:
        qdef = target.questionnaire
        result = TargetResult(target, counts.get((qdef.slug, target.key), 0))
        if not admin and not result.shown:
            out.append(result)
            continue
        for likert in qdef.likert_items:
            by_value = values.get((qdef.slug, target.key, likert.id), {})
            distribution = [by_value.get(v, 0) for v in range(1, qdef.scale + 1)]
            count = sum(distribution)
            total = sum(v * n for v, n in zip(range(1, qdef.scale + 1), distribution, strict=True))
            mean = total / count if count else None
            result.items.append(ItemResult(likert.id, likert.text, count, mean, distribution))
        if admin:
            result.texts = {i.id: texts.get((qdef.slug, target.key, i.id), []) for i in qdef.items if i.type == "text"}
        out.append(result)
    return out


def not_submitted(viewer: User, training: Training) -> list[tuple[User, int]]:
    """Admins: enrolled participants with how many evaluations they still owe (names, never answers)."""
    if not viewer.has_role(Role.ADMIN):
        raise NotAllowed("Hanya admin yang melihat daftar ini.")
    total = len(targets(training))
    done = dict(db.session.execute(
        select(EvaluationSubmission.user_id, func.count(EvaluationSubmission.id))
        .where(EvaluationSubmission.training_id == training.id).group_by(EvaluationSubmission.user_id)).all())
    return [(user, total - done.get(user.id, 0)) for user in scope.participants(training)
            if total - done.get(user.id, 0) > 0]

