"""`flask --app lms backup -o FILE` and `flask --app lms restore FILE [--force]` (see lms.backup)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from lms import backup
from lms.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _database_url() -> URL:
    """The app's database URL, its SQLite path made absolute (Flask-SQLAlchemy resolves it)."""
    return db.engine.url


class _Progress:
    """A line on stderr at every tenth of the copy, not one per step."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 10
        if tenth != self.shown:
            self.shown = tenth
            click.echo(f"Mencadangkan: {done}/{total} halaman ({tenth * 10}%)", err=True)


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
              help="Berkas cadangan yang ditulis (SQLite: salinan basis data; PostgreSQL: pg_dump -Fc).")
def backup_command(output: Path) -> None:
    """Back up the whole database while the app keeps serving."""
    url = _database_url()
    try:
        kind = backup.kind_of(url)
        if kind == "postgresql":
            backup.pg_tool("pg_dump")  # the missing tools named before anything starts
            click.echo(f"Mencadangkan basis data PostgreSQL {url.database} dengan pg_dump ...", err=True)
        else:
            click.echo(f"Mencadangkan basis data SQLite {backup.sqlite_path(url).name} ...", err=True)
        db.session.remove()
        result = backup.make_backup(url, output, _Progress() if kind == "sqlite" else None)
    except backup.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Cadangan tersimpan: {result.path}")
    click.echo(f"Ukuran: {result.size} bita")
    click.echo(f"SHA-256: {result.sha256}")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Timpa basis data yang sudah berisi data.")
def restore_command(file: Path, force: bool) -> None:
    """Restore FILE (made by `backup`) into this app's database, which must be empty unless --force."""
    url = _database_url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection of this process keeps the old file or tables
    try:
        result = backup.restore(url, file, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Pemulihan selesai dari {file.name}: skema revisi {result.revision}.")
    if result.needs_upgrade:
        click.echo(f"Skema cadangan lebih lama daripada aplikasi ini (revisi {result.head}). "
                   "Jalankan: flask --app lms db upgrade")
