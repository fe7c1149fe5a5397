"""Every figure of one training's dashboard, gathered in a bounded number of queries.

The number of queries does not grow with the participants: each service used reads all of them at
once (attendance, quiz scores, modules, assignments, evaluations, certificates).

Normalised gain (Hake): g = (post - pre) / (100 - pre) for one participant who took both tests;
negative when the post-test is lower. For a pre-test of 100 it is undefined (nothing left to gain):
that participant is listed with no gain and left out of the mean gain, which is the mean of the
participants' own g.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.assignments import services as assignments
from lms.assignments import states as assignment_states
from lms.assignments.models import Assignment
from lms.attendance import services as attendance
from lms.attendance.models import STATUS_LABELS, AttendanceRecord, AttendanceSession
from lms.certificates import eligibility
from lms.certificates import services as certificates
from lms.courses import services as courses
from lms.courses.models import Course
from lms.evaluations import services as evaluations
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.models import Quiz
from lms.trainings import scope
from lms.trainings.models import Training

NO_AGENCY = "Tanpa OPD"
NOT_RECORDED = "belum"
# Per session: the statuses in this order, then participants with no record yet.
SESSION_STATUSES = (*STATUS_LABELS, NOT_RECORDED)
SESSION_LABELS = {**STATUS_LABELS, NOT_RECORDED: "Belum tercatat"}
BIN_WIDTH = 10


@dataclass(frozen=True)
class SessionCounts:
    label: str
    day: date
    counts: dict[str, int]  # status (SESSION_STATUSES) -> participants

    @property
    def present(self) -> int:
        return self.counts.get("hadir", 0) + self.counts.get("terlambat", 0)


@dataclass(frozen=True)
class Bin:
    """Participants whose attendance % is from low up to (not including) high; the last bin includes 100."""

    low: Fraction
    high: Fraction
    count: int
    meets: bool  # the bin starts at or above the training's minimum


@dataclass(frozen=True)
class ScorePair:
    user_id: int
    name: str
    agency: str
    pre: Fraction
    post: Fraction
    gain: Fraction | None  # None when the pre-test was 100


@dataclass(frozen=True)
class Scores:
    has_pretest: bool
    has_posttest: bool
    pre_taken: int
    post_taken: int
    mean_pre: Fraction | None  # everyone who took the pre-test
    mean_post: Fraction | None  # everyone who took the post-test
    pairs: list[ScorePair]  # who took both, by name
    paired_mean_pre: Fraction | None
    paired_mean_post: Fraction | None
    mean_gain: Fraction | None  # over pairs with a defined gain
    gain_undefined: int  # pairs left out of mean_gain (pre-test 100)

    @property
    def improved(self) -> int:
        return sum(1 for p in self.pairs if p.post > p.pre)

    @property
    def declined(self) -> int:
        return sum(1 for p in self.pairs if p.post < p.pre)


@dataclass(frozen=True)
class AgencyRow:
    name: str
    participants: int
    mean_attendance: Fraction | None
    mean_pre: Fraction | None
    mean_post: Fraction | None


@dataclass(frozen=True)
class CourseCompletion:
    title: str
    completed: int
    participants: int

    @property
    def percent(self) -> Fraction | None:
        return Fraction(100 * self.completed, self.participants) if self.participants else None


@dataclass(frozen=True)
class AssignmentCounts:
    title: str
    required: bool
    counts: dict[str, int]  # the review queue's filter groups (assignment states.FILTERS) -> participants


@dataclass(frozen=True)
class EvaluationItem:
    text: str
    responses: int
    mean: float | None


@dataclass(frozen=True)
class EvaluationTarget:
    label: str
    about_training: bool  # the organiser's questionnaire (else a narasumber)
    responses: int
    shown: bool  # aggregates visible to this viewer (trainers: from MIN_RESPONSES answers)
    scale: int
    items: list[EvaluationItem] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        means = [i.mean for i in self.items if i.mean is not None]
        return sum(means) / len(means) if means else None


@dataclass(frozen=True)
class CertificateCounts:
    issued: int
    revoked: int  # participants whose latest certificate was revoked and not replaced
    eligible: int  # may be issued now (eligible or overridden), not issued yet
    not_eligible: int


@dataclass(frozen=True)
class TrainingFacts:
    participants: int
    sessions: list[SessionCounts]
    min_attendance: int
    attendance: dict[int, Fraction]  # user id -> attendance %
    mean_attendance: Fraction | None
    meeting_minimum: int
    bins: list[Bin]
    scores: Scores
    agencies: list[AgencyRow]
    courses: list[CourseCompletion]
    assignments: list[AssignmentCounts]
    evaluations: list[EvaluationTarget]
    certificates: CertificateCounts

    @property
    def satisfaction(self) -> EvaluationTarget | None:
        """Return the organiser's evaluation when its aggregates can be shown."""
        return next((t for t in self.evaluations if t.about_training and t.shown and t.mean is not None), None)

    @property
    def assignments_passed(self) -> tuple[int, int]:
        """Return (passed, expected) hand-ins over the required assignments (all when none is required)."""
        chosen = [a for a in self.assignments if a.required] or self.assignments
        return sum(a.counts.get("passed", 0) for a in chosen), self.participants * len(chosen)


