"""Benchmark: issue (render and store) 1,000 certificates on one core, and the renderer alone.

Not a test. Prints certificates per second for the whole issue path (eligibility, numbering,
freezing, rendering, storing the PDF and its hash, audit, batch commits) and for pdf.py alone on
the same records, as a bulk run renders them (one fitting cache) and one by one (no cache), so the
ratios show what the database and bookkeeping cost and what the cache saves. A bare ReportLab
one-page PDF (a heading, 20 lines of text, a table grid, invariant mode) is timed in the same run
as the reference: on a shared machine the ratio to it is the figure to compare. Each rate is
given by the clock and by this process's CPU time (time.process_time): on a busy machine the
core is shared with other processes, and the CPU-time rate is what one core of its own renders.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
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
    from lms.extensions import db

    now = datetime(2026, 7, 4, 3, 0, tzinfo=UTC)
    started, cpu_started = time.perf_counter(), time.process_time()
    issued = services.issue_all(training, None, now, commit=db.session.commit)
    issue = Rate(len(issued), time.perf_counter() - started, time.process_time() - cpu_started)
    records = [services.certificate_data(c.data) for c in db.session.scalars(select(Certificate))]
    assets = services.assets_for(training)
    bulk = render_rate(records, assets, shared=True)
    single = render_rate(records[: max(len(records) // 5, 1)], assets, shared=False)
    reference = reference_rate(max(len(records), 200))
    size = sum(len(p) for p in db.session.scalars(select(Certificate.pdf))) / max(len(issued), 1)
    print(f"database: {db.engine.dialect.name}; certificates: {len(issued)} of {count}; one core")
    print(f"issue (render + store + bookkeeping): {issue.wall:.1f} s = {issue} certificates/s")
    print(f"renderer, as a bulk run (one cache):  {bulk} certificates/s")
    print(f"renderer, one by one (no cache):      {single} certificates/s")
    print(f"bare ReportLab one-page reference:    {reference} PDFs/s")
    for label, top, bottom in (("renderer (bulk) / reference", bulk, reference),
                               ("one by one / reference", single, reference),
                               ("cache speed-up", bulk, single), ("issue / renderer (bulk)", issue, bulk)):
        print(f"ratio {label}: {top.per_second / bottom.per_second:.3f} "
              f"(CPU time: {top.per_cpu_second / bottom.per_cpu_second:.3f})")
    print(f"average PDF {size / 1024:.1f} KiB")


@dataclass(frozen=True)
class Rate:
    """count things done in wall seconds by the clock, using cpu seconds of this process."""

    count: int
    wall: float
    cpu: float

    @property
    def per_second(self) -> float:
        return self.count / self.wall

    @property
    def per_cpu_second(self) -> float:
        return self.count / self.cpu

    def __str__(self) -> str:
        return f"{self.per_second:.1f} (CPU time: {self.per_cpu_second:.1f})"


def render_rate(records, assets, shared: bool) -> Rate:
    """Render records as a bulk issue does (shared=True: one fitting cache) or each alone."""
    from contextlib import nullcontext

    from lms.certificates import services
    from lms.certificates.pdf import render_certificate, transcript_cache

    started, cpu_started = time.perf_counter(), time.process_time()
    with transcript_cache() if shared else nullcontext():
        for record in records:
            render_certificate(record, services.layout(), logo=assets.logo, signature=assets.signature)
    return Rate(len(records), time.perf_counter() - started, time.process_time() - cpu_started)


def reference_rate(count: int) -> Rate:
    """Return how many bare one-page ReportLab PDFs of similar text per second this core makes."""
    import io

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    started, cpu_started = time.perf_counter(), time.process_time()
    for n in range(count):
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=landscape(A4), invariant=1)
        canvas.setFont("Times-Bold", 28)
        canvas.drawCentredString(421, 520, "SERTIFIKAT")
        canvas.setFont("Times-Roman", 11)
        for line in range(20):
            canvas.drawString(80, 480 - 18 * line, f"Baris {line + 1} untuk peserta nomor {n:04d}: teks isian")
            canvas.rect(70, 474 - 18 * line, 700, 18, stroke=1, fill=0)
        canvas.showPage()
        canvas.save()
    return Rate(count, time.perf_counter() - started, time.process_time() - cpu_started)


if __name__ == "__main__":
    main()
