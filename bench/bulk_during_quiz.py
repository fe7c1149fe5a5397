"""Benchmark: participants saving quiz answers while the worker issues 1,000 certificates.

Not a test. Starts the server as `make run` does (Waitress via `python -m lms.serve`, SQLite) or
gunicorn with 4 workers on PostgreSQL, and the job worker (`huey_consumer lms.worker.huey`) beside
it; N participants save answers continuously (a short think time between saves); after a quiet
phase an admin presses "Terbitkan semua" for a finished training of 1,000 eligible participants,
and the job runs in the worker. Prints answer-save p50/p95/max and failures before, during and
after the bulk issue, the bulk duration, and checks the numbers are gapless.

    .venv/bin/python bench/bulk_during_quiz.py                               # Waitress / SQLite
    .venv/bin/python bench/bulk_during_quiz.py --server gunicorn --db postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from quiz_load import PASSWORD, QUIZ, Client, percentile, quiz_toml  # noqa: E402  (a sibling script)

ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "lms_bench_bulk"
ADMIN = "admin@bench.go.id"
CERTIFIED = "sertifikat-bench"


def prepare(db: str, work: Path, savers: int, certificates: int, pg_name: str = PG_DATABASE) -> dict[str, str]:
    """Create a fresh database: schema, the quiz, `savers` quiz takers and a training to certify."""
    quizzes, courses = work / "quizzes", work / "courses"
    quizzes.mkdir()
    courses.mkdir()
    (quizzes / f"{QUIZ}.toml").write_text(quiz_toml(20), encoding="utf-8")
    if db == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {pg_name}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_QUIZZES_DIR=str(quizzes), LMS_COURSES_DIR=str(courses),
               LMS_SECRET_KEY="bench-secret", LMS_PUBLIC_BASE_URL="https://lms.diskominfo.contoh.go.id",
               PYTHONPATH=str(ROOT))
    flask = [str(BIN / "flask"), "--app", "lms"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run(flask + ["content", "sync"], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run([str(BIN / "python"), __file__, "--seed", str(savers), str(certificates)], env=env,
                   check=True, cwd=ROOT)
    return env


def seed(savers: int, certificates: int) -> None:
    """(In the prepared environment) add the people and the two trainings."""
    from datetime import date, timedelta
    from datetime import time as clock

    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts import services
    from lms.accounts.models import User
    from lms.extensions import db
    from lms.quizzes.services import get_quiz
    from lms.trainings.models import AgendaItem, Enrollment, Training

    app = create_app()
    with app.app_context():
        institution = services.ensure_institution()
        password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        admin = services.create_user(services.UserData(full_name="Admin Bench", email=ADMIN, role="admin"), None)
        admin.password_hash = password
        takers = [services.create_user(services.UserData(full_name=f"Peserta {n}", email=f"peserta{n}@bench.go.id"),
                                       None) for n in range(savers)]
        for user in takers:
            user.password_hash = password
        today = date.today()
        quiz = Training(institution_id=institution.id, slug="bench", title="Bench", start_date=today,
                        end_date=today, status="open", posttest_id=get_quiz(QUIZ).id)
        finished = Training(institution_id=institution.id, slug=CERTIFIED, title="Bimtek Pengelolaan Media Sosial OPD",
                            start_date=today - timedelta(days=10), end_date=today - timedelta(days=8),
                            venue="Hotel Contoh", city="Kabupaten Contoh", status="finished",
                            min_attendance_percent=0, require_posttest_pass=False, require_courses_complete=False)
        db.session.add_all([quiz, finished])
        db.session.flush()
        db.session.add_all(Enrollment(training_id=quiz.id, user_id=u.id) for u in takers)
        for index in range(12):
            db.session.add(AgendaItem(training_id=finished.id, day=finished.start_date + timedelta(days=index // 4),
                                      start_time=clock(8 + 2 * (index % 4)), end_time=clock(9 + 2 * (index % 4), 30),
                                      topic=f"Materi bimtek nomor {index + 1}", trainer_name="Narasumber Tamu", jp=2))
        db.session.execute(insert(User), [
            {"institution_id": institution.id, "full_name": f"Penerima Sertifikat {n:04d}, S.Sos.",
             "email": f"penerima{n}@bench.go.id", "role": "participant", "active": True, "session_version": 1,
             "must_change_password": False, "pangkat_golongan": "Penata (III/c)", "jabatan": "Pranata Humas",
             "phone": ""} for n in range(certificates)])
        ids = db.session.scalars(select(User.id).where(User.email.like("penerima%"))).all()
        db.session.execute(insert(Enrollment), [{"training_id": finished.id, "user_id": i, "source": "import"}
                                                for i in ids])
        db.session.commit()


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # Logs go to files: a pipe nobody reads fills up and blocks the process.
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def start_server(kind: str, env: dict[str, str], port: int, work: Path) -> subprocess.Popen[bytes]:
    if kind == "waitress":  # as `make run` starts it
        cmd = [str(BIN / "python"), "-m", "lms.serve", "--host=127.0.0.1", f"--port={port}", "--threads=16",
               "--connection-limit=1000", "--channel-timeout=60", "--ident=lms"]
    else:
        cmd = [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
               "lms:create_app()"]
    process = start(cmd, env, work / "server.log")
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start; see " + str(work / "server.log"))


class Saver(threading.Thread):
    """One participant saving answers to the post-test until told to stop."""

    def __init__(self, n: int, base: str, think: float, stop: threading.Event, samples: list[tuple[float, float, str]],
                 lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.n, self.base, self.think, self.stop, self.samples, self.lock = n, base, think, stop, samples, lock

    def run(self) -> None:
        rng, client = random.Random(self.n), Client(self.base)
        client.get("/login")
        client.post_form("/login", {"identifier": f"peserta{self.n}@bench.go.id", "password": PASSWORD})
        client.get(f"/quizzes/{QUIZ}")
        page = client.post_form(f"/quizzes/{QUIZ}/start", {})
        attempt = re.search(r"/quizzes/attempts/(\d+)/answers", page)
        if attempt is None:
            self.record(time.time(), 0.0, "start failed")
            return
        questions = re.findall(r'data-question="([^"]+)"', page)
        answers = re.findall(r'id="q-1-(a\d+)"', page)
        revisions = dict.fromkeys(questions, 0)
        while not self.stop.is_set():
            question = rng.choice(questions)
            began, t0 = time.time(), time.perf_counter()
            try:
                status, body = client.post_json(f"/quizzes/attempts/{attempt.group(1)}/answers",
                                                {"question": question, "value": rng.choice(answers),
                                                 "revision": revisions[question]})
                outcome = "ok" if status == 200 and body.get("saved") else f"HTTP {status}"
                revisions[question] = body.get("revision", revisions[question])
            except OSError as exc:
                outcome = f"{type(exc).__name__}: {exc}"[:80]
            self.record(began, (time.perf_counter() - t0) * 1000, outcome)
            self.stop.wait(rng.uniform(0.5, 1.5) * self.think)

    def record(self, began: float, ms: float, outcome: str) -> None:
        with self.lock:
            self.samples.append((began, ms, outcome))


def issue_all(base: str) -> tuple[float, float, dict[str, Any]]:
    """Log in as the admin, press "Terbitkan semua", follow the job to its end; return start, end and status."""
    admin = Client(base)
    admin.get("/login")
    admin.post_form("/login", {"identifier": ADMIN, "password": PASSWORD})
    admin.get(f"/trainings/{CERTIFIED}/certificates")
    began = time.time()
    body = urllib.parse.urlencode({"csrf_token": admin.token, "confirmed": "1"}).encode()  # as the dialog sends it
    request = urllib.request.Request(f"{base}/trainings/{CERTIFIED}/certificates/issue-all", data=body)
    with admin.opener.open(request, timeout=120) as response:
        job_url = response.geturl()
    status: dict[str, Any] = {}
    while time.time() - began < 300:
        request = urllib.request.Request(job_url, headers={"Accept": "application/json"})
        with admin.opener.open(request, timeout=60) as response:
            status = json.loads(response.read())
        if status.get("ended") or status.get("status") in ("done", "failed"):
            break
        time.sleep(0.25)
    return began, time.time(), status


def numbering(env: dict[str, str]) -> tuple[int, bool]:
    code = ("from sqlalchemy import select\nfrom lms import create_app\nfrom lms.extensions import db\n"
            "from lms.certificates.models import Certificate\napp = create_app()\nwith app.app_context():\n"
            "    seqs = sorted(db.session.scalars(select(Certificate.seq)))\n"
            "    print(len(seqs), seqs == list(range(1, len(seqs) + 1)))\n")
    count, gapless = subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True, capture_output=True,
                                    text=True, cwd=ROOT).stdout.split()
    return int(count), gapless == "True"


def phase(samples: list[tuple[float, float, str]], low: float, high: float) -> str:
    inside = [(ms, outcome) for began, ms, outcome in samples if low <= began < high]
    times = [ms for ms, _ in inside]
    failed = [outcome for _, outcome in inside if outcome != "ok"]
    kinds = sorted({f for f in failed})[:3]
    return (f"{len(times):5d} saves  p50 {percentile(times, 50):7.1f} ms  p95 {percentile(times, 95):7.1f} ms  "
            f"max {max(times, default=float('nan')):7.1f} ms  failed {len(failed)} {kinds if kinds else ''}")


def run(server: str, db: str, savers: int, certificates: int, quiet: float, think: float, port: int,
        pg_name: str = PG_DATABASE) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = prepare(db, work, savers, certificates, pg_name)
        web = start_server(server, env, port, work)
        worker = start([str(BIN / "huey_consumer"), "lms.worker.huey", "--workers", "1", "--quiet"], env,
                       work / "worker.log")
        base = f"http://127.0.0.1:{port}"
        samples: list[tuple[float, float, str]] = []
        stop, lock = threading.Event(), threading.Lock()
        threads = [Saver(n, base, think, stop, samples, lock) for n in range(savers)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(3)  # logins and starts settle before the quiet phase is measured
            quiet_from = time.time()
            time.sleep(quiet)
            began, ended, status = issue_all(base)
            time.sleep(quiet)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            finished = time.time()
            count, gapless = numbering(env)
        finally:
            for process in (worker, web):
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            log = (work / "worker.log").read_text(errors="replace")
            if "Traceback" in log:
                print("worker log:", log[-3000:])
            server_log = (work / "server.log").read_text(errors="replace")
            locked = {name: text.count("database is locked") for name, text in
                      (("server", server_log), ("worker", log))}
    duration = ended - began
    print(f"\n== {server} / {db}: {savers} participants saving (think ×{think}), bulk issue of {certificates}")
    print(f"before: {phase(samples, quiet_from, began)}")
    print(f"during: {phase(samples, began, ended)}")
    print(f"after:  {phase(samples, ended, finished)}")
    print(f"\"database is locked\" in the logs: server {locked['server']}, worker {locked['worker']}; "
          f"in failed saves: {sum(1 for _, _, outcome in samples if 'locked' in outcome)}")
    rate = status.get("done", 0) / duration
    print(f"bulk issue: {duration:.1f} s = {rate:.1f} certificates/s, job {status.get('status')} "
          f"({status.get('done')} of {status.get('total')}); stored {count}, numbers gapless: {gapless}")
    if status.get("failures"):
        print(f"job failures: {status['failures'][:3]}")
    sys.stdout.flush()


def main() -> None:
    if sys.argv[1:2] == ["--seed"]:
        seed(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=["waitress", "gunicorn"], default="waitress")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--participants", type=int, default=30, help="participants saving answers")
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--quiet-seconds", type=float, default=10, help="length of the before and after phases")
    parser.add_argument("--think", type=float, default=1.0, help="scale of the 0.5-1.5 s pause between saves")
    parser.add_argument("--port", type=int, default=5311)
    parser.add_argument("--pg-db", default=PG_DATABASE, help="PostgreSQL database to (re)create for the run")
    args = parser.parse_args()
    run(args.server, args.db, args.participants, args.certificates, args.quiet_seconds, args.think, args.port,
        args.pg_db)


if __name__ == "__main__":
    main()
