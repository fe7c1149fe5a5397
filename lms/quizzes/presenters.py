"""Shape quiz data for pages: cards, the attempt page, the review page, results."""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from flask import render_template
from markupsafe import Markup

from lms.accounts.models import User
from lms.exports import Column, Table
from lms.numbers import decimal_text
from lms.quizzes import payload, services
from lms.quizzes.errors import InvalidAnswer, StaleAnswer, UnknownQuestion
from lms.quizzes.models import Attempt, Quiz, Response
from lms.quizzes.questions.model import EVERYTHING, Answer, AttemptQuestion, Question, QuizSettings
from lms.quizzes.questions.types import clean_answer, form_answer, question_type
from lms.quizzes.rules import NO_CONTEXT, QuizContext, normalised_gain

KIND_LABELS = {"practice": "Latihan", "pretest": "Pre-test", "posttest": "Post-test"}


@dataclass
class QuizCard:
    quiz: Quiz
    rules: QuizSettings
    attempts: list[services.AttemptState]
    running: services.AttemptState | None
    final: Fraction | None
    passed: bool | None
    left: int | None
    is_open: bool
    question_count: int
    context: QuizContext = NO_CONTEXT

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.quiz.kind, self.quiz.kind)


def quiz_cards(user: User, quizzes: Sequence[Quiz], now: datetime,
               contexts: Mapping[int, QuizContext] | None = None) -> list[QuizCard]:
    """Return each quiz with the user's attempts as they stand now, and what they may do next."""
    cards = []
    for quiz in quizzes:
        context = (contexts or {}).get(quiz.id, NO_CONTEXT)
        version = services.current_version(quiz)
        rules = context.apply(services.rules_of(version))
        attempts = [services.attempt_state(a, now)
                    for a in services.user_attempts(user, quiz, context)]
        finished = [Fraction(str(a.percent)) for a in attempts if a.finished]
        final = services.final_percent_of(finished, rules)
        count = rules.draw or len(services.version_questions(version))
        running = next((a for a in attempts if not a.finished), None)
        passed = None if final is None else final >= rules.pass_mark
        cards.append(QuizCard(quiz, rules, attempts, running, final, passed,
                              services.attempts_left(rules, attempts), rules.is_open(now), count,
                              context))
    return cards


@dataclass
class QuestionView:
    index: int
    entry: AttemptQuestion
    value: Any
    revision: int

    @property
    def q(self) -> Question:
        return self.entry.question

    @property
    def type_label(self) -> str:
        return question_type(self.entry).label

    @property
    def template(self) -> str:
        return question_type(self.entry).template

    @property
    def field(self) -> str:
        return f"q-{self.index}"

    @property
    def html(self) -> Markup:
        """Return the question's controls on the attempt page (quizzes/_question.html)."""
        return question_html(self)


# The controls of a question depend on the question as shown (its answers' order, its choices),
# the saved value and revision, and its number on the page. 300 attempts of one post-test show
# the same questions in a few orders, so each process renders a question once per order, value
# and revision, with a placeholder for its number, and fills the number in per attempt.
QUESTION_HTML_MAX = 4096
_NUMBER, _CHECK = "\x00\x01", "\x00\x02"  # placeholders no escaped text or attribute carries
_question_html: OrderedDict[Any, str | None] = OrderedDict()
_question_html_lock = threading.Lock()


def _render_question(view: QuestionView, number: Any) -> str:
    shown = QuestionView(number, view.entry, view.value, view.revision)
    return render_template("quizzes/_question.html", item=shown)


def question_html(view: QuestionView) -> Markup:
    """Render one question of an attempt page, from this process's cache after the first time."""
    key = (view.entry, json.dumps(view.value, sort_keys=True), view.revision)
    with _question_html_lock:
        known = key in _question_html
        cached = _question_html.get(key)
        if known:
            _question_html.move_to_end(key)
    if not known:
        cached = _render_question(view, _NUMBER)
        # Kept only when the placeholder stands for the number alone: rendered with another
        # one, the page must differ exactly there (a text that carried it renders each time).
        other = _render_question(view, _CHECK)
        if cached.count(_NUMBER) != other.count(_CHECK) or cached.replace(_NUMBER, "1") != other.replace(_CHECK, "1"):
            cached = None
        with _question_html_lock:
            _question_html[key] = cached
            while len(_question_html) > QUESTION_HTML_MAX:
                _question_html.popitem(last=False)
    if cached is None:
        return Markup(_render_question(view, view.index))
    return Markup(cached.replace(_NUMBER, str(view.index)))


def forget_question_html() -> None:
    """Empty this process's cache of rendered questions (tests that change a template)."""
    with _question_html_lock:
        _question_html.clear()


