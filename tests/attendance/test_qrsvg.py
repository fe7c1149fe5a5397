"""The check-in screen's QR code: the SVG draws exactly the modules of the QR matrix."""

import re

from lms.attendance.qrsvg import qr_svg
from lms.certificates.qr import QUIET_ZONE, qr_matrix

URL = "https://lms.example.go.id/attendance/scan/abc123"


def _drawn(svg: str, size: int) -> list[list[bool]]:
    modules = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="1"/>', svg):
        for column in range(int(x), int(x) + int(width)):
            modules[int(y) - QUIET_ZONE][column - QUIET_ZONE] = True
    return modules


def test_the_svg_draws_the_matrix_inside_its_quiet_zone():
    matrix = qr_matrix(URL)
    svg = str(qr_svg(URL, "Kode QR presensi"))
    side = len(matrix) + 2 * QUIET_ZONE
    assert f'viewBox="0 0 {side} {side}"' in svg
    assert _drawn(svg, len(matrix)) == matrix


def test_the_label_is_escaped_and_read_out():
    svg = str(qr_svg(URL, 'Kode "QR" <presensi>'))
    assert 'role="img"' in svg and 'aria-label="Kode &#34;QR&#34; &lt;presensi&gt;"' in svg
