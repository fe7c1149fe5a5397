"""Role checks for views: who may open which endpoint, and the answer to those who may not."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from lms.accounts.models import Role
from lms.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints any visitor may open without logging in. Everything else must refuse them.
PUBLIC_ENDPOINTS = frozenset({
    "static", "bootstrap.static", "auth.login", "core.healthz", "core.favicon", "core.institution_logo",
    "attendance.scan", "certificates.lookup", "certificates.verify", "certificates.verify_json",
    "badges.issuer", "badges.jwks", "badges.status_list",  # Open Badges verifiers fetch these without an account
})


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
