"""QR codes for verification links, drawn as vector rectangles straight onto a PDF canvas."""

from __future__ import annotations

from functools import cache

from reportlab.graphics.barcode.qrencoder import QR8bitByte, QRCode, QRErrorCorrectLevel, QRUtil
from reportlab.pdfgen.canvas import Canvas

# ReportLab builds the Reed-Solomon generator polynomial again for every block of every code, 40 %
# of a code's time in a bulk issue; it depends only on the number of correction bytes, and the
# polynomial objects are never changed after they are built (multiply and mod return new ones).
QRUtil.getErrorCorrectPolynomial = staticmethod(cache(QRUtil.getErrorCorrectPolynomial))

# Scoring all 8 masks costs 9 matrix builds; any single mask gives a valid QR code. The checkerboard
# (pattern 0) avoids the large same-coloured blocks that make a mask score badly.
MASK_PATTERN = 0
QUIET_ZONE = 4  # modules of light margin the standard requires around the symbol
MAX_BYTES = 1000  # far above any verification URL; level M holds 2331 bytes at version 40


def qr_matrix(text: str) -> list[list[bool]]:
    """Return the QR modules (True = dark) for text at error correction level M."""
    data = text.encode("utf-8")
    if not data:
        raise ValueError("teks kode QR kosong")
    if len(data) > MAX_BYTES:
        raise ValueError(f"teks kode QR terlalu panjang ({len(data)} bita, paling banyak "
                         f"{MAX_BYTES})")
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(QR8bitByte(data))
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return [list(row) for row in code.modules]


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw matrix in a size × size square (quiet zone included) with its lower left at (x, y)."""
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    canvas.saveState()
    # A light background keeps the quiet zone light even over a background image.
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    # Work in module units, row 0 at the top: every rectangle is then whole numbers, exact (no
    # hairline seams between rows) and short to write, which matters when issuing in bulk.
    top = y + size - QUIET_ZONE * module
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, top)
    rectangles = [f"{start} {row_index} {length} 1 re"
                  for row_index, row in enumerate(matrix) for start, length in dark_runs(row)]
    # One path filled once (non-zero winding): far fewer operators than a rectangle per module.
    canvas.addLiteral("\n".join(rectangles) + "\nf")
    canvas.restoreState()


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """Return (start, length) of each horizontal run of dark modules in row."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
