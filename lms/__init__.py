"""The bimtek LMS: a Flask application factory."""

from __future__ import annotations

import gc
import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import config as defaults
from lms import ratestore, redaction, routing, storage
from lms.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from lms.ratelimits import warn_instance_secret, warn_unshared_storage

try:  # POSIX: the writers of several processes queue on a file lock (see _FileGate)
    import fcntl
except ImportError:  # pragma: no cover - Windows runs one Waitress process
    fcntl = None  # type: ignore[assignment]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults < instance/config.py < LMS_* variables < test_config."""
    overrides = dict(test_config or {})
    app = Flask(__name__, instance_path=overrides.pop("INSTANCE_PATH", None),
                instance_relative_config=True)
    _configure(app, overrides)
    _configure_extensions(app)
    _configure_proxy(app)
    routing.init_app(app)  # before the blueprints: their <int:> rules use its converter
    _register_blueprints(app)
    from lms import assets, cli, jobs, security, web  # inside the factory: see _register_blueprints
    from lms.certificates import revisions

    revisions.init()  # every write the certificates page's cached facts read changes their token

    assets.init_app(app)  # first: its compressing after_request hook then runs after every other
    web.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    if not app.testing:
        settle_startup_objects()
    return app


def settle_startup_objects() -> None:
    """Move what building the app made (modules, mappers, routes) out of the garbage collector's way.

    A full collection walks every tracked object: about 200,000 after start-up, 80-110 ms each
    time on a 2-core laptop under load (bench/quiz_start_cpu.py), 10-20 ms once they are frozen.
    Frozen objects are never walked again (nor copied into forked gunicorn workers by the
    collector touching them); what requests make is collected as usual. Tests build many apps in
    one process and keep the collector as it is.
    """
    gc.collect()
    gc.freeze()


