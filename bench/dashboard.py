"""The training dashboard (the Ringkasan tab) beside a bare template page: server time per request.

Not a test. It fills a fresh database with the demo of 300 participants (the finished bimtek: six
attendance sessions, pre-test and post-test, its assignments and evaluations; `--issue` also issues
its certificates), then, in one process with the Flask test client (server time only, no network),
requests the dashboard as the admin and the reference page /bench/bare (a bare Flask view rendering
a 50-item template) alternately, and prints p50/p95 of each (wall time, and CPU time of this process,
which other load on a shared machine barely changes), their ratio, the queries of one dashboard
request and where its time goes (figures, charts, template). Target: p95 <= 300 ms.

    .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --db postgresql --participants 300 --repeat 40
    .venv/bin/python bench/dashboard.py --no-freeze   # without the server's gc.freeze at start
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-1"
TARGET_MS = 300
BARE_TEMPLATE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>
{% for item in items %}<li><a href="/item/{{ item.id }}">{{ item.name }}</a> <span>{{ item.note }}</span></li>
{% endfor %}</ul></main></body></html>"""


def database_url(kind: str, work: Path, pg_name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{work / 'dashboard.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {pg_name}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"


def prepare(url: str) -> None:
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_SECRET_KEY="bench-secret")
    flask = [str(BIN / "flask"), "--app", "lms"]
    for command in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run(flask + command, env=env, check=True, capture_output=True, cwd=ROOT)
    os.environ.update(LMS_DATABASE_URL=url, LMS_SECRET_KEY="bench-secret")


def fill(participants: int, issue: bool) -> tuple[Any, str, str]:
    """Create the demo; return the app, the admin's login and the finished training's slug."""
    from sqlalchemy import select

    from lms import create_app
    from lms.accounts.models import Role, User
    from lms.accounts.services import hash_password
    from lms.certificates import services as certificates
    from lms.demo import create_demo
    from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
    from lms.extensions import db
    from lms.trainings.scope import get_training

    # The login form is posted by the test client: no CSRF token to read from a page.
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        now = datetime.now(UTC)
        create_demo(participants, seed=7)
        create_demo_trainings(now, seed=7)
        db.session.commit()
        finished = get_training(FINISHED_SLUG)
        assert finished is not None
        admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
        assert admin is not None
        if issue:
            certificates.issue_all(finished, admin, now, commit=db.session.commit)
        admin.password_hash = hash_password(PASSWORD)
        admin.must_change_password = False
        db.session.commit()
        return app, admin.login_name, finished.slug


def describe(app: Any, slug: str) -> str:
    from sqlalchemy import func, select

    from lms.evaluations.models import EvaluationSubmission
    from lms.extensions import db
    from lms.reports.training_facts import training_facts
    from lms.trainings.scope import get_training

    with app.app_context():
        training = get_training(slug)
        assert training is not None
        admin = training.trainers[0]  # any user: only the counts are read here
        facts = training_facts(training, datetime.now(UTC), admin)
        evaluations = db.session.scalar(select(func.count(EvaluationSubmission.id))
                                        .where(EvaluationSubmission.training_id == training.id))
        return (f"{facts.participants} participants, {len(facts.sessions)} sessions, "
                f"{int(facts.scores.has_pretest) + int(facts.scores.has_posttest)} tests, "
                f"{len(facts.assignments)} assignments, {evaluations} evaluations, "
                f"{facts.certificates.issued} certificates")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


CPU: dict[str, list[float]] = {}


def timed(client: Any, url: str, expect: str) -> float:
    """Return the wall time of one request (ms); its CPU time (this process) goes into CPU[url]."""
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    CPU.setdefault(url, []).append((time.process_time() - cpu) * 1000)
    assert response.status_code == 200 and expect in response.get_data(as_text=True), (url, response.status_code)
    return elapsed


def breakdown(app: Any, slug: str) -> str:
    """Return the time of the figures and of the charts and tables of one dashboard."""
    from flask_login import login_user
    from sqlalchemy import select

    from lms.accounts.models import Role, User
    from lms.extensions import db
    from lms.reports import dashboard
    from lms.reports.training_facts import training_facts
    from lms.trainings.scope import get_training

    with app.test_request_context():
        training = get_training(slug)
        admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
        assert training is not None and admin is not None
        login_user(admin)
        start = time.perf_counter()
        facts = training_facts(training, datetime.now(UTC), admin)
        middle = time.perf_counter()
        dashboard.build(facts, training.total_jp)
        end = time.perf_counter()
    return f"figures {(middle - start) * 1000:.0f} ms, charts+tables {(end - middle) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--issue", action="store_true", help="issue the certificates first (slow)")
    parser.add_argument("--pg-db", default="lms_bench_dashboard")
    parser.add_argument("--no-freeze", action="store_true",
                        help="do not settle the heap as the server does (lms.settle_startup_objects, gc.freeze)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        prepare(database_url(args.db, Path(folder), args.pg_db))
        app, login, slug = fill(args.participants, args.issue)
        from flask import render_template_string
        from sqlalchemy import event

        from lms.extensions import db

        items = [{"id": n, "name": f"Butir nomor {n}", "note": f"Catatan pendek {n}"} for n in range(50)]
        app.add_url_rule("/bench/bare", "bench_bare",
                         lambda: render_template_string(BARE_TEMPLATE, title="Halaman acuan", items=items))
        print(f"{args.db}: {describe(app, slug)}")
        if not args.no_freeze:  # as a served app does (create_app when not testing)
            from lms import settle_startup_objects

            settle_startup_objects()
        client = app.test_client()
        response = client.post("/login", data={"identifier": login, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        url = f"/trainings/{slug}"
        for _ in range(3):  # warm-up: templates compiled, caches filled
            timed(client, url, "Sekilas")
            timed(client, "/bench/bare", "Halaman acuan")
        board: list[float] = []
        bare: list[float] = []
        CPU.clear()
        for _ in range(args.repeat):
            board.append(timed(client, url, "Sekilas"))
            bare.append(timed(client, "/bench/bare", "Halaman acuan"))
        board_cpu, bare_cpu = list(CPU[url]), list(CPU["/bench/bare"])
        with app.app_context():
            counted: list[str] = []

            def count(*call: Any) -> None:
                counted.append(call[2])

            event.listen(db.engine, "before_cursor_execute", count)
            timed(client, url, "Sekilas")
            event.remove(db.engine, "before_cursor_execute", count)
        split = breakdown(app, slug)
        size = len(client.get(url).get_data())
        p50, p95 = percentile(board, 0.5), percentile(board, 0.95)
        b50, b95 = percentile(bare, 0.5), percentile(bare, 0.95)
        print(f"dashboard  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({size // 1024} KiB, {len(counted)} queries)")
        print(f"bare page  p50 {b50:7.1f} ms  p95 {b95:7.1f} ms")
        print(f"ratio      p50 {p50 / b50:7.1f}x    p95 {p95 / b95:7.1f}x   mean {statistics.mean(board):.1f} ms")
        c50, c95 = percentile(board_cpu, 0.5), percentile(board_cpu, 0.95)
        d50, d95 = percentile(bare_cpu, 0.5), percentile(bare_cpu, 0.95)
        print(f"CPU time   dashboard p50 {c50:7.1f} ms  p95 {c95:7.1f} ms;  bare p50 {d50:5.1f} ms  p95 {d95:5.1f} ms;"
              f"  ratio p50 {c50 / d50:5.1f}x  (time.process_time, this process; unaffected by other load)")
        print(f"one request outside the template: {split}")
        print(f"target p95 <= {TARGET_MS} ms: {'met' if p95 <= TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
