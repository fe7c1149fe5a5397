"""Export one training with everything it owns to a bundle file (lms.bundles.archive)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select

from lms.accounts.models import Institution, User
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.backup import code_revisions
from lms.bundles import codec
from lms.bundles.archive import FORMAT, FORMAT_VERSION, BundleWriter
from lms.bundles.kinds import AUDIT_DETAIL_REFS, AUDIT_OBJECTS, BY_NAME, KINDS, Kind, reference_of
from lms.bundles.scope import owned
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion
from lms.trainings.models import Training, training_courses, training_trainers

USER_KEY = re.compile(r"u\d+")
# Columns the export reads before writing (the Rows kept for linking); the others are streamed.
_LIGHT_EXTRA = {"trainings": ("signature_sha256",), "audit_events": ("object_type", "object_id", "details")}
STREAM_BATCH = 500
# Kinds that travel because rows of the training point to them, not because the training owns them.
_REFERENCED = ("users", "agencies", "audit_events")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    counts: dict[str, int]


def app_version() -> str:
    try:
        return metadata.version("bimtek-lms")
    except metadata.PackageNotFoundError:  # pragma: no cover - a checkout without the install
        return "0"


def export_training(training: Training, output: Path, now: datetime, actor: User | None) -> ExportResult:
    """Write the training's bundle to output (through a temporary file beside it) and audit the export."""
    collected = _Collected(training)
    collected.gather()
    handle, temporary = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=output.parent)
    try:
        with os.fdopen(handle, "wb") as target:
            writer = BundleWriter(target)
            counts = collected.write(writer)
            writer.finish(_manifest(training, now, counts, collected.catalog))
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    audit.record(actor, "bundle.export", "training", training.id, {"counts": counts}, now)
    return ExportResult(output, output.stat().st_size, counts)


def _manifest(training: Training, now: datetime, counts: dict[str, int], catalog: dict[str, Any]) -> dict[str, Any]:
    institution = db.session.get(Institution, training.institution_id)
    assert institution is not None
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": code_revisions()[0],
        "app_version": app_version(), "created_at": codec.encode(now),
        "institution": {"uuid": institution.uuid, "name": institution.name, "city": institution.city},
        "training": {"uuid": training.uuid, "slug": training.slug, "title": training.title},
        "counts": counts,
        "catalog": {"courses": catalog["courses"], "quizzes": catalog["quizzes"]},
    }