@dataclass
class AttemptPage:
    attempt: Attempt
    rules: QuizSettings
    # Every page of the attempt's questions: the page shown, and the others for attempt.js to
    # switch to without a request (hidden and disabled without JavaScript).
    groups: list[list[QuestionView]]
    page: int
    pages: int
    answered: int
    total: int
    seconds_left: int | None
    session_until: float

    @property
    def questions(self) -> list[QuestionView]:
        """Return the questions of the page shown."""
        return self.groups[self.page - 1]


def attempt_page(attempt: Attempt, page: int | None, size: int, now: datetime,
                 saved: Mapping[str, Response] | None = None,
                 rules: QuizSettings | None = None) -> AttemptPage:
    """Return the attempt's questions with the saved answers, paged, showing `page`.

    Without a page asked for, the one the participant last had open (resume where they stopped).
    `saved` and `rules`: the attempt's answers and its version's settings when the caller knows
    them (an attempt just started: no answers, the quiz's current version).
    """
    rules = rules or services.rules_of(attempt.version)
    saved = services.responses_of(attempt) if saved is None else saved
    entries = services.attempt_questions(attempt)
    pages = max(math.ceil(len(entries) / size), 1)
    page = min(max(page or attempt.current_page, 1), pages)
    views = [QuestionView(i, entry, *_saved(saved.get(entry.id)))
             for i, entry in enumerate(entries, start=1)]
    groups = [views[start:start + size] for start in range(0, pages * size, size)]
    answered = sum(1 for r in saved.values() if r.value not in (None, "", [], {}))
    left = seconds_left(attempt, now)
    if attempt.deadline_at is not None:
        until = (attempt.deadline_at + rules.grace).timestamp()
    else:
        until = now.timestamp() + 12 * 3600
    return AttemptPage(attempt, rules, groups, page, pages, answered, len(entries), left, until)


def _saved(response: Response | None) -> tuple[Any, int]:
    return (response.value, response.revision) if response else (None, 0)


def attempt_status(attempt: Attempt, now: datetime) -> dict[str, Any]:
    """Return what the timer and save banner need to know (an overdue attempt is finished)."""
    return {"finished": services.attempt_state(attempt, now).finished,
            "seconds_left": seconds_left(attempt, now)}


def seconds_left(attempt: Attempt, now: datetime) -> int | None:
    """Return the whole seconds until the attempt's deadline (None without one)."""
    if attempt.deadline_at is None:
        return None
    return max(int((attempt.deadline_at - now).total_seconds()), 0)


@dataclass(frozen=True)
class PostedAnswer:
    """One question's answer as a page posted it without JavaScript."""

    index: int
    entry: AttemptQuestion
    value: Any
    revision: int


def posted_answers(attempt: Attempt, form: Any) -> list[PostedAnswer]:
    """Read the answers of the questions a page showed; raise MalformedAnswer on a bad revision."""
    posted = []
    for index, entry in enumerate(services.attempt_questions(attempt), start=1):
        name = f"q-{index}"
        if f"{name}-shown" in form:
            revision = payload.revision(form.get(f"{name}-rev", 0), f"{name}-rev")
            posted.append(PostedAnswer(index, entry, form_answer(entry, name, form), revision))
    return posted


def save_form_page(user: User, attempt: Attempt, posted: Sequence[PostedAnswer], page: int,
                   now: datetime) -> list[str]:
    """Save the changed answers of a page posted without JavaScript and the page it goes to;
    return problems to show."""
    services.set_page(user, attempt, page, now)
    problems = []
    saved = services.responses_of(attempt)
    for answer in posted:
        current = saved.get(answer.entry.id)
        if (current.value if current else None) == _normalise(answer.entry, answer.value):
            continue
        try:
            services.save_answer(user, attempt, answer.entry.id, answer.value, answer.revision, now)
        except StaleAnswer:
            problems.append(f"Soal {answer.index} sudah diubah di tab lain; "
                            "periksa jawabannya lagi.")
        except (InvalidAnswer, UnknownQuestion):
            problems.append(f"Jawaban soal {answer.index} tidak sah dan tidak disimpan.")
    return problems


def _normalise(entry: AttemptQuestion, value: Any) -> Any:
    try:
        return clean_answer(entry, value)
    except InvalidAnswer:
        return value


@dataclass
class ReviewItem:
    index: int
    entry: AttemptQuestion
    value: Any
    points: Fraction | None

    @property
    def q(self) -> Question:
        return self.entry.question

    @property
    def maximum(self) -> Fraction:
        return self.q.points

    @property
    def correct(self) -> bool | None:
        return None if self.points is None else self.points >= self.maximum

    @property
    def partial(self) -> bool:
        return self.points is not None and 0 < self.points < self.maximum

    @property
    def type_label(self) -> str:
        return question_type(self.entry).label

    @property
    def template(self) -> str:
        return question_type(self.entry).template

    def chosen(self, answer_id: str) -> bool:
        return answer_id == self.value or (isinstance(self.value, list) and answer_id in self.value)

    @property
    def placed_steps(self) -> list[tuple[int | None, Answer]]:
        """Return an ordering question's steps in the order given (steps left out come last)."""
        given = self.value if isinstance(self.value, dict) else {}
        # Ties and gaps keep the order the attempt showed, never the key's.
        shown = [a for a in (self.q.answer(step) for step in self.entry.choices) if a is not None]
        placed = [(given.get(a.id), a) for a in shown]
        return sorted(placed, key=lambda pair: (pair[0] is None, pair[0] or 0))


