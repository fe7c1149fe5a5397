"""Role checks for views, and how an unauthorised request is answered."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort, request
from flask_login import current_user

from lms.accounts.models import Role
from lms.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints any visitor may open without logging in. Everything else must refuse them.
PUBLIC_ENDPOINTS = frozenset({
    "static", "bootstrap.static", "auth.login", "core.healthz", "core.institution_logo",
    "attendance.scan", "certificates.lookup", "certificates.verify", "certificates.verify_json",
})


def wants_json() -> bool:
    """Tell whether this request should be answered with JSON rather than a page."""
    if request.path.endswith(".json") or request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let only logged-in users with one of these roles through (401/login, else 403)."""
    allowed = {role.value for role in roles}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


ANY_ROLE = (Role.PARTICIPANT, Role.TRAINER, Role.ADMIN)
STAFF = (Role.TRAINER, Role.ADMIN)
