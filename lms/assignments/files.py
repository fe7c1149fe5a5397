"""Hand-in files made safe before they are stored: pure (Pillow and pypdf, no Flask or database).

Images are decoded, turned upright, resized to at most 2,048 px and encoded anew, so nothing of
the original file survives but its pixels: EXIF (camera, time, GPS location of the photo), XMP
and comments are gone. PDFs are opened with pypdf to prove they are PDFs and kept as they are.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from lms.errors import ValidationFailed

MAX_SIDE = 2048
# A 50-megapixel phone camera passes; a decompression bomb (a small file of huge size) does not.
MAX_PIXELS = 52_000_000
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanFile:
    kind: str  # "image" or "pdf"
    mime: str
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",")


def _check_size(data: bytes, max_bytes: int, what: str, name: str) -> None:
    if not data:
        raise ValidationFailed(f"{name}: berkas kosong.", "files")
    if len(data) > max_bytes:
        raise ValidationFailed(f"{name}: {what} terlalu besar ({_megabytes(len(data))} MB); paling besar "
                               f"{max_bytes // 1048576} MB.", "files")


def clean_image(data: bytes, max_bytes: int, name: str = "Foto") -> CleanFile:
    """Return the image re-encoded without metadata and at most MAX_SIDE px, or raise ValidationFailed."""
    _check_size(data, max_bytes, "foto", name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in IMAGE_FORMATS:
                    raise ValidationFailed(_format_problem(kind, name), "files")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationFailed(f"{name}: ukuran gambar tidak wajar ({width}×{height} piksel).",
                                           "files")
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale, less memory
                upright = ImageOps.exif_transpose(image)
                return _encode(upright)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(f"{name}: ukuran gambar tidak wajar; berkas ditolak.", "files") from None
    except Exception:
        raise ValidationFailed(f"{name}: berkas ini bukan gambar JPEG, PNG, atau WebP yang utuh.", "files") from None


def _format_problem(kind: str, name: str) -> str:
    if kind in {"HEIF", "HEIC", "AVIF"}:
        return (f"{name}: format {kind} belum diterima. Di pengaturan kamera pilih \"Paling kompatibel\" "
                "(JPEG), atau kirim tangkapan layarnya.")
    return f"{name}: berkas ini bukan gambar JPEG, PNG, atau WebP ({kind or 'format tidak dikenal'})."


def _encode(image: Image.Image) -> CleanFile:
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    transparent = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    # A fresh image holds the pixels only: nothing of the source's info (EXIF, XMP, ICC, text) comes along.
    mode = "RGBA" if transparent else "RGB"
    pixels = image.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    out = io.BytesIO()
    if transparent:
        fresh.save(out, "PNG", optimize=True)
        mime = "image/png"
    else:
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        mime = "image/jpeg"
    return CleanFile("image", mime, out.getvalue(), fresh.width, fresh.height)


def clean_pdf(data: bytes, max_bytes: int, name: str = "Dokumen") -> CleanFile:
    """Return the PDF when pypdf reads it as one with at least a page, or raise ValidationFailed."""
    from pypdf import PdfReader  # a few hundred ms to import: only when a PDF is handed in

    _check_size(data, max_bytes, "PDF", name)
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationFailed(f"{name}: berkas ini bukan PDF.", "files")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationFailed(f"{name}: PDF ini dikunci kata sandi; kirim PDF tanpa kata sandi.", "files")
        pages = len(reader.pages)
    except ValidationFailed:
        raise
    except Exception:
        raise ValidationFailed(f"{name}: PDF ini rusak atau tidak dapat dibaca.", "files") from None
    if pages < 1:
        raise ValidationFailed(f"{name}: PDF ini tidak punya halaman.", "files")
    return CleanFile("pdf", "application/pdf", data)
