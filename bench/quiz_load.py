"""Load benchmark of the attempt engine: a synchronised post-test for 300 participants.

Not a test: it starts a real server on SQLite or PostgreSQL, drives it over HTTP from threads,
and prints figures. Servers: `serve` is the command `make run` runs (`python -m lms.serve`:
gunicorn with one process per core on Linux), `waitress` the same with `--server waitress`
(one process, as on Windows and as `make run` was before), `gunicorn` the server command
(`gunicorn --workers 4`, sync workers).
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
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
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "lms_bench_speed"
PASSWORD = "bench-password-1"
QUIZ = "posttest-bench"


def quiz_toml(count: int) -> str:
    """Return a post-test of `count` single-choice questions."""
    parts = ['title = "Post-test Benchmark"\nkind = "posttest"\npass_mark = 70\nattempts = 1\n'
             'time_limit_minutes = 60\nshuffle_questions = true\nshuffle_answers = true\n']
    for n in range(1, count + 1):
        parts.append(f'\n[[questions]]\nid = "q{n}"\ntype = "single"\ntext = "Pertanyaan nomor {n}?"\n')
        for option in range(4):
            correct = "\ncorrect = true" if option == 0 else ""
            parts.append(f'\n[[questions.answers]]\ntext = "Pilihan {option + 1} soal {n}"{correct}\n')
    return "".join(parts)


def prepare(db: str, work: Path, participants: int, questions: int,
            pg_name: str = PG_BENCH_DB) -> dict[str, str]:
    """Create a fresh database with the schema, content and participants; return the server env."""
    quizzes = work / "quizzes"
    quizzes.mkdir(exist_ok=True)
    (quizzes / f"{QUIZ}.toml").write_text(quiz_toml(questions), encoding="utf-8")
    if db == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {pg_name}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_QUIZZES_DIR=str(quizzes),
               LMS_SECRET_KEY="bench-secret", LMS_COURSES_DIR=str(work / "courses"))
    (work / "courses").mkdir(exist_ok=True)
    flask = [str(BIN / "flask"), "--app", "lms"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(flask + ["content", "sync"], env=env, check=True, capture_output=True)
    code = ("from lms import create_app\nfrom lms.accounts import services\nfrom lms.extensions import db\n"  # noqa: UP031 (a program's text: its own f-strings use braces)
            "from werkzeug.security import generate_password_hash\n"
            "app = create_app()\nwith app.app_context():\n"
            "    pw = generate_password_hash(%r, method='pbkdf2:sha256:1000')\n"
            "    for n in range(%d):\n"
            "        u = services.create_user(services.UserData(full_name=f'Peserta {n}', "
            "email=f'peserta{n}@bench.go.id'), None)\n"
            "        u.password_hash = pw\n"
            "    db.session.commit()\n"
            "    from datetime import date\n"
            "    from lms.quizzes.services import get_quiz\n"
            "    from lms.trainings.models import Enrollment, Training\n"
            "    from lms.accounts.models import User\n"
            "    t = Training(institution_id=services.ensure_institution().id, slug='bench', title='Bench',\n"
            "                 start_date=date.today(), end_date=date.today(), status='open',\n"
            "                 posttest_id=get_quiz(%r).id)\n"
            "    db.session.add(t); db.session.flush()\n"
            "    for u in db.session.scalars(db.select(User)):\n"
            "        db.session.add(Enrollment(training_id=t.id, user_id=u.id))\n"
            "    db.session.commit()\n") % (PASSWORD, participants, QUIZ)
    subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True, cwd=ROOT)
    return env


SERVERS = ("serve", "waitress", "gunicorn")


def server_command(kind: str, port: int) -> list[str]:
    """Return the command line of a server: make run's (serve, waitress) or gunicorn's."""
    if kind in ("serve", "waitress"):  # the Makefile's run target, Waitress forced for "waitress"
        cmd = [str(BIN / "python"), "-m", "lms.serve", "--host=127.0.0.1", f"--port={port}", "--threads=16",
               "--connection-limit=1000", "--channel-timeout=60", "--ident=lms"]
        return cmd + (["--server=waitress"] if kind == "waitress" else [])
    return [str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
            "lms:create_app()"]


def start_server(kind: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = server_command(kind, port)
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the server.
    log = open(Path(env["LMS_QUIZZES_DIR"]).parent / "server.log", "wb")
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


class Client:
    """One participant's browser: a cookie jar and the CSRF token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def read(self, request: urllib.request.Request) -> str:
        # As a phone's browser over plain HTTP asks (Brotli only over HTTPS): pages come gzipped.
        request.add_header("Accept-Encoding", "gzip, deflate")
        with self.opener.open(request, timeout=60) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
        return body.decode()

    def get(self, path: str) -> str:
        page = self.read(urllib.request.Request(self.base + path))
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page)
        if match:
            self.token = match.group(1)
        return page

    def post_form(self, path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode(dict(data, csrf_token=self.token)).encode()
        return self.read(urllib.request.Request(self.base + path, data=body))

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.base + path, data=json.dumps(payload).encode(), headers={
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.token})
        try:
            return 200, json.loads(self.read(request))
        except urllib.error.HTTPError as exc:
            return exc.code, {}


