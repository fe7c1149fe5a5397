"""The admin's SIASN export page: filters, preview counts and the downloads (XLSX, CSV, ZIP of PDFs)."""

from __future__ import annotations

import tempfile

from flask import Blueprint, abort, render_template, request, send_file
from flask.typing import ResponseReturnValue
from wtforms import SelectField

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.exports import CSV_MIMETYPE, XLSX_MIMETYPE, write_csv, write_xlsx
from lms.forms import Form
from lms.reports import siasn
from lms.web import send_bytes

bp = Blueprint("siasn", __name__, url_prefix="/laporan/siasn")
DOWNLOADS = ("xlsx", "csv", "non-asn", "zip")
_SPOOL_BYTES = 16 * 1024 * 1024  # a bigger ZIP of PDFs goes to a temporary file, not memory


class FilterForm(Form):
    class Meta:
        csrf = False  # a GET filter; nothing changes

    tahun = SelectField("Tahun JP", coerce=int)
    kegiatan = SelectField("Kegiatan")
    opd = SelectField("OPD")


def _filters() -> tuple[FilterForm, siasn.SiasnExport | None, str]:
    """Return the form, the export it selects (None when there is nothing) and an error to show."""
    form = FilterForm(request.args)
    years = siasn.years()
    form.tahun.choices = [(y, str(y)) for y in years]
    year = form.tahun.data if form.tahun.data in years else (years[0] if years else None)
    if year is None:
        return form, None, "Belum ada sertifikat sah yang diterbitkan."
    form.tahun.data = year
    trainings = siasn.trainings_of(year)
    form.kegiatan.choices = [("", "Semua kegiatan tahun ini")] + [(t.slug, t.title) for t in trainings]
    slug = form.kegiatan.data if form.kegiatan.data in {t.slug for t in trainings} else ""
    try:
        export = siasn.export_for(siasn.scope_for(slug or None, None if slug else year, form.opd.data or ""))
    except siasn.NothingToExport as exc:
        form.opd.choices = [("", "Semua OPD")]
        return form, None, exc.message
    form.opd.choices = [("", "Semua OPD")] + [(a, a) for a in export.agencies]
    return form, export, ""


@bp.get("/")
@role_required(Role.ADMIN)
def page() -> ResponseReturnValue:
    form, export, error = _filters()
    return render_template("reports/siasn.html", form=form, export=export, error=error,
                           args={k: v for k, v in request.args.items() if k in ("tahun", "kegiatan", "opd")},
                           jenis=(siasn.JENIS_DIKLAT, siasn.JENIS_KURSUS))


@bp.get("/unduh")
@role_required(Role.ADMIN)
def download() -> ResponseReturnValue:
    what = request.args.get("format", "")
    _, export, _ = _filters()
    if export is None or what not in DOWNLOADS:
        abort(404)
    sheet, others = export.tables()
    name = export.scope.basename
    if what == "xlsx":
        return send_bytes(write_xlsx([sheet, others], f"Ekspor SIASN {export.scope.label}"), XLSX_MIMETYPE,
                          f"{name}.xlsx")
    if what == "csv":
        return send_bytes(write_csv(sheet), CSV_MIMETYPE, f"{name}.csv")
    if what == "non-asn":
        return send_bytes(write_csv(others), CSV_MIMETYPE, f"{name}-non-asn.csv")
    target = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    try:
        siasn.write_pdfs(export, target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return send_file(target, mimetype="application/zip", as_attachment=True, download_name=f"{name}-sertifikat.zip")
