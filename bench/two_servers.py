"""Proof of the province-wide shape: two app servers sharing one PostgreSQL and one Redis.

Not a test (tests/test_two_servers.py is the fast in-process version). It prepares a fresh
PostgreSQL database (bench/bulk_during_quiz.py's seed: an admin, quiz takers, a finished training
of `--certificates` eligible participants), then starts, each in its own instance folder (nothing
shared on disk), two gunicorn servers A and B on two ports, and one job worker
(`huey_consumer lms.worker.huey`), all with the same LMS_SECRET_KEY, LMS_DATABASE_URL,
LMS_RATELIMIT_STORAGE_URI and LMS_JOBS_URL (Redis), behind a proxy (LMS_TRUSTED_PROXIES=1: the
client's address comes in X-Forwarded-For, as the proxy sends it). Then it checks, and prints a
table of OK/FAIL with figures:

- session: a login on A is valid on B with the same cookie; a logout on B ends it on A;
- login throttle: failed logins to one account alternating A and B are refused after
  LOGIN_FREE_FAILURES (5), counted once across both;
- address rate limit: failed logins from one address alternating A and B are refused after the
  configured count (RATELIMIT_LOGIN_ADDRESS, `--login-limit` per 15 minutes), counted in Redis;
- answers: participants save every answer alternately on A and B (twice, the second a change),
  and every acknowledged answer is in the database;
- numbering: `--each` certificates issued one by one on A and as many on B at once (threads),
  every one issued, numbers unique and gapless;
- job: "Terbitkan semua" pressed on A is run by the worker, its progress seen rising on B, and
  afterwards every certificate of the year is still numbered 1..N without a gap.

Exits 1 when a check fails. Redis database `--redis` (default 127.0.0.1:6379/9) is emptied first.
`--ratelimit-storage memory://` and `--own-keys` (server B signs with a key of its own) show the
checks failing as they should when the shape is set up wrong.

    .venv/bin/python bench/two_servers.py
    .venv/bin/python bench/two_servers.py --each 50 --certificates 300 --port-a 5291 --port-b 5292
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bulk_during_quiz import ADMIN, CERTIFIED, numbering, prepare, start  # noqa: E402  (a sibling script)
from quiz_load import PASSWORD, QUIZ, Client, verify  # noqa: E402

ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
PG_DATABASE = "lms_bench_two"
FREE_FAILURES = 5  # LOGIN_FREE_FAILURES, the default


@dataclass
class Check:
    name: str
    ok: bool = False
    requests: int = 0
    seconds: float = 0.0
    figures: str = ""


@dataclass
class Servers:
    a: str
    b: str
    env: dict[str, str]
    checks: list[Check] = field(default_factory=list)


class Browser(Client):
    """A Client that reaches server A or B (one cookie jar: cookies do not depend on the port),
    from one client address (the proxy's X-Forwarded-For), counting its requests."""

    def __init__(self, servers: Servers, address: str) -> None:
        super().__init__(servers.a)
        self.servers = servers
        self.opener.addheaders = [("X-Forwarded-For", address)]
        self.requests = 0

    def on(self, server: str) -> Browser:
        self.base = self.servers.a if server == "A" else self.servers.b
        return self

    def get(self, path: str) -> str:
        self.requests += 1
        return super().get(path)

    def post_form(self, path: str, data: dict[str, str]) -> str:
        self.requests += 1
        return super().post_form(path, data)

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.requests += 1
        return super().post_json(path, payload)

    def post_status(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        """POST a form; return the status, the final address and the page (an error status too)."""
        self.requests += 1
        body = urllib.parse.urlencode(dict(data, csrf_token=self.token)).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode(errors="replace")

    def login(self, identifier: str, password: str = PASSWORD) -> tuple[int, str]:
        self.get("/login")
        status, url, _page = self.post_status("/login", {"identifier": identifier, "password": password})
        return status, url


def logged_in(page: str) -> bool:
    return 'name="identifier"' not in page and "/logout" in page


def timed(name: str, servers: Servers, work: Callable[[Check], None]) -> Check:
    check = Check(name)
    began = time.perf_counter()
    try:
        work(check)
    except Exception as exc:  # a check that breaks is a failed check, reported in its row
        check.ok, check.figures = False, f"{type(exc).__name__}: {exc}"[:200]
    check.seconds = time.perf_counter() - began
    servers.checks.append(check)
    return check


# ---------------------------------------------------------------- the checks


def check_session(servers: Servers, check: Check) -> None:
    person = Browser(servers, "10.10.0.1")
    status, url = person.on("A").login("peserta0@bench.go.id")
    on_b = logged_in(person.on("B").get("/"))
    on_b_quiz = f"/quizzes/{QUIZ}" in person.on("B").get(f"/quizzes/{QUIZ}")
    person.on("B").post_status("/logout", {})  # the CSRF token came from B's page, the session from A
    after_logout = logged_in(person.on("A").get("/"))
    check.requests = person.requests
    check.ok = status == 200 and "/login" not in url and on_b and on_b_quiz and not after_logout
    check.figures = (f"login on A, valid on B: {'yes' if on_b else 'NO'}; "
                     f"after logout on B, A still logged in: {'YES' if after_logout else 'no'}")


def check_account_throttle(servers: Servers, check: Check) -> None:
    guesser = Browser(servers, "10.10.0.2")
    statuses = []
    for n in range(FREE_FAILURES + 2):
        status, _url = guesser.on("AB"[n % 2]).login("peserta1@bench.go.id", "salah-sandi")
        statuses.append(status)
    first_refused = statuses.index(429) + 1 if 429 in statuses else 0
    check.requests = guesser.requests
    check.ok = first_refused == FREE_FAILURES + 1 and statuses[FREE_FAILURES:] == [429, 429]
    check.figures = (f"{FREE_FAILURES} failures split A/B, attempt {first_refused or 'none'} refused (429); "
                     f"expected {FREE_FAILURES + 1}")


def check_address_limit(servers: Servers, check: Check, limit: int) -> None:
    guesser = Browser(servers, "10.10.0.3")
    statuses = []
    for n in range(limit + 2):  # a new account each time: only the address limit can refuse
        status, _url = guesser.on("AB"[n % 2]).login(f"tamu{n}@bench.go.id", "salah-sandi")
        statuses.append(status)
    first_refused = statuses.index(429) + 1 if 429 in statuses else 0
    elsewhere, _url = Browser(servers, "10.10.0.4").login("tamu-lain@bench.go.id", "salah-sandi")
    check.requests = guesser.requests + 2
    check.ok = first_refused == limit + 1 and statuses[limit:] == [429, 429] and elsewhere == 200
    check.figures = (f"limit {limit}/15 min: {limit} failures split A/B, attempt {first_refused or 'none'} "
                     f"refused; another address still answered ({elsewhere})")


def saver(servers: Servers, n: int, results: dict[str, Any], lock: threading.Lock) -> None:
    person = Browser(servers, f"10.20.0.{n + 1}")
    person.on("A").login(f"peserta{n}@bench.go.id")
    person.get(f"/quizzes/{QUIZ}")
    page = person.post_form(f"/quizzes/{QUIZ}/start", {})
    attempt = re.search(r"/quizzes/attempts/(\d+)/answers", page)
    if attempt is None:
        with lock:
            results["errors"].append(f"start {n}: no attempt page")
        return
    found = re.search(r"Halaman \d+ dari (\d+)", page)
    pages = int(found.group(1)) if found else 1
    for number in range(2, pages + 1):
        page += person.get(f"/quizzes/attempts/{attempt.group(1)}?page={number}")
    questions = re.findall(r'data-question="([^"]+)"', page)
    options: dict[str, list[str]] = {}
    for field_name, answer in re.findall(r'id="(q-\d+)-(a\d+)"', page):
        options.setdefault(field_name, []).append(answer)
    fields = sorted(options, key=lambda f: int(f.split("-")[1]))
    acknowledged: dict[str, str] = {}
    turn = n
    for question, field_name in zip(questions, fields):
        revision = 0
        for value in (options[field_name][0], options[field_name][-1]):  # an answer, then a change of mind
            status, body = person.on("AB"[turn % 2]).post_json(
                f"/quizzes/attempts/{attempt.group(1)}/answers",
                {"question": question, "value": value, "revision": revision})
            turn += 1
            if status == 200 and body.get("saved"):
                acknowledged[question], revision = value, body["revision"]
            else:
                with lock:
                    results["errors"].append(f"save {n}/{question}: HTTP {status}")
    with lock:
        results["acknowledged"][int(attempt.group(1))] = acknowledged
        results["requests"] += person.requests


def check_answers(servers: Servers, check: Check, savers: int) -> None:
    results: dict[str, Any] = {"acknowledged": {}, "errors": [], "requests": 0}
    lock = threading.Lock()
    threads = [threading.Thread(target=saver, args=(servers, n, results, lock)) for n in range(savers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = sum(len(a) for a in results["acknowledged"].values())
    missing = verify(servers.env, results["acknowledged"])
    check.requests = results["requests"]
    check.ok = missing == 0 and not results["errors"] and len(results["acknowledged"]) == savers and saved > 0
    check.figures = (f"{savers} attempts, {saved} answers acknowledged (each saved twice, alternating A/B), "
                     f"{missing} missing or different, {len(results['errors'])} errors {results['errors'][:2]}")


def recipient_ids(env: dict[str, str], count: int) -> list[int]:
    import psycopg

    url = env["LMS_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id FROM users WHERE email LIKE 'penerima%%' ORDER BY id LIMIT %s",
                            (count,)).fetchall()
    return [row[0] for row in rows]


def issuer(servers: Servers, server: str, user_ids: list[int], outcomes: list[tuple[str, int, float]],
           lock: threading.Lock) -> None:
    admin = Browser(servers, f"10.30.0.{1 if server == 'A' else 2}")
    admin.on(server).login(ADMIN)
    admin.get(f"/trainings/{CERTIFIED}/certificates")
    for user_id in user_ids:
        began = time.perf_counter()
        status, _url, page = admin.post_status(f"/trainings/{CERTIFIED}/certificates/issue/{user_id}",
                                               {"confirmed": "1"})
        issued = status == 200 and "diterbitkan." in page
        with lock:
            outcomes.append((server if issued else f"{server}: HTTP {status}", user_id,
                             time.perf_counter() - began))


def check_numbering(servers: Servers, check: Check, each: int, threads_per_server: int) -> None:
    ids = recipient_ids(servers.env, 2 * each)
    outcomes: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    threads = []
    for index, server in enumerate("AB"):
        mine = ids[index * each:(index + 1) * each]
        for part in range(threads_per_server):
            threads.append(threading.Thread(target=issuer, args=(servers, server, mine[part::threads_per_server],
                                                                 outcomes, lock)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count, gapless = numbering(servers.env)
    by_server = {s: sum(1 for o in outcomes if o[0] == s) for s in "AB"}
    failed = [o for o in outcomes if o[0] not in ("A", "B")]
    slowest = max((o[2] for o in outcomes), default=0.0)
    check.requests = len(outcomes) + len(threads) * 3
    check.ok = by_server == {"A": each, "B": each} and count == 2 * each and gapless and not failed
    check.figures = (f"issued A {by_server['A']} + B {by_server['B']} ({threads_per_server} threads each), "
                     f"stored {count}, seq 1..{count} gapless: {gapless}, slowest {slowest:.2f} s, "
                     f"failed {len(failed)} {failed[:2]}")


def check_job(servers: Servers, check: Check, expected_total: int) -> None:
    admin = Browser(servers, "10.30.0.3")
    admin.on("A").login(ADMIN)
    admin.get(f"/trainings/{CERTIFIED}/certificates")
    status, job_url, _page = admin.post_status(f"/trainings/{CERTIFIED}/certificates/issue-all",
                                               {"confirmed": "1"})
    path = urllib.parse.urlsplit(job_url).path
    seen: list[int] = []
    state: dict[str, Any] = {}
    admin.on("B")
    began = time.time()
    while time.time() - began < 300:
        admin.requests += 1
        request = urllib.request.Request(servers.b + path, headers={"Accept": "application/json"})
        with admin.opener.open(request, timeout=60) as response:
            state = json.loads(response.read())
        if not seen or seen[-1] != state.get("done"):
            seen.append(int(state.get("done") or 0))
        if state.get("ended") or state.get("status") in ("done", "failed"):
            break
        time.sleep(0.2)
    count, gapless = numbering(servers.env)
    check.requests = admin.requests
    check.ok = (status == 200 and "/certificates/jobs/" in path and state.get("status") == "done"
                and len(seen) >= 3 and count == expected_total and gapless)
    check.figures = (f"queued on A, status on B: {state.get('status')} {state.get('done')}/{state.get('total')}, "
                     f"{len(seen)} progress values seen on B ({seen[:3]}...{seen[-1:]}), stored {count}, "
                     f"gapless: {gapless}")


# ---------------------------------------------------------------- servers


def server_command(port: int, instance: Path, workers: int, login_limit: int, own_key: bool = False) -> list[str]:
    """gunicorn with the app factory given its own instance folder (and the bench's login limit).

    With own_key the server signs with a key of its own, as a server missing LMS_SECRET_KEY would.
    """
    settings = {"INSTANCE_PATH": str(instance), "RATELIMIT_LOGIN_ADDRESS": f"{login_limit} per 15 minutes"}
    if own_key:
        settings["SECRET_KEY"] = f"own-key-of-{port}"
    return [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
            f"lms:create_app({settings!r})"]


def wait_until_up(port: int, log: Path) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start; see {log}")


def report(checks: list[Check], started: float) -> bool:
    print(f"\n{'check':<22} {'result':<6} {'requests':>8} {'seconds':>8}  figures")
    for c in checks:
        print(f"{c.name:<22} {'OK' if c.ok else 'FAIL':<6} {c.requests:>8} {c.seconds:>8.1f}  {c.figures}")
    passed = all(c.ok for c in checks)
    total = sum(c.requests for c in checks)
    print(f"\n{'all OK' if passed else 'FAILED'}: {len(checks)} checks, {total} requests, "
          f"{time.perf_counter() - started:.1f} s in all")
    return passed


def run(args: argparse.Namespace) -> bool:
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # only this database: counters and queue of this run
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        certificates = max(args.certificates, 2 * args.each + 50)
        env = prepare("postgresql", work, max(args.savers, 2), certificates, pg_name=args.pg_db)
        env = dict(env, LMS_RATELIMIT_STORAGE_URI=args.ratelimit_storage or args.redis, LMS_JOBS_URL=args.redis,
                   LMS_TRUSTED_PROXIES="1")
        print(f"prepared {args.pg_db}: {certificates} certificates to issue, {args.savers} quiz takers "
              f"({time.perf_counter() - started:.1f} s)")
        processes: list[subprocess.Popen[bytes]] = []
        servers = Servers(f"http://127.0.0.1:{args.port_a}", f"http://127.0.0.1:{args.port_b}", env)
        try:
            for name, port in (("a", args.port_a), ("b", args.port_b)):
                (work / f"instance-{name}").mkdir()
                processes.append(start(server_command(port, work / f"instance-{name}", args.workers,
                                                      args.login_limit, args.own_keys and name == "b"),
                                       env, work / f"server-{name}.log"))
            processes.append(start([str(BIN / "huey_consumer"), "lms.worker.huey", "--workers", "1", "--quiet"],
                                   env, work / "worker.log"))
            for port, name in ((args.port_a, "a"), (args.port_b, "b")):
                wait_until_up(port, work / f"server-{name}.log")
            timed("session A -> B", servers, lambda c: check_session(servers, c))
            timed("login throttle", servers, lambda c: check_account_throttle(servers, c))
            timed("address rate limit", servers, lambda c: check_address_limit(servers, c, args.login_limit))
            timed("answers A/B", servers, lambda c: check_answers(servers, c, args.savers))
            timed("numbering A+B", servers, lambda c: check_numbering(servers, c, args.each, args.threads))
            timed("bulk job A -> B", servers, lambda c: check_job(servers, c, certificates))
        finally:
            for process in reversed(processes):
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            for log in sorted(work.glob("*.log")):
                text = log.read_text(errors="replace")
                if "Traceback" in text:
                    print(f"{log.name}:", text[-3000:])
        return report(servers.checks, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--each", type=int, default=50, help="certificates issued one by one on each server")
    parser.add_argument("--threads", type=int, default=4, help="issuing threads per server")
    parser.add_argument("--certificates", type=int, default=300, help="eligible participants (the job issues the rest)")
    parser.add_argument("--savers", type=int, default=10, help="participants saving answers")
    parser.add_argument("--login-limit", type=int, default=20, help="failed logins per address per 15 minutes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--port-a", type=int, default=5291)
    parser.add_argument("--port-b", type=int, default=5292)
    parser.add_argument("--pg-db", default=PG_DATABASE, help="PostgreSQL database (dropped and created)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9", help="Redis database (emptied)")
    parser.add_argument("--ratelimit-storage", default="",
                        help="rate-limit storage instead of --redis (memory:// shows the limit counted per process)")
    parser.add_argument("--own-keys", action="store_true",
                        help="give server B a secret key of its own (shows what a missing LMS_SECRET_KEY breaks)")
    args = parser.parse_args()
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
