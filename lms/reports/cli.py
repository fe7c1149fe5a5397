"""The `flask --app lms reports ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.db_types import utcnow
from lms.errors import LmsError
from lms.reports import laporan
from lms.trainings.scope import get_training

reports_cli = AppGroup("reports", help="Laporan kegiatan dan ekspor.")


@reports_cli.command("laporan")
@click.argument("slug")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas tujuan: .pdf atau .docx.")
def laporan_command(slug: str, output: Path) -> None:
    """Write the Laporan Pelaksanaan Kegiatan of training SLUG to a .pdf or .docx file."""
    kind = output.suffix.lower().lstrip(".")
    if kind not in laporan.FORMATS:
        raise click.UsageError(f"Berkas {output.name}: gunakan akhiran .pdf atau .docx.")
    training = get_training(slug)
    if training is None:
        raise click.ClickException(f"Kegiatan dengan slug \"{slug}\" tidak ditemukan "
                                   "(lihat `flask --app lms trainings list`).")
    now = (current_app.config.get("CLOCK") or utcnow)()
    try:
        data = laporan.render(training, now, kind, laporan.office_viewer())
    except LmsError as exc:
        raise click.ClickException(exc.message) from None
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"Berkas {output} tidak dapat ditulis: {exc.strerror}.") from None
    click.echo(f"Laporan {training.title} ditulis ke {output} ({len(data) // 1024} KB).")
