"""Quiz pages: start, answer (autosaved), submit, review; results for staff."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.db_types import utcnow
from lms.exports import Format, send_export
from lms.extensions import db
from lms.forms import ActionForm, act
from lms.quizzes import payload, presenters, services
from lms.quizzes.errors import AttemptError, MalformedAnswer, StaleAnswer
from lms.quizzes.models import Attempt, Quiz, Response
from lms.quizzes.questions.model import QuizSettings
from lms.quizzes.rules import NO_CONTEXT, QuizContext
from lms.routing import bounded_int
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")
PAGE_SIZE = 5
# The attempt page sends a heartbeat every minute while it is visible (attempt.js); each one, and
# each save, lets that attempt's routes outlive the session limits for this long (lms.web).
HEARTBEAT_WINDOW_SECONDS = 5 * 60
# The routes attempt.js posts JSON to: refusals are answered in JSON there.
JSON_ENDPOINTS = {"quizzes.save_answer", "quizzes.save_position"}


def _quiz_or_404(slug: str) -> Quiz:
    quiz = services.get_quiz(slug)
    if quiz is None:
        abort(404)
    return quiz


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = services.get_attempt(attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id != current_user.id:
        abort(403)
    return attempt


def _keep_alive(attempt: Attempt, now: datetime, cap: float | None = None) -> None:
    """Renew the heartbeat window of the attempt whose page this session opened (cap: its end)."""
    alive = session.get("attempt_alive")
    if cap is None:
        if not isinstance(alive, dict) or alive.get("id") != attempt.id:
            return  # only the attempt whose page was opened in this session, never another one
        cap = float(alive["cap"])
    until = min(now.timestamp() + HEARTBEAT_WINDOW_SECONDS, cap)
    session["attempt_alive"] = {"id": attempt.id, "until": until, "cap": cap}


def _context(quiz: Quiz) -> tuple[QuizContext, str | None]:
    """Return the training context of this quiz for the current user (403 if they have none)."""
    wanted = request.args.get("training") or request.form.get("training")
    options = [(c, t.slug) for c, t in trainings.quiz_contexts(current_user, quiz)]
    fallback = options[0] if options and not wanted else None
    chosen = next((o for o in options if o[1] == wanted), fallback)
    if chosen is not None:
        return chosen
    if current_user.has_role(Role.ADMIN, Role.TRAINER):
        return NO_CONTEXT, None  # staff may try any quiz on its own
    abort(403)


def _finalise_overdue(quiz: Quiz) -> None:
    """The attempt POSTs' explicit step: record the user's overdue attempts of the quiz.

    Committed on its own (a refusal that follows must not roll it back), and only when there is
    something to record: a commit expires every loaded row, which the request would reload.
    """
    if services.has_overdue(utcnow(), quiz, current_user):
        act(lambda: services.finalize_overdue(utcnow(), quiz=quiz, user=current_user))


@bp.errorhandler(AttemptError)
def _refused(exc: AttemptError) -> ResponseReturnValue:
    """Answer what the engine refused outside `act`: the autosave API, a malformed no-JS page."""
    db.session.rollback()
    if request.endpoint not in JSON_ENDPOINTS:
        page = render_template("error.html", code=400, title="Isian tidak valid", text=exc.message)
        return page, 400
    if isinstance(exc, MalformedAnswer):
        return jsonify(error="bad_request", message=exc.message), 400
    if isinstance(exc, StaleAnswer):
        return jsonify(error="stale", message=exc.message, revision=exc.revision,
                       value=exc.value), 409
    attempt_id = (request.view_args or {})["attempt_id"]
    return jsonify(error=type(exc).__name__, message=exc.message,
                   review=url_for("quizzes.review", attempt_id=attempt_id)), exc.status


@bp.get("/")
@role_required(*ANY_ROLE)
def index() -> ResponseReturnValue:
    now = utcnow()
    rows: list[tuple[presenters.QuizCard, str | None]]
    if current_user.has_role(Role.PARTICIPANT):
        found = trainings.participant_quizzes(current_user)
        rows = [(presenters.quiz_cards(current_user, [q], now, {q.id: c})[0], t.slug)
                for q, c, t in found]
    else:
        cards = presenters.quiz_cards(current_user, services.list_quizzes(), now)
        rows = [(card, None) for card in cards]
    return render_template("quizzes/index.html", rows=rows)


@bp.get("/<slug>")
@role_required(*ANY_ROLE)
def quiz(slug: str) -> ResponseReturnValue:
    item = _quiz_or_404(slug)
    context, training = _context(item)
    card = presenters.quiz_cards(current_user, [item], utcnow(), {item.id: context})[0]
    return render_template("quizzes/quiz.html", card=card, form=ActionForm(), training=training)


@bp.post("/<slug>/start")
@role_required(*ANY_ROLE)
def start(slug: str) -> ResponseReturnValue:
    item = _quiz_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    context, training = _context(item)
    now = utcnow()
    # start_attempt finalises the user's overdue attempts of the quiz in the same transaction.
    # The commit keeps the attempt as written (nothing else changed it): the page below needs no
    # reload of it.
    def begin() -> tuple[Attempt, bool]:
        started = services.start_attempt(current_user, item, now, context=context)
        return started, services.started_now(started)

    session_ = db.session()
    session_.expire_on_commit = False
    try:
        outcome = act(begin, error_category="warning")
    finally:
        session_.expire_on_commit = True
    if outcome.value is None:
        return redirect(url_for("quizzes.quiz", slug=slug, training=training))
    started, new = outcome.value
    if request.form.get("inline") != "1":
        return redirect(url_for("quizzes.attempt", attempt_id=started.id))
    # The start form's script (quiz_start.js) asks for the attempt page in this answer: one
    # request instead of a redirect and a second one, for 300 phones starting at once.
    # attempt.js then shows the attempt's own address, which a reload opens. The write is
    # committed: what the page reads needs no write lock (SQLite), and a new attempt has no answers.
    g.sqlite_write = False
    version_id, content = services.current_content(item)  # this process's cache: no query
    return _attempt_page(started, None, now, saved={} if new else None,
                         rules=content.settings if started.version_id == version_id else None)


@bp.get("/attempts/<int:attempt_id>")
@role_required(*ANY_ROLE)
def attempt(attempt_id: int) -> ResponseReturnValue:
    item = _own_attempt(attempt_id)
    now = utcnow()
    if services.attempt_state(item, now).finished:  # overdue counts as finished; nothing is written
        return redirect(url_for("quizzes.review", attempt_id=item.id))
    page = request.args.get("page", None, type=bounded_int)  # none asked: where they stopped
    return _attempt_page(item, page, now)


def _attempt_page(item: Attempt, page: int | None, now: datetime,
                  saved: dict[str, Response] | None = None, rules: QuizSettings | None = None) -> str:
    """Render the open attempt at `page` (None: where the participant stopped)."""
    view = presenters.attempt_page(item, page, PAGE_SIZE, now, saved, rules)
    _keep_alive(item, now, cap=view.session_until)
    return render_template("quizzes/attempt.html", view=view, form=ActionForm())


@bp.post("/attempts/<int:attempt_id>/answers")
@role_required(*ANY_ROLE)
def save_answer(attempt_id: int) -> ResponseReturnValue:
    item = services.get_attempt(attempt_id)
    if item is None:
        abort(404)
    question, value, revision = payload.answer_payload(request.get_json(silent=True))
    _finalise_overdue(item.quiz)
    # Refusals (stale tab, late write, foreign attempt) are answered in JSON by _refused.
    saved = services.save_answer(current_user, item, question, value, revision, utcnow())
    answer = {"saved": True, "revision": saved.revision, "saved_at": saved.saved_at.isoformat()}
    _keep_alive(item, utcnow())
    db.session.commit()  # after reading what the answer says: a commit expires the rows read
    return jsonify(answer)


@bp.post("/attempts/<int:attempt_id>/page")
@role_required(*ANY_ROLE)
def save_page(attempt_id: int) -> ResponseReturnValue:
    item = _own_attempt(attempt_id)
    page = request.form.get("page", 1, type=bounded_int)
    if not ActionForm().validate_on_submit():
        abort(400)
    answers = presenters.posted_answers(item, request.form)  # a malformed page: 400 by _refused
    target = request.form.get("goto", page, type=bounded_int)
    _finalise_overdue(item.quiz)
    outcome = act(lambda: presenters.save_form_page(current_user, item, answers, target, utcnow()),
                  error_category="warning")
    if not outcome.ok:
        return redirect(url_for("quizzes.review", attempt_id=item.id))
    _keep_alive(item, utcnow())
    for problem in outcome.value or []:
        flash(problem, "warning")
    if request.form.get("action") == "submit":
        return redirect(url_for("quizzes.attempt", attempt_id=item.id, page=page, confirm=1))
    return redirect(url_for("quizzes.attempt", attempt_id=item.id, page=target))


@bp.post("/attempts/<int:attempt_id>/position")
@role_required(*ANY_ROLE)
def save_position(attempt_id: int) -> ResponseReturnValue:
    """Remember the page attempt.js switched to (JSON {"page": n}), for resuming there."""
    item = db.get_or_404(Attempt, attempt_id)
    page = payload.page_number(request.get_json(silent=True))
    _finalise_overdue(item.quiz)
    # Refusals (foreign or closed attempt) are answered in JSON by _refused.
    services.set_page(current_user, item, page, utcnow())
    db.session.commit()
    _keep_alive(item, utcnow())
    return jsonify(saved=True, page=item.current_page)


@bp.post("/attempts/<int:attempt_id>/submit")
@role_required(*ANY_ROLE)
def submit(attempt_id: int) -> ResponseReturnValue:
    item = _own_attempt(attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: services.submit(current_user, item, utcnow()))
    session.pop("attempt_alive", None)
    return redirect(url_for("quizzes.review", attempt_id=item.id))


@bp.get("/attempts/<int:attempt_id>/status.json")
@role_required(*ANY_ROLE)
def status(attempt_id: int) -> ResponseReturnValue:
    item = _own_attempt(attempt_id)
    return jsonify(presenters.attempt_status(item, utcnow()))


@bp.post("/attempts/<int:attempt_id>/heartbeat")
@role_required(*ANY_ROLE)
def heartbeat(attempt_id: int) -> ResponseReturnValue:
    """Note that the attempt page is in use; answer what the timer needs, as status.json does."""
    item = _own_attempt(attempt_id)
    now = utcnow()
    _keep_alive(item, now)
    return jsonify(presenters.attempt_status(item, now))


@bp.get("/attempts/<int:attempt_id>/review")
@role_required(*ANY_ROLE)
def review(attempt_id: int) -> ResponseReturnValue:
    item = db.get_or_404(Attempt, attempt_id)
    staff = _may_review_others(item)
    if item.user_id != current_user.id and not staff:
        abort(403)
    now = utcnow()
    if not services.attempt_state(item, now).finished:
        return redirect(url_for("quizzes.attempt", attempt_id=item.id))
    view = presenters.review_page(item, now, staff=staff and item.user_id != current_user.id)
    return render_template("quizzes/review.html", view=view)


def _may_review_others(item: Attempt) -> bool:
    """Admins review anyone's attempt; a trainer only attempts made in their trainings."""
    if current_user.has_role(Role.ADMIN):
        return True
    if not current_user.has_role(Role.TRAINER) or item.training_id is None:
        return False
    training = db.session.get(Training, item.training_id)
    return training is not None and trainings.can_manage(current_user, training)


@bp.get("/<slug>/results")
@role_required(Role.ADMIN)
def results(slug: str) -> ResponseReturnValue:
    report = presenters.results_report(_quiz_or_404(slug), utcnow())
    return render_template("quizzes/results.html", report=report)


@bp.get("/<slug>/results.csv", defaults={"fmt": "csv"})
@bp.get("/<slug>/results.xlsx", defaults={"fmt": "xlsx"})
@role_required(Role.ADMIN)
def results_csv(slug: str, fmt: Format) -> ResponseReturnValue:
    item = _quiz_or_404(slug)
    table = presenters.results_table(presenters.results_report(item, utcnow()))
    return send_export(table, fmt, f"hasil-{item.slug}", item.title)
