"""The institution's year: trainings held, people and OPDs reached, certificates, JP, and who reached 20 JP.

The JP year is the year of a training's end date (certificates keep it as `jp_year`). A person
counts in the OPD they belong to now. Every figure comes from a GROUP BY in the database, so the
number of queries stays the same whatever the number of trainings and people; the lists behind
the figures are paginated in SQL too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, and_, case, distinct, extract, func, literal_column, select, true, union

from lms import charts
from lms.accounts.models import Agency, User
from lms.certificates.models import Certificate
from lms.dates import MONTHS, format_date, format_range
from lms.exports import Column, Table
from lms.extensions import db
from lms.trainings.models import STATUSES, Enrollment, Training

JP_TARGET = 20  # PP 17/2020 Pasal 203 ayat (4): at least 20 JP of competency development a year
NO_OPD = 0  # the OPD filter's value for people without an OPD
NO_OPD_LABEL = "Tanpa OPD"
FIRST_YEAR, LAST_YEAR = 2000, 2100

Query = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Filters:
    """The year and the OPD asked for: agency_id None is every OPD, NO_OPD those without one."""

    year: int
    agency_id: int | None = None


# ---------------------------------------------------------------- the dashboard


@dataclass
class OpdRow:
    """One OPD's figures in the year (agency_id NO_OPD: the people without an OPD)."""

    agency_id: int
    name: str
    participants: int = 0
    trainings: int = 0
    valid: int = 0
    revoked: int = 0
    jp: int = 0
    reached: int = 0
    below: int = 0


@dataclass(frozen=True)
class TrainingRow:
    id: int
    slug: str
    title: str
    start_date: date
    end_date: date
    status: str
    participants: int
    certificates: int

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass
class Dashboard:
    filters: Filters
    trainings: list[TrainingRow]
    rows: list[OpdRow]
    total: OpdRow = field(default_factory=lambda: OpdRow(NO_OPD, "Jumlah"))

    @property
    def empty(self) -> bool:
        return not self.trainings

    @property
    def opds_reached(self) -> int:
        return sum(1 for r in self.rows if r.agency_id != NO_OPD and r.participants)


@dataclass(frozen=True)
class Month:
    number: int
    name: str
    trainings: int
    enrolments: int  # a person in two trainings of the month counts twice


def per_month(data: Dashboard) -> list[Month]:
    """Return the year's trainings and their enrolments by the month of their last day (no query)."""
    counts = {m: [0, 0] for m in range(1, 13)}
    for item in data.trainings:
        counts[item.end_date.month][0] += 1
        counts[item.end_date.month][1] += item.participants
    return [Month(m, MONTHS[m - 1], t, e) for m, (t, e) in counts.items()]


def month_chart(months: Sequence[Month], year: int) -> Markup:
    """Return the trainings per month as inline SVG; its numbers are the table with id tabel-per-bulan."""
    chart = charts.bar_chart([m.name for m in months], [m.trainings for m in months],
                             f"Kegiatan per bulan, {year}", places=0)
    return charts.to_svg(chart, described_by="tabel-per-bulan")


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _held(year: int) -> ColumnElement[bool]:
    """The trainings of a JP year: not drafts, ending in it."""
    first, last = year_bounds(year)
    return and_(Training.status != "draft", Training.end_date >= first, Training.end_date <= last)


def _in_opd(agency_id: int | None) -> ColumnElement[bool]:
    if agency_id is None:
        return true()
    if agency_id == NO_OPD:
        return User.agency_id.is_(None)
    return User.agency_id == agency_id


def _opd() -> ColumnElement[int]:
    # A literal, not a parameter: PostgreSQL matches the GROUP BY to the SELECT only when both are the same text.
    return func.coalesce(User.agency_id, literal_column(str(NO_OPD)))


def _is_asn() -> ColumnElement[bool]:
    return and_(User.nip.is_not(None), User.nip != "")


