"""Check uploaded images (logos, signatures) before they are stored."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from lms.errors import ValidationFailed

# Far above any logo, far below what would exhaust memory when decoded.
MAX_PIXELS = 25_000_000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def check_image(data: bytes, max_bytes: int, formats: tuple[str, ...] = ("PNG", "JPEG"),
                field: str = "logo") -> str:
    """Return the MIME type of a real PNG/JPEG image within limits, or raise ValidationFailed."""
    allowed = " atau ".join(formats)
    if not data:
        raise ValidationFailed("Berkas gambar kosong.", field)
    if len(data) > max_bytes:
        raise ValidationFailed(
            f"Gambar terlalu besar ({len(data) / 1048576:.1f} MB); paling besar "
            f"{max_bytes / 1048576:.0f} MB.", field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationFailed(
                        f"Gambar terlalu besar ({width}×{height} piksel).", field)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() skips the pixel data; a truncated file fails here
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed("Gambar ditolak: ukuran pikselnya tidak wajar.", field) from None
    except Exception:
        raise ValidationFailed(f"Berkas bukan gambar {allowed} yang sah.", field) from None
    if kind not in formats:
        raise ValidationFailed(f"Format gambar {kind or 'tidak dikenal'} tidak diterima; "
                               f"gunakan {allowed}.", field)
    return FORMATS[kind]
