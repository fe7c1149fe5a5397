"""The `flask --app lms reports ...` commands (one group: the SIASN export, the Laporan Pelaksanaan)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.db_types import utcnow
from lms.errors import LmsError
from lms.exports import write_csv, write_xlsx
from lms.extensions import db
from lms.reports import laporan, siasn
from lms.trainings.scope import get_training

reports_cli = AppGroup("reports", help="Laporan kegiatan dan ekspor (SIASN).")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _others_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}-non-asn{output.suffix}")


@reports_cli.command("siasn")
@click.argument("training_slug", required=False)
@click.option("--year", type=click.IntRange(2000, 2100), help="Tahun JP (tahun tanggal selesai kegiatan).")
@click.option("--opd", default="", help="Hanya peserta dari OPD ini (nama seperti di sertifikat).")
@click.option("-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Berkas .xlsx (dua lembar) atau .csv (peserta tanpa NIP di berkas -non-asn.csv).")
@click.option("--pdfs", type=click.Path(dir_okay=False, path_type=Path), help="ZIP PDF sertifikat bernama NIP.")
def siasn_command(training_slug: str | None, year: int | None, opd: str, output: Path, pdfs: Path | None) -> None:
    """Write the SIASN riwayat kursus rows of a training or a JP year (XLSX or CSV), and optionally the PDFs."""
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        _fail(f"Berkas keluaran {output.name} harus berakhiran .xlsx atau .csv.")
    try:
        export = siasn.export_for(siasn.scope_for(training_slug, year, opd))
    except siasn.NothingToExport as exc:
        _fail(exc.message)
        return
    sheet, others = export.tables()
    if suffix == ".csv":
        output.write_bytes(write_csv(sheet))
        if others.rows:
            _others_path(output).write_bytes(write_csv(others))
    else:
        output.write_bytes(write_xlsx([sheet, others], f"Ekspor SIASN {export.scope.label}"))
    click.echo(f"{len(export.rows)} baris SIASN ({export.total_jp} JP) dari {export.trainings} kegiatan "
               f"ditulis ke {output}.")
    if export.others:
        where = _others_path(output) if suffix == ".csv" else "lembar 2"
        click.echo(f"{len(export.others)} peserta tanpa NIP yang sah dicatat terpisah ({where}).")
    if pdfs is not None:
        with pdfs.open("wb") as target:
            count = siasn.write_pdfs(export, target)
        click.echo(f"{count} PDF sertifikat (bernama NIP) ditulis ke {pdfs}.")


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
