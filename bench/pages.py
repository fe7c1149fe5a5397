"""Pages under load: requests per second of each page beside a bare template page, same server, same run.

Not a test. It fills a fresh database with the demo (300 participants by default: the finished
bimtek with its attendance, tests and issued certificates, and the bimtek running today), starts
a real server with one extra route, /bench/bare (a bare Flask view rendering a 50-item template,
the reference), then loads each page with wrk (-c32) as the person who uses it and prints its
requests/s, latency, refusals and ratio to the bare page, and every "database is locked" the
server logged. Servers as in quiz_load.py: `serve` is `make run`'s command (python -m lms.serve),
`waitress` the same with one Waitress process, `gunicorn` is `gunicorn --workers 4`.

    python bench/pages.py --server serve --db sqlite
    python bench/pages.py --server gunicorn --db postgresql
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-1"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
BARE_ITEMS = 50
BARE_TEMPLATE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>
{% for item in items %}<li><a href="/item/{{ item.id }}">{{ item.name }}</a> <span>{{ item.note }}</span></li>
{% endfor %}</ul></main></body></html>"""

SETUP = """
import sys
from datetime import UTC, datetime
from sqlalchemy import select
from lms import create_app
from lms.accounts.models import Role, User
from lms.accounts.services import hash_password
from lms.certificates import services as certificates
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, RUNNING_SLUG, create_demo_trainings
from lms.extensions import db
from lms.trainings.scope import get_training, participant_ids

app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    now = datetime.now(UTC)
    create_demo(int(sys.argv[1]), seed=7)
    create_demo_trainings(now, seed=7)
    db.session.commit()
    finished, running = get_training(FINISHED_SLUG), get_training(RUNNING_SLUG)
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    certificates.issue_all(finished, admin, now, commit=db.session.commit)
    db.session.commit()
    participant = db.session.get(User, sorted(participant_ids(running))[0])
    trainer = running.trainers[0]
    for user in (admin, trainer, participant):
        user.password_hash = hash_password(%(password)r)
        user.must_change_password = False
    db.session.commit()
    course = running.courses[0]
    from lms.certificates.models import Certificate
    code = db.session.scalars(select(Certificate.code).where(Certificate.training_id == finished.id)).first()
    print(__import__("json").dumps({
        "admin": admin.login_name, "trainer": trainer.login_name, "participant": participant.login_name,
        "finished": finished.slug, "running": running.slug, "course": course.slug,
        "lesson": course.lessons[0].slug, "posttest": running.posttest.slug, "code": code}))
"""


def bench_app() -> Any:
    """Return the LMS app with the reference route /bench/bare (the gunicorn entry point)."""
    sys.path.insert(0, str(ROOT))
    from lms import create_app

    return add_bare_route(create_app())


def add_bare_route(app: Any) -> Any:
    from flask import render_template_string

    items = [{"id": n, "name": f"Butir nomor {n}", "note": f"Catatan pendek {n}"} for n in range(BARE_ITEMS)]
    app.add_url_rule("/bench/bare", "bench_bare",
                     lambda: render_template_string(BARE_TEMPLATE, title="Halaman acuan", items=items))
    return app


def serve_main(argv: list[str]) -> None:
    """Run `python -m lms.serve` (make run's command) with the reference route added."""
    sys.path.insert(0, str(ROOT))
    import lms.serve

    original = lms.serve.create_app
    lms.serve.create_app = lambda config=None: add_bare_route(original(config))  # type: ignore[assignment]
    lms.serve.main(argv)


def server_command(kind: str, port: int) -> list[str]:
    if kind in ("serve", "waitress"):
        cmd = [str(BIN / "python"), str(Path(__file__).resolve()), "--run-server", "--host=127.0.0.1",
               f"--port={port}", "--threads=16", "--connection-limit=1000", "--channel-timeout=60", "--ident=lms"]
        return cmd + (["--server=waitress"] if kind == "waitress" else [])
    return [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
            "--pythonpath", str(ROOT / "bench"), "pages:bench_app()"]


