"""Benchmark: bytes a phone downloads for a first lesson visit, and for the next lesson.

Not a test. Builds the demo in a fresh SQLite file, logs a participant in through the login form
(CSRF token and all) and, once another participant has opened the lesson (the server compresses
each static file on first use), opens it as a browser with an empty cache does: the page, then
every stylesheet, script and image it names, sending `Accept-Encoding: br, gzip`. Prints each
response (status, encoding, bytes on the wire with headers) and the total, with the time it
takes at 400 kbit/s (bandwidth alone, no latency). Then the next lesson with a warm cache: a
browser revalidates the assets whose Cache-Control says no-cache (a 304 each) and skips the
immutable ones.

    .venv/bin/python bench/transfer.py               # this checkout
    .venv/bin/python bench/transfer.py --identity    # the same without compression
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if (ROOT / "lms").is_dir():
    sys.path.insert(0, str(ROOT))

LINK_KBIT = 400
ASSET_PATTERN = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src|img[^>]*src)="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--identity", action="store_true", help="send no Accept-Encoding (what compression saves)")
    args = parser.parse_args()
    encoding = "" if args.identity else "br, gzip"
    with tempfile.TemporaryDirectory() as tmp:
        from lms import create_app
        from lms.extensions import db

        app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "SECRET_KEY": "bench", "PUBLIC_BASE_URL": "https://lms.diskominfo.contoh.go.id"})
        with app.app_context():
            db.create_all()
            login, password, lessons = setup()
        # A first phone of the day: compresses what is compressed once per process (a large file
        # goes out at a quick level first, the best one follows within seconds).
        warm = app.test_client()
        log_in(warm, login, password)
        visit(warm, lessons[0], encoding, {})
        time.sleep(5)
        client = app.test_client()
        log_in(client, login, password)
        cache: dict[str, dict[str, str]] = {}
        first = visit(client, lessons[0], encoding, cache)
        report("First lesson visit (empty cache)", first)
        report("Next lesson (warm cache)", visit(client, lessons[1], encoding, cache))


def setup() -> tuple[str, str, list[str]]:
    """Create the demo (institution, people, trainings, courses); return a participant and two lesson URLs."""
    from lms.accounts.models import User
    from lms.courses import services
    from lms.demo import create_demo
    from lms.demo_trainings import create_demo_trainings
    from lms.extensions import db

    logins = create_demo(30, seed=7)
    create_demo_trainings(datetime.now(UTC), seed=7)
    db.session.commit()
    for role, _name, login, password in logins.lines:
        if role != "participant":
            continue
        user = db.session.scalars(db.select(User).filter((User.nip == login) | (User.email == login))).one()
        user.must_change_password = False  # a participant past the first login
        for item in services.courses_for(user, None):
            lessons = [f"/courses/{item.course.slug}/{lesson.slug}" for lesson in item.course.lessons]
            if len(lessons) >= 2:
                db.session.commit()
                return login, password, lessons[:2]
    raise SystemExit("the demo has no participant with a two-lesson course")


def log_in(client: Any, login: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = client.post("/login", data={"identifier": login, "password": password,
                                           "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302:
        raise SystemExit(f"login failed ({response.status_code})")


def visit(client: Any, url: str, encoding: str, cache: dict[str, dict[str, str]]) -> list[tuple[str, int, str, int]]:
    """Fetch url and its assets as a browser would; return (url, status, encoding, wire bytes) rows."""
    rows = [fetch(client, url, encoding, {})]
    page = client.get(url).get_data(as_text=True)  # the links, read from an uncompressed copy
    for asset in dict.fromkeys(ASSET_PATTERN.findall(page)):
        known = cache.get(asset)
        if known and "immutable" in known.get("Cache-Control", ""):
            continue  # a browser does not ask again
        conditional = {"If-None-Match": known["ETag"]} if known and known.get("ETag") else {}
        rows.append(fetch(client, asset, encoding, conditional, cache))
    return rows


def fetch(client: Any, url: str, encoding: str, extra: dict[str, str],
          cache: dict[str, dict[str, str]] | None = None) -> tuple[str, int, str, int]:
    headers = {"Accept-Encoding": encoding, **extra} if encoding else dict(extra)
    response = client.get(url, headers=headers)
    body = response.get_data()  # as sent: the test client does not decompress
    head = len(f"HTTP/1.1 {response.status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2
    if cache is not None and response.status_code == 200:
        cache[url] = {k: v for k, v in response.headers.items() if k in ("Cache-Control", "ETag")}
    return url, response.status_code, response.headers.get("Content-Encoding", "-"), head + len(body)


def report(title: str, rows: list[tuple[str, int, str, int]]) -> None:
    print(f"\n{title}")
    for url, status, encoding, size in rows:
        print(f"  {status}  {encoding:>5}  {size / 1024:7.1f} KB  {url}")
    total = sum(row[3] for row in rows)
    seconds = total * 8 / (LINK_KBIT * 1000)
    print(f"  {len(rows)} requests, {total / 1024:.1f} KB transferred, {seconds:.2f} s at {LINK_KBIT} kbit/s")


if __name__ == "__main__":
    main()
