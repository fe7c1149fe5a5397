"""Report pages: the institution dashboard for a year and the lists behind its figures (admins)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.accounts.services import current_institution
from lms.dates import local_date
from lms.db_types import utcnow
from lms.exports import format_arg, send_export
from lms.reports import institution
from lms.routing import bounded_int

bp = Blueprint("reports", __name__, url_prefix="/laporan")


@dataclass(frozen=True)
class Asked:
    """The filters read from the query string, the choices offered, and what was wrong in them."""

    filters: institution.Filters
    years: list[int]
    agencies: list[tuple[int, str]]
    problems: list[str]

    @property
    def agency_label(self) -> str:
        if self.filters.agency_id is None:
            return "Semua OPD"
        return dict(self.agencies).get(self.filters.agency_id, institution.NO_OPD_LABEL)

    def args(self, **more: object) -> dict[str, object]:
        """The query string of these filters, for links to lists and downloads."""
        values: dict[str, object] = {"tahun": self.filters.year}
        if self.filters.agency_id is not None:
            values["opd"] = self.filters.agency_id
        return {**values, **more}


def _asked() -> Asked:
    current = local_date(utcnow(), current_institution().time_zone).year
    names, problems = institution.agencies(), []
    year, raw_year = current, request.args.get("tahun", "").strip()
    if raw_year:
        if raw_year.isdigit() and institution.FIRST_YEAR <= int(raw_year) <= institution.LAST_YEAR:
            year = int(raw_year)
        else:
            problems.append(f"Tahun «{raw_year[:12]}» tidak dikenal: pilih tahun {institution.FIRST_YEAR}–"
                            f"{institution.LAST_YEAR}. Ditampilkan tahun {current}.")
    agency_id: int | None = None
    raw_opd = request.args.get("opd", "").strip()
    if raw_opd:
        if raw_opd.isdigit() and (int(raw_opd) == institution.NO_OPD or int(raw_opd) in dict(names)):
            agency_id = int(raw_opd)
        else:
            problems.append("OPD yang dipilih tidak ada (mungkin sudah dihapus). Ditampilkan semua OPD.")
    return Asked(institution.Filters(year, agency_id), institution.years(current), names, problems)


@bp.get("/institusi")
@role_required(Role.ADMIN)
def dashboard() -> ResponseReturnValue:
    asked = _asked()
    data = institution.dashboard(asked.filters, asked.agencies)
    months = institution.per_month(data)
    chart = None if data.empty else institution.month_chart(months, asked.filters.year)
    return render_template("reports/institution.html", asked=asked, data=data, months=months, chart=chart,
                           target=institution.JP_TARGET), 400 if asked.problems else 200


@bp.get("/institusi/<kind>")
@role_required(Role.ADMIN)
def figure_list(kind: str) -> ResponseReturnValue:
    if kind not in institution.KINDS:
        abort(404)
    asked, query = _asked(), request.args.get("q", "")
    fmt = format_arg(request.args.get("format"))
    if fmt and not asked.problems:
        suffix = "" if asked.filters.agency_id is None else f"-opd{asked.filters.agency_id}"
        title = f"{institution.KINDS[kind].title} · {asked.filters.year} · {asked.agency_label}"
        return send_export(institution.export_table(kind, asked.filters, query), fmt,  # personal data: no cache
                           f"{kind}-{asked.filters.year}{suffix}", title, private=True)
    page = institution.listing(kind, asked.filters, query, request.args.get("page", 1, type=bounded_int),
                               current_app.config["PAGE_SIZE"])
    return render_template("reports/institution_list.html", asked=asked, listing=page,
                           target=institution.JP_TARGET), 400 if asked.problems else 200
