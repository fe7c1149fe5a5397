"""Shape quiz data for pages: cards, the attempt page, the review page, results."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any, Mapping, Optional, Sequence

from lms.accounts.models import User
from lms.numbers import decimal_text
from lms.quizzes import payload, services
from lms.quizzes.errors import InvalidAnswer, StaleAnswer, UnknownQuestion
from lms.quizzes.models import Attempt, Quiz
from lms.quizzes.rules import NO_CONTEXT, QuizContext, Rules, normalised_gain

KIND_LABELS = {"practice": "Latihan", "pretest": "Pre-test", "posttest": "Post-test"}
TYPE_LABELS = {"single": "Pilihan ganda", "multiple": "Pilihan ganda (boleh lebih dari satu)",
               "truefalse": "Benar/Salah", "short": "Isian singkat", "numerical": "Isian angka",
               "matching": "Menjodohkan", "missingword": "Melengkapi kalimat"}


@dataclass
class QuizCard:
    quiz: Quiz
    rules: Rules
    attempts: list[Attempt]
    running: Optional[Attempt]
    final: Optional[Fraction]
    passed: Optional[bool]
    left: Optional[int]
    is_open: bool
    question_count: int
    context: QuizContext = NO_CONTEXT

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.quiz.kind, self.quiz.kind)


def quiz_cards(user: User, quizzes: Sequence[Quiz], now: datetime,
               contexts: Optional[Mapping[int, QuizContext]] = None) -> list[QuizCard]:
    """Return each quiz with the user's attempts, final score and what they may do next."""
    cards = []
    for quiz in quizzes:
        context = (contexts or {}).get(quiz.id, NO_CONTEXT)
        services.finalize_overdue(now, quiz=quiz, user=user)
        version = services.current_version(quiz)
        rules = context.apply(services.rules_of(version))
        attempts = services.user_attempts(user, quiz, context)
        finished = [Fraction(str(a.percent)) for a in attempts if a.finished]
        final = services.final_percent_of(finished, rules)
        count = rules.draw or len(version.questions)
        cards.append(QuizCard(quiz, rules, attempts, next((a for a in attempts if not a.finished), None),
                              final, None if final is None else final >= rules.pass_mark,
                              services.attempts_left(rules, attempts), rules.is_open(now), count, context))
    return cards


@dataclass
class QuestionView:
    index: int
    entry: dict[str, Any]
    value: Any
    revision: int

    @property
    def q(self) -> dict[str, Any]:
        return self.entry["q"]

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.q["type"]]

    @property
    def field(self) -> str:
        return f"q-{self.index}"


@dataclass
class AttemptPage:
    attempt: Attempt
    rules: Rules
    questions: list[QuestionView]
    page: int
    pages: int
    answered: int
    total: int
    seconds_left: Optional[int]
    session_until: float


def attempt_page(attempt: Attempt, page: int, size: int, now: datetime) -> AttemptPage:
    """Return one page of the attempt's questions with the saved answers."""
    rules = services.rules_of(attempt.version)
    saved = services.responses_of(attempt)
    pages = max(math.ceil(len(attempt.questions) / size), 1)
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    views = [QuestionView(start + i + 1, entry, saved[entry["q"]["id"]].value if entry["q"]["id"] in saved else None,
                          saved[entry["q"]["id"]].revision if entry["q"]["id"] in saved else 0)
             for i, entry in enumerate(attempt.questions[start:start + size])]
    answered = sum(1 for r in saved.values() if r.value not in (None, "", [], {}))
    left = seconds_left(attempt, now)
    until = (attempt.deadline_at + rules.grace).timestamp() if attempt.deadline_at else now.timestamp() + 12 * 3600
    return AttemptPage(attempt, rules, views, page, pages, answered, len(attempt.questions), left, until)


def attempt_status(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """Return what the timer and save banner need to know."""
    return {"finished": attempt.finished, "seconds_left": seconds_left(attempt, now)}


def seconds_left(attempt: Attempt, now: datetime) -> Optional[int]:
    """Return the whole seconds until the attempt's deadline (None without one)."""
    if attempt.deadline_at is None:
        return None
    return max(int((attempt.deadline_at - now).total_seconds()), 0)


def save_form_page(user: User, attempt: Attempt, form: Mapping[str, Any], now: datetime) -> list[str]:
    """Save the answers a page posted without JavaScript; return problems to show."""
    problems = []
    saved = services.responses_of(attempt)
    for index, entry in enumerate(attempt.questions, start=1):
        name = f"q-{index}"
        if f"{name}-shown" not in form:
            continue
        value = _form_value(entry, name, form)
        revision = payload.revision(form.get(f"{name}-rev", 0), f"{name}-rev")
        qid = entry["q"]["id"]
        current = saved.get(qid)
        if (current.value if current else None) == _normalise(entry, value):
            continue
        try:
            services.save_answer(user, attempt, qid, value, revision, now)
        except StaleAnswer:
            problems.append(f"Soal {index} sudah diubah di tab lain; periksa jawabannya lagi.")
        except (InvalidAnswer, UnknownQuestion):
            problems.append(f"Jawaban soal {index} tidak sah dan tidak disimpan.")
    return problems


def _normalise(entry: dict[str, Any], value: Any) -> Any:
    try:
        return services.clean_value(entry, value)
    except InvalidAnswer:
        return value


def _form_value(entry: dict[str, Any], name: str, form: Any) -> Any:
    kind = entry["q"]["type"]
    if kind == "multiple":
        return form.getlist(name)
    if kind == "matching":
        return {p["id"]: form.get(f"{name}-{p['id']}", "") for p in entry["q"]["pairs"] if p["left"]}
    return form.get(name)


@dataclass
class ReviewItem:
    index: int
    q: dict[str, Any]
    value: Any
    points: Optional[Fraction]
    maximum: Fraction

    @property
    def correct(self) -> Optional[bool]:
        return None if self.points is None else self.points >= self.maximum

    @property
    def partial(self) -> bool:
        return self.points is not None and 0 < self.points < self.maximum

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.q["type"]]

    def chosen(self, answer_id: str) -> bool:
        return answer_id == self.value or (isinstance(self.value, list) and answer_id in self.value)


