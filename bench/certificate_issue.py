"""Benchmark: issue (render and store) 1,000 certificates on one core, and the renderer alone.

Not a test. Prints certificates per second for the whole issue path (eligibility, numbering,
freezing, rendering, storing the PDF and its hash, audit, batch commits) and for pdf.py alone on
the same records, so the ratio shows what the database and bookkeeping cost.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.sqlite3"
        from lms import create_app
        from lms.extensions import db

        app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "PUBLIC_BASE_URL": "https://lms.diskominfo.contoh.go.id"})
        with app.app_context():
            if url.startswith("postgresql"):
                db.drop_all()
            db.create_all()
            training = setup(args.count)
            run(training, args.count)


def setup(count: int):
    """Create an institution with a logo, a 24-JP training and `count` eligible participants."""
    import io

    from PIL import Image

    from lms.accounts.models import Agency, User
    from lms.accounts.services import ensure_institution
    from lms.demo import _institution
    from lms.extensions import db
    from lms.trainings.models import AgendaItem, Enrollment, Training

    _institution()
    institution = ensure_institution()
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), (20, 60, 120)).save(buffer, "PNG")
    institution.logo, institution.logo_mime, institution.logo_sha256 = buffer.getvalue(), "image/png", "x" * 64
    agency = Agency(institution_id=institution.id, name="Dinas Kesehatan Kabupaten Contoh",
                    name_key="dinas kesehatan kabupaten contoh")
    db.session.add(agency)
    training = Training(institution_id=institution.id, slug="bench", title="Bimtek Pengelolaan Media Sosial OPD",
                        start_date=date(2026, 7, 1), end_date=date(2026, 7, 3), venue="Hotel Contoh",
                        city="Kabupaten Contoh", status="finished", min_attendance_percent=0,
                        require_posttest_pass=False, require_courses_complete=False)
    db.session.add(training)
    db.session.flush()
    for index in range(12):
        db.session.add(AgendaItem(training_id=training.id, day=date(2026, 7, 1 + index // 4),
                                  start_time=clock(8 + 2 * (index % 4), 0), end_time=clock(9 + 2 * (index % 4), 30),
                                  topic=f"Materi bimtek nomor {index + 1}", trainer_name="Narasumber Tamu", jp=2))
    users = [User(institution_id=institution.id, full_name=f"Peserta Nomor {n:04d}, S.Sos.",
                  nip=f"1985031420100{n % 2 + 1}{n % 1000:04d}"[:14] + f"1{n % 999 + 1:03d}",
                  email=f"p{n}@contoh.go.id", pangkat_golongan="Penata (III/c)", jabatan="Pranata Humas",
                  agency_id=agency.id) for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Enrollment(training_id=training.id, user_id=u.id) for u in users)
    db.session.commit()
    return training


def run(training, count: int) -> None:
    from sqlalchemy import select

    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.certificates.pdf import render_certificate
    from lms.db_types import writing
    from lms.extensions import db

    now = datetime(2026, 7, 4, 3, 0, tzinfo=UTC)
    started = time.perf_counter()
    with writing():
        issued = services.issue_all(training, None, now, commit=db.session.commit)
    issue_seconds = time.perf_counter() - started
    records = [services.certificate_data(c.data) for c in db.session.scalars(select(Certificate))]
    assets = services.assets_for(training)
    started = time.perf_counter()
    for record in records:
        render_certificate(record, services.layout(), logo=assets.logo, signature=assets.signature)
    render_seconds = time.perf_counter() - started
    issue_rate, render_rate = len(issued) / issue_seconds, len(records) / render_seconds
    size = sum(len(p) for p in db.session.scalars(select(Certificate.pdf))) / max(len(issued), 1)
    print(f"database: {db.engine.dialect.name}; certificates: {len(issued)} of {count}")
    print(f"issue (render + store + bookkeeping): {issue_seconds:.1f} s = {issue_rate:.1f} certificates/s")
    print(f"renderer alone (pdf.py):             {render_seconds:.1f} s = {render_rate:.1f} certificates/s")
    print(f"ratio issue/renderer: {issue_rate / render_rate:.2f}; average PDF {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
