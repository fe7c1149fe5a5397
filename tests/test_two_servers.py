"""Two app servers (two processes, each its own memory and instance folder) on one PostgreSQL and Redis.

The province-wide shape of DESIGN.md: a login on one server is valid on the other and a logout on
either ends it; failed logins split over both meet the limits at the configured counts; two
servers issuing certificates at once give unique, gapless numbers. Both servers are real
processes (Waitress) started from the test's settings on the test database, so nothing of one
process's memory can make a check pass. bench/two_servers.py runs the same with gunicorn.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.trainings.models import AgendaItem, Enrollment, Training
from tests.conftest import PASSWORD, TEST_DATABASE_URL, settings_for

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # the servers' clock for issuing (after the training)
ADDRESS_LIMIT = 6
EACH = 12  # certificates issued on each server

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                                reason="two app servers share one PostgreSQL (set LMS_TEST_DATABASE_URL)")

# One server process: the suite's test settings on the same database, its own instance folder,
# the given rate-limit storage, behind a proxy (one hop: X-Forwarded-For names the client), and
# the certificate views' clock frozen at NOW.
SERVER = """
import json, sys
from datetime import datetime
from waitress import serve
import lms.certificates.views as views
from lms import create_app
from lms.serve import proxy_options
port, settings = int(sys.argv[1]), json.loads(sys.argv[2])
now = datetime.fromisoformat(settings.pop("NOW"))
views.utcnow = lambda: now
app = create_app(dict(settings, PROXY_HEADERS_BY_SERVER=True))  # as lms.serve runs Waitress
serve(app, host="127.0.0.1", port=port, threads=8, ident="lms", **proxy_options(app.config))
"""


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # no server, refused, or a wrong URL: the Redis test is skipped
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, bool]]:
    """Start servers A and B; the third value tells whether their rate limits count in Redis."""
    shared = redis_reachable()
    extra = {"NOW": NOW.isoformat(), "TRUSTED_PROXIES": 1, "RATELIMIT_LOGIN_ADDRESS": f"{ADDRESS_LIMIT} per 15 minutes",
             "RATELIMIT_STORAGE_URI": REDIS_URL if shared else "memory://",
             # This run's own counters in the shared Redis: nothing else's is read or emptied.
             "RATELIMIT_KEY_PREFIX": f"lms-test-two-servers-{os.getpid()}-{time.time_ns()}"}
    started = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name in "AB":
        folder = tmp_path_factory.mktemp(f"server-{name}")
        port, log = free_port(), folder / "server.log"
        with open(log, "wb") as output:  # the child keeps its own copy of the descriptor
            settings = json.dumps(settings_for(folder, **extra))
            process = subprocess.Popen([sys.executable, "-c", SERVER, str(port), settings],
                                       cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        started.append(Server(name, f"http://127.0.0.1:{port}", process, log))
    try:
        for server in started:
            wait_until_up(server)
        yield started[0], started[1], shared
    finally:
        for server in started:
            server.process.terminate()
            server.process.wait(timeout=20)


def wait_until_up(server: Server) -> None:
    for _ in range(200):
        if server.process.poll() is not None:
            raise RuntimeError(f"server {server.name} stopped: {server.log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(server.base + "/healthz", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server {server.name} did not start: {server.log.read_text()[-2000:]}")


class Browser:
    """One browser: one cookie jar for both servers (cookies do not depend on the port), and the
    client address the proxy in front of them names (X-Forwarded-For)."""

    def __init__(self, address: str) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("X-Forwarded-For", address)]

    def get(self, server: Server, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(server.base + path))

    def post(self, server: Server, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(server.base + path, data=urllib.parse.urlencode(data).encode()))

    def login(self, server: Server, identifier: str, password: str = PASSWORD) -> int:
        return self.attempt(server, identifier, password)[0]

    def attempt(self, server: Server, identifier: str, password: str) -> tuple[int, str, str]:
        return self.post(server, "/login", {"identifier": identifier, "password": password})

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode(errors="replace")


def logged_in(page: str) -> bool:
    return "/logout" in page and 'name="identifier"' not in page


def test_a_login_on_one_server_is_valid_on_the_other_and_a_logout_ends_it_on_both(servers, make_user):
    a, b, _shared = servers
    user = make_user()
    browser = Browser("10.1.0.1")
    assert browser.login(a, user.email) == 200
    status, url, page = browser.get(b, "/")
    assert status == 200 and logged_in(page), "the session cookie of A is not valid on B"
    assert browser.post(b, "/logout", {})[0] == 200
    status, url, page = browser.get(a, "/")
    assert not logged_in(page), "a logout on B left the session valid on A"
    # The cookie the logout replaced, sent again (a copy kept by an attacker), opens nothing on A.
    assert browser.login(a, user.email) == 200
    kept = {c.name: c.value for c in browser.jar}
    assert browser.post(a, "/logout", {})[0] == 200
    copy = Browser("10.1.0.2")
    for name, value in kept.items():
        copy.jar.set_cookie(http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/",
                                                  True, False, None, False, None, None, {}))
    assert not logged_in(copy.get(b, "/")[2])


def test_failed_logins_split_over_two_servers_meet_the_account_throttle(servers, make_user, app):
    a, b, _shared = servers
    user = make_user()
    browser = Browser("10.2.0.1")
    free = int(app.config["LOGIN_FREE_FAILURES"])
    answers = [browser.attempt((a, b)[n % 2], user.email, "salah-sandi") for n in range(free + 1)]
    assert [status for status, _url, _page in answers] == [200] * free + [429]
    assert "Tunggu" in answers[-1][2]  # the account's wait, counted once over both servers


def test_failed_logins_from_one_address_split_over_two_servers_meet_the_address_limit(servers, app):
    a, b, shared = servers  # (app: the failures' rows are emptied after the test, as after every other)
    if not shared:
        pytest.skip(f"no Redis at {REDIS_URL} (set LMS_TEST_REDIS_URL): rate limits would count per server")
    browser = Browser("10.3.0.1")
    statuses = [browser.login((a, b)[n % 2], f"tamu{n}@contoh.go.id", "salah-sandi")
                for n in range(ADDRESS_LIMIT + 2)]
    assert statuses == [200] * ADDRESS_LIMIT + [429, 429]
    assert Browser("10.3.0.2").login(b, "tamu-lain@contoh.go.id", "salah-sandi") == 200  # per address


def seed_finished_training(count: int) -> tuple[str, list[int]]:
    """A finished training (ended before NOW) whose `count` participants all qualify."""
    institution = services.ensure_institution()
    training = Training(institution_id=institution.id, slug="bimtek-dua-server", title="Bimtek Dua Server",
                        start_date=date(2026, 11, 17), end_date=date(2026, 11, 19), venue="Aula Diskominfo",
                        city="Contoh", status="finished", min_attendance_percent=0, require_posttest_pass=False,
                        require_courses_complete=False, require_evaluation=False)
    db.session.add(training)
    db.session.flush()
    db.session.add(AgendaItem(training_id=training.id, day=training.start_date, start_time=clock(8),
                              end_time=clock(10), topic="Materi bimtek", trainer_name="Narasumber", jp=2))
    db.session.execute(insert(User), [
        {"institution_id": institution.id, "full_name": f"Penerima {n:02d}", "email": f"penerima{n}@contoh.go.id",
         "role": "participant", "active": True, "session_version": 1, "must_change_password": False, "phone": ""}
        for n in range(count)])
    ids = list(db.session.scalars(select(User.id).where(User.email.like("penerima%")).order_by(User.id)))
    db.session.execute(insert(Enrollment), [{"training_id": training.id, "user_id": i, "source": "import"}
                                            for i in ids])
    db.session.commit()
    return training.slug, ids


def test_two_servers_issuing_certificates_at_once_give_unique_gapless_numbers(servers, make_user):
    a, b, _shared = servers
    slug, ids = seed_finished_training(2 * EACH)
    admin = make_user(role=Role.ADMIN.value).email
    outcomes: list[tuple[str, int]] = []
    lock = threading.Lock()
    ready = threading.Barrier(4, timeout=30)

    def issuer(server: Server, user_ids: list[int], address: str) -> None:
        browser = Browser(address)
        status = browser.login(server, admin)
        ready.wait()  # every issuer logged in: the issues overlap
        for user_id in user_ids:
            code, _url, page = browser.post(server, f"/trainings/{slug}/certificates/issue/{user_id}",
                                            {"confirmed": "1"})
            with lock:
                outcomes.append((server.name if status == code == 200 and "diterbitkan." in page
                                 else f"{server.name}: HTTP {code}", user_id))

    halves = [(a, ids[:EACH]), (b, ids[EACH:])]  # two issuing threads on each server
    threads = [threading.Thread(target=issuer, args=(server, part[k::2], f"10.4.{index}.{k}"))
               for index, (server, part) in enumerate(halves) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(o[0] for o in outcomes) == ["A"] * EACH + ["B"] * EACH
    rows = db.session.execute(select(Certificate.seq, Certificate.number, Certificate.user_id)).all()
    assert sorted(seq for seq, _number, _user in rows) == list(range(1, 2 * EACH + 1))
    assert len({number for _seq, number, _user in rows}) == 2 * EACH
    assert sorted(user for _seq, _number, user in rows) == ids
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.issue_date == NOW.date())) == 2 * EACH
