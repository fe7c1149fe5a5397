"""lms.serve: a real Waitress process honours X-Forwarded-* only when LMS_TRUSTED_PROXIES says so."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import create_app, serve
from lms.certificates.views import VERIFY_LIMIT
from lms.extensions import db
from lms.serve import proxy_options

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
CLIENT, OTHER_CLIENT = "203.0.113.7", "203.0.113.8"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"Waitress exited: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)  # polling a starting server, bounded by the deadline
    raise AssertionError(f"Waitress did not listen on port {port} within {START_SECONDS} s")


def _start(tmp_path: Path, hops: str | None, server: str = "waitress") -> Iterator[int]:
    instance = tmp_path / "instance"
    settings = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "uji-serve",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'serve.sqlite3'}"}
    schema_app = create_app(settings)
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    if hops is not None:
        env["LMS_TRUSTED_PROXIES"] = hops
    port = _free_port()
    code = f"import sys; from lms.serve import main; main(sys.argv[1:], {settings!r})"
    process = subprocess.Popen([sys.executable, "-c", code, "--host", "127.0.0.1", "--port", str(port),
                                "--threads", "2", "--server", server, "--workers", "2"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


# make run serves with gunicorn where the platform forks, with Waitress elsewhere: both are checked.
SERVERS = ["waitress", pytest.param("gunicorn", marks=pytest.mark.skipif(
    serve.chosen_server("auto") != "gunicorn", reason="gunicorn needs a POSIX platform"))]


@pytest.fixture(params=SERVERS)
def behind_proxy(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[int]:
    yield from _start(tmp_path, "1", request.param)


@pytest.fixture(params=SERVERS)
def direct(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[int]:
    yield from _start(tmp_path, None, request.param)


def _get(port: int, path: str, client: str | None = None,
         proto: str | None = None) -> http.client.HTTPResponse:
    headers = {}
    if client:
        headers["X-Forwarded-For"] = f"198.51.100.99, {client}"  # the first entry is the client's own claim
    if proto:
        headers["X-Forwarded-Proto"] = proto
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def _session_cookie(response: http.client.HTTPResponse) -> str:
    (cookie,) = [c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("lms_session=")]
    return cookie


def _exhaust_verify_limit(port: int, client: str) -> None:
    for _ in range(int(VERIFY_LIMIT.split()[0])):
        assert _get(port, "/verify", client).status == 200
    assert _get(port, "/verify", client).status == 429


def test_waitress_behind_a_trusted_proxy_sees_the_client_and_https(behind_proxy):
    assert "Secure" in _session_cookie(_get(behind_proxy, "/login", CLIENT, "https"))
    assert "Secure" not in _session_cookie(_get(behind_proxy, "/login", CLIENT, "http"))
    _exhaust_verify_limit(behind_proxy, CLIENT)
    assert _get(behind_proxy, "/verify", OTHER_CLIENT).status == 200  # its own counter


def test_waitress_without_trusted_proxies_ignores_forwarded_headers(direct):
    assert "Secure" not in _session_cookie(_get(direct, "/login", CLIENT, "https"))
    _exhaust_verify_limit(direct, CLIENT)
    assert _get(direct, "/verify", OTHER_CLIENT).status == 429  # both are 127.0.0.1 to the app


def test_waitress_options_follow_the_hop_count():
    assert proxy_options({"TRUSTED_PROXIES": 0}) == {"clear_untrusted_proxy_headers": True}
    options = proxy_options({"TRUSTED_PROXIES": 2})
    assert options["trusted_proxy_count"] == 2 and options["clear_untrusted_proxy_headers"] is True
    assert set(options["trusted_proxy_headers"].split()) == {"x-forwarded-for", "x-forwarded-proto",
                                                             "x-forwarded-host", "x-forwarded-port"}


def test_proxy_fix_only_when_the_server_does_not_apply_the_headers(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "1")
    settings = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    assert isinstance(create_app(settings).wsgi_app, ProxyFix)  # gunicorn, flask run
    assert not isinstance(create_app({**settings, "PROXY_HEADERS_BY_SERVER": True}).wsgi_app, ProxyFix)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Run lms.serve.main with Waitress replaced: return the app it would have served."""
    monkeypatch.delenv("LMS_PUBLIC_BASE_URL", raising=False)
    seen = {}
    monkeypatch.setattr(serve.waitress, "serve", lambda app, **options: seen.update(app=app, **options))
    monkeypatch.setattr(serve, "run_gunicorn", lambda app, options: seen.update(app=app, **options))

    def run(argv, **config):
        serve.main(argv, {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", **config})
        return seen["app"]
    return run


def test_the_public_address_follows_the_port_served(served, capsys):
    assert served(["--port", "5201"]).config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5201"
    assert "Alamat pada kode QR dan slip: http://127.0.0.1:5201" in capsys.readouterr().out
    assert served(["--host", "0.0.0.0"]).config["LISTEN_HOST"] == "0.0.0.0"


def test_on_every_interface_the_public_address_is_the_venue_address(served, monkeypatch):
    monkeypatch.setattr(serve.network, "venue_address", lambda: "192.168.1.23")
    app = served(["--host", "0.0.0.0", "--port", "5300"])
    assert app.config["PUBLIC_BASE_URL"] == "http://192.168.1.23:5300"


def test_a_configured_public_address_is_kept(served, monkeypatch):
    app = served(["--port", "5201"], PUBLIC_BASE_URL="https://sertifikat.contoh.go.id")
    assert app.config["PUBLIC_BASE_URL"] == "https://sertifikat.contoh.go.id"
    monkeypatch.setenv("LMS_PUBLIC_BASE_URL", "https://lms.contoh.go.id/")
    assert served(["--port", "5202"]).config["PUBLIC_BASE_URL"] == "https://lms.contoh.go.id"




def test_make_run_serves_with_several_processes_where_the_platform_forks(served, monkeypatch, tmp_path):
    monkeypatch.setattr(serve, "chosen_server", lambda name: "gunicorn" if name == "auto" else name)
    monkeypatch.setattr(serve.os, "cpu_count", lambda: 2)
    app = served(["--port", "5203", "--threads", "16", "--channel-timeout", "60"])
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5203" and app.config["LISTEN_HOST"] == "127.0.0.1"
    # Rate-limit counters shared by the processes, in the instance folder.
    assert app.config["RATELIMIT_STORAGE_URI"] == f"lms-sqlite:///{tmp_path / 'ratelimits.sqlite3'}"


def test_gunicorn_options_share_the_threads_and_trust_no_forwarded_header():
    args = serve._parser().parse_args(["--host", "0.0.0.0", "--port", "5204", "--threads", "16"])
    options = serve.gunicorn_options(args, 2)
    assert options["bind"] == "0.0.0.0:5204" and options["workers"] == 2 and options["threads"] == 8
    assert options["worker_class"] == "gthread" and options["forwarded_allow_ips"] == ""
    assert serve.gunicorn_options(serve._parser().parse_args(["--host", "::1"]), 4)["bind"] == "[::1]:5000"


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 2), (4, 4), (16, 4)])
def test_one_process_per_core_within_bounds(monkeypatch, cores, workers):
    monkeypatch.setattr(serve.os, "cpu_count", lambda: cores)
    assert serve.worker_count(0) == workers
    assert serve.worker_count(3) == 3  # as asked


def test_waitress_where_the_platform_does_not_fork(served, monkeypatch):
    monkeypatch.setattr(serve, "os", type("WindowsOs", (), {"name": "nt", "cpu_count": staticmethod(lambda: 2)}))
    assert serve.chosen_server("auto") == "waitress" and serve.chosen_server("gunicorn") == "gunicorn"
    app = served(["--port", "5205"])
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"  # one process: its memory is enough
    assert app.config["PROXY_HEADERS_BY_SERVER"] is True


def test_a_configured_counter_store_is_kept_with_several_processes(served, monkeypatch):
    monkeypatch.setattr(serve, "chosen_server", lambda name: "gunicorn")
    app = served(["--port", "5206"], RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_make_run_serves_every_core_by_default():
    """make run passes SERVER (default auto: gunicorn where the platform forks) to lms.serve."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defaults = dict(line.split("?=", 1) for line in makefile.splitlines() if "?=" in line)
    assert {name.strip(): value.strip() for name, value in defaults.items()}["SERVER"] == "auto"
    run = next(line for line in makefile.splitlines() if "-m lms.serve" in line)
    assert "--server=$(SERVER)" in run and "--workers=$(WORKERS)" in run
