"""Background jobs with Huey: SQLite storage in instance/ on a laptop, Redis on a server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from lms.db_types import utcnow

# The daily privacy purge runs at this hour (UTC: 02.00 UTC is 09.00 WIB, when a server is watched).
PURGE_HOUR = "2"


def init_app(app: Flask) -> None:
    """Create this app's queue (LMS_JOBS_URL, or a SQLite file in instance/) and its tasks."""
    url = app.config.get("JOBS_URL") or ""
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if url.startswith("redis://"):
        queue = RedisHuey("lms", url=url, immediate=immediate)
    else:
        queue = SqliteHuey("lms", filename=str(Path(app.instance_path) / "jobs.sqlite3"), immediate=immediate)

    @queue.task()
    def issue_certificates(job_id: int) -> None:
        from lms.certificates.bulk import run_issue_job  # a cycle: bulk enqueues through this module

        _in_app(app, lambda: run_issue_job(job_id))

    @queue.task()
    def sign_certificates(job_id: int) -> None:
        from lms.certificates.signing.jobs import run_sign_job  # as above

        _in_app(app, lambda: run_sign_job(job_id))

    @queue.periodic_task(crontab(hour=PURGE_HOUR, minute="0"))
    def purge_personal_data() -> None:
        """Daily: empty old check-in IP, user agent and device id; delete old import previews."""
        # Tasks import their domains when they run: the domains' services enqueue through this module.
        from lms.accounts.privacy import run_purge

        _in_app(app, lambda: run_purge(utcnow()))

    @queue.periodic_task(crontab())
    def finalize_overdue_attempts() -> None:
        """Every minute: grade and close quiz attempts past their deadline (reads never do)."""
        from lms.quizzes.services import run_finalize_overdue  # as above

        _in_app(app, lambda: run_finalize_overdue(utcnow()))

    app.extensions["lms_jobs"] = {"huey": queue, "issue_certificates": issue_certificates,
                                  "sign_certificates": sign_certificates,
                                  "purge_personal_data": purge_personal_data,
                                  "finalize_overdue_attempts": finalize_overdue_attempts}
    every = int(app.config.get("BACKUP_EVERY_HOURS") or 0)
    if every > 0:
        # Every N hours at minute 30; once a day (24) at 19.30 UTC, 02.30 WIB, when nobody works.
        @queue.periodic_task(crontab(hour=f"*/{every}" if every < 24 else "19", minute="30"))
        def scheduled_backup() -> None:
            """Copy the database into instance/backups/, keeping the newest BACKUP_KEEP copies."""
            from lms.backup import run_scheduled_in_app

            clock = app.config.get("CLOCK") or utcnow  # a test's frozen clock names the copy
            _in_app(app, lambda: run_scheduled_in_app(clock()))

        app.extensions["lms_jobs"]["scheduled_backup"] = scheduled_backup


def _in_app(app: Flask, work: Callable[[], Any]) -> None:
    """Run a task: in the caller's context and session (immediate mode), else in a fresh app context."""
    if has_app_context():
        work()
        return
    with app.app_context():
        work()


def enqueue(name: str, *args: Any) -> None:
    """Queue a job by name (in tests and JOBS_IMMEDIATE mode it runs at once)."""
    current_app.extensions["lms_jobs"][name](*args)
