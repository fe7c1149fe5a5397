"""The form classes of the app, found by importing every module of `lms`."""

from __future__ import annotations

import importlib
import pkgutil

from flask_wtf import FlaskForm

import lms


def app_form_classes() -> list[type[FlaskForm]]:
    """Return every FlaskForm subclass defined in `lms`, after importing all its modules."""
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(module.name)
    pending, found = list(FlaskForm.__subclasses__()), []
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("lms."):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")
