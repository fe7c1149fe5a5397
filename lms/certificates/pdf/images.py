"""Images and fonts of a certificate: logos, signatures and backgrounds scaled once and cached."""

from __future__ import annotations

import copy
import hashlib
import io
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader, _digester
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFImageXObject, PDFObjectReference
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.layout import Layout

# Images are scaled down once to about 300 dpi at their printed size: sharp on paper, yet cheap
# to compress again into each of a thousand separate certificate PDFs.
LOGO_PIXELS = 240
SIGNATURE_PIXELS = 400
BACKGROUND_PIXELS = 2400
_IMAGE_CACHE_SIZE = 16
_images: OrderedDict[tuple[str, int, bool], CachedImage] = OrderedDict()
_images_lock = threading.Lock()
_registered_fonts: set[str] = set()


class CachedImage(ImageReader):
    """A scaled image whose PDF image object (hashed, compressed pixels and mask) is made once.

    canvas.drawImage hashes and compresses an image's pixels again in every document: a bulk
    issue of a thousand certificates with one logo needs that done once (see draw_image).
    """

    def __init__(self, image: Any) -> None:
        super().__init__(image)
        self._form: tuple[str, PDFImageXObject] | None = None
        self._form_lock = threading.Lock()

    def form(self) -> tuple[str, PDFImageXObject]:
        """Return the name drawImage gives this image with mask="auto", and its image object."""
        with self._form_lock:
            if self._form is None:
                rgb = self.getRGBData()  # which also splits off the transparency, _dataA
                alpha = self._dataA.getRGBData() if self._dataA else b"auto"
                name = _digester(rgb + alpha)
                self._form = name, PDFImageXObject(name, self, mask="auto")
            return self._form


def draw_image(canvas: Canvas, image: ImageReader, x: float, y: float, width: float,
               height: float) -> None:
    """Draw image as canvas.drawImage(image, x, y, width, height, mask="auto") does, byte for byte.

    A CachedImage brings its image object ready: each document gets a copy of it (a document
    marks the objects it holds) instead of compressing the pixels again.
    """
    if not isinstance(image, CachedImage):
        canvas.drawImage(image, x, y, width, height, mask="auto")
        return
    name, form = image.form()
    document, registered = canvas._doc, canvas._doc.getXObjectName(name)
    canvas._currentPageHasImages = 1
    if document.idToObject.get(registered) is None:  # first use in this document: add it
        xobject = copy.copy(form)
        canvas._setXObjects(xobject)
        document.Reference(xobject, registered)
        document.addForm(name, xobject)
        soft_mask = getattr(form, "_smask", None)
        if soft_mask is not None:  # the transparency, an image of its own
            del xobject._smask
            mask_name = document.getXObjectName(soft_mask.name)
            if document.idToObject.get(mask_name) is None:
                mask = copy.copy(soft_mask)
                canvas._setXObjects(mask)
                xobject.smask = document.Reference(mask, mask_name)
            else:
                xobject.smask = PDFObjectReference(mask_name)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)


def image_reader(data: bytes, max_pixels: int, what: str, flatten: bool = False) -> CachedImage:
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


def _load_image(data: bytes, max_pixels: int, what: str, flatten: bool) -> CachedImage:
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
    return CachedImage(image)


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
