import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.graphics.barcode.qrencoder import QR8bitByte, QRCode, QRErrorCorrectLevel
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.qr import QUIET_ZONE, dark_runs, draw_qr, qr_matrix

URL = "https://lms.diskominfo.contohkab.go.id/verifikasi/7K3M-Q9TZ-0B4D-XW2R-HN8P"


def render_qr_pdf(text: str, size: float = 144) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size + 72, size + 72), invariant=1)
    draw_qr(canvas, qr_matrix(text), 36, 36, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def decode_pdf(pdf: bytes, tmp_path: Path) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (pip install zxing-cpp) reads QRs")
    image_module = pytest.importorskip("PIL.Image")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) rasterises the PDF")
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "qr.pdf"),
                    str(tmp_path / "qr")], check=True)
    with image_module.open(tmp_path / "qr.png") as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("text", [
    URL,
    "https://contoh.go.id/verifikasi/0000-0000-0000-0000-0000",
    "https://lms.diskominfo.contohkab.go.id/verifikasi/" + "A" * 200,
])
def test_rendered_qr_decodes_to_the_text(text: str, tmp_path: Path) -> None:
    assert decode_pdf(render_qr_pdf(text), tmp_path) == [text]


def test_matrix_is_square_with_a_standard_size() -> None:
    matrix = qr_matrix(URL)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 17) % 4 == 0 and 21 <= size <= 177
    # The three finder patterns sit in the corners: 7 dark modules along their top edge.
    assert matrix[0][:7] == matrix[0][-7:] == matrix[-1][:7] == [True] * 7


def reportlab_matrix(text: str) -> list[list[bool]]:
    """ReportLab's own encoder, byte mode, level M, mask 0: what qr_matrix must reproduce."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(QR8bitByte(text.encode("utf-8")))
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    return [list(row) for row in code.modules]


def test_matrix_is_reportlabs_for_every_length_and_version() -> None:
    rng = random.Random(11)
    lengths = [*range(1, 160), *range(160, 1001, 9), 1000]
    # n bytes of UTF-8, one letter of them taking two
    texts = ["é"[:n - 1] + "".join(rng.choice("abcXYZ0189/:.-?=") for _ in range(n - 2 * (n > 1))) for n in lengths]
    versions = set()
    for text in texts:
        matrix = qr_matrix(text)
        assert matrix == reportlab_matrix(text), len(text)
        versions.add((len(matrix) - 17) // 4)
    assert versions == set(range(1, 27))  # both lengths of the byte count, every block layout up to 1000 bytes


def test_matrix_does_not_share_rows_between_calls() -> None:
    first = qr_matrix(URL)
    first[0][0] = not first[0][0]
    assert qr_matrix(URL) == reportlab_matrix(URL)


def test_longer_text_needs_a_larger_symbol() -> None:
    assert len(qr_matrix(URL + "x" * 100)) > len(qr_matrix(URL))


@pytest.mark.parametrize("text, fragment", [("", "kosong"), ("x" * 1001, "terlalu panjang")])
def test_qr_matrix_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        qr_matrix(text)


@pytest.mark.parametrize("row, runs", [
    ([], []),
    ([False, False], []),
    ([True], [(0, 1)]),
    ([True, True, False, True], [(0, 2), (3, 1)]),
    ([False, True, True, True], [(1, 3)]),
])
def test_dark_runs(row: list[bool], runs: list[tuple[int, int]]) -> None:
    assert dark_runs(row) == runs


def qr_content(matrix: list[list[bool]], x: float, y: float, size: float) -> str:
    """Draw matrix alone; return the page's content stream."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    draw_qr(canvas, matrix, x, y, size)
    canvas.showPage()
    canvas.save()
    content = buffer.getvalue().decode("latin-1")
    return content[content.index("stream") + 6:content.index("endstream")]


def dark_rectangles(content: str) -> list[tuple[int, int, int, int]]:
    """Return the (column, row, width, height) of each dark rectangle, in module units."""
    dark = content.split(" cm\n", 1)[1].split("\nf\n", 1)[0]
    tokens = dark.split()
    assert tokens[4::5] == ["re"] * (len(tokens) // 5)
    return [(int(tokens[i]), int(tokens[i + 1]), int(tokens[i + 2]), int(tokens[i + 3]))
            for i in range(0, len(tokens), 5)]


def test_draw_qr_uses_one_rectangle_per_run_and_one_fill() -> None:
    matrix = qr_matrix(URL)
    content = qr_content(matrix, 0, 0, 100)
    rectangles = dark_rectangles(content)
    runs = [(start, row, length, 1)
            for row, cells in enumerate(matrix) for start, length in dark_runs(cells)]
    assert rectangles == runs
    assert len(runs) < sum(map(sum, matrix))
    # The light background (quiet zone) and the dark runs: two fills in all.
    assert content.count(" re f") == 1 and content.count("\nf\n") == 1


def test_modules_are_placed_inside_the_quiet_zone() -> None:
    matrix = qr_matrix(URL)
    module = 144 / (len(matrix) + 2 * QUIET_ZONE)
    content = qr_content(matrix, 36, 20, 144)
    transform = [float(t) for t in content.split(" cm\n", 1)[0].split()[-6:]]
    expected = [module, 0, 0, -module, 36 + QUIET_ZONE * module, 20 + 144 - QUIET_ZONE * module]
    assert transform == pytest.approx(expected, abs=1e-3)
    rectangles = dark_rectangles(content)
    assert min(column for column, _, _, _ in rectangles) == 0
    assert max(column + width for column, _, width, _ in rectangles) == len(matrix)
    assert max(row for _, row, _, _ in rectangles) == len(matrix) - 1