@dataclass
class ReviewPage:
    attempt: Attempt
    rules: Rules
    policy: services.ReviewPolicy
    items: list[ReviewItem]
    percent: str
    for_staff: bool


def review_page(attempt: Attempt, now: datetime, staff: bool = False) -> ReviewPage:
    """Return the finished attempt as the review policy (or a staff member) may see it."""
    rules = services.rules_of(attempt.version)
    policy = services.ReviewPolicy(True, True, True, True) if staff else services.review_policy(attempt, now)
    saved = services.responses_of(attempt)
    points = attempt.points or {}
    items = [ReviewItem(i, e["q"], saved[e["q"]["id"]].value if e["q"]["id"] in saved else None,
                        Fraction(points[e["q"]["id"]]) if e["q"]["id"] in points else None,
                        Fraction(e["q"]["points"]))
             for i, e in enumerate(attempt.questions, start=1)]
    return ReviewPage(attempt, rules, policy, items, decimal_text(attempt.percent), staff)


@dataclass
class ResultsReport:
    quiz: Quiz
    rules: Rules
    rows: list[services.ParticipantResult]
    items: list[services.ItemStat]
    gains: list[dict[str, Any]] = field(default_factory=list)
    average: Optional[Fraction] = None
    average_pre: Optional[Fraction] = None
    average_gain: Optional[Fraction] = None


def results_report(quiz: Quiz, now: datetime, user_ids: Optional[Sequence[int]] = None,
                   context: Optional[QuizContext] = None, pretest: Optional[Quiz] = None) -> ResultsReport:
    """Build the staff results page: final scores, item analysis and pre/post gain."""
    services.finalize_overdue(now, quiz=quiz)
    version = services.current_version(quiz)
    rules = services.rules_of(version)
    finals = services.final_results(quiz, rules, user_ids, context)
    rows = sorted(finals.values(), key=lambda r: r.user.full_name)
    scores = [r.percent for r in rows if r.percent is not None]
    report = ResultsReport(quiz, rules, rows, services.item_analysis(quiz, version, user_ids, context),
                           average=sum(scores, Fraction(0)) / len(scores) if scores else None)
    pretest = pretest or (services.get_quiz(quiz.pretest_slug) if quiz.pretest_slug else None)
    if quiz.kind == "posttest" and pretest is not None:
        _add_gains(report, finals, user_ids, context, pretest)
    return report


def _add_gains(report: ResultsReport, finals: dict[int, services.ParticipantResult],
               user_ids: Optional[Sequence[int]], context: Optional[QuizContext], pretest: Quiz) -> None:
    pre_rules = services.rules_of(services.current_version(pretest))
    pre = services.final_results(pretest, pre_rules, user_ids, context)
    pres, gains = [], []
    for user_id, post in sorted(finals.items(), key=lambda kv: kv[1].user.full_name):
        before = pre.get(user_id)
        gain = None
        if before and before.percent is not None and post.percent is not None:
            gain = normalised_gain(before.percent, post.percent)
            pres.append(before.percent)
            if gain is not None:
                gains.append(gain)
        report.gains.append({"user": post.user, "pre": before.percent if before else None,
                             "post": post.percent, "gain": gain})
    report.average_pre = sum(pres, Fraction(0)) / len(pres) if pres else None
    report.average_gain = sum(gains, Fraction(0)) / len(gains) if gains else None


def results_table(report: ResultsReport) -> tuple[list[str], list[list[Any]]]:
    """Return the results as CSV header and rows."""
    header = ["nama", "nip", "opd", "percobaan", "nilai", "lulus"]
    pre = {g["user"].id: g for g in report.gains}
    if report.gains:
        header += ["pre_test", "gain_ternormalisasi"]
    rows = []
    for row in report.rows:
        line = [row.user.full_name, row.user.nip or "", row.user.agency.name if row.user.agency else "",
                row.attempts, decimal_text(row.percent), "ya" if row.passed else "tidak"]
        if report.gains:
            gain = pre.get(row.user.id, {})
            line += [decimal_text(gain.get("pre")),
                     "—" if gain.get("gain") is None else f"{float(gain['gain']):.2f}".replace(".", ",")]
        rows.append(line)
    return header, rows
