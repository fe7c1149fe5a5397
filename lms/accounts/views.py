"""Login, logout, own profile and password."""

from __future__ import annotations

import time
from typing import Any, Optional
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from lms.accounts import services
from lms.accounts.forms import ChangePasswordForm, LoginForm
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.forms import ActionForm
from lms.extensions import db, limiter
from lms.permissions import ANY_ROLE, role_required

bp = Blueprint("auth", __name__)

# Kept across login so a pending action (a check-in scanned before logging in) survives.
SESSION_KEYS_KEPT_AT_LOGIN = ("pending_checkin",)


def _login_account_key() -> str:
    # The same account however it is typed: "1985 0314..." and "19850314..." share one counter.
    text = request.form.get("identifier", "").strip().lower()
    return "account:" + (text if "@" in text else "".join(ch for ch in text if ch.isdigit()))


def _login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=_login_account_key,
               methods=["POST"], deduct_when=_login_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ADDRESS"], methods=["POST"],
               deduct_when=_login_failed, scope="login-address")
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.identifier.data or "", form.password.data or "", utcnow())
        except LmsError as exc:
            g.login_failed = True
            flash(exc.message, "danger")
            return render_template("auth/login.html", form=form, institution=_institution()), 200
        _start_session(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("auth/login.html", form=form, institution=_institution())


def _institution() -> Any:
    return services.find_institution()


def _start_session(user: Any) -> None:
    kept = {key: session[key] for key in SESSION_KEYS_KEPT_AT_LOGIN if key in session}
    session.clear()  # a fresh session at login: no fixation
    session.update(kept)
    login_user(user)
    session["started"] = session["seen"] = time.time()
    session.permanent = True


def _safe_next(target: Optional[str]) -> Optional[str]:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.post("/logout")
@role_required(*ANY_ROLE)
def logout() -> Response:
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data or "",
                                         form.password.data or "")
        except LmsError as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # new session version: keep this one alive
            flash("Kata sandi Anda sudah diganti. Sesi lain di perangkat lain telah diakhiri.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("core.home"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/account")
@role_required(*ANY_ROLE)
def profile() -> str:
    return render_template("auth/profile.html", user=current_user, logout_form=ActionForm())
