"""Request input the database can hold: bounded integer ids, and no NUL characters anywhere;
and whether a request is answered with JSON or a page.

PostgreSQL refuses integers above 2**31 - 1 in INTEGER columns and text containing NUL, and
SQLite integers above 2**63; either used to surface as a 500. Here an id out of range, in the
path or the query string, is a 404 (no such row), and a NUL character anywhere in the request
is a 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))
NUL_MESSAGE = "Isian tidak boleh berisi karakter NUL."


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` matching only values an INTEGER column holds; others answer 404."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def bounded_int(value: Any) -> int:
    """Parse a query-string or form integer (ValueError if it is none; callers then ignore it).

    One beyond the database's range names no row: 404, as an out-of-range `<int:>` id does.
    """
    text = str(value).strip()
    if len(text.lstrip("+-")) > _MAX_DIGITS and text.lstrip("+-").isdigit():
        raise NotFound()  # int() refuses very long digit strings with a ValueError of its own
    number = int(text)
    if not -MAX_ID <= number <= MAX_ID:
        raise NotFound()
    return number


def bounded_ints(values: Iterable[Any]) -> list[int]:
    """Return the values that parse as integers within the database's range, dropping the others."""
    numbers = []
    for value in values:
        try:
            numbers.append(bounded_int(value))
        except (ValueError, NotFound):
            continue
    return numbers


def init_app(app: Flask) -> None:
    """Bound `<int:>` in every route (call before blueprints) and refuse NUL in any input."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_nul)


def _refuse_nul() -> Any:
    try:
        where = _first_nul()
    except RecursionError:  # the JSON parser gives up on deep nesting with this, not ValueError
        return _bad_request("Data JSON bersarang terlalu dalam.")
    if where is None:
        return None
    return _bad_request(f"{NUL_MESSAGE[:-1]} (pada {where}).")


def wants_json() -> bool:
    """Tell whether this request should be answered with JSON rather than a page."""
    if request.path.endswith(".json") or request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _bad_request(message: str) -> Any:
    if wants_json():
        return jsonify(error="bad_request", message=message), 400
    return render_template("error.html", code=400, title="Isian tidak valid", text=message), 400


def _first_nul() -> str | None:
    if "\x00" in request.path:
        return "alamat halaman"
    for source, label in ((request.args, "parameter"), (request.form, "kolom")):
        for key, value in source.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return f"{label} \"{_printable(key)}\""
    for key, upload in request.files.items(multi=True):
        if "\x00" in key or "\x00" in (upload.filename or ""):
            return f"nama berkas \"{_printable(key)}\""
    if request.is_json:
        return next(_json_nul_paths(request.get_json(silent=True)), None)
    return None


def _json_nul_paths(document: Any) -> Iterator[str]:
    pending = [(document, "JSON")]  # a stack, not recursion: nesting depth is the client's choice
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            yield path
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    yield f"{path} (nama kunci)"
                pending.append((item, f"{path}.{_printable(key)}"))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{index}]") for index, item in enumerate(value))


def _printable(name: str) -> str:
    return name.replace("\x00", "\\0")[:60]
