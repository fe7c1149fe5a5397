"""Small transfers over venue Wi-Fi: fingerprinted static files, compressed once, and compressed pages.

`url_for("static", ...)` and `url_for("bootstrap.static", ...)` (which Bootstrap-Flask's
load_css/load_js call) build `/assets/<owner>/<content hash>/<file>`: such an address never
changes content, so it is cached for a year without revalidation. The old `/static/<file>`
addresses keep working (revalidated with an ETag). Both are sent gzip- or Brotli-compressed by
the request's Accept-Encoding, compressed once per process on first use and kept in memory.
Dynamic HTML and JSON answers above a small size are compressed on the way out; downloads
(`send_file`, so `lms.web.send_bytes`), streams and already-compressed types are left alone.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, current_app, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

try:  # the Brotli package is a dependency; without it every client gets gzip
    import brotli
except ImportError:  # pragma: no cover - exercised by monkeypatching BROTLI to None
    brotli = None

BROTLI: Any = brotli
# Types worth compressing; everything else (PDF, PNG, JPEG, ZIP, WOFF2) is compressed already.
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/json", "image/svg+xml", "application/xml", "text/xml",
})
MIN_SIZE = 1024  # below one packet the headers cost more than compression saves
IMMUTABLE = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 12
# Brotli's best level for files compressed once; a fast level for every page. Level 11 takes about
# a second for Bootstrap's CSS: a file that size is first sent at the quick level and upgraded in
# the background, so the first phone of the day does not wait for it.
STATIC_BROTLI_QUALITY, DYNAMIC_BROTLI_QUALITY = 11, 4
QUICK_BROTLI_QUALITY, QUICK_LIMIT = 5, 32 * 1024
STATIC_GZIP_LEVEL, DYNAMIC_GZIP_LEVEL = 9, 6
# Endpoint -> (owner in the address, where its files come from).
_OWNERS = {"static": "lms", "bootstrap.static": "bootstrap"}


@dataclass
class Asset:
    """One static file, its content hash and its compressed variants (computed once)."""

    body: bytes
    mimetype: str
    digest: str
    stamp: tuple[int, int]
    variants: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    settled: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def compressible(self) -> bool:
        return self.mimetype in COMPRESSIBLE and len(self.body) >= MIN_SIZE

    def encoded(self, encoding: str) -> bytes:
        """Return the body in encoding ("br", "gzip" or "" for identity), compressing it once."""
        if not encoding:
            return self.body
        with self.lock:  # one thread compresses; the others wait for its result instead of redoing it
            if encoding not in self.variants:
                if encoding == "br" and len(self.body) > QUICK_LIMIT:
                    self.variants[encoding] = bytes(BROTLI.compress(self.body, quality=QUICK_BROTLI_QUALITY))
                    threading.Thread(target=self._best_brotli, daemon=True).start()
                else:
                    self.variants[encoding] = compress(self.body, encoding, static=True)
            return self.variants[encoding]

    def _best_brotli(self) -> None:
        best = compress(self.body, "br", static=True)
        with self.lock:
            if len(best) < len(self.variants["br"]):
                self.variants["br"] = best
        self.settled.set()


_assets: dict[str, Asset] = {}


def init_app(app: Flask) -> None:
    """Route the fingerprinted addresses, serve static files compressed, compress answers."""
    app.url_defaults(_add_digest)
    for endpoint, owner in _OWNERS.items():
        folder = _folder(app, endpoint)
        if folder is None:
            continue
        app.add_url_rule(f"/assets/{owner}/<digest>/<path:filename>", endpoint=endpoint)
        app.view_functions[endpoint] = _static_view(folder)
    app.after_request(compress_response)


def _folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.partition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def _add_digest(endpoint: str, values: dict[str, Any]) -> None:
    """Put the file's content hash in a static address, so the address changes with the file."""
    if endpoint not in _OWNERS or "digest" in values or not isinstance(values.get("filename"), str):
        return
    folder = _folder(current_app, endpoint)
    asset = load(folder, values["filename"]) if folder else None
    if asset is not None:
        values["digest"] = asset.digest


def load(folder: str, filename: str) -> Asset | None:
    """Return the asset at folder/filename (re-read when the file changed), or None if there is none."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    asset = _assets.get(path)
    if asset is not None and asset.stamp == stamp:
        return asset
    with open(path, "rb") as handle:
        body = handle.read()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    asset = Asset(body, mimetype, hashlib.sha256(body).hexdigest()[:DIGEST_LENGTH], stamp)
    _assets[path] = asset
    return asset


def _static_view(folder: str) -> Any:
    def serve(filename: str, digest: str | None = None) -> Response:
        asset = load(folder, filename)
        if asset is None:
            abort(404)
        encoding = negotiate() if asset.compressible else ""
        body = asset.encoded(encoding)
        response = Response(body, mimetype=asset.mimetype)
        if asset.compressible:
            response.vary.add("Accept-Encoding")
        if encoding:
            response.headers["Content-Encoding"] = encoding
        # Weak for a compressed copy: the same content, though a quick Brotli copy is later replaced.
        response.set_etag(asset.digest + (f"-{encoding}" if encoding else ""), weak=bool(encoding))
        # A stale hash (a page cached before an upgrade) gets today's file, but is not pinned for a year.
        response.headers["Cache-Control"] = IMMUTABLE if digest == asset.digest else "no-cache"
        return response.make_conditional(request)

    return serve


def negotiate() -> str:
    """Return the best encoding the request accepts: "br", then "gzip", else "" (identity)."""
    accepted = request.accept_encodings
    if BROTLI is not None and accepted.quality("br") > 0:
        return "br"
    if accepted.quality("gzip") > 0:
        return "gzip"
    return ""


def compress(body: bytes, encoding: str, static: bool = False) -> bytes:
    """Return body compressed with encoding ("br" or "gzip"); static files get the best level."""
    if encoding == "br":
        return bytes(BROTLI.compress(body, quality=STATIC_BROTLI_QUALITY if static else DYNAMIC_BROTLI_QUALITY))
    # mtime=0: the same bytes every time, so a compressed file's ETag stays true.
    return gzip.compress(body, compresslevel=STATIC_GZIP_LEVEL if static else DYNAMIC_GZIP_LEVEL, mtime=0)


def compress_response(response: Response) -> Response:
    """Compress an HTML/JSON answer for a client that accepts it; leave files and streams alone."""
    if (response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE or not 200 <= response.status_code < 300
            or response.status_code in (204, 206)):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.vary.add("Accept-Encoding")
    encoding = negotiate()
    if not encoding:
        return response
    response.set_data(compress(body, encoding))
    response.headers["Content-Encoding"] = encoding
    tag, weak = response.get_etag()
    if tag and not weak:
        # Same content, other bytes: a strong tag would lie; If-None-Match compares weakly, so 304s still work.
        response.set_etag(tag, weak=True)
    return response