@dataclass
class ReviewPage:
    attempt: Attempt
    state: services.AttemptState
    rules: QuizSettings
    shown: frozenset[str]
    items: list[ReviewItem]
    percent: str
    for_staff: bool
    held_for_retry: bool = False


def review_page(attempt: Attempt, now: datetime, staff: bool = False) -> ReviewPage:
    """Return the attempt as it stands now, as the review policy (or a staff member) may see it."""
    state = services.attempt_state(attempt, now)
    shown, held = (EVERYTHING, False) if staff else participant_review(state, now)
    saved = services.responses_of(attempt)
    points = state.result.points if state.result else {}
    items = [ReviewItem(i, e, saved[e.id].value if e.id in saved else None, points.get(e.id))
             for i, e in enumerate(services.attempt_questions(attempt), start=1)]
    return ReviewPage(attempt, state, services.rules_of(attempt.version), shown, items,
                      decimal_text(state.percent), staff, held)


PRETEST_REVIEW = frozenset({"score"})


def participant_review(state: services.AttemptState, now: datetime) -> tuple[frozenset[str], bool]:
    """Return what the participant may see of their attempt now, by the quiz's review policy,
    and whether more is held back while they may still take the quiz again.

    While a retry is allowed, only what the policy allows during retries shows; a pre-test
    never shows more than the score (the same pre-test serves the next bimtek).
    """
    rules = services.rules_of(state.attempt.version)
    shown = services.review_items(state, now)
    held = False
    if shown and services.may_retry(state.attempt, now):
        held = rules.review.while_retrying(shown) != shown
        shown = rules.review.while_retrying(shown)
    if rules.kind == "pretest":
        shown &= PRETEST_REVIEW
    return shown, held


@dataclass
class ResultsReport:
    quiz: Quiz
    rules: QuizSettings
    rows: list[services.ParticipantResult]
    items: list[services.ItemStat]
    gains: list[dict[str, Any]] = field(default_factory=list)
    average: Fraction | None = None
    average_pre: Fraction | None = None
    average_gain: Fraction | None = None


def results_report(quiz: Quiz, now: datetime, user_ids: Sequence[int] | None = None,
                   context: QuizContext | None = None,
                   pretest: Quiz | None = None) -> ResultsReport:
    """Build the staff results page as results stand now: final scores, items, pre/post gain."""
    version = services.current_version(quiz)
    rules = services.rules_of(version)
    finals = services.final_results(quiz, rules, now, user_ids, context)
    rows = sorted(finals.values(), key=lambda r: r.user.full_name)
    scores = [r.percent for r in rows if r.percent is not None]
    items = services.item_analysis(quiz, version, now, user_ids, context)
    report = ResultsReport(quiz, rules, rows, items,
                           average=sum(scores, Fraction(0)) / len(scores) if scores else None)
    pretest = pretest or (services.get_quiz(quiz.pretest_slug) if quiz.pretest_slug else None)
    if quiz.kind == "posttest" and pretest is not None:
        _add_gains(report, finals, now, user_ids, context, pretest)
    return report


def _add_gains(report: ResultsReport, finals: dict[int, services.ParticipantResult], now: datetime,
               user_ids: Sequence[int] | None, context: QuizContext | None, pretest: Quiz) -> None:
    pre_rules = services.rules_of(services.current_version(pretest))
    pre = services.final_results(pretest, pre_rules, now, user_ids, context)
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


def results_table(report: ResultsReport) -> Table:
    """Return the results as an export table (CSV/XLSX): scores and gains as numbers."""
    cols = [Column("nama"), Column("nip", "nip"), Column("opd"), Column("percobaan", "integer"),
            Column("nilai", "decimal"), Column("lulus")]
    pre = {g["user"].id: g for g in report.gains}
    if report.gains:
        cols += [Column("pre_test", "decimal"), Column("gain_ternormalisasi", "decimal", places=2, fixed=True)]
    rows = []
    for row in report.rows:
        agency = row.user.agency.name if row.user.agency else ""
        line: list[Any] = [row.user.full_name, row.user.nip or "", agency,
                           row.attempts, row.percent, "ya" if row.passed else "tidak"]
        if report.gains:
            gain = pre.get(row.user.id, {})
            line += [gain.get("pre"), gain.get("gain")]
        rows.append(line)
    return Table("Hasil Kuis", cols, rows)