class _Collected:
    """The rows of one training, their ids mapped to the keys that travel (UUIDs and slugs)."""

    def __init__(self, training: Training) -> None:
        self.training = training
        self.rows: dict[str, list[Row[Any]]] = {}
        self.keys: dict[str, dict[Any, str]] = {}  # kind or catalog type → local id → travelling key
        self.catalog: dict[str, Any] = {}

    def gather(self) -> None:
        for kind in KINDS:
            if kind.name not in _REFERENCED:
                self._load(kind, owned(kind, self.training.id))
        self._load_audit()
        users = self._referenced("users") | self._trainer_ids() | self._target_users()
        self._load(BY_NAME["users"], BY_NAME["users"].table.c.id.in_(users))
        self._load(BY_NAME["agencies"], BY_NAME["agencies"].table.c.id.in_(self._referenced("agencies")))
        self._catalog()

    def _load(self, kind: Kind, condition: Any) -> None:
        """Load what links the rows (ids, identities, references); the rest is streamed when written."""
        table = kind.table
        light = {"id", kind.identity, *kind.user_keyed, *_LIGHT_EXTRA.get(kind.name, ())}
        columns = [c for c in table.c if not codec.is_binary(c) and (c.foreign_keys or c.name in light)]
        rows = list(db.session.execute(select(*columns).where(condition).order_by(table.c.id)))
        self.rows[kind.name] = rows
        self.keys[kind.name] = {row.id: getattr(row, kind.identity) for row in rows}

    def _load_audit(self) -> None:
        table = AuditEvent.__table__
        conditions = [(table.c.object_type == object_type) & table.c.object_id.in_([str(i) for i in self.keys[name]])
                      for object_type, name in AUDIT_OBJECTS.items() if self.keys.get(name)]
        sessions = [str(i) for i in self.keys["attendance_sessions"]]
        rows: list[Row[Any]] = []
        for condition in conditions:
            rows.extend(db.session.execute(select(table).where(condition)))
        if sessions:
            cells = db.session.execute(select(table).where(table.c.object_type == "attendance_cell"))
            rows.extend(row for row in cells if row.object_id.split(":")[0] in sessions)
        rows.sort(key=lambda row: row.id)
        self.rows["audit_events"] = rows
        self.keys["audit_events"] = {row.id: row.uuid for row in rows}

    def _referenced(self, target: str) -> set[int]:
        found: set[int] = set()
        for name, rows in self.rows.items():
            kind = BY_NAME[name]
            for column in kind.table.c:
                if column.foreign_keys and reference_of(kind, column.name) == target:
                    found.update(getattr(row, column.name) for row in rows if getattr(row, column.name) is not None)
        if target == "users":
            for row in self.rows["audit_events"]:
                value = (row.details or {}).get("user_id")
                if isinstance(value, int):
                    found.add(value)
                if row.object_type == "attendance_cell":
                    found.add(int(row.object_id.split(":")[1]))
        return found

    def _target_users(self) -> set[int]:
        return {int(value[1:]) for name in ("evaluation_submissions", "evaluation_answers")
                for row in self.rows[name] if USER_KEY.fullmatch(value := row.target)}

    def _trainer_ids(self) -> set[int]:
        return set(db.session.scalars(select(training_trainers.c.user_id).where(
            training_trainers.c.training_id == self.training.id)))

    def _catalog(self) -> None:
        course_ids = list(db.session.scalars(select(training_courses.c.course_id).where(
            training_courses.c.training_id == self.training.id)))
        courses = list(db.session.scalars(select(Course).where(Course.id.in_(course_ids))))
        quiz_ids = {row.quiz_id for row in self.rows["attempts"]} | {
            i for i in (self.training.pretest_id, self.training.posttest_id) if i}
        quizzes = list(db.session.scalars(select(Quiz).where(Quiz.id.in_(quiz_ids))))
        self.keys["course"] = {c.id: c.slug for c in courses}
        self.keys["quiz"] = {q.id: q.slug for q in quizzes}
        version_ids = {row.version_id for row in self.rows["attempts"]}
        self.versions = list(db.session.scalars(select(QuizVersion).where(QuizVersion.id.in_(version_ids))))
        self.keys["quiz_version"] = {v.id: f"{self.keys['quiz'][v.quiz_id]}@{v.content_hash}" for v in self.versions}
        lesson_ids = {row.lesson_id for row in self.rows["lesson_progress"]}
        lessons = db.session.execute(select(Lesson.id, Lesson.slug, Course.slug.label("course")).join(Course)
                                     .where(Lesson.id.in_(lesson_ids)))
        self.keys["lesson"] = {row.id: f"{row.course}/{row.slug}" for row in lessons}
        self.catalog = {"courses": {c.slug: c.content_hash for c in courses},
                        "quizzes": {q.slug: q.content_hash for q in quizzes}}

    # ------------------------------------------------------------ writing

    def write(self, writer: BundleWriter) -> dict[str, int]:
        counts: dict[str, int] = {}
        writer.add_lines("quiz_versions.jsonl", self._versions())
        for kind in KINDS:
            counts[kind.name] = writer.add_lines(f"{kind.name}.jsonl", self._encoded(kind))
            for column in kind.table.c:
                if codec.is_binary(column):
                    self._write_files(writer, kind, column.name)
        return counts

    def _versions(self) -> Iterator[dict[str, Any]]:
        for version in self.versions:
            yield {"key": self.keys["quiz_version"][version.id], "quiz": self.keys["quiz"][version.quiz_id],
                   "number": version.number, "content_hash": version.content_hash, "settings": version.settings,
                   "questions": version.questions, "created_at": codec.encode(version.created_at)}

    def _encoded(self, kind: Kind) -> Iterator[dict[str, Any]]:
        """Yield the kind's rows encoded, read again a batch at a time with every column but files."""
        table = kind.table
        columns = [c for c in table.c if not codec.is_binary(c)]
        ids = [row.id for row in self.rows[kind.name]]
        for start in range(0, len(ids), STREAM_BATCH):
            batch = db.session.execute(select(*columns).where(table.c.id.in_(ids[start:start + STREAM_BATCH]))
                                       .order_by(table.c.id))
            for row in batch:
                yield self.encode_row(kind, row)

    def encode_row(self, kind: Kind, row: Row[Any]) -> dict[str, Any]:
        values = row._mapping
        out: dict[str, Any] = {}
        for column in kind.table.c:
            name = column.name
            if name in kind.skip or (name == "id" and kind.identity != "id"):
                continue
            if codec.is_binary(column):
                out[name] = self._member(kind, row, name) if self._has_file(kind, row, name) else None
                continue
            value = values[name]
            if column.foreign_keys and value is not None:
                target = reference_of(kind, name)
                out[name] = self.keys[target or ""][value]
            elif name in kind.user_keyed and isinstance(value, str) and USER_KEY.fullmatch(value):
                out[name] = f"user:{self.keys['users'][int(value[1:])]}"
            elif name in kind.scoped and isinstance(value, str):
                out[name] = value.replace(f"training:{self.training.id}", f"training:{self.training.uuid}")
            else:
                out[name] = codec.encode(value)
        self._extras(kind, row, out)
        return out

    def _extras(self, kind: Kind, row: Row[Any], out: dict[str, Any]) -> None:
        if kind.name == "trainings":
            out["_courses"] = sorted(self.keys["course"].values())
            out["_trainers"] = sorted(self.keys["users"][i] for i in self._trainer_ids())
        elif kind.name == "audit_events":
            out["object_id"] = self._audit_object(row)
            out["_details_refs"] = {key: self.keys[target][value] for key, target in AUDIT_DETAIL_REFS.items()
                                    if isinstance(value := (row.details or {}).get(key), int)
                                    and value in self.keys.get(target, {})}

    def _audit_object(self, row: Row[Any]) -> str:
        if row.object_type == "attendance_cell":
            session_id, user_id = (int(part) for part in row.object_id.split(":"))
            return f"{self.keys['attendance_sessions'][session_id]}:{self.keys['users'][user_id]}"
        return self.keys[AUDIT_OBJECTS[row.object_type]][int(row.object_id)]

    def _has_file(self, kind: Kind, row: Row[Any], name: str) -> bool:
        # Rows without a stored file (a training without a signature image) keep None.
        if kind.name == "trainings":
            return bool(row.signature_sha256)
        return True

    @staticmethod
    def _member(kind: Kind, row: Row[Any], name: str) -> str:
        return f"files/{kind.name}/{getattr(row, kind.identity)}.{name}"

    def _write_files(self, writer: BundleWriter, kind: Kind, name: str) -> None:
        table = kind.table
        ids = [row.id for row in self.rows[kind.name] if self._has_file(kind, row, name)]
        for start in range(0, len(ids), 50):  # a batch at a time: memory stays flat with many photos
            batch = db.session.execute(select(table.c.id, getattr(table.c, kind.identity), table.c[name])
                                       .where(table.c.id.in_(ids[start:start + 50])).order_by(table.c.id))
            for row in batch:
                data = row[2]
                if data is not None:
                    writer.add_bytes(f"files/{kind.name}/{row[1]}.{name}", bytes(data))