def training_facts(training: Training, now: datetime, viewer: User) -> TrainingFacts:
    """Return the dashboard's figures of a training as they stand at `now`, for this viewer."""
    people = [(row[0], row[1], row[2] or NO_AGENCY) for row in db.session.execute(scope.participant_rows(training))]
    ids = [uid for uid, _, _ in people]
    sessions = attendance.sessions_of(training)
    percent = attendance.percentages_of(training, ids) if ids else {}
    present = [percent[uid] for uid in ids] if sessions else []
    pre = _percents(_final_scores(training, training.pretest, ids, now))
    post_finals = _final_scores(training, training.posttest, ids, now)
    post = _percents(post_finals)
    minimum = training.min_attendance_percent
    course_list = list(training.courses)
    done = courses.completed_course_ids(ids, [c.id for c in course_list]) if ids and course_list else {}
    offered = assignments.offered(training)
    statuses = assignments.statuses(training, offered, ids)
    # Certificate eligibility is judged on the facts read above (attendance, post-test, modules,
    # assignments), not gathered a second time.
    required = [a for a in offered if a.required]
    eligible = certificates.facts_of(ids, percent, post_finals, done, statuses)
    return TrainingFacts(
        len(ids), _session_counts(sessions, len(ids)), minimum, percent if sessions else {},
        _mean(present), sum(1 for p in present if p >= minimum), bins(present, minimum) if present else [],
        _scores(training, people, pre, post), _agencies(people, percent if sessions else {}, pre, post),
        _courses(course_list, ids, done), _assignments(offered, ids, statuses), _evaluations(viewer, training),
        _certificates(training, eligible, required))


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    """Return the exact mean, summed over one common denominator (the values share a few): pure.

    Adding Fractions one by one reduces by a gcd at every step; with a few hundred values that
    was a tenth of the dashboard's time.
    """
    if not values:
        return None
    common = math.lcm(*{v.denominator for v in values})
    return Fraction(sum(v.numerator * (common // v.denominator) for v in values), common * len(values))


def bins(values: Sequence[Fraction], minimum: int, width: int = BIN_WIDTH) -> list[Bin]:
    """Return counts of values in bins of `width` from 0 to 100, the minimum being one more edge: pure."""
    edges = sorted({Fraction(e) for e in range(0, 101, width)} | {Fraction(max(0, min(minimum, 100)))})
    counts = [0] * (len(edges) - 1)
    for value in values:  # the bin whose high edge is the first above the value; 100 and more: the last
        counts[min(bisect_right(edges, value) - 1, len(counts) - 1) if value >= edges[0] else 0] += 1
    return [Bin(edges[i], edges[i + 1], counts[i], edges[i] >= minimum) for i in range(len(counts))]


def _session_counts(sessions: Sequence[AttendanceSession], participants: int) -> list[SessionCounts]:
    if not sessions:
        return []
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for session_id, status, count in db.session.execute(
            select(AttendanceRecord.session_id, AttendanceRecord.status, func.count(AttendanceRecord.id))
            .where(AttendanceRecord.session_id.in_([s.id for s in sessions]))
            .group_by(AttendanceRecord.session_id, AttendanceRecord.status)):
        found[session_id][status] = count
    out = []
    for session in sessions:
        counts = {status: found[session.id].get(status, 0) for status in STATUS_LABELS}
        counts[NOT_RECORDED] = max(0, participants - sum(counts.values()))
        out.append(SessionCounts(session.label, session.day, counts))
    return out


def _final_scores(training: Training, quiz: Quiz | None, ids: Sequence[int], now: datetime
                  ) -> dict[int, quizzes.FinalScore]:
    if quiz is None or not ids:
        return {}
    rules = quizzes.rules_of(quizzes.current_version(quiz))
    return quizzes.final_scores(quiz, rules, now, ids, scope.quiz_context(training, quiz))


def _percents(finals: dict[int, quizzes.FinalScore]) -> dict[int, Fraction]:
    return {uid: final.percent for uid, final in finals.items() if final.percent is not None}


def gain(pre: Fraction, post: Fraction) -> Fraction | None:
    """Return Hake's normalised gain (post - pre) / (100 - pre); None for a pre-test of 100: pure."""
    return None if pre >= 100 else (post - pre) / (100 - pre)


def _scores(training: Training, people: Sequence[tuple[int, str, str]], pre: dict[int, Fraction],
            post: dict[int, Fraction]) -> Scores:
    pairs = [ScorePair(uid, name, agency, pre[uid], post[uid], gain(pre[uid], post[uid]))
             for uid, name, agency in people if uid in pre and uid in post]
    gains = [p.gain for p in pairs if p.gain is not None]
    return Scores(training.pretest is not None, training.posttest is not None, len(pre), len(post),
                  _mean(list(pre.values())), _mean(list(post.values())), pairs,
                  _mean([p.pre for p in pairs]), _mean([p.post for p in pairs]), _mean(gains),
                  len(pairs) - len(gains))


def _agencies(people: Sequence[tuple[int, str, str]], percent: dict[int, Fraction], pre: dict[int, Fraction],
              post: dict[int, Fraction]) -> list[AgencyRow]:
    groups: dict[str, list[int]] = defaultdict(list)
    for uid, _, agency in people:
        groups[agency].append(uid)
    rows = [AgencyRow(name, len(uids), _mean([percent[u] for u in uids if u in percent]),
                      _mean([pre[u] for u in uids if u in pre]), _mean([post[u] for u in uids if u in post]))
            for name, uids in groups.items()]
    return sorted(rows, key=lambda r: (-r.participants, r.name))


def _courses(course_list: Sequence[Course], ids: Sequence[int], done: dict[int, set[int]]) -> list[CourseCompletion]:
    return [CourseCompletion(c.title, sum(1 for s in done.values() if c.id in s), len(ids)) for c in course_list]


def _assignments(offered: Sequence[Assignment], ids: Sequence[int], found: dict[int, dict[int, str]]
                 ) -> list[AssignmentCounts]:
    group_of = {state: key for key, (_, members) in assignment_states.FILTERS.items() for state in members}
    out = []
    for assignment in offered:
        counts = Counter({key: 0 for key in assignment_states.FILTERS})
        for uid in ids:
            counts[group_of.get(found.get(uid, {}).get(assignment.id, "missing"), "missing")] += 1
        out.append(AssignmentCounts(assignment.title, assignment.required, dict(counts)))
    return out


def _evaluations(viewer: User, training: Training) -> list[EvaluationTarget]:
    out = []
    for result in evaluations.results(viewer, training):
        qdef = result.target.questionnaire
        items = [EvaluationItem(i.text, i.count, i.mean) for i in result.items]
        out.append(EvaluationTarget(result.target.label, result.target.key == "kegiatan", result.responses,
                                    bool(result.items) and (result.shown or viewer.has_role(Role.ADMIN)),
                                    qdef.scale, items))
    return out


def _certificates(training: Training, facts: dict[int, eligibility.Facts], required: Sequence[Assignment]
                  ) -> CertificateCounts:
    counts = certificates.state_counts(training, facts, required)
    return CertificateCounts(counts.issued, counts.revoked, counts.ready, counts.not_eligible)
