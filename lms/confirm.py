"""Confirmation of actions that consume a gapless number, remove people or mark everyone.

Two halves that work together:

* In the browser, ``lms/static/confirm.js`` (loaded by base.html) asks before a form with a
  ``data-confirm="Pertanyaan?"`` attribute is sent (a ``<dialog>``; ``data-confirm-detail`` adds a
  line on what will happen) and, once accepted, sends it with a hidden ``confirmed=1``.
* On the server, :func:`requires_confirmation` guards the view: a POST without ``confirmed=1``
  (no JavaScript, an old page, a script) does nothing and gets ``templates/confirm.html``, which
  states the question and what will happen, and re-posts the same fields with a fresh CSRF token
  and ``confirmed=1`` ("Ya, lanjutkan"), or goes back ("Batal").

How to apply it to a form and its view (e.g. the roster's "Semua hadir" and bulk status forms):

1. In the template, give the ``<form>`` the question (and optionally the consequence)::

       <form method="post" action="..." data-confirm="Tandai semua peserta hadir?"
             data-confirm-detail="Status semua peserta sesi ini menjadi Hadir.">

   A form sent by ``fetch`` keeps working: confirm.js runs first (capture phase) and the hidden
   ``confirmed=1`` is in the form when the page's own submit handler builds its ``FormData``;
   confirm.js removes it again right after, so the next submit asks again.
2. On the view: either call :func:`unconfirmed` inside it, after loading and the ownership
   check (use this when the question names a person: nobody without the right sees it)::

       training = _training(slug, manage=True)
       if (page := unconfirmed(f"Tandai semua {count} peserta hadir?", "Status ... menjadi Hadir.",
                               url_for("attendance.roster", slug=slug))) is not None:
           return page

   or, for a fixed question, the decorator under ``@role_required(...)`` (so the role check runs first)::

       @bp.post("/<slug>/attendance/all-present")
       @role_required(*STAFF)
       @requires_confirmation(
           "Tandai semua peserta hadir?",
           lambda slug, **_: "Status semua peserta sesi ini menjadi Hadir.",
           back=lambda slug, **_: url_for("attendance.roster", slug=slug))
       def all_present(slug: str) -> ResponseReturnValue: ...

   The question and consequence are strings or callables that receive the view's URL arguments
   (``**request.view_args``); ``back`` gives the "Batal" address. The CSRF token of the first
   POST is checked before the confirm page is shown, so a forged post never reaches a "Ya" button.
   A JSON/fetch POST without ``confirmed=1`` gets 409 ``{"error": "confirmation_required"}``
   instead of the page.
3. Tests post ``confirmed=1`` for the action itself, and without it for the confirm page
   (see tests/test_confirm.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from lms.forms import ActionForm
from lms.routing import wants_json

CONFIRMED_FIELD = "confirmed"
# Fields the confirm page never re-posts: its own CSRF token replaces the first one.
_NOT_REPOSTED = frozenset({"csrf_token", CONFIRMED_FIELD})

Text = str | Callable[..., str]
View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def is_confirmed() -> bool:
    """Tell whether this POST says the person confirmed the action (the dialog or the confirm page)."""
    return request.form.get(CONFIRMED_FIELD) == "1"


def _text(value: Text, arguments: dict[str, Any]) -> str:
    return value(**arguments) if callable(value) else value


def confirm_page(question: str, consequence: str, back: str) -> ResponseReturnValue:
    """Render the page that asks before this POST is carried out, re-posting its fields once confirmed."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if name not in _NOT_REPOSTED]
    return render_template("confirm.html", question=question, consequence=consequence, back=back,
                           action=request.full_path.rstrip("?"), fields=fields, form=ActionForm())


def _same_site_referrer() -> str:
    """Return the page the form was on when it is on this site, else the home page."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"


def unconfirmed(question: str, consequence: str = "", back: str = "") -> ResponseReturnValue | None:
    """Return the confirm page (or a 409 for JSON) when this POST is not confirmed yet, else None.

    Call it in the view after loading the objects and checking permissions, before acting.
    """
    if request.method != "POST" or is_confirmed():
        return None
    if not ActionForm().validate_on_submit():
        abort(400)  # a forged post never reaches a "Ya, lanjutkan" button with a fresh token
    if wants_json():
        return jsonify(error="confirmation_required", message=question), 409
    return confirm_page(question, consequence, back or _same_site_referrer())


def requires_confirmation(question: Text, consequence: Text = "", back: Text = "") -> Callable[[View], View]:
    """Guard a POST view: without ``confirmed=1`` it does nothing and answers the confirm page."""
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            page = unconfirmed(_text(question, kwargs), _text(consequence, kwargs), _text(back, kwargs))
            return view(*args, **kwargs) if page is None else page
        return guarded  # type: ignore[return-value]
    return decorate
