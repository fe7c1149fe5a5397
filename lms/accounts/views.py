"""Login, logout, own profile and password."""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from lms.accounts import services, throttle
from lms.accounts import sessions as login_sessions
from lms.accounts.forms import ChangePasswordForm, LoginForm
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.db_types import utcnow
from lms.extensions import limiter
from lms.forms import ActionForm, act, validate_all

bp = Blueprint("auth", __name__)

# Kept across login so a pending action (a check-in scanned before logging in) survives.
SESSION_KEYS_KEPT_AT_LOGIN = ("pending_checkin",)
# The login session that was opened with a one-time password, kept in that session only.
ONE_TIME_LOGIN_KEY = "one_time_login"


def _login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"], methods=["POST"],
               deduct_when=_login_failed, scope="login-address")
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        return _attempt_login(form)
    return render_template("auth/login.html", form=form, institution=_institution())


def _attempt_login(form: LoginForm) -> ResponseReturnValue:
    """Judge one login attempt: wait if throttled, else check the password and count a failure."""
    identifier, now = form.identifier.data or "", utcnow()
    policy = throttle.Policy.from_config(current_app.config)
    device = throttle.read_device(request.cookies.get(throttle.DEVICE_COOKIE))
    owner = services.find_by_login(identifier) if device else None
    keys = throttle.login_keys(identifier, device, owner)
    wait = throttle.wait_seconds(keys, now, policy)
    if wait:
        flash(throttle.wait_message(wait), "danger")
        return render_template("auth/login.html", form=form, institution=_institution()), 429
    signed_in = act(lambda: _sign_in(identifier, form.password.data or "", keys, now)).value
    if signed_in is None:
        g.login_failed = True
        act(lambda: throttle.record_failure(keys, now, policy))
        return render_template("auth/login.html", form=form, institution=_institution()), 200
    return _logged_in(*signed_in, device)


def _sign_in(identifier: str, password: str, keys: list[str], now: datetime) -> tuple[Any, str]:
    """Open the account these credentials name and a server-side session for it; forget its failures."""
    user = services.authenticate(identifier, password, now)
    throttle.clear(keys + [throttle.account_key(identifier)])
    return user, login_sessions.start(user, request.headers.get("User-Agent", ""), now)


def _logged_in(user: Any, login_token: str, device: throttle.TrustedDevice | None) -> Response:
    """Log this browser in with the new session, and trust it for the account from now on."""
    _start_session(user, login_token)
    response = redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    response.set_cookie(throttle.DEVICE_COOKIE, throttle.device_cookie(device, user), httponly=True,
                        samesite="Lax", secure=request.is_secure,
                        max_age=int(current_app.config["DEVICE_TRUST_DAYS"]) * 86400)
    return response


def _institution() -> Any:
    return services.find_institution()


def _start_session(user: Any, login_token: str) -> None:
    kept = {key: session[key] for key in SESSION_KEYS_KEPT_AT_LOGIN if key in session}
    session.clear()  # a fresh session at login: no fixation
    session.update(kept)
    login_user(user)
    session["sid"] = login_token
    if user.must_change_password:
        # This browser just proved it holds the one-time password: its change form need not ask again.
        session[ONE_TIME_LOGIN_KEY] = login_token
    session["started"] = session["seen"] = time.time()
    session.permanent = True


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.post("/logout")
@role_required(*ANY_ROLE)
def logout() -> ResponseReturnValue:
    login = g.get("login_session")
    if login is not None:
        act(lambda: login_sessions.revoke(login, utcnow()))
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/sessions/end-all")
@role_required(*ANY_ROLE)
def end_all_sessions() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    ended = act(lambda: login_sessions.end_everywhere(current_user, utcnow())).value
    logout_user()
    session.clear()
    flash(f"Anda telah keluar dari semua perangkat ({ended} sesi diakhiri). Silakan masuk kembali.",
          "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    after_one_time = _logged_in_with_one_time_password()
    if after_one_time:
        del form.current_password
    check = partial(services.check_password_change, current_user,
                    None if after_one_time else form.current_password.data or "", form.password.data or "")
    if validate_all(form, check) and act(lambda: _change_password(form, after_one_time), form,
                                         "Kata sandi Anda sudah diganti. Sesi lain di perangkat lain telah "
                                         "diakhiri.").ok:
        session.pop(ONE_TIME_LOGIN_KEY, None)
        login_user(current_user._get_current_object())  # new session version: keep this one alive
        return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("auth/change_password.html", form=form, after_one_time=after_one_time)


def _logged_in_with_one_time_password() -> bool:
    """Tell whether this very login session was opened with the one-time password still to be replaced."""
    login = g.get("login_session")
    return (bool(current_user.must_change_password) and login is not None
            and session.get(ONE_TIME_LOGIN_KEY) is not None and session.get(ONE_TIME_LOGIN_KEY) == session.get("sid"))


def _change_password(form: ChangePasswordForm, after_one_time: bool) -> None:
    now, login = utcnow(), g.get("login_session")
    if after_one_time:
        services.replace_one_time_password(current_user, form.password.data or "", now, login)
    else:
        services.change_own_password(current_user, form.current_password.data or "", form.password.data or "",
                                     now, login)


@bp.get("/account")
@role_required(*ANY_ROLE)
def profile() -> ResponseReturnValue:
    current = g.get("login_session")
    devices = login_sessions.active(current_user, utcnow(), current_app.permanent_session_lifetime,
                                    current)
    return render_template("auth/profile.html", user=current_user, logout_form=ActionForm(),
                           devices=devices, current=current)
