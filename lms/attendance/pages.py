"""Page data of attendance: the trainer's roster grid and a participant's own sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from markupsafe import Markup, escape

from lms.attendance import marking, services, states
from lms.attendance.models import STATUS_LABELS, AttendanceSession
from lms.dates import format_day_month
from lms.numbers import percent_text
from lms.trainings.models import Training


@dataclass(frozen=True)
class SessionColumn:
    session: AttendanceSession
    state: states.State
    seconds_left: int

    @property
    def state_label(self) -> str:
        return states.STATE_LABELS[self.state]

    @property
    def short_day(self) -> str:
        return format_day_month(self.session.day)


@dataclass(frozen=True)
class Row:
    user: services.Person
    cells: list[tuple[str, str, str]]  # per session: status key or "", note, device-sharing title (or "")
    percent: Fraction

    @property
    def cells_html(self) -> Markup:
        """Return the row's status cells as the grid's <td> elements (what roster.js reads and updates)."""
        return Markup("".join(cell_html(*cell) for cell in self.cells))


def cell_html(status: str, note: str, flag: str) -> str:
    """Return one grid cell: data-v is the status key, the title the device warning and the note.

    Written here rather than in the template: a 300-participant roster has 1,800 cells, and most are
    one of six identical strings.
    """
    if not note and not flag:
        return _PLAIN_CELLS.get(status) or _cell(status, note, flag)
    return _cell(status, note, flag)


def _cell(status: str, note: str, flag: str) -> str:
    value = f' data-v="{escape(status)}"' if status else ""
    if flag or note:
        title = escape(flag) + (" · " if flag and note else "") + escape(note)
        value += f' title="{title}" class="{"dev" if flag else ""}{" n" if note else ""}"'
    return f"<td{value}>{escape(STATUS_LABELS.get(status, status)) if status else '—'}</td>"


_PLAIN_CELLS = {key: _cell(key, "", "") for key in ("", *STATUS_LABELS)}


@dataclass(frozen=True)
class RosterPage:
    columns: list[SessionColumn]
    rows: list[Row]
    last_bulk: marking.LastBulk | None
    flagged: int

    def rows_html(self, person_base: str, min_percent: int) -> Markup:
        """Return the grid's body rows: one <tr> per participant, as roster.js reads them.

        Written here rather than in the template: at 300 participants the template's own escaping and
        attribute lookups were most of the page's time.
        """
        base = escape(person_base)
        texts: dict[Fraction, str] = {}  # a handful of distinct percentages: each formatted once
        for row in self.rows:
            if row.percent not in texts:
                texts[row.percent] = percent_text(row.percent)
        return Markup("".join(
            f'<tr id="p{row.user.id}" data-u="{row.user.id}"><th scope="row" class="sticky-col fw-normal">'
            f'<input type="checkbox" name="user_ids" value="{row.user.id}" form="bulk" '
            f'aria-labelledby="pick n{row.user.id}"> <a id="n{row.user.id}" href="{base}{row.user.id}">'
            f'{escape(row.user.full_name)}</a>{f"<small>{escape(row.user.agency)}</small>" if row.user.agency else ""}'
            f'</th>{row.cells_html}<td class="pc{" low" if row.percent < min_percent else ""}">'
            f'{texts[row.percent]}</td></tr>\n' for row in self.rows))


def roster_page(training: Training, now: datetime) -> RosterPage:
    """Return the roster grid: sessions with their state, one row per participant, in a fixed number of queries."""
    sessions, people, cells = services.grid(training)
    session_ids = [s.id for s in sessions]
    percent = services.attendance_percent({u.id for u in people}, session_ids,
                                          {k: c.status for k, c in cells.items()}, set(training.present_statuses))
    shared = services.shared_devices(cells.values(), {u.id: u.full_name for u in people})
    columns = [SessionColumn(s, services.state_of(s, now), states.seconds_left(s.ends_at, now)) for s in sessions]
    empty = ("", "", "")
    rows = []
    for user in people:
        row = []
        for session_id in session_ids:
            cell = cells.get((user.id, session_id))
            if cell is None:
                row.append(empty)
                continue
            others = shared.get((user.id, session_id))
            row.append((cell.status, cell.note, "Perangkat yang sama dengan: " + ", ".join(others) if others else ""))
        rows.append(Row(user, row, percent[user.id]))
    return RosterPage(columns, rows, marking.last_bulk(training, now), len({k[0] for k in shared}))


def percent_of(training: Training, user_ids: list[int]) -> dict[int, str]:
    """Return these participants' attendance % as shown in the roster."""
    percent = services.percentages_for(training, user_ids)
    return {uid: percent_text(value) for uid, value in percent.items()}


def participant_label(state: states.State, status: str | None) -> str:
    """Return what a participant reads about their own record in a session."""
    if status:
        return STATUS_LABELS[status]
    if state is states.State.CLOSED:
        return "Ditutup — tidak presensi"
    if state is states.State.OPEN:
        return "Dibuka — belum presensi"
    return "Belum dibuka"
