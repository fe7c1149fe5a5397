"""Forms shared by every domain."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """Only a CSRF token: for buttons that post an action (mark done, confirm)."""
