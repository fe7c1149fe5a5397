"""The quiz catalog: sync from quizzes/, versions and their decoded settings and questions."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.contentfiles import SyncReport, sync_rows
from lms.extensions import db
from lms.quizzes.definitions import QuizDefinition
from lms.quizzes.models import Quiz, QuizVersion
from lms.quizzes.questions.codec import (
    question_from_snapshot,
    question_to_snapshot,
    settings_from_json,
    settings_to_json,
)
from lms.quizzes.questions.model import Question, QuizSettings


def sync_quizzes(definitions: Sequence[QuizDefinition], now: datetime) -> SyncReport:
    """Upsert quizzes; a changed quiz gets a new version, running attempts keep theirs."""
    def create(definition: QuizDefinition) -> Quiz:
        quiz = Quiz(slug=definition.slug, version_number=0)
        db.session.add(quiz)
        return quiz

    def retire(quiz: Quiz) -> None:
        quiz.retired_at = now

    existing = {q.slug: q for q in db.session.scalars(select(Quiz))}
    report = sync_rows(existing, definitions, create, lambda q, d: _apply_quiz(q, d, now), retire)
    db.session.flush()
    return report


def _apply_quiz(quiz: Quiz, definition: QuizDefinition, now: datetime) -> None:
    settings = definition.settings
    quiz.title, quiz.kind, quiz.course_slug = settings.title, settings.kind, settings.course
    quiz.pretest_slug, quiz.synced_at, quiz.retired_at = settings.pretest, now, None
    if quiz.content_hash != definition.content_hash:
        db.session.flush()
        quiz.version_number += 1
        quiz.content_hash = definition.content_hash
        db.session.add(QuizVersion(quiz_id=quiz.id, number=quiz.version_number, created_at=now,
                                   content_hash=definition.content_hash,
                                   settings=settings_to_json(settings),
                                   questions=[question_to_snapshot(q)
                                              for q in definition.questions]))


def current_version(quiz: Quiz) -> QuizVersion:
    version = db.session.scalars(select(QuizVersion).where(
        QuizVersion.quiz_id == quiz.id, QuizVersion.number == quiz.version_number)).one()
    if version.content_hash == quiz.content_hash:  # see current_content
        with _decoded_lock:
            if len(_current_ids) >= DECODED_VERSIONS_MAX:
                _current_ids.clear()
            _current_ids[(quiz.id, quiz.version_number, quiz.content_hash)] = version.id
    return version


@dataclass(frozen=True)
class VersionContent:
    """A quiz version's settings and questions, decoded (immutable, shared by every request)."""

    settings: QuizSettings
    questions: tuple[Question, ...]


# Quiz versions never change once synced (a changed file makes a new version), so each process
# decodes one only once. Keyed by id and content hash: a reused id (an emptied database) with
# other content is decoded afresh. Bounded: old versions fall out as new ones are used.
DECODED_VERSIONS_MAX = 64
_decoded: OrderedDict[tuple[int, str], VersionContent] = OrderedDict()
_decoded_lock = threading.Lock()


def version_content(version: QuizVersion) -> VersionContent:
    """Return a version's decoded content, from this process's cache after the first request."""
    key = (version.id, version.content_hash)
    with _decoded_lock:
        found = _decoded.get(key)
        if found is not None:
            _decoded.move_to_end(key)
            return found
    # The JSON columns are deferred: they are read from the database only here, on a miss.
    content = VersionContent(settings_from_json(version.settings),
                             tuple(question_from_snapshot(q) for q in version.questions))
    with _decoded_lock:
        _decoded[key] = content
        while len(_decoded) > DECODED_VERSIONS_MAX:
            _decoded.popitem(last=False)
    return content


def forget_decoded_versions() -> None:
    """Empty this process's cache of decoded versions (tests that rewrite a version in place)."""
    with _decoded_lock:
        _decoded.clear()
        _current_ids.clear()


# Which version is a quiz's current one, by the quiz row's own version number and content hash
# (a sync changes both): a start needs only its id and decoded content, not the version's row.
_current_ids: dict[tuple[int, int, str], int] = {}


def current_content(quiz: Quiz) -> tuple[int, VersionContent]:
    """Return the id and decoded content of the quiz's current version (no query once cached)."""
    key = (quiz.id, quiz.version_number, quiz.content_hash)
    with _decoded_lock:
        version_id = _current_ids.get(key)
        if version_id is not None:
            found = _decoded.get((version_id, quiz.content_hash))
            if found is not None:
                _decoded.move_to_end((version_id, quiz.content_hash))
                return version_id, found
    version = current_version(quiz)  # remembers the id for the next time
    return version.id, version_content(version)


def rules_of(version: QuizVersion) -> QuizSettings:
    """Return a version's settings, decoded."""
    return version_content(version).settings


def version_questions(version: QuizVersion) -> list[Question]:
    """Return a version's questions, decoded."""
    return list(version_content(version).questions)


def get_quiz(slug: str) -> Quiz | None:
    return db.session.scalars(select(Quiz).where(Quiz.slug == slug,
                                                 Quiz.retired_at.is_(None))).first()


def list_quizzes(kinds: Iterable[str] | None = None,
                 course_slug: str | None = None) -> list[Quiz]:
    query = select(Quiz).where(Quiz.retired_at.is_(None))
    if kinds is not None:
        query = query.where(Quiz.kind.in_(list(kinds)))
    if course_slug is not None:
        query = query.where(Quiz.course_slug == course_slug)
    order = {"pretest": 0, "practice": 1, "posttest": 2}
    return sorted(db.session.scalars(query), key=lambda q: (order.get(q.kind, 9), q.title))
