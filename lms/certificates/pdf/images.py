"""Images and fonts of a certificate: logos, signatures and backgrounds scaled once and cached."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from lms.certificates.layout import Layout

# Images are scaled down once to about 300 dpi at their printed size: sharp on paper, yet cheap
# to compress again into each of a thousand separate certificate PDFs.
LOGO_PIXELS = 240
SIGNATURE_PIXELS = 400
BACKGROUND_PIXELS = 2400
_IMAGE_CACHE_SIZE = 16
_images: OrderedDict[tuple[str, int, bool], ImageReader] = OrderedDict()
_images_lock = threading.Lock()
_registered_fonts: set[str] = set()


def image_reader(data: bytes, max_pixels: int, what: str, flatten: bool = False) -> ImageReader:
    """Return a reader for PNG/JPEG bytes, scaled down once and cached by the bytes' hash."""
    key = (hashlib.sha256(data).hexdigest(), max_pixels, flatten)
    with _images_lock:
        if key in _images:
            _images.move_to_end(key)
            return _images[key]
    reader = _load_image(data, max_pixels, what, flatten)
    with _images_lock:
        _images[key] = reader
        while len(_images) > _IMAGE_CACHE_SIZE:
            _images.popitem(last=False)
    return reader


def _load_image(data: bytes, max_pixels: int, what: str, flatten: bool) -> ImageReader:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ("PNG", "JPEG"):
                raise ValueError(f"gambar {what} harus PNG atau JPEG, bukan {opened.format}")
            image = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise ValueError(f"gambar {what} bukan PNG/JPEG yang sah") from None
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    if flatten and image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("RGB")
    return ImageReader(image)


def _has_alpha(image: Any) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def file_bytes(path: Path) -> bytes:
    """Return a file's bytes, read once per change rather than once per page."""
    return _read_file(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read_file(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def register_fonts(layout: Layout) -> None:
    for name, path in layout.fonts.files:
        key = f"{name}\0{path}"
        if key not in _registered_fonts:
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered_fonts.add(key)