def years(current: int) -> list[int]:
    """Return the JP years that have trainings, with the current one, newest first (one query)."""
    found = db.session.scalars(select(extract("year", Training.end_date)).distinct()
                               .where(Training.status != "draft"))
    return sorted({int(y) for y in found if y is not None} | {current}, reverse=True)


def agencies() -> list[tuple[int, str]]:
    """Return every OPD as (id, name), by name, for the filter and the table."""
    return [(a, n) for a, n in db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name_key))]


def dashboard(filters: Filters, names: Sequence[tuple[int, str]]) -> Dashboard:
    """Return the year's figures per OPD and its trainings, in four queries whatever their number."""
    rows: dict[int, OpdRow] = {}
    labels = dict(names)

    def row(agency_id: int) -> OpdRow:
        if agency_id not in rows:
            rows[agency_id] = OpdRow(agency_id, labels.get(agency_id, NO_OPD_LABEL))
        return rows[agency_id]

    held, in_opd = _held(filters.year), _in_opd(filters.agency_id)
    for agency_id, people, trainings in db.session.execute(
            select(_opd(), func.count(distinct(User.id)), func.count(distinct(Enrollment.training_id)))
            .select_from(Enrollment).join(Training, Training.id == Enrollment.training_id)
            .join(User, User.id == Enrollment.user_id).where(held, in_opd).group_by(_opd())):
        row(agency_id).participants, row(agency_id).trainings = people, trainings
    for agency_id, status, count, jp in db.session.execute(
            select(_opd(), Certificate.status, func.count(Certificate.id), func.coalesce(func.sum(Certificate.jp), 0))
            .join(User, User.id == Certificate.user_id)
            .where(Certificate.jp_year == filters.year, in_opd).group_by(_opd(), Certificate.status)):
        if status == "valid":
            row(agency_id).valid, row(agency_id).jp = count, int(jp)
        else:
            row(agency_id).revoked = count
    asn = _asn_people(filters).subquery()
    for agency_id, reached, below in db.session.execute(
            select(asn.c.opd, func.sum(case((asn.c.jp >= JP_TARGET, 1), else_=0)),
                   func.sum(case((asn.c.jp < JP_TARGET, 1), else_=0))).group_by(asn.c.opd)):
        row(agency_id).reached, row(agency_id).below = int(reached or 0), int(below or 0)
    ordered = sorted(rows.values(), key=lambda r: (r.agency_id == NO_OPD, r.name.casefold(), r.agency_id))
    result = Dashboard(filters, [TrainingRow(*r) for r in db.session.execute(_trainings(filters))], ordered)
    for name in ("participants", "valid", "revoked", "jp", "reached", "below"):
        setattr(result.total, name, sum(getattr(r, name) for r in ordered))
    result.total.trainings = len(result.trainings)
    return result


def _trainings(filters: Filters) -> Query:
    """The year's trainings with their participants and valid certificates (of the OPD asked for)."""
    in_opd = _in_opd(filters.agency_id)
    enrolled = (select(Enrollment.training_id, func.count(Enrollment.id).label("n"))
                .join(User, User.id == Enrollment.user_id).where(in_opd).group_by(Enrollment.training_id).subquery())
    certified = (select(Certificate.training_id, func.count(Certificate.id).label("n"))
                 .join(User, User.id == Certificate.user_id).where(Certificate.status == "valid", in_opd)
                 .group_by(Certificate.training_id).subquery())
    query = (select(Training.id, Training.slug, Training.title, Training.start_date, Training.end_date,
                    Training.status, func.coalesce(enrolled.c.n, 0), func.coalesce(certified.c.n, 0))
             .outerjoin(enrolled, enrolled.c.training_id == Training.id)
             .outerjoin(certified, certified.c.training_id == Training.id)
             .where(_held(filters.year)).order_by(Training.start_date, Training.id))
    if filters.agency_id is not None:  # the trainings this OPD's people took part in
        query = query.where(enrolled.c.n > 0)
    return query


