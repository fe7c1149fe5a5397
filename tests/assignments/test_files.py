"""Hand-in files: EXIF and GPS stripped, resized, re-encoded; bad images, bombs and big files refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lms.assignments import files
from lms.errors import ValidationFailed
from tests.assignments.conftest import photo_bytes

MB = 1024 * 1024


def test_exif_and_gps_are_stripped():
    original = photo_bytes(exif=True)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x010F) == "KameraUji"  # the fixture really carries EXIF
        assert before.getexif().get_ifd(0x8825)
    clean = files.clean_image(original, 10 * MB)
    with Image.open(io.BytesIO(clean.data)) as after:
        assert dict(after.getexif()) == {}
        assert "exif" not in after.info
        assert after.format == "JPEG"


def test_a_large_photo_is_resized_to_2048_px_and_keeps_its_shape():
    clean = files.clean_image(photo_bytes((4000, 3000)), 10 * MB)
    assert (clean.width, clean.height) == (2048, 1536)


def test_a_rotated_photo_is_turned_upright():
    image = Image.new("RGB", (40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    clean = files.clean_image(out.getvalue(), MB)
    assert (clean.width, clean.height) == (20, 40)


def test_a_transparent_png_stays_png():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    assert files.clean_image(out.getvalue(), MB).mime == "image/png"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "berkas kosong"),
    (b"<html><script>alert(1)</script></html>", "bukan gambar JPEG, PNG, atau WebP"),
    (photo_bytes()[:200], "bukan gambar JPEG, PNG, atau WebP yang utuh"),
    (photo_bytes(fmt="GIF"), "bukan gambar JPEG, PNG, atau WebP (GIF)"),
])
def test_not_an_image(data, message):
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        files.clean_image(data, MB, "Foto")


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # 144 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValidationFailed, match="ukuran gambar tidak wajar"):
        files.clean_image(out.getvalue(), MB)


def test_a_file_above_the_limit_is_refused_with_its_size():
    with pytest.raises(ValidationFailed, match=r"terlalu besar \(2,0 MB\); paling besar 1 MB"):
        files.clean_image(b"x" * 2 * MB, MB, "Foto")


def test_a_pdf_is_checked():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 100, "Laporan")
    page.save()
    assert files.clean_pdf(out.getvalue(), MB).mime == "application/pdf"
    with pytest.raises(ValidationFailed, match="rusak"):
        files.clean_pdf(b"%PDF-1.4 not really", MB)
