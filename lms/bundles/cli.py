"""`flask --app lms trainings export SLUG -o FILE` and `trainings import FILE [--dry-run]`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.bundles import services
from lms.bundles.importing import ImportPlan
from lms.db_types import utcnow, writing
from lms.errors import LmsError
from lms.extensions import db
from lms.trainings.scope import get_training


def _now() -> datetime:
    clock: Callable[[], datetime] = current_app.config.get("CLOCK") or utcnow
    return clock()


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas bundel (.zip) yang ditulis.")
def export_command(slug: str, output: Path) -> None:
    """Export training SLUG with everything it owns to one bundle file."""
    training = get_training(slug)
    if training is None:
        raise click.ClickException(f"Kegiatan {slug} tidak ditemukan.")
    if not output.parent.is_dir():
        raise click.ClickException(f"Folder {output.parent} tidak ada.")
    with writing():
        result = services.export(training, output, _now(), None)
        db.session.commit()
    click.echo(f"Bundel tersimpan: {result.path} ({result.size} bita)")
    click.echo(", ".join(f"{name}: {count}" for name, count in result.counts.items() if count))


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Tampilkan apa yang akan terjadi tanpa mengubah apa pun.")
@click.option("--accept-institution", is_flag=True, help="Terima bundel dari instansi lain.")
def import_command(file: Path, dry_run: bool, accept_institution: bool) -> None:
    """Import a training bundle (FILE): adds and updates by identity and version, never deletes."""
    try:
        with writing():
            if dry_run:
                plan = services.preview(file, _now(), None, accept_institution)
                db.session.rollback()
            else:
                plan = services.apply(file, _now(), None, accept_institution)
                db.session.commit()
    except services.ImportBlocked as exc:
        db.session.rollback()
        _print(exc.plan)
        raise click.ClickException("Impor dibatalkan; tidak ada yang diubah.") from exc
    except LmsError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    _print(plan)
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang diubah." if not plan.blocking else
                   "Impor ini akan ditolak karena masalah di atas.")
    else:
        click.echo("Impor selesai." if plan.changed else "Impor selesai: tidak ada yang berubah (sudah sama).")


def _print(plan: ImportPlan) -> None:
    training = plan.manifest.get("training") or {}
    source = plan.manifest.get("institution") or {}
    click.echo(f"Kegiatan: {training.get('title', '?')} ({training.get('slug', '?')}); "
               f"asal: {source.get('name', '?')}, dibuat {plan.manifest.get('created_at', '?')}")
    click.echo(plan.summary())
    for line in plan.details():
        click.echo(f"  {line}")
    for problem in plan.problems:
        click.echo(("MASALAH: " if problem.blocking else "Catatan: ") + problem.text)