def _asn_people(filters: Filters) -> Query:
    """Civil servants (with an NIP) in the year, with their JP from valid certificates of that year."""
    valid_of_year = and_(Certificate.jp_year == filters.year, Certificate.status == "valid")
    population = union(
        select(Enrollment.user_id.label("user_id")).join(Training, Training.id == Enrollment.training_id)
        .where(_held(filters.year)),
        select(Certificate.user_id.label("user_id")).where(valid_of_year)).subquery()
    earned = (select(Certificate.user_id, func.sum(Certificate.jp).label("jp")).where(valid_of_year)
              .group_by(Certificate.user_id).subquery())
    jp = func.coalesce(earned.c.jp, 0)
    return (select(User.id, User.full_name, User.nip, _opd().label("opd"), jp.label("jp"))
            .join(population, population.c.user_id == User.id).outerjoin(earned, earned.c.user_id == User.id)
            .where(_is_asn(), _in_opd(filters.agency_id)))


# ---------------------------------------------------------------- the lists behind the figures


@dataclass(frozen=True)
class Kind:
    title: str
    header: tuple[str, ...]
    numeric: frozenset[int]  # the columns holding numbers (right-aligned)


KINDS: dict[str, Kind] = {
    "kegiatan": Kind("Kegiatan yang dilaksanakan", ("Kegiatan", "Tanggal", "Status", "Peserta", "Sertifikat sah"),
                     frozenset({3, 4})),
    "peserta": Kind("Peserta yang dijangkau", ("Nama", "NIP", "OPD", "Kegiatan diikuti", "JP"), frozenset({3, 4})),
    "sertifikat": Kind("Sertifikat sah", ("Nomor", "Nama", "OPD", "Kegiatan", "Tanggal terbit", "JP"),
                       frozenset({5})),
    "dicabut": Kind("Sertifikat dicabut", ("Nomor", "Nama", "OPD", "Kegiatan", "Tanggal terbit", "JP"),
                    frozenset({5})),
    "asn-tercapai": Kind(f"ASN yang mencapai {JP_TARGET} JP", ("Nama", "NIP", "OPD", "JP"), frozenset({3})),
    "asn-kurang": Kind(f"ASN di bawah {JP_TARGET} JP", ("Nama", "NIP", "OPD", "JP", "Kekurangan JP"),
                       frozenset({3, 4})),
}


@dataclass(frozen=True)
class Row:
    cells: tuple[Any, ...]
    slug: str | None = None  # a training's, where the row is one


