"""Benchmark: sign 1,000 stored certificates with a local key (PAdES B-B) on one core, beside issuing them.

Not a test. In one run, on a fresh database: issue `--count` certificates with signing queued
(Menunggu TTE), as bench/certificate_issue.py measures issuing; then sign them all as the bulk
signing job does (``sign_training``: read a batch, sign outside the write transaction, store in
one short write, audit); then issue as many again in a second training with the local key
signing at issue. Prints certificates per second for each, by the clock and by this process's
CPU time, and the ratios: the target is that signing adds at most 50 % to the time of issuing.
The key is an RSA-2048 (or --ec P-256) certificate from a CA made in the run; no network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.certificate_issue import Rate, reference_rate, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--ec", action="store_true", help="an EC P-256 key instead of RSA-2048")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.sqlite3"
        from lms import create_app
        from lms.extensions import db

        now = datetime(2026, 7, 4, 3, 0, tzinfo=UTC)
        key = Path(tmp) / "tte.p12"
        key.write_bytes(make_key(now, rsa_key=not args.ec))
        app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "PUBLIC_BASE_URL": "https://lms.diskominfo.contoh.go.id", "SIGNING_PKCS12": str(key),
                          "SIGNING_PASSPHRASE": "bench-tte", "SIGNING_QUEUE": True})
        with app.app_context():
            if url.startswith("postgresql"):
                db.drop_all()
            db.create_all()
            training = setup(args.count)
            run(app, training, args.count, now, "EC P-256" if args.ec else "RSA-2048")


def make_key(now: datetime, rsa_key: bool) -> bytes:
    """Return a PKCS#12 key from a CA made now (the test suite's, tests/certificates/signing/pki.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("pki", ROOT / "tests" / "certificates" / "signing" / "pki.py")
    assert spec is not None and spec.loader is not None
    pki = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pki)
    authority = pki.Authority(now)
    return authority.issue("Kepala Dinas Kominfo Contoh", rsa_key=rsa_key).pkcs12(
        [authority.root.certificate], b"bench-tte")


def run(app, training, count: int, now: datetime, key_type: str) -> None:
    from sqlalchemy import func, select

    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.certificates.signing import services as signing
    from lms.certificates.signing.jobs import sign_training
    from lms.extensions import db
    from lms.trainings.models import Enrollment, Training

    started, cpu_started = time.perf_counter(), time.process_time()
    issued = services.issue_all(training, None, now, commit=db.session.commit)
    issue = Rate(len(issued), time.perf_counter() - started, time.process_time() - cpu_started)

    signer = signing.local_signer(now)
    assert signer is not None
    started, cpu_started = time.perf_counter(), time.process_time()
    signed = sign_training(training.id, signer, None, now, db.session.commit)
    sign = Rate(signed, time.perf_counter() - started, time.process_time() - cpu_started)
    states = dict(db.session.execute(select(Certificate.sign_state, func.count())
                                     .group_by(Certificate.sign_state)).all())

    # The same people in a second training, signed at issue by the local key.
    app.config["SIGNING_QUEUE"] = False
    second = Training(institution_id=training.institution_id, slug="bench-tte", title=training.title,
                      start_date=date(2026, 7, 1), end_date=date(2026, 7, 3), venue=training.venue, city=training.city,
                      status="finished", min_attendance_percent=0, require_posttest_pass=False,
                      require_courses_complete=False)
    db.session.add(second)
    db.session.flush()
    from lms.trainings.models import AgendaItem

    for item in training.agenda:
        db.session.add(AgendaItem(training_id=second.id, day=item.day, start_time=item.start_time,
                                  end_time=item.end_time, topic=item.topic, trainer_name=item.trainer_name, jp=item.jp))
    db.session.add_all(Enrollment(training_id=second.id, user_id=e.user_id)
                       for e in db.session.scalars(select(Enrollment).where(Enrollment.training_id == training.id)))
    db.session.commit()
    started, cpu_started = time.perf_counter(), time.process_time()
    at_issue = services.issue_all(second, None, now, commit=db.session.commit)
    both = Rate(len(at_issue), time.perf_counter() - started, time.process_time() - cpu_started)
    signed_at_issue = sum(1 for c in at_issue if c.sign_state == "signed")
    reference = reference_rate(200)
    sizes = db.session.execute(select(func.avg(func.length(Certificate.pdf)))).scalar_one()

    print(f"database: {db.engine.dialect.name}; key: {key_type}; PAdES B-B; one core")
    print(f"issue, signing queued:            {issue.wall:.1f} s for {issue.count} = {issue} certificates/s")
    print(f"sign the stored ones (bulk job):  {sign.wall:.1f} s for {sign.count} = {sign} signatures/s")
    print(f"issue with signing at issue:      {both.wall:.1f} s for {both.count} ({signed_at_issue} signed) = "
          f"{both} certificates/s")
    print(f"bare ReportLab one-page reference: {reference} PDFs/s")
    print(f"signing states after the bulk job: {states}")
    print(f"signing time / issuing time: {sign.wall / issue.wall:.3f} (CPU time: {sign.cpu / issue.cpu:.3f}); "
          f"target at most 0.5")
    print(f"issue+sign at issue / issue alone: {both.wall / issue.wall:.3f} (CPU time: {both.cpu / issue.cpu:.3f}); "
          f"target at most 1.5")
    print(f"ratio signatures/s / reference: {sign.per_second / reference.per_second:.3f} "
          f"(CPU time: {sign.per_cpu_second / reference.per_cpu_second:.3f})")
    print(f"average stored PDF {float(sizes) / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
