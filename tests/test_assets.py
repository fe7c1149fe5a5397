"""Small transfers: content-hash static addresses cached for a year, gzip/Brotli by Accept-Encoding."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Response, make_response, request, stream_with_context

from lms import assets, create_app
from tests.conftest import settings_for
from tests.test_security import assert_security_headers

STATIC = Path(__file__).resolve().parent.parent / "lms" / "static"


def asset_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:assets|static|bootstrap)/[^"]+)"', page)


def test_pages_link_fingerprinted_assets_served_immutable(client):
    urls = asset_urls(client.get("/login").get_data(as_text=True))
    ours = [url for url in urls if url.startswith("/assets/lms/")]
    bootstrap = [url for url in urls if url.startswith("/assets/bootstrap/")]
    assert ours and bootstrap and all(url.startswith("/assets/") for url in urls)
    css = next(url for url in ours if url.endswith("/lms.css"))
    digest = css.split("/")[3]
    body = (STATIC / "lms.css").read_bytes()
    assert re.fullmatch(r"[0-9a-f]{12}", digest) and digest == assets.load(str(STATIC), "lms.css").digest
    response = client.get(css)
    assert response.status_code == 200 and response.data == body
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"
    assert client.get(bootstrap[0]).headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("br, gzip", "br", brotli.decompress),
    ("gzip, deflate, br;q=0", "gzip", gzip.decompress),
    ("gzip;q=0.5, br;q=0.8", "br", brotli.decompress),
    ("", None, bytes),
    ("identity", None, bytes),
])
def test_static_files_negotiate_encoding(client, accept, encoding, decode):
    url = next(u for u in asset_urls(client.get("/login").get_data(as_text=True)) if u.endswith("bootstrap.min.css"))
    response = client.get(url, headers={"Accept-Encoding": accept} if accept else {})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    original = client.get(url).data
    assert decode(response.data) == original and len(original) > 100_000
    if encoding:
        assert len(response.data) < len(original) / 4


def test_old_addresses_still_work_and_revalidate(client):
    response = client.get("/static/lms.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and gzip.decompress(response.data) == (STATIC / "lms.css").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/lms.css",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200
    assert client.get("/static/no-such-file.css").status_code == 404
    assert client.get("/assets/lms/0123456789ab/../../lms/__init__.py").status_code == 404


def test_a_stale_hash_gets_the_current_file_but_is_not_pinned(client):
    response = client.get("/assets/lms/000000000000/lms.css")
    assert response.status_code == 200 and response.data == (STATIC / "lms.css").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_hash_follows_the_file(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black; }")
    before = assets.load(str(tmp_path), "site.css")
    (tmp_path / "site.css").write_text("body { color: navy; }")
    after = assets.load(str(tmp_path), "site.css")
    assert before is not None and after is not None and before.digest != after.digest
    assert after.body == b"body { color: navy; }"
    assert assets.load(str(tmp_path), "../site.css") is None and assets.load(str(tmp_path), "none.css") is None


def test_a_large_file_goes_out_at_once_then_at_the_best_brotli(tmp_path):
    body = "".join(f".c{i} {{ margin: {i % 7}px; color: #{i:06x}; }}\n" for i in range(3000)).encode()
    assert len(body) > assets.QUICK_LIMIT
    (tmp_path / "big.css").write_bytes(body)
    asset = assets.load(str(tmp_path), "big.css")
    quick = asset.encoded("br")
    assert brotli.decompress(quick) == body
    assert asset.settled.wait(60), "the best Brotli copy was never made"
    best = asset.encoded("br")
    assert brotli.decompress(best) == body and len(best) <= len(quick)
    assert asset.encoded("br") is best  # made once, not per request


def test_without_brotli_clients_get_gzip(client, monkeypatch):
    monkeypatch.setattr(assets, "BROTLI", None)
    response = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Masuk" in gzip.decompress(response.data).decode()


def test_pages_are_compressed_with_their_security_headers(client):
    plain = client.get("/login")
    squeezed = client.get("/login", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in plain.headers and squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain.data and len(squeezed.data) < len(plain.data) / 2
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert int(squeezed.headers["Content-Length"]) == len(squeezed.data)
    assert_security_headers(squeezed)


def test_small_answers_are_sent_as_they_are(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.get_json()["status"] == "ok"


@pytest.fixture
def bare_app(tmp_path):
    """An app of its own, to which routes may still be added (the session app has served requests)."""
    application = create_app(settings_for(tmp_path))
    page = "<!doctype html><p>" + "Materi bimtek untuk peserta. " * 200 + "</p>"

    @application.get("/tagged")
    def tagged() -> Response:
        response = make_response(page)
        response.add_etag()
        return response.make_conditional(request)

    @application.get("/streamed")
    def streamed() -> Response:
        return Response(stream_with_context(iter([page] * 3)), mimetype="text/html")

    return application


def test_etags_survive_compression(bare_app):
    client = bare_app.test_client()
    first = client.get("/tagged", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"].startswith('W/"')
    again = client.get("/tagged", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    plain = client.get("/tagged")
    assert not plain.headers["ETag"].startswith("W/") and gzip.decompress(first.data) == plain.data


def test_streams_are_not_compressed(bare_app):
    response = bare_app.test_client().get("/streamed", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in response.headers and response.data.count(b"Materi bimtek") == 600


def test_favicon_is_linked_and_served(client):
    # Every page names the icon; /favicon.ico, which browsers ask for on their own, leads to it (no 404 in the log).
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page)
    assert icon and "/favicon.svg" in icon.group(1)
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(icon.group(1).rsplit("/", 1)[-1])
    served = client.get(icon.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml" and b"<svg" in served.get_data()
