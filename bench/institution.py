"""The institution dashboard for a busy year, beside a bare reference page in the same run.

Not a test. It fills a fresh database with a JP year of 40 trainings and 3,000 participants
(40 OPDs, seven in ten with an NIP, each person in one to three trainings, most certified,
some certificates revoked) and a smaller previous year, then requests as an admin, through the
app in this process: the dashboard, two of its lists (a page of 50 and the CSV of every row) and
/bench/bare (a bare Flask view rendering a 50-item template). Prints p50/p95 of each and the
ratio to the bare page. Target (issue #13): dashboard p95 <= 500 ms.

    python bench/institution.py                  # SQLite in a temporary folder
    python bench/institution.py --db postgresql  # a fresh database bench_institution on 127.0.0.1
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_institution"
PASSWORD = "bench-password-1"
YEAR = 2026
BARE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>
{% for item in items %}<li><a href="/item/{{ item.id }}">{{ item.name }}</a> <span>{{ item.note }}</span></li>
{% endfor %}</ul></main></body></html>"""


def fresh_postgres() -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bench_institution"))
        conn.execute(text("CREATE DATABASE bench_institution"))
    engine.dispose()


def build(trainings: int, people: int, seed: int = 13) -> dict[str, Any]:
    """Insert the year in bulk statements; return the admin's login."""
    from sqlalchemy import func, insert, select

    from lms.accounts.models import Agency, Role, User
    from lms.accounts.services import ensure_institution, hash_password
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.trainings.models import Enrollment, Training

    rng = random.Random(seed)
    institution = ensure_institution().id
    db.session.execute(insert(Agency), [{"institution_id": institution, "name": f"Dinas Nomor {n:02d} Kabupaten Contoh",
                                         "name_key": f"dinas nomor {n:02d} kabupaten contoh"} for n in range(40)])
    agencies = list(db.session.scalars(select(Agency.id)))
    admin = User(institution_id=institution, full_name="Admin Bench", email="admin@bench.go.id",
                 role=Role.ADMIN.value, password_hash=hash_password(PASSWORD))
    db.session.add(admin)
    db.session.execute(insert(User), [
        {"institution_id": institution, "full_name": f"Peserta {n:05d}", "email": f"p{n:05d}@bench.go.id",
         "nip": f"1990{n:014d}" if rng.random() < 0.7 else None, "role": Role.PARTICIPANT.value,
         "agency_id": rng.choice(agencies) if rng.random() < 0.97 else None, "active": True,
         "session_version": 1, "must_change_password": False, "pangkat_golongan": "", "jabatan": "", "phone": ""}
        for n in range(people)])
    users = list(db.session.scalars(select(User.id).where(User.email.like("p%@bench.go.id"))))
    rows = []
    for n in range(trainings + 5):  # the last five in the previous year
        year = YEAR if n < trainings else YEAR - 1
        start = date(year, 1, 5) + timedelta(days=(n % trainings) * 8)
        rows.append({"institution_id": institution, "slug": f"bench-{n:03d}", "title": f"Bimtek Nomor {n:03d}",
                     "description": "", "venue": "Aula", "city": "Contoh", "start_date": start,
                     "end_date": start + timedelta(days=2), "status": "finished", "time_zone": "Asia/Jakarta"})
    db.session.execute(insert(Training), rows)
    held = list(db.session.execute(select(Training.id, Training.end_date).where(Training.slug.like("bench-%"))
                                   .order_by(Training.id)))
    enrolments, certificates = [], []
    seq = db.session.scalar(select(func.max(Certificate.seq))) or 0  # after any already issued
    for user in users:
        for training_id, end in rng.sample(held[:trainings], rng.choice((1, 1, 2, 3))) + (
                [rng.choice(held[trainings:])] if rng.random() < 0.1 else []):
            enrolments.append({"training_id": training_id, "user_id": user, "source": "import"})
            if rng.random() < 0.85:
                seq += 1
                certificates.append({
                    "institution_id": institution, "training_id": training_id, "user_id": user,
                    "number": f"{seq:05d}/BENCH/{end.year}", "year": end.year, "seq": seq, "code": f"BENCH{seq:08d}",
                    "status": "revoked" if rng.random() < 0.02 else "valid", "issue_date": end,
                    "jp": rng.choice((8, 12, 16, 24)), "jp_year": end.year, "data": {}, "pdf": b"%PDF",
                    "pdf_sha256": "0" * 64, "layout": "default", "override_reason": "", "revoke_reason": ""})
    db.session.execute(insert(Enrollment), enrolments)
    db.session.execute(insert(Certificate), certificates)
    db.session.commit()
    return {"admin": "admin@bench.go.id", "enrolments": len(enrolments), "certificates": len(certificates)}


def timed(client: Any, url: str, runs: int) -> list[float]:
    client.get(url)  # warm-up: templates compiled, caches filled
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        found.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return found


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--trainings", type=int, default=40)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    from flask import render_template_string

    from lms import create_app
    from lms.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="bench-institution-"))
    if args.db == "postgresql":
        fresh_postgres()
    url = PG_URL if args.db == "postgresql" else f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False})
    items = [{"id": n, "name": f"Butir nomor {n}", "note": f"Catatan pendek {n}"} for n in range(50)]
    app.add_url_rule("/bench/bare", "bench_bare",
                     lambda: render_template_string(BARE, title="Halaman acuan", items=items))
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        made = build(args.trainings, args.people)
        print(f"{args.db}: {args.trainings} trainings in {YEAR} (+5 in {YEAR - 1}), {args.people} participants, "
              f"{made['enrolments']} enrolments, {made['certificates']} certificates "
              f"(built in {time.perf_counter() - began:.1f} s)")
    client = app.test_client()
    response = client.post("/login", data={"identifier": made["admin"], "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    pages = {"bare page": "/bench/bare", "dashboard": f"/laporan/institusi?tahun={YEAR}",
             "list ASN < 20 JP (page 1)": f"/laporan/institusi/asn-kurang?tahun={YEAR}",
             "list peserta (page 20)": f"/laporan/institusi/peserta?tahun={YEAR}&page=20",
             "CSV peserta (every row)": f"/laporan/institusi/peserta?tahun={YEAR}&format=csv"}
    results = {name: timed(client, path, args.runs) for name, path in pages.items()}
    bare = statistics.median(results["bare page"])
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'p50 / bare':>11}")
    for name, values in results.items():
        print(f"{name:28} {statistics.median(values):8.1f} {p95(values):8.1f} {statistics.median(values) / bare:11.1f}")
    dashboard = p95(results["dashboard"])
    print(f"dashboard p95 {dashboard:.0f} ms: {'within' if dashboard <= 500 else 'OVER'} the 500 ms target")


if __name__ == "__main__":
    main()