def prepare(db: str, work: Path, participants: int, pg_name: str) -> tuple[dict[str, str], dict[str, str]]:
    if db == "sqlite":
        url = f"sqlite:///{work / 'pages.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {pg_name}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY="bench-secret")
    flask = [str(BIN / "flask"), "--app", "lms"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run(flask + ["content", "sync"], env=env, check=True, capture_output=True, cwd=ROOT)
    output = subprocess.run([str(BIN / "python"), "-c", SETUP % {"password": PASSWORD}, str(participants)],
                            env=env, check=True, capture_output=True, cwd=ROOT, text=True).stdout
    return env, json.loads(output.strip().splitlines()[-1])


def start_server(kind: str, env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    log = open(log_path, "wb")
    process = subprocess.Popen(server_command(kind, port), env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start: {log_path.read_text(errors='replace')[-2000:]}")


def login_cookie(base: str, login: str) -> str:
    """Log in as a browser would; return the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    body = urllib.parse.urlencode({"identifier": login, "password": PASSWORD,
                                   "csrf_token": token.group(1) if token else ""}).encode()
    opener.open(urllib.request.Request(base + "/login", data=body), timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def pages(world: dict[str, str]) -> list[tuple[str, str, str | None, str]]:
    """Return (name, path, who, a text the page must show): the pages a trainer and participant use."""
    return [
        ("bare template", "/bench/bare", None, "Butir nomor 49"),
        ("login", "/login", None, "csrf_token"),
        ("home", "/", "participant", "</main>"),
        ("course", f"/courses/{world['course']}", "participant", world["lesson"]),
        ("lesson", f"/courses/{world['course']}/{world['lesson']}", "participant", "</main>"),
        ("quiz start", f"/quizzes/{world['posttest']}?training={world['running']}", "participant", "csrf_token"),
        ("verification", f"/verify/{world['code']}", None, world["code"]),
        ("roster (300)", f"/trainings/{world['finished']}/attendance", "trainer", "</main>"),
        ("certificates (300)", f"/trainings/{world['finished']}/certificates", "admin", "</main>"),
    ]


def check_page(base: str, path: str, cookie: str, text: str) -> None:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read().decode()
        if response.status != 200 or response.geturl() != base + path or text not in body:
            raise RuntimeError(f"{path}: HTTP {response.status} at {response.geturl()}, {text!r} not shown")


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict[str, Any]:
    cmd = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rate": rate, "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "refused": int(refused.group(1)) if refused else 0,
            "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0}


def _latency(out: str, mark: str) -> float:
    found = re.search(rf"{mark}\s+([\d.]+)(us|ms|s)\b", out)
    if not found:
        return float("nan")
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run(server: str, db: str, participants: int, seconds: int, connections: int, port: int,
        pg_name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env, world = prepare(db, work, participants, pg_name)
        log_path = work / "server.log"
        process = start_server(server, env, port, log_path)
        base = f"http://127.0.0.1:{port}"
        rows = []
        try:
            cookies = {who: login_cookie(base, world[who]) for who in ("participant", "trainer", "admin")}
            for name, path, who, text in pages(world):
                cookie = cookies[who] if who else ""
                check_page(base, path, cookie, text)
                rows.append({"page": name, **wrk(base + path, cookie, seconds, connections)})
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log = log_path.read_text(errors="replace")
    bare = rows[0]["rate"] or 1.0
    for row in rows:
        row["ratio"] = round(row["rate"] / bare, 2)
    return {"server": server, "db": db, "participants": participants, "seconds": seconds,
            "connections": connections, "pages": rows, "locked": log.count("database is locked"),
            "server_errors": log.count("Traceback")}


def report(result: dict[str, Any]) -> None:
    print(f"\n== {result['server']} on {result['db']}: wrk -c{result['connections']} -d{result['seconds']}s, "
          f"{result['participants']} participants")
    print(f"{'page':<20} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'sock err':>8}")
    for row in result["pages"]:
        print(f"{row['page']:<20} {row['rate']:>8.1f} {row['ratio']:>6.2f} {row['p50']:>8.1f} {row['p99']:>8.1f} "
              f"{row['refused']:>8} {row['socket_errors']:>8}")
    print(f"'database is locked' in the server log: {result['locked']}; tracebacks: {result['server_errors']}")
    sys.stdout.flush()


def main() -> None:
    if sys.argv[1:2] == ["--run-server"]:
        serve_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=["serve", "waitress", "gunicorn"], default="serve")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=5303)
    parser.add_argument("--pg-db", default="lms_bench_speed_pages")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    result = run(args.server, args.db, args.participants, args.seconds, args.connections, args.port, args.pg_db)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
