"""Request plumbing shared by every page: login loading, session age, errors, template helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lms import storage
from lms.accounts import sessions as login_sessions
from lms.accounts.models import ROLE_LABELS, Role, User
from lms.attendance.models import STATUS_LABELS
from lms.dates import DEFAULT_ZONE, format_clock, format_date, format_datetime, format_range, local_date
from lms.db_types import utcnow
from lms.extensions import db, login_manager
from lms.markdown import render, render_inline
from lms.network import reachable_base_url
from lms.numbers import decimal_text, percent_text
from lms.routing import MAX_ID, wants_json

ERROR_TEXT = {
    400: ("Permintaan tidak valid", "Permintaan Anda tidak dapat diproses. Periksa kembali isian Anda."),
    401: ("Perlu masuk", "Silakan masuk terlebih dahulu."),
    403: ("Akses ditolak", "Anda tidak memiliki hak untuk membuka halaman ini."),
    404: ("Halaman tidak ditemukan", "Alamat yang Anda buka tidak ada atau sudah dipindahkan."),
    405: ("Metode tidak diizinkan", "Halaman ini tidak dapat dibuka dengan cara tersebut."),
    413: ("Berkas terlalu besar", "Berkas yang Anda kirim melebihi batas ukuran unggahan."),
    429: ("Terlalu banyak percobaan", "Terlalu banyak permintaan dalam waktu singkat. "
          "Tunggu beberapa menit, lalu coba lagi."),
    500: ("Terjadi kesalahan", "Terjadi kesalahan pada server. Data Anda yang sudah tersimpan "
          "tetap aman; silakan coba lagi."),
}
# The routes an open attempt page uses: the only ones its heartbeats keep past the session limits.
_ATTEMPT_ENDPOINTS = {"quizzes.attempt", "quizzes.save_answer", "quizzes.save_page",
                      "quizzes.save_position", "quizzes.submit", "quizzes.status",
                      "quizzes.heartbeat"}
# Pages a user who must change their password may still open.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "static",
                                   "bootstrap.static", "core.healthz"}


def send_bytes(body: bytes, mimetype: str, filename: str, attachment: bool = True,
               private: bool = False) -> Response:
    """Answer with bytes as a file saved under `filename` (RFC 5987 when it is not ASCII).

    `attachment` downloads it rather than opening it in the browser; `private` (passwords, a
    person's own data) forbids every cache from keeping a copy.
    """
    response = send_file(io.BytesIO(body), mimetype=mimetype, download_name=filename, as_attachment=attachment)
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Attach loaders, hooks, error handlers and template helpers to app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman tersebut."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_check_session)
    app.before_request(_write_mode)
    app.before_request(_touch_login_session)
    for code in ERROR_TEXT:
        app.register_error_handler(code, _error)
    app.register_error_handler(CSRFError, _csrf_error)
    storage.init_app(app)  # a full disk: 503 naming the cause to admins
    app.jinja_env.filters.update(tanggal=format_date, rentang=format_range,
                                 waktu=_format_local, role_label=_role_label, persen=percent_text,
                                 angka=lambda v: decimal_text(v, 2), markdown=render, markdown_inline=render_inline,
                                 rentang_tgl=format_range, jam=_clock,
                                 tanggal_hari=lambda d: format_date(d, with_day=True),
                                 tanggal_lokal=lambda moment, zone: format_date(local_date(moment, zone)),
                                 status_label=lambda s: STATUS_LABELS.get(s, s),
                                 iso_tanggal=lambda s: format_date(date.fromisoformat(s)),
                                 iso_tanggal_rentang=lambda a, b: format_range(date.fromisoformat(a),
                                                                               date.fromisoformat(b)))
    app.context_processor(lambda: {"Role": Role})
    app.jinja_env.globals["id_url"] = id_url


def id_url(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """Return a function giving endpoint's URL for one id: url_for once, not once per row of a long list.

    `key` names the URL's id argument; the other arguments are the same for every row. The URL is
    built with the largest id a route accepts, then that id is replaced by each row's.
    """
    head, _, tail = url_for(endpoint, **{**values, key: MAX_ID}).partition(str(MAX_ID))
    return lambda ident: f"{head}{int(ident)}{tail}"


def _load_user(user_id: str) -> User | None:
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    # The server-side login session: revoked at logout, so a copied cookie dies with it.
    login = login_sessions.find_active(session.get("sid"))
    if login is None or login.user_id != int(ident):
        return None
    user = login.user
    if not user.active or user.session_version != int(version):
        return None
    g.login_session = login
    return user


def _unauthorized() -> Any:
    if wants_json():
        return jsonify(error="unauthorized", message=ERROR_TEXT[401][1]), 401
    if request.method == "GET":
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))


def _check_session() -> Response | None:
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    config = current_app.config
    seen, started = session.get("seen", now), session.get("started", now)
    if not _attempt_in_use(now) and (now - seen > config["SESSION_IDLE_MINUTES"] * 60 or
                                     now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600):
        logout_user()
        session.clear()
        flash("Sesi Anda telah berakhir. Silakan masuk kembali.", "info")
        return _unauthorized()
    session["seen"] = now
    session.setdefault("started", now)
    if current_user.must_change_password and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE:
        if wants_json():
            return jsonify(error="password_change_required"), 403  # type: ignore[return-value]
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.change_password", next=target))
    return None


def _attempt_in_use(now: float) -> bool:
    """Tell whether this request is for the attempt whose open page sent a heartbeat lately.

    Only that attempt's own routes outlive the session limits, and only within the short window
    lms.quizzes.views renews on each heartbeat or save: a page left hidden, or a user who browsed
    elsewhere, times out as usual.
    """
    alive = session.get("attempt_alive")
    if not isinstance(alive, dict) or request.endpoint not in _ATTEMPT_ENDPOINTS:
        return False
    same_attempt = (request.view_args or {}).get("attempt_id") == alive.get("id")
    return same_attempt and now < alive.get("until", 0)


def _write_mode() -> None:
    """End the read transaction of the login check; a writing request's next one locks at once.

    On SQLite this keeps the write lock for the view's own work only, not for loading the user.
    """
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        # Nothing was written: ending the read need not expire the user and login session just
        # loaded (the view and _touch_login_session would reload both, on every POST).
        session = db.session()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
        g.sqlite_write = True


def _touch_login_session() -> None:
    """Note when a login session was last used: on writing requests only, at most once a minute."""
    login = g.get("login_session")
    if g.get("sqlite_write") and login is not None and login_sessions.touch(login, utcnow()):
        db.session.commit()


def _error(error: HTTPException) -> Any:
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if code >= 500:
        db.session.rollback()  # a failed statement must not break the page that reports it
    if wants_json():
        return jsonify(error=title, message=text), code
    return render_template("error.html", code=code, title=title, text=text), code


def _csrf_error(error: CSRFError) -> Any:
    text = "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman, lalu kirim lagi."
    if wants_json():
        return jsonify(error="csrf", message=text), 400
    return render_template("error.html", code=400, title="Formulir tidak sah", text=text), 400


def _format_local(value: Any, zone: str = DEFAULT_ZONE) -> str:
    return format_datetime(value, zone) if value else "—"


def _clock(value: Any, zone: str = DEFAULT_ZONE) -> str:
    """Return the local time of a UTC moment as 08.30."""
    return format_clock(value, zone) if value else "—"


def _role_label(role: str) -> str:
    return ROLE_LABELS[Role(role)]


def venue_base_url(choice: str | None = None) -> str:
    """The base of addresses this request may print or project for phones (see lms.network).

    `choice` picks one of the laptop's venue addresses when the request came over loopback.
    """
    return reachable_base_url(request.host_url, choice)