def _configure(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.update(defaults.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(defaults.from_environment(os.environ))
    app.config.update(overrides)
    storage.ensure_writable(Path(app.instance_path))  # one clear line, not a traceback
    app.config["PERMANENT_SESSION_LIFETIME"] = defaults.session_lifetime(app.config)
    for key, folder in (("COURSES_DIR", "courses"), ("QUIZZES_DIR", "quizzes"),
                        ("CERTIFICATES_DIR", "certificates")):
        app.config[key] = Path(app.config[key] or PROJECT_ROOT / folder)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
        warn_instance_secret(app)  # several servers sharing Redis must share one key
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        # One pooled connection per server thread (Waitress runs 16), so no thread waits for one.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 20, "max_overflow": 10,
                                                   **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                                   **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(f"{ratestore.SCHEME}:"):
        app.config["RATELIMIT_STORAGE_URI"] = ratestore.in_instance(app.config["RATELIMIT_STORAGE_URI"],
                                                                    app.instance_path)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    redaction.install(app)  # no SQL parameters or database error details (NIP, e-mail) in error logs
    app.session_interface = _SessionInterface()


def _instance_secret(instance: Path) -> str:
    """Return the key kept in the instance folder, generating it on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class _SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _configure_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    warn_unshared_storage(app)
    bootstrap.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_connect)
            event.listen(db.engine, "begin", _sqlite_begin)
            event.listen(db.engine, "commit", _sqlite_end)
            event.listen(db.engine, "rollback", _sqlite_end)
            event.listen(db.engine, "reset", _sqlite_reset)


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe), so writes can
    # take the write lock up front instead of failing to upgrade a read lock later.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    from flask import g, has_request_context

    # Requests that write take the write lock when their first transaction after the login
    # check begins (lms.web sets the flag), so a write never fails to upgrade a stale read.
    from lms.db_types import write_intent  # inside the factory: see _register_blueprints

    immediate = connection.info.pop("begin_immediate", False) or write_intent() or (
        has_request_context() and g.get("sqlite_write", False))
    if not immediate:
        connection.exec_driver_sql("BEGIN")
        return
    # Writers queue here, in order, instead of in SQLite's busy handler, which polls with sleeps
    # of up to 100 ms and leaves the lock idle between them: 300 phones starting a test at once
    # each wait for the one before, not for the next poll. The threads of a process meet at
    # _WRITE_GATE; the processes (server workers, the job worker) at a lock on a file beside the
    # database, which the kernel hands to the next waiter as soon as it is released.
    if _WRITE_GATE.acquire(timeout=_WRITE_GATE_WAIT):
        connection.info["write_gate"] = True
        _gate_depth.value = getattr(_gate_depth, "value", 0) + 1
        if _gate_depth.value == 1:
            _FILE_GATE.lock(connection.engine.url.database)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_end(connection)
        raise


# One per process: the write transactions of its threads (see _sqlite_begin). Reentrant, so a
# thread that opens a second connection inside a write only meets SQLite's own lock, as before.
_WRITE_GATE = threading.RLock()
_WRITE_GATE_WAIT = 30.0  # seconds; then SQLite's busy timeout decides, as without the gate
_gate_depth = threading.local()  # how many of this thread's connections hold _WRITE_GATE


class _FileGate:
    """The lock on `<database>.lock` that one thread of each process holds while it writes.

    An exclusive flock: the processes writing to one SQLite file (gunicorn's workers, the job
    worker) wait for it in the kernel, which wakes them when it is released, instead of polling
    SQLite's lock. A lock dies with its process, so a crashed writer never leaves it taken. The
    file is opened once per process, after a fork too: a descriptor inherited from gunicorn's
    master would be the same lock as the master's and every sibling's, excluding none of them.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[int, int]] = {}  # database path -> (pid, descriptor)
        self._held: int | None = None

    def lock(self, database: str | None) -> None:
        """Take the lock of this database file (waits); in-memory databases have none."""
        if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
            return
        fd = self._descriptor(database)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._held = fd

    def unlock(self) -> None:
        if self._held is not None and fcntl is not None:
            fd, self._held = self._held, None
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _descriptor(self, database: str) -> int | None:
        pid = os.getpid()
        found = self._files.get(database)
        if found is not None and found[0] == pid:
            return found[1]
        try:
            fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:  # a read-only folder: SQLite's own lock and busy timeout decide, as before
            return None
        self._files[database] = (pid, fd)
        return fd


_FILE_GATE = _FileGate()  # used only by the thread holding _WRITE_GATE


def _sqlite_end(connection: Any) -> None:
    if connection.info.pop("write_gate", False):
        _release_gate()


def _sqlite_reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
    # A connection returned to the pool without commit or rollback events (closed mid-write).
    if connection_record is not None and connection_record.info.pop("write_gate", False):
        _release_gate()


def _release_gate() -> None:
    depth = getattr(_gate_depth, "value", 0)
    if depth <= 0:  # not this thread's gate (a connection collected by another thread)
        return
    if depth == 1:  # the file first: the next thread of this process takes both in turn
        _FILE_GATE.unlock()
    _gate_depth.value = depth - 1
    _WRITE_GATE.release()


def _configure_proxy(app: Flask) -> None:
    hops = int(app.config["TRUSTED_PROXIES"])
    # Under lms.serve, Waitress applies (and cleans) the headers: ProxyFix would apply them twice.
    if hops > 0 and not app.config["PROXY_HEADERS_BY_SERVER"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops, x_prefix=hops)


def _register_blueprints(app: Flask) -> None:
    # Imported here, not at the top: this package's __init__ runs before any of its modules, and
    # every view imports the domains, which import lms.* modules: a top import would be a cycle.
    import lms.models  # noqa: F401  (the whole schema, before anything reads the metadata)
    from lms.accounts.admin_views import bp as admin_bp
    from lms.accounts.mydata_views import bp as mydata_bp
    from lms.accounts.views import bp as auth_bp
    from lms.assignments.manage_views import bp as assignment_manage_bp
    from lms.assignments.review_views import bp as assignment_review_bp
    from lms.assignments.views import bp as assignments_bp
    from lms.attendance.views import bp as attendance_bp
    from lms.audit.views import bp as audit_bp
    from lms.bundles.views import bp as bundles_bp
    from lms.caption.views import bp as caption_bp
    from lms.certificates.badge_views import bp as badges_bp
    from lms.certificates.bsre_views import bp as bsre_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.core import bp as core_bp
    from lms.courses.views import bp as courses_bp
    from lms.evaluations.views import bp as evaluations_bp
    from lms.quizzes.views import bp as quizzes_bp
    from lms.reports.laporan_views import bp as laporan_bp
    from lms.reports.siasn_views import bp as siasn_bp
    from lms.reports.views import bp as reports_bp
    from lms.trainings.reminder_views import bp as reminders_bp
    from lms.trainings.views import bp as trainings_bp

    for blueprint in (core_bp, auth_bp, admin_bp, audit_bp, courses_bp, quizzes_bp, trainings_bp,
                      attendance_bp, certificates_bp, mydata_bp, caption_bp, assignment_review_bp, evaluations_bp,
                      assignments_bp, assignment_manage_bp, reports_bp, reminders_bp,
                      laporan_bp, siasn_bp, badges_bp, bundles_bp, bsre_bp):
        app.register_blueprint(blueprint)