def server_cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) the server and its worker processes have used (Linux)."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid] + [int(p) for p in children.read_text().split()] if children.exists() else [pid]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def settle(results: dict[str, Any], lock: threading.Lock) -> None:
    """Count one participant's start as answered (or failed); the last one ends the burst."""
    with lock:
        results["settled"] += 1
        if results["settled"] == results["participants"]:
            results["burst_over"].set()


def participant(n: int, base: str, barrier: threading.Barrier, think: float, results: dict[str, Any],
                lock: threading.Lock, no_js: bool = False) -> None:
    rng = random.Random(n)
    client = Client(base)
    try:
        client.get("/login")
        client.post_form("/login", {"identifier": f"peserta{n}@bench.go.id", "password": PASSWORD})
        client.get(f"/quizzes/{QUIZ}")
    except OSError as exc:
        with lock:
            results["errors"].append(f"login {n}: {exc}")
    barrier.wait()
    began = time.perf_counter()
    try:
        # With JavaScript the start form asks for the attempt page in its answer (quiz_start.js).
        page = client.post_form(f"/quizzes/{QUIZ}/start", {} if no_js else {"inline": "1"})
    except OSError as exc:
        with lock:
            results["errors"].append(f"start {n}: {exc}")
        settle(results, lock)
        return
    start_ms = (time.perf_counter() - began) * 1000
    attempt = re.search(r"/quizzes/attempts/(\d+)/answers", page)
    if attempt and no_js:  # a phone without JavaScript asks the server for each page of questions
        pages = int((re.search(r"Halaman \d+ dari (\d+)", page) or re.search("()", "")).group(1) or 1)
        for number in range(2, pages + 1):
            client.get(f"/quizzes/attempts/{attempt.group(1)}?page={number}")
    # The attempt page carries every question (attempt.js shows one page of them at a time).
    questions = list(dict.fromkeys(re.findall(r'data-question="([^"]+)"', page)))
    if not attempt:
        with lock:
            results["errors"].append(f"start {n}: no attempt page")
        settle(results, lock)
        return
    answer_ids = re.findall(r'id="(q-\d+)-(a\d+)"', page)
    by_field: dict[str, list[str]] = {}
    for field, answer in answer_ids:
        by_field.setdefault(field, []).append(answer)
    fields = sorted(by_field, key=lambda f: int(f.split("-")[1]))
    with lock:
        results["start"].append(start_ms)
        if len(results["start"]) == results["participants"]:
            if results.get("server_pid"):
                results["burst"].update(wall=time.perf_counter(), cpu=server_cpu_seconds(results["server_pid"]),
                                        load=os.getloadavg())
    settle(results, lock)
    if results["answer_after_burst"]:  # the server's CPU during the burst is then the starts' alone
        results["burst_over"].wait(timeout=600)
    acknowledged = {}
    per_page = len(re.findall(r'data-question="', page.split('class="attempt-page"', 2)[1])) \
        if page.count('class="attempt-page"') > 1 else len(questions)
    for done, (question, field) in enumerate(zip(questions, fields)):
        if done and done % per_page == 0 and not no_js:  # attempt.js switches the page and says so
            client.post_json(f"/quizzes/attempts/{attempt.group(1)}/position", {"page": done // per_page + 1})
        time.sleep(rng.uniform(5, 30) * think)
        value = rng.choice(by_field[field])
        t0 = time.perf_counter()
        status, body = client.post_json(f"/quizzes/attempts/{attempt.group(1)}/answers",
                                        {"question": question, "value": value, "revision": 0})
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            results["save"].append(elapsed)
            if status == 200 and body.get("saved"):
                acknowledged[question] = value
            else:
                results["errors"].append(f"save {n}/{question}: HTTP {status}")
    with lock:
        results["acknowledged"][int(attempt.group(1))] = acknowledged


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[index]


def verify(env: dict[str, str], acknowledged: dict[int, dict[str, str]]) -> int:
    """Return how many acknowledged answers are missing or different in the database."""
    code = ("import json, sys\nfrom lms import create_app\nfrom lms.extensions import db\n"
            "from lms.quizzes.models import Response\nfrom sqlalchemy import select\n"
            "app = create_app()\nwith app.app_context():\n"
            "    rows = db.session.execute(select(Response.attempt_id, Response.question_id, Response.value)).all()\n"
            "    print(json.dumps([[a, q, v] for a, q, v in rows]))\n")
    output = subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True, capture_output=True,
                            cwd=ROOT, text=True).stdout
    stored = {(a, q): v for a, q, v in json.loads(output)}
    return sum(1 for attempt, answers in acknowledged.items() for q, v in answers.items()
               if stored.get((attempt, q)) != v)


def load_run(base: str, participants: int, think: float, server_pid: int | None = None,
             no_js: bool = False, answer_after_burst: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {"start": [], "save": [], "errors": [], "acknowledged": {},
                               "participants": participants, "server_pid": server_pid, "burst": {},
                               "burst_over": threading.Event(), "answer_after_burst": answer_after_burst,
                               "settled": 0}
    lock = threading.Lock()

    def released() -> None:  # the moment every start is sent: the server's CPU from here on
        if server_pid:
            results["burst_began"] = {"wall": time.perf_counter(), "cpu": server_cpu_seconds(server_pid)}

    barrier = threading.Barrier(participants, action=released, timeout=600)
    threads = [threading.Thread(target=participant, args=(n, base, barrier, think, results, lock, no_js))
               for n in range(participants)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


SATURATION_USERS = 64


def saturation(base: str, first_user: int) -> tuple[float, list[tuple[int, float, float]]]:
    """Hammer saves with no thinking at rising concurrency; return the best rate with p95 ≤ 500 ms."""
    workers = []
    for n in range(SATURATION_USERS):
        client = Client(base)
        client.get("/login")
        client.post_form("/login", {"identifier": f"peserta{first_user + n}@bench.go.id", "password": PASSWORD})
        client.get(f"/quizzes/{QUIZ}")
        page = client.post_form(f"/quizzes/{QUIZ}/start", {})
        attempt = re.search(r"/quizzes/attempts/(\d+)/answers", page).group(1)  # type: ignore[union-attr]
        question = re.findall(r'data-question="([^"]+)"', page)[0]
        answers = re.findall(r'id="q-1-(a\d+)"', page)
        workers.append({"client": client, "attempt": attempt, "question": question, "answers": answers,
                        "revision": 0})
    steps, best = [], 0.0
    for concurrency in (4, 8, 16, 32, 64):
        latencies: list[float] = []
        lock = threading.Lock()
        stop = time.perf_counter() + 10

        def hammer(worker: dict[str, Any], stop: float = stop, lock: threading.Lock = lock,
                   latencies: list[float] = latencies) -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                status, body = worker["client"].post_json(
                    f"/quizzes/attempts/{worker['attempt']}/answers",
                    {"question": worker["question"], "value": random.choice(worker["answers"]),
                     "revision": worker["revision"]})
                if status == 200:
                    worker["revision"] = body["revision"]
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)

        threads = [threading.Thread(target=hammer, args=(w,)) for w in workers[:concurrency]]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rate = len(latencies) / (time.perf_counter() - began)
        p95 = percentile(latencies, 95)
        steps.append((concurrency, rate, p95))
        if p95 > 500:
            break
        best = max(best, rate)
    return best, steps


def run(server: str, db: str, participants: int, questions: int, think: float, port: int,
        pg_name: str = PG_BENCH_DB, no_js: bool = False, saturate: bool = True,
        answer_after_burst: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = prepare(db, work, participants + SATURATION_USERS, questions, pg_name)
        process = start_server(server, env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            began = time.time()
            results = load_run(base, participants, think, process.pid, no_js, answer_after_burst)
            duration = time.time() - began
            lost = verify(env, results["acknowledged"])
            best, steps = saturation(base, participants) if saturate else (float("nan"), [])
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log = (work / "server.log").read_text(encoding="utf-8", errors="replace")
    acknowledged = sum(len(a) for a in results["acknowledged"].values())
    began, ended = results.get("burst_began", {}), results["burst"]
    burst_cpu = ended["cpu"] - began["cpu"] if began and ended else float("nan")
    burst_wall = ended["wall"] - began["wall"] if began and ended else float("nan")
    return {"server": server, "db": db, "no_js": no_js, "participants": participants, "questions": questions,
            "think": think,
            "duration_s": round(duration, 1), "load": " ".join(f"{v:.2f}" for v in results["burst"].get("load", ())),
            "start_ms": [round(percentile(results["start"], p), 1) for p in (50, 95, 99)],
            "save_ms": [round(percentile(results["save"], p), 1) for p in (50, 95, 99)],
            "burst_s": round(burst_wall, 2), "burst_server_cpu_s": round(burst_cpu, 2),
            "server_cpu_ms_per_start": round(1000 * burst_cpu / participants, 1),
            "saves": len(results["save"]), "acknowledged": acknowledged, "errors": len(results["errors"]),
            "error_samples": results["errors"][:5], "lost": lost,
            "locked": log.count("database is locked"), "server_errors": log.count("Traceback"),
            "saturation_saves_per_s": round(best, 1),
            "saturation_steps": [(c, round(r, 1), round(p, 1)) for c, r, p in steps]}


def report(row: dict[str, Any]) -> None:
    phones = "without JavaScript" if row["no_js"] else "with JavaScript"
    print(f"\n== {row['server']} on {row['db']}: {row['participants']} participants × {row['questions']} "
          f"questions, thinking ×{row['think']}, phones {phones} ({row['duration_s']} s); "
          f"load average {row['load']}")
    print(f"start  p50/p95/p99 ms: {row['start_ms']}   burst {row['burst_s']} s, server CPU "
          f"{row['burst_server_cpu_s']} s = {row['server_cpu_ms_per_start']} ms per start")
    print(f"save   p50/p95/p99 ms: {row['save_ms']}   saves {row['saves']}, acknowledged {row['acknowledged']}")
    print(f"errors {row['errors']}  lost acknowledged answers {row['lost']}  {row['error_samples']}")
    print(f"server log: 'database is locked' {row['locked']}, tracebacks {row['server_errors']}")
    print(f"saturation: {row['saturation_saves_per_s']} saves/s with p95 ≤ 500 ms "
          f"(concurrency, saves/s, p95 ms: {row['saturation_steps']})")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", choices=SERVERS, default="serve",
                        help="serve: make run's command; waitress: the same, one Waitress process; "
                             "gunicorn: gunicorn --workers 4")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--all", action="store_true", help="run the six combinations")
    parser.add_argument("--port", type=int, default=5301)
    parser.add_argument("--pg-db", default=PG_BENCH_DB, help="PostgreSQL database to create (dropped first)")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--think-scale", type=float, default=1.0)
    parser.add_argument("--no-js", action="store_true",
                        help="phones without JavaScript: each further page of questions is a GET, no position POST")
    parser.add_argument("--answer-after-burst", action="store_true",
                        help="answers wait until every start is answered (burst CPU: the starts' alone)")
    parser.add_argument("--no-saturation", action="store_true", help="skip the saturation run (saves/s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    combos = [(s, d) for d in ("sqlite", "postgresql") for s in SERVERS] if args.all \
        else [(args.server, args.db)]
    rows = []
    for server, db in combos:
        row = run(server, db, args.participants, args.questions, args.think_scale, args.port, args.pg_db,
                  args.no_js, not args.no_saturation, args.answer_after_burst)
        report(row)
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    import urllib.parse  # noqa: F401  (used by Client.post_form)

    main()
