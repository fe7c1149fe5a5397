"""Attendance: the trainer's roster, the check-in screen, self check-in, reports, Daftar Hadir."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import ANY_ROLE, STAFF, role_required
from lms.accounts.services import current_institution
from lms.attendance import marking, pages, reports, services, states
from lms.attendance.forms import BulkForm, CodeForm, MarkForm, SessionForm, StateForm, UndoForm
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.attendance.qrsvg import qr_svg
from lms.attendance.states import EXTEND_CHOICES, STATE_LABELS
from lms.confirm import unconfirmed
from lms.dates import format_clock, format_date
from lms.db_types import utcnow
from lms.exports import format_arg, send_export
from lms.extensions import db, limiter
from lms.forms import ActionForm, act
from lms.network import is_loopback_host, venue_addresses
from lms.ratelimits import private_key
from lms.routing import bounded_int, bounded_ints
from lms.trainings import scope as trainings
from lms.trainings.models import Training
from lms.web import send_bytes, venue_base_url

bp = Blueprint("attendance", __name__)
DEVICE_COOKIE = "lms_device"
PENDING_SECONDS = 15 * 60  # long enough for a first login and its password change
SCAN_LIMIT = "60 per minute"
# Before login a scan only holds the check-in and asks for the login: a hall of phones behind
# one NAT does that at once, so the address gets a wide limit (the token is an HMAC, not guessable).
ANONYMOUS_SCAN_LIMIT = "600 per minute"


def _managed(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    if not trainings.can_manage(current_user, training):
        abort(403)
    return training


def _managed_session(session_id: int) -> AttendanceSession:
    item = db.get_or_404(AttendanceSession, session_id)
    if not trainings.can_manage(current_user, item.training):
        abort(403)
    return item


@bp.get("/trainings/<slug>/attendance")
@role_required(*STAFF)
def roster(slug: str) -> ResponseReturnValue:
    training = _managed(slug)
    form = SessionForm()
    form.day.choices = [SelectChoice(d.isoformat(), format_date(d, with_day=True)) for d in training.days]  # type: ignore[arg-type]
    return render_template("attendance/roster.html", training=training, page=pages.roster_page(training, utcnow()),
                           labels=STATUS_LABELS, session_form=form, action_form=ActionForm(),
                           extend=EXTEND_CHOICES)


@bp.get("/trainings/<slug>/attendance/p/<int:user_id>")
@role_required(*STAFF)
def participant_cells(slug: str, user_id: int) -> ResponseReturnValue:
    """One participant's row as forms: the roster's edit page without JavaScript."""
    training = _managed(slug)
    found = services.roster_of(training, user_id)
    if found is None:
        abort(404)
    person, sessions, records = found
    now = utcnow()
    return render_template("attendance/participant.html", training=training, person=person, sessions=sessions,
                           records=records, shared=services.device_flags(person.id, records.values()),
                           states={s.id: STATE_LABELS[services.state_of(s, now)] for s in sessions},
                           labels=STATUS_LABELS)


@bp.post("/trainings/<slug>/attendance/mark")
@role_required(*STAFF)
def mark(slug: str) -> ResponseReturnValue:
    training = _managed(slug)
    form = MarkForm()
    as_json = request.accept_mimetypes.best == "application/json"
    # Validate first: the form bounds the ids to what the database can look up.
    valid = form.validate_on_submit()
    if not valid and request.method == "POST" and set(form.errors) <= {"status", "note"}:
        problem = "; ".join(f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items())
        if as_json:
            return jsonify(error=problem), 400
        flash(f"Periksa isian: {problem}", "danger")
        return redirect(url_for("attendance.participant_cells", slug=slug, user_id=form.user_id.data))
    item = services.find_session(form.session_id.data or 0) if valid else None
    if item is None:
        abort(400)
    marked = act(lambda: services.mark(training, item, form.user_id.data or 0, form.status.data or "",
                                       form.note.data or "", current_user, utcnow()),
                 error_category=None if as_json else "danger")
    if as_json and marked.error is not None:
        return jsonify(error=marked.error.message), 400
    if as_json:
        return jsonify(saved=True, label=STATUS_LABELS[form.status.data or ""])
    return redirect(url_for("attendance.roster", slug=slug) + f"#p{form.user_id.data}")


@bp.post("/trainings/<slug>/attendance/cells")
@role_required(*STAFF)
def cells(slug: str) -> ResponseReturnValue:
    """Set one status for one or several participants in a session (the roster's fetch; JSON in, JSON out)."""
    training = _managed(slug)
    payload = request.get_json(silent=True)
    session_id, user_ids, status = _cells_payload(payload)
    item = services.find_session(session_id)
    if item is None:
        return jsonify(error="Sesi presensi tidak ditemukan."), 400
    now = utcnow()
    if len(user_ids) == 1:
        done = act(lambda: services.mark(training, item, user_ids[0], status, None, current_user, now),
                   error_category=None)
    else:
        done = act(lambda: marking.set_many(training, item, user_ids, status, current_user, now),  # type: ignore[arg-type, return-value]
                   error_category=None)
    if done.error is not None:
        return jsonify(error=done.error.message), 400
    answer: dict[str, Any] = {"saved": True, "status": status, "label": STATUS_LABELS[status],
                              "percent": pages.percent_of(training, user_ids)}
    if isinstance(done.value, marking.BulkResult):
        answer["message"] = done.value.message
        answer["undo"] = done.value.event_id if done.value.changed else None
    return jsonify(answer)


def _cells_payload(payload: Any) -> tuple[int, list[int], str]:
    """Read {"session": id, "users": [ids], "status": key}; anything else is a 400 naming the field."""
    if not isinstance(payload, dict):
        abort(make_response(jsonify(error="Kirim data sebagai JSON."), 400))
    try:
        session_id = bounded_int(payload.get("session"))
        raw = payload.get("users")
        if not isinstance(raw, list) or not raw or len(raw) > marking.MAX_BULK:
            raise ValueError
        user_ids = [bounded_int(v) for v in raw]
    except (ValueError, TypeError, NotFound):
        abort(make_response(jsonify(error="Sesi atau peserta tidak sah: pilih peserta dan sesi lagi."), 400))
    status = payload.get("status")
    if status not in STATUS_LABELS:
        abort(make_response(jsonify(error="Status presensi tidak dikenal."), 400))
    return session_id, user_ids, str(status)


@bp.post("/trainings/<slug>/attendance/bulk")
@role_required(*STAFF)
def bulk(slug: str) -> ResponseReturnValue:
    """The roster's bulk form without JavaScript: the ticked rows (or all) get one status in one session."""
    training = _managed(slug)
    form = BulkForm()
    if not form.validate_on_submit():
        flash("Periksa isian perubahan massal: " + "; ".join(" ".join(e) for e in form.errors.values()), "danger")
        return redirect(url_for("attendance.roster", slug=slug))
    item = services.find_session(form.session_id.data or 0)
    if item is None:
        abort(400)
    ids = trainings.participant_ids(training) if form.all.data else bounded_ints(request.form.getlist("user_ids"))
    label = STATUS_LABELS.get(form.status.data or "", form.status.data or "")
    if item.training_id == training.id and (page := unconfirmed(f"Ubah status {len(ids)} peserta menjadi {label}?",
                            f"Sesi {item.label} {format_date(item.day)}. Perubahan ini dapat dibatalkan sesudahnya.",
                            url_for("attendance.roster", slug=slug))) is not None:
        return page
    act(lambda: marking.set_many(training, item, ids, form.status.data or "", current_user, utcnow()),
        success=lambda result: result.message)
    return redirect(url_for("attendance.roster", slug=slug))


@bp.post("/trainings/<slug>/attendance/<int:session_id>/all-present")
@role_required(*STAFF)
def all_present(slug: str, session_id: int) -> ResponseReturnValue:
    training = _managed(slug)
    item = db.get_or_404(AttendanceSession, session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    question = f"Tandai semua peserta yang belum tercatat pada sesi {item.label} {format_date(item.day)} sebagai Hadir?"
    if item.training_id == training.id and (page := unconfirmed(question,
                            "Peserta yang sudah tercatat tidak berubah. Perubahan ini dapat dibatalkan sesudahnya.",
                            url_for("attendance.roster", slug=slug))) is not None:
        return page
    act(lambda: marking.all_present(training, item, current_user, utcnow()),
        success=lambda result: result.message)
    return redirect(url_for("attendance.roster", slug=slug))


@bp.post("/trainings/<slug>/attendance/undo")
@role_required(*STAFF)
def undo(slug: str) -> ResponseReturnValue:
    """Put back what the training's last bulk change (or "Semua hadir") changed."""
    training = _managed(slug)
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    as_json = request.accept_mimetypes.best == "application/json"
    done = act(lambda: marking.undo(training, form.event_id.data or 0, current_user, utcnow()),
               success="" if as_json else (lambda undone: undone.message),
               error_category=None if as_json else "danger")
    if as_json and done.error is not None:
        return jsonify(error=done.error.message), 400
    if as_json and done.value is not None:
        users = list(done.value.statuses)
        return jsonify(undone=True, message=done.value.message, session=done.value.session_id,
                       cells={str(k): v for k, v in done.value.statuses.items()},
                       percent=pages.percent_of(training, users))
    return redirect(url_for("attendance.roster", slug=slug))


@bp.post("/attendance/sessions/<int:session_id>/state")
@role_required(*STAFF)
def change_state(session_id: int) -> ResponseReturnValue:
    """Open the session now, close it now, or extend it: from the roster or the projector screen."""
    item = _managed_session(session_id)
    form = StateForm()
    if not form.validate_on_submit():
        abort(400)
    done = {"open": "dibuka", "close": "ditutup", "extend": f"diperpanjang {form.minutes.data} menit"}
    act(lambda: services.change_state(item, form.change.data or "", current_user, utcnow(),
                                      form.minutes.data or EXTEND_CHOICES[0]),
        success=f"Sesi {item.label} {done.get(form.change.data or '', '')}.")
    if form.back.data == "screen":
        return redirect(url_for("attendance.screen", session_id=item.id, alamat=form.alamat.data or None))
    return redirect(url_for("attendance.roster", slug=item.training.slug) + f"#s{item.id}")


@bp.post("/trainings/<slug>/attendance/sessions")
@role_required(*STAFF)
def add_session(slug: str) -> ResponseReturnValue:
    training = _managed(slug)
    form = SessionForm()
    form.day.choices = [SelectChoice(d.isoformat(), d.isoformat()) for d in training.days]  # type: ignore[arg-type]
    if request.form.get("generate"):
        if ActionForm().validate_on_submit():
            count = act(lambda: services.generate_sessions(training, current_user)).value
            flash(f"{count} sesi presensi dibuat dari agenda." if count else "Semua sesi dari agenda sudah ada.",
                  "success" if count else "info")
    elif form.validate_on_submit():
        act(lambda: services.add_session(training, date.fromisoformat(form.day.data or ""), form.label.data or "",
                                         form.start_time.data, form.end_time.data, current_user),
            success="Sesi presensi ditambahkan.")
    else:
        flash("Periksa isian sesi: " + "; ".join(" ".join(e) for e in form.errors.values()), "danger")
    return redirect(url_for("attendance.roster", slug=slug))


@bp.post("/attendance/sessions/<int:session_id>/delete")
@role_required(*STAFF)
def delete_session(session_id: int) -> ResponseReturnValue:
    item = _managed_session(session_id)
    slug = item.training.slug
    if ActionForm().validate_on_submit():
        act(lambda: services.delete_session(item, current_user), success="Sesi dihapus.")
    return redirect(url_for("attendance.roster", slug=slug))


@bp.get("/attendance/records/history")
@role_required(*STAFF)
def record_history() -> ResponseReturnValue:
    item = _managed_session(request.args.get("session", 0, type=bounded_int))
    user_id = request.args.get("user", 0, type=bounded_int)
    record = services.record_of(item, user_id)
    events = marking.cell_history(item.id, user_id, record)
    shared = services.device_flags(user_id, [record]).get(item.id, []) if record else []
    return render_template("attendance/history.html", session=item, record=record, events=events,
                           labels=STATUS_LABELS, shared=shared, user_id=user_id)


# ---------------------------------------------------------------- check-in screen


@bp.get("/attendance/sessions/<int:session_id>/screen")
@role_required(*STAFF)
def screen(session_id: int) -> ResponseReturnValue:
    item = _managed_session(session_id)
    on_loopback = is_loopback_host(urlsplit(request.host_url).hostname or "")
    return render_template("attendance/screen.html", session=item, live=_live(item), state_form=ActionForm(),
                           addresses=venue_addresses() if on_loopback else [], extend=EXTEND_CHOICES,
                           chosen=request.args.get("alamat", ""))


@bp.get("/attendance/sessions/<int:session_id>/live.json")
@role_required(*STAFF)
def live(session_id: int) -> ResponseReturnValue:
    return jsonify(_live(_managed_session(session_id)))


def _live(item: AttendanceSession) -> dict[str, Any]:
    now = utcnow()
    state = services.state_of(item, now)
    # The address this screen was opened on, or on the laptop itself its venue address (the one
    # chosen with ?alamat=, among the laptop's own): a phone on the hall's Wi-Fi must reach it.
    base = venue_base_url(request.args.get("alamat"))
    status = services.live_status(item)
    # lms.serve records the interface it listens on: on 127.0.0.1 alone no phone gets in either.
    local_only = is_loopback_host(current_app.config.get("LISTEN_HOST") or "0.0.0.0")
    data: dict[str, Any] = {
        "state": state.value, "state_label": STATE_LABELS[state], "closes_in": states.seconds_left(item.ends_at, now),
        "opens_at": format_clock(item.starts_at - states.OPENS_BEFORE, item.training.time_zone),
        "base": base, "host": urlsplit(base).hostname, "local_only": local_only,
        "unreachable": is_loopback_host(urlsplit(base).hostname or ""),
        "url": None, "code": None, "remaining": None, "svg": None,
        "present": [{"name": r.user.full_name, "status": STATUS_LABELS[r.status],
                     "at": format_clock(r.marked_at, item.training.time_zone)} for r in status.present],
        "absent": [u.full_name for u in status.absent],
        "count": len(status.present), "total": len(status.present) + len(status.absent)}
    if state is states.State.OPEN:  # a session not open shows no QR and no code: nobody can use them
        token, code, remaining = services.current_token(item, now)
        url = base + url_for("attendance.scan", session_id=item.id, token=token)
        data.update(url=url, code=f"{code[:3]} {code[3:]}", remaining=remaining,
                    svg=str(qr_svg(url, "Kode QR presensi")))
    return data


# ---------------------------------------------------------------- participant check-in


def _device() -> str:
    """Return this browser's device id; one new to check-in gets it now (recorded and set as cookie)."""
    if "device" not in g:
        g.device = request.cookies.get(DEVICE_COOKIE) or secrets.token_hex(16)
    return str(g.device)


def _client() -> dict[str, str]:
    return {"address": request.remote_addr or "", "user_agent": request.headers.get("User-Agent", ""),
            "device": _device()}


def _with_device_cookie(response: Any) -> Any:
    if request.cookies.get(DEVICE_COOKIE) != _device():
        response.set_cookie(DEVICE_COOKIE, _device(), max_age=3600 * 24 * 400, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response


def checkin_limit_key(user_id: int) -> str:
    """Return the typed-code limit's key: the account alone, so a password change resets nothing."""
    return private_key("checkin", str(user_id))


def _scan_key() -> str:
    # Per participant, not per address: a whole hall behind one NAT shares an address.
    return private_key("scan", str(current_user.id))  # not get_id(): a password change must not reset it


@bp.get("/c/<int:session_id>/<token>")
@limiter.limit(SCAN_LIMIT, key_func=_scan_key, exempt_when=lambda: not current_user.is_authenticated)
@limiter.limit(ANONYMOUS_SCAN_LIMIT, exempt_when=lambda: current_user.is_authenticated)
def scan(session_id: int, token: str) -> ResponseReturnValue:
    """The QR's address: checked on this first request, even before login; it records nothing.

    Logged in, it answers the page that posts the check-in at once (scan_check_in); before login
    it holds the scan in the session for fifteen minutes and asks for the login.
    """
    item = services.find_session(session_id)
    now = utcnow()
    refusal = services.scan_refusal(item, token, now)
    if item is None or refusal:
        return _refused(refusal or "")
    if not current_user.is_authenticated:
        session["pending_checkin"] = {"session": item.id, "at": now.timestamp()}
        flash("Masuk dulu untuk menyelesaikan presensi. Presensi Anda disimpan sementara selama 15 menit.", "info")
        return _with_device_cookie(redirect(url_for("auth.login", next=url_for("attendance.pending"))))
    return _confirm(item, url_for("attendance.scan_check_in", session_id=item.id, token=token))


@bp.post("/c/<int:session_id>/<token>")
@role_required(*ANY_ROLE)
@limiter.limit(SCAN_LIMIT, key_func=_scan_key)
def scan_check_in(session_id: int, token: str) -> ResponseReturnValue:
    """Record the check-in of a scan (posted by the page the scan opened)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    item = services.find_session(session_id)
    refusal = services.scan_refusal(item, token, utcnow())
    if item is None or refusal:
        return _refused(refusal or "")
    return _finish(item, "qr")


def _held_session() -> AttendanceSession | None:
    """Return the session of the scan held before login, if it is still fresh."""
    held = session.get("pending_checkin")
    if not isinstance(held, dict) or utcnow().timestamp() - held.get("at", 0) > PENDING_SECONDS:
        return None
    item = services.find_session(held.get("session", 0))
    if item is None:
        abort(404)
    return item


def _expired() -> ResponseReturnValue:
    session.pop("pending_checkin", None)
    return _refused("Presensi tertunda sudah kedaluwarsa. Pindai lagi kode QR di layar.")


@bp.get("/checkin/pending")
@role_required(*ANY_ROLE)
def pending() -> ResponseReturnValue:
    """Where the login leads after a scan: the page that posts the held check-in."""
    item = _held_session()
    if item is None:
        return _expired()
    return _confirm(item, url_for("attendance.pending_check_in"))


@bp.post("/checkin/pending")
@role_required(*ANY_ROLE)
def pending_check_in() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    item = _held_session()
    if item is None:
        return _expired()
    session.pop("pending_checkin", None)  # the held check-in is used once
    return _finish(item, "qr")


def _confirm(item: AttendanceSession, action: str) -> ResponseReturnValue:
    """Answer the page whose form posts the check-in (sent at once by checkin.js; a button without it)."""
    return render_template("attendance/checkin_confirm.html", session=item, action=action, form=ActionForm())


def _refused(message: str) -> ResponseReturnValue:
    return render_template("attendance/checkin_result.html", ok=False, message=message), 400


def _finish(item: AttendanceSession, method: str) -> ResponseReturnValue:
    checked = act(lambda: services.check_in(current_user, item, utcnow(), _client(), method), error_category=None)
    if checked.value is None:
        return _refused(checked.error.message if checked.error else "")
    record, created = checked.value
    return _with_device_cookie(make_response(render_template("attendance/checkin_result.html", ok=True,
                                                             record=record, session=item, created=created,
                                                             labels=STATUS_LABELS)))


@bp.route("/checkin", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
@limiter.limit("10 per minute", methods=["POST"], key_func=lambda: checkin_limit_key(current_user.id))
def typed_code() -> ResponseReturnValue:
    form = CodeForm()
    mine = [t for t in trainings.participant_trainings(current_user) if t.status == "open"]
    if form.validate_on_submit():
        item = services.session_for_code(mine, form.code.data or "", utcnow())
        if item is not None:
            return _finish(item, "code")
        form.code.errors.append("Kode presensi salah atau sudah berganti. Ketik kode yang sedang tampil di layar.")
    return render_template("attendance/code.html", form=form, trainings=mine)


# ---------------------------------------------------------------- reports


@bp.get("/trainings/<slug>/attendance/report")
@role_required(*STAFF)
def report(slug: str) -> ResponseReturnValue:
    training = _managed(slug)
    if fmt := format_arg(request.args.get("format")):
        return send_export(services.export_table(training), fmt, f"presensi-{training.slug}", training.title)
    data = services.roster(training)
    percent = services.percentages(training, data)
    return render_template("attendance/report.html", training=training, data=data, percent=percent,
                           agencies=services.agency_summary(training, data, percent), labels=STATUS_LABELS,
                           shared=_shared_by_person(data))


def _shared_by_person(data: services.Roster) -> dict[int, list[str]]:
    """Return per participant the sessions, with names, where their check-in device was also used by others."""
    return services.shared_device_notes(data, {s.id: f"{format_date(s.day)} {s.label}" for s in data.sessions})


@bp.get("/attendance/sessions/<int:session_id>/daftar-hadir.pdf")
@role_required(*STAFF)
def sheet(session_id: int) -> ResponseReturnValue:
    item = _managed_session(session_id)
    # The label is free text: the file is named by its letters and digits, joined by hyphens.
    label = "-".join(re.findall(r"[a-z0-9]+", item.label.lower())) or "sesi"
    return send_bytes(reports.daftar_hadir(item, current_institution()), "application/pdf",
                      f"daftar-hadir-{item.training.slug}-{item.day.isoformat()}-{label}.pdf", attachment=False)
