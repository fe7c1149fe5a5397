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
from wtforms.fields.choices import SelectChoice

from lms.accounts.permissions import ANY_ROLE, STAFF, role_required
from lms.accounts.services import current_institution
from lms.attendance import reports, services
from lms.attendance.forms import CodeForm, MarkForm, SessionForm
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.attendance.qrsvg import qr_svg
from lms.csvsafe import write_csv
from lms.dates import format_clock, format_date
from lms.db_types import utcnow
from lms.extensions import db, limiter
from lms.forms import ActionForm, act
from lms.network import is_loopback_host
from lms.ratelimits import private_key
from lms.routing import bounded_int
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
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    data = services.roster(training)
    form = SessionForm()
    form.day.choices = [SelectChoice(d.isoformat(), format_date(d, with_day=True)) for d in training.days]  # type: ignore[arg-type]
    return render_template("attendance/roster.html", training=training, data=data,
                           percent=services.percentages(training, data), labels=STATUS_LABELS,
                           session_form=form, action_form=ActionForm(), mark_form=MarkForm())


@bp.post("/trainings/<slug>/attendance/mark")
@role_required(*STAFF)
def mark(slug: str) -> ResponseReturnValue:
    training = _managed(slug)
    form = MarkForm()
    # Validate first: the form bounds the ids to what the database can look up.
    item = services.find_session(form.session_id.data or 0) if form.validate_on_submit() else None
    if item is None:
        abort(400)
    as_json = request.accept_mimetypes.best == "application/json"
    marked = act(lambda: services.mark(training, item, form.user_id.data or 0, form.status.data or "",
                                       form.note.data or "", current_user, utcnow()),
                 error_category=None if as_json else "danger")
    if as_json and marked.error is not None:
        return jsonify(error=marked.error.message), 400
    if as_json:
        return jsonify(saved=True, label=STATUS_LABELS[form.status.data or ""])
    return redirect(url_for("attendance.roster", slug=slug) + f"#s{item.id}")


@bp.post("/trainings/<slug>/attendance/<int:session_id>/all-present")
@role_required(*STAFF)
def all_present(slug: str, session_id: int) -> ResponseReturnValue:
    training = _managed(slug)
    item = db.get_or_404(AttendanceSession, session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: services.mark_all_present(training, item, current_user, utcnow()),
        success=lambda count: f"{count} peserta ditandai Hadir pada sesi {item.label}.")
    return redirect(url_for("attendance.roster", slug=slug))


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
    events = services.history([record.id]).get(record.id, []) if record else []
    return render_template("attendance/history.html", session=item, record=record, events=events,
                           labels=STATUS_LABELS)


# ---------------------------------------------------------------- check-in screen


@bp.get("/attendance/sessions/<int:session_id>/screen")
@role_required(*STAFF)
def screen(session_id: int) -> ResponseReturnValue:
    item = _managed_session(session_id)
    return render_template("attendance/screen.html", session=item, live=_live(item))


@bp.get("/attendance/sessions/<int:session_id>/live.json")
@role_required(*STAFF)
def live(session_id: int) -> ResponseReturnValue:
    return jsonify(_live(_managed_session(session_id), as_json=True))


def _live(item: AttendanceSession, as_json: bool = False) -> dict[str, Any]:
    now = utcnow()
    token, code, remaining = services.current_token(item, now)
    # The address this screen was opened on, or on the laptop itself its venue address: a phone
    # on the hall's Wi-Fi must reach it (127.0.0.1 reaches no phone).
    base = venue_base_url()
    url = base + url_for("attendance.scan", session_id=item.id, token=token)
    status = services.live_status(item)
    # lms.serve records the interface it listens on: on 127.0.0.1 alone no phone gets in either.
    local_only = is_loopback_host(current_app.config.get("LISTEN_HOST") or "0.0.0.0")
    data = {"url": url, "base": base, "local_only": local_only,
            "unreachable": is_loopback_host(urlsplit(base).hostname or ""),
            "code": f"{code[:3]} {code[3:]}", "remaining": remaining,
            "svg": str(qr_svg(url, "Kode QR presensi")),
            "present": [{"name": r.user.full_name, "status": STATUS_LABELS[r.status],
                         "at": format_clock(r.marked_at, item.training.time_zone)} for r in status.present],
            "absent": [u.full_name for u in status.absent],
            "shared": [", ".join(names) for names in status.shared_devices.values()],
            "count": len(status.present), "total": len(status.present) + len(status.absent)}
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
    fmt = request.args.get("format")
    if fmt in {"csv", "xlsx"}:
        header, rows = services.export_rows(training)
        name = f"presensi-{training.slug}.{fmt}"
        if fmt == "csv":
            return send_bytes(write_csv(header, rows), "text/csv; charset=utf-8", name)
        return send_bytes(reports.xlsx(header, rows, training.title), XLSX, name)
    data = services.roster(training)
    percent = services.percentages(training, data)
    return render_template("attendance/report.html", training=training, data=data, percent=percent,
                           agencies=services.agency_summary(training, data, percent), labels=STATUS_LABELS)


@bp.get("/attendance/sessions/<int:session_id>/daftar-hadir.pdf")
@role_required(*STAFF)
def sheet(session_id: int) -> ResponseReturnValue:
    item = _managed_session(session_id)
    # The label is free text: the file is named by its letters and digits, joined by hyphens.
    label = "-".join(re.findall(r"[a-z0-9]+", item.label.lower())) or "sesi"
    return send_bytes(reports.daftar_hadir(item, current_institution()), "application/pdf",
                      f"daftar-hadir-{item.training.slug}-{item.day.isoformat()}-{label}.pdf", attachment=False)
