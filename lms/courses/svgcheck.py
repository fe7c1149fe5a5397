"""Decide whether an SVG of a course's assets/ is a plain drawing: pure, no Flask.

An SVG can carry script, event handlers, links, external references and embedded HTML, any
of which would run or load in the app's origin when the file is opened on its own. Only plain
drawings pass: an allowlist of SVG elements and attributes, no DOCTYPE or entities, no
references outside the file. The asset route serves an SVG only when it passes (and with a
sandboxing Content-Security-Policy besides), and `content check` reports the first problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "path", "text", "tspan", "linearGradient", "radialGradient", "stop", "marker", "clipPath", "symbol", "use",
}
ATTRIBUTES = {
    "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "dx", "dy", "d", "points", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "opacity", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing",
    "text-decoration", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
    "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits", "clip-path", "clipPathUnits",
    "marker-start", "marker-mid", "marker-end", "preserveAspectRatio", "role", "aria-labelledby",
    "aria-label", "href", "version", "lang", "xml:lang", "xml:space", "paint-order", "vector-effect",
}
# An attribute may point only inside the file: url(#id) and href="#id".
_URL = re.compile(r"url\(\s*([^)]*)\)", re.I)
_LOCAL = re.compile(r"^['\"]?#[A-Za-z][\w.-]*['\"]?$")


@dataclass(frozen=True)
class SvgProblem:
    line: int
    message: str


class _Refused(Exception):
    """Stops the parser at the first problem (an entity is never expanded, a large file never read on)."""


def svg_problem(data: bytes) -> SvgProblem | None:
    """Return the first reason data is not a plain SVG drawing, or None when it is one."""
    problems: list[SvgProblem] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = [0]

    def report(message: str) -> None:
        problems.append(SvgProblem(parser.CurrentLineNumber, message))
        raise _Refused

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if depth[0] == 0 and (namespace, local) != (SVG_NS, "svg"):
            report("akar berkas harus <svg xmlns=\"http://www.w3.org/2000/svg\">")
        depth[0] += 1
        if namespace != SVG_NS or local not in ELEMENTS:
            report(f"elemen <{local}> tidak diizinkan di gambar SVG (hanya bentuk, teks, dan gradien)")
        for key, value in attributes.items():
            problem = _attribute_problem(key, value)
            if problem:
                report(f"<{local}>: {problem}")

    def refuse(kind: str) -> object:
        def handler(*_: object) -> None:
            report(f"{kind} tidak diizinkan di gambar SVG")
        return handler

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse("DOCTYPE")  # type: ignore[assignment]
    parser.EntityDeclHandler = refuse("deklarasi entitas")  # type: ignore[assignment]
    parser.ProcessingInstructionHandler = refuse("instruksi pemrosesan (<?...?>)")  # type: ignore[assignment]
    parser.ExternalEntityRefHandler = refuse("entitas eksternal")  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except _Refused:
        return problems[0]
    except expat.ExpatError as exc:
        return SvgProblem(exc.lineno, f"SVG bukan XML yang sah: {expat.ErrorString(exc.code)}")
    return None if depth[0] else SvgProblem(1, "berkas SVG kosong")


def _attribute_problem(key: str, value: str) -> str | None:
    namespace, _, local = key.rpartition(" ")
    name = {"": local, XML_NS: f"xml:{local}", XLINK_NS: f"xlink:{local}"}.get(namespace)
    if name is None or (name not in ATTRIBUTES and name != "xlink:href"):
        return f"atribut \"{local}\" tidak diizinkan"
    if name in {"href", "xlink:href"} and not _LOCAL.match(value.strip()):
        return f"atribut \"{local}\" hanya boleh menunjuk ke dalam berkas ini (#id)"
    for target in _URL.findall(value):
        if not _LOCAL.match(target.strip()):
            return f"atribut \"{local}\" memuat url() ke luar berkas"
    return None