@dataclass(frozen=True)
class Listing:
    """One page of a figure's list, shaped for the pager macro."""

    kind: str
    filters: Filters
    query: str
    rows: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def pages(self) -> int:
        return max(-(-self.total // self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _opd_name() -> ColumnElement[str]:
    return func.coalesce(Agency.name, NO_OPD_LABEL)


def _people(filters: Filters, needle: str) -> tuple[Query, Any]:
    held = _held(filters.year)
    earned = (select(Certificate.user_id, func.sum(Certificate.jp).label("jp"))
              .where(Certificate.jp_year == filters.year, Certificate.status == "valid")
              .group_by(Certificate.user_id).subquery())
    taken = (select(Enrollment.user_id, func.count(Enrollment.id).label("n"))
             .join(Training, Training.id == Enrollment.training_id).where(held).group_by(Enrollment.user_id).subquery())
    query = (select(User.full_name, func.coalesce(User.nip, ""), _opd_name(), taken.c.n,
                    func.coalesce(earned.c.jp, 0))
             .join(taken, taken.c.user_id == User.id).outerjoin(earned, earned.c.user_id == User.id)
             .outerjoin(Agency, Agency.id == User.agency_id).where(_in_opd(filters.agency_id)))
    return _named(query, needle), lambda *r: Row(r)


def _certificates(status: str) -> Any:
    def build(filters: Filters, needle: str) -> tuple[Query, Any]:
        query = (select(Certificate.number, User.full_name, _opd_name(), Training.title, Certificate.issue_date,
                        Certificate.jp, Training.slug)
                 .join(User, User.id == Certificate.user_id).join(Training, Training.id == Certificate.training_id)
                 .outerjoin(Agency, Agency.id == User.agency_id)
                 .where(Certificate.jp_year == filters.year, Certificate.status == status,
                        _in_opd(filters.agency_id)))
        return (_named(query, needle, Certificate.number),
                lambda number, name, opd, title, issued, jp, slug: Row((number, name, opd, title,
                                                                        format_date(issued), jp), slug))
    return build


def _asn(reached: bool) -> Any:
    def build(filters: Filters, needle: str) -> tuple[Query, Any]:
        people = _asn_people(filters).subquery()
        query = (select(people.c.full_name, people.c.nip, func.coalesce(Agency.name, NO_OPD_LABEL), people.c.jp)
                 .outerjoin(Agency, Agency.id == people.c.opd)
                 .where(people.c.jp >= JP_TARGET if reached else people.c.jp < JP_TARGET))
        if needle:
            query = query.where(people.c.full_name.icontains(needle, autoescape=True))
        query = query.order_by(people.c.full_name, people.c.id)
        if reached:
            return query, lambda name, nip, opd, jp: Row((name, nip, opd, int(jp)))
        return query, lambda name, nip, opd, jp: Row((name, nip, opd, int(jp), JP_TARGET - int(jp)))
    return build


def _kegiatan(filters: Filters, needle: str) -> tuple[Query, Any]:
    query = _trainings(filters)
    if needle:
        query = query.where(Training.title.icontains(needle, autoescape=True))

    def make(_id: int, slug: str, title: str, start: date, end: date, status: str, people: int, certs: int) -> Row:
        return Row((title, format_range(start, end), STATUSES.get(status, status), people, certs), slug)
    return query, make


def _named(query: Query, needle: str, *more: Any) -> Query:
    """Filter by a part of the person's name, then order by name (and `more`)."""
    if needle:
        query = query.where(User.full_name.icontains(needle, autoescape=True))
    return query.order_by(User.full_name, *more, User.id)


_BUILDERS: dict[str, Any] = {
    "kegiatan": _kegiatan, "peserta": _people, "sertifikat": _certificates("valid"),
    "dicabut": _certificates("revoked"), "asn-tercapai": _asn(True), "asn-kurang": _asn(False),
}


def listing(kind: str, filters: Filters, query: str = "", page: int = 1, per_page: int = 50) -> Listing:
    """Return one page of a figure's list (two queries: its count and its page)."""
    needle = " ".join(query.split())[:100]
    select_, make = _BUILDERS[kind](filters, needle)
    total = db.session.scalar(select(func.count()).select_from(select_.order_by(None).subquery())) or 0
    page = min(max(page, 1), max(-(-total // per_page), 1))
    rows = [make(*r) for r in db.session.execute(select_.limit(per_page).offset((page - 1) * per_page))]
    return Listing(kind, filters, needle, rows, total, page, per_page)


def export_rows(kind: str, filters: Filters, query: str = "") -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """Return the header and every row of a figure's list (one query), for CSV and XLSX."""
    select_, make = _BUILDERS[kind](filters, " ".join(query.split())[:100])
    return KINDS[kind].header, [make(*r).cells for r in db.session.execute(select_)]


def export_table(kind: str, filters: Filters, query: str = "") -> Table:
    """Return a figure's whole list as an export table: NIP as text, the numeric columns as numbers."""
    spec = KINDS[kind]
    header, rows = export_rows(kind, filters, query)
    columns = [Column(h, "nip" if h == "NIP" else "decimal" if i in spec.numeric else "text")
               for i, h in enumerate(header)]
    return Table(spec.title, columns, rows)
