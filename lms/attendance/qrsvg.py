"""The check-in screen's QR code as inline SVG, drawn from the same matrix as the certificates' PDFs."""

from __future__ import annotations

from markupsafe import Markup, escape

from lms.certificates.qr import QUIET_ZONE, dark_runs, qr_matrix


def qr_svg(text: str, label: str) -> Markup:
    """Return an accessible SVG of a QR code encoding text."""
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET_ZONE
    rects = "".join(f'<rect x="{QUIET_ZONE + start}" y="{QUIET_ZONE + y}" width="{length}" height="1"/>'
                    for y, row in enumerate(matrix) for start, length in dark_runs(row))
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
                  f'aria-label="{escape(label)}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
                  f'fill="#fff"/><g fill="#000">{rects}</g></svg>')
