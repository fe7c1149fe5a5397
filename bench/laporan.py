"""Laporan Pelaksanaan of a bimtek with 300 participants: PDF and DOCX time beside a bare ReportLab page.

Fills a fresh SQLite database in a temporary folder with the demo (the finished three-day bimtek:
6 attendance sessions, pre-test and post-test, assignments, evaluations) for --participants
people, issues their certificates, adds four documentation photos, then renders the report
--runs times as PDF and as DOCX, and a bare one-page ReportLab PDF as many times, in the same
process. Prints the median and worst time of each and the ratio to the bare page, by the clock
and by CPU time. Target: the report PDF in at most 3 s.

    .venv/bin/python bench/laporan.py
    .venv/bin/python bench/laporan.py --participants 30 --runs 3
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

TARGET_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            training, now = _fill(args.participants)
            _measure(training, now, args.runs)


def _app(folder: Path):  # noqa: ANN202 (a Flask app; imported late so --help is quick)
    from lms import create_app
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'laporan.sqlite3'}",
                      "INSTANCE_PATH": str(folder), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    with app.app_context():
        db.create_all()
    return app


def _photo(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _fill(participants: int):  # noqa: ANN202
    from lms.accounts.models import Role, User
    from lms.certificates import services as certificates
    from lms.demo import create_demo
    from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
    from lms.extensions import db
    from lms.reports import services
    from lms.trainings.scope import get_training

    now = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    started = time.perf_counter()
    create_demo(participants, seed=11)
    create_demo_trainings(now, seed=11)
    db.session.commit()
    training = get_training(FINISHED_SLUG)
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    certificates.issue_all(training, admin, now, commit=db.session.commit)
    for n, colour in enumerate(("teal", "navy", "maroon", "olive"), start=1):
        services.add_photo(training, _photo(colour), f"Dokumentasi sesi {n}", admin, now)
    db.session.commit()
    print(f"data: {participants} participants, built in {time.perf_counter() - started:.1f} s")
    return training, now


def _bare_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 80, "LAPORAN PELAKSANAAN KEGIATAN")
    canvas.setFont("Helvetica", 11)
    for line in range(40):
        canvas.drawString(70, A4[1] - 120 - line * 16, f"Baris {line + 1}: teks laporan satu halaman.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _times(action: Callable[[], bytes], runs: int) -> tuple[list[float], list[float], bytes]:
    wall, cpu = [], []
    result = b""
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, result


def _measure(training, now: datetime, runs: int) -> None:  # noqa: ANN001
    from lms.extensions import db
    from lms.reports import laporan

    viewer = laporan.office_viewer()

    def fresh(kind: str) -> Callable[[], bytes]:
        def render() -> bytes:
            db.session.expire_all()  # each run reads the database, as a download does
            return laporan.render(training, now, kind, viewer)
        return render

    bare_wall, bare_cpu, _ = _times(_bare_pdf, runs)
    rows = [("bare one-page ReportLab PDF", bare_wall, bare_cpu, b"")]
    for kind in ("pdf", "docx"):
        wall, cpu, body = _times(fresh(kind), runs)
        rows.append((f"Laporan {kind.upper()}", wall, cpu, body))
    base_wall, base_cpu = statistics.median(bare_wall), statistics.median(bare_cpu)
    print(f"{'':32} {'median s':>9} {'max s':>8} {'cpu s':>8} {'x bare':>9} {'size':>9}")
    for label, wall, cpu, body in rows:
        size = f"{len(body) // 1024} KB" if body else ""
        print(f"{label:32} {statistics.median(wall):9.3f} {max(wall):8.3f} {statistics.median(cpu):8.3f} "
              f"{statistics.median(wall) / base_wall:9.0f} {size:>9}")
    pdf = rows[1][3]
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    verdict = "within" if statistics.median(rows[1][1]) <= TARGET_SECONDS else "OVER"
    print(f"report PDF: {pages} pages; median {statistics.median(rows[1][1]):.2f} s, {verdict} the "
          f"{TARGET_SECONDS:.0f} s target (cpu ratio to the bare page {statistics.median(rows[1][2]) / base_cpu:.0f}x)")


if __name__ == "__main__":
    main()
