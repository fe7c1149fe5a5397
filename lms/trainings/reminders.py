"""The organiser's reminder lists: who has not yet taken the pre-test, the post-test, the evaluation, a task.

Each person comes with a WhatsApp link (wa.me) carrying a polite reminder. Phone numbers are
personal data: they appear only on the staff page and its export, never in our own addresses.
The queries are the same number whatever the number of participants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.assignments import services as assignments
from lms.assignments import states
from lms.dates import format_date, format_datetime, local_date
from lms.evaluations import services as evaluations
from lms.exports import Column, Table
from lms.extensions import db
from lms.quizzes.models import Attempt
from lms.trainings.models import Training

NO_PHONE = "tidak ada nomor"
BAD_PHONE = "bukan nomor ponsel"  # a landline (stored numbers are checked when saved)
NOT_HANDED_IN = states.FILTERS["missing"][1]  # missing, draft, withdrawn
_MIN_DIGITS, _MAX_DIGITS = 10, 15  # 62 + an Indonesian number of 8 to 13 digits

Texter = Callable[[User, str, str], str]  # (person, what they have not done, deadline) -> the message


def normalise_phone(raw: str | None) -> str | None:
    """Return an Indonesian number as wa.me wants it (628123...), or None when it is not one.

    08xx, +62 8xx, 62 8xx, 0062 8xx and 8xx are accepted, with any spaces, dots or dashes.
    """
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return None
    return digits


def wa_link(phone: str, text: str) -> str:
    return f"https://wa.me/{phone}?text={quote(text, safe='')}"


@dataclass(frozen=True)
class Person:
    """One participant to remind, with their WhatsApp link (None: no usable number, see `phone_note`)."""

    user_id: int
    name: str
    opd: str
    phone: str | None
    phone_note: str
    note: str
    link: str | None


@dataclass
class ReminderList:
    key: str
    title: str
    people: list[Person] = field(default_factory=list)
    # Why the list cannot be drawn up (no pre-test set, not the viewer's to see); None: it can.
    unavailable: str | None = None
    detail: str = ""


@dataclass
class Reminders:
    training: Training
    enrolled: int
    lists: list[ReminderList]


def _person(user: User, note: str, text: str) -> Person:
    phone = normalise_phone(user.phone)
    phone_note = "" if phone else (BAD_PHONE if (user.phone or "").strip() else NO_PHONE)
    return Person(user.id, user.full_name, user.agency.name if user.agency else "", phone, phone_note, note,
                  wa_link(phone, text) if phone else None)


def message(name: str, action: str, training: Training, deadline: str, page_url: str, sender: str) -> str:
    """Return the reminder a participant receives, in polite Indonesian."""
    body = [f"Kami mengingatkan bahwa Anda belum {action} pada kegiatan {training.title}."]
    if deadline:
        body.append(deadline)
    body.append(f"Silakan buka {page_url}")
    return f"Yth. Bapak/Ibu {name},\n\n{' '.join(body)}\n\nTerima kasih.\nPanitia {sender}"


def reminders(viewer: User, training: Training, people: list[User], now: datetime, page_url: str,
              sender: str) -> Reminders:
    """Return the four kinds of reminder lists for the training's staff (queries bounded by the lists).

    `people` are the enrolled participants with their OPD (lms.trainings.scope.participants).
    """
    def text(user: User, action: str, deadline: str) -> str:
        return message(user.full_name, action, training, deadline, page_url, sender)

    lists = [_test_list(training, people, kind, now, text) for kind in ("pretest", "posttest")]
    lists.append(_evaluation_list(viewer, training, people, now, text))
    lists += _assignment_lists(training, people, text)
    return Reminders(training, len(people), lists)


def _test_list(training: Training, people: list[User], kind: str, now: datetime, text: Texter) -> ReminderList:
    label = "Pre-test" if kind == "pretest" else "Post-test"
    quiz, opens, closes = ((training.pretest, training.pretest_open_at, training.pretest_close_at)
                           if kind == "pretest" else
                           (training.posttest, training.posttest_open_at, training.posttest_close_at))
    result = ReminderList(kind, f"Belum mengerjakan {label.lower()}")
    if quiz is None:
        result.unavailable = f"Kegiatan ini tidak memakai {label.lower()}."
        return result
    statuses: dict[int, set[str]] = {}
    for user_id, status in db.session.execute(select(Attempt.user_id, Attempt.status).where(
            Attempt.training_id == training.id, Attempt.quiz_id == quiz.id)):
        statuses.setdefault(user_id, set()).add(status)
    zone = training.time_zone
    notes = []
    if opens is not None and now < opens:
        notes.append(f"{label} belum dibuka: dibuka {format_datetime(opens, zone)}.")
    if closes is not None:
        notes.append(f"{label} {'telah ditutup' if closes <= now else 'ditutup'} {format_datetime(closes, zone)}.")
    result.detail = " ".join(notes)
    # A reminder names a deadline still ahead, never one already past.
    deadline = result.detail if closes is None or now < closes else ""
    action = f"mengerjakan {label.lower()} «{quiz.title}»"
    for user in people:
        found = statuses.get(user.id, set())
        if "finished" in found:
            continue
        note = "Sedang mengerjakan, belum dikirim" if "in_progress" in found else "Belum mulai"
        result.people.append(_person(user, note, text(user, action, deadline)))
    return result


def _evaluation_list(viewer: User, training: Training, people: list[User], now: datetime,
                     text: Texter) -> ReminderList:
    result = ReminderList("evaluasi", "Belum mengisi evaluasi")
    if not viewer.has_role(Role.ADMIN):
        # Responses are anonymous to narasumber: who has answered, watched over time, would unmask them.
        result.unavailable = ("Daftar ini hanya untuk penyelenggara (admin): evaluasi bersifat anonim bagi "
                              "narasumber.")
        return result
    targets = evaluations.targets(training)
    if not targets:
        result.unavailable = "Kegiatan ini tidak memiliki evaluasi."
        return result
    first, last = evaluations.window(training)
    result.detail = f"Evaluasi dapat diisi {format_date(first)} sampai {format_date(last)}."
    deadline = result.detail
    if not evaluations.is_open(training, now):
        ended = local_date(now, training.time_zone) > last
        result.detail = ("Masa evaluasi sudah berakhir. " if ended else "Evaluasi belum dibuka. ") + result.detail
        deadline = "" if ended else deadline
    owed = {user.id: missing for user, missing in evaluations.not_submitted(viewer, training)}
    for user in people:
        if user.id in owed:
            action = f"mengisi evaluasi ({owed[user.id]} dari {len(targets)} belum diisi)"
            result.people.append(_person(user, f"{owed[user.id]} dari {len(targets)} belum diisi",
                                         text(user, action, deadline)))
    return result


def _assignment_lists(training: Training, people: list[User], text: Texter) -> list[ReminderList]:
    given = assignments.offered(training)
    found = assignments.statuses(training, given, [u.id for u in people])
    lists = []
    for assignment in given:
        result = ReminderList(f"tugas-{assignment.id}", f"Belum mengumpulkan tugas: {assignment.title}")
        due = assignments.due_at(assignment, training)
        deadline = f"Batas pengumpulan {format_datetime(due, training.time_zone)}." if due else ""
        result.detail = deadline + (" Tugas wajib untuk sertifikat." if assignment.required else "")
        action = f"mengumpulkan tugas «{assignment.title}»"
        for user in people:
            status = found.get(user.id, {}).get(assignment.id, "missing")
            if status in NOT_HANDED_IN:
                result.people.append(_person(user, states.label(status),
                                             text(user, action, deadline)))
        lists.append(result)
    return lists


def export_table(data: Reminders) -> Table:
    """Return every list as one export table: list, name, OPD, WhatsApp number (kept as text), note."""
    rows = [[item.title, p.name, p.opd, p.phone or p.phone_note, p.note]
            for item in data.lists for p in item.people]
    return Table("Pengingat", (Column("Daftar"), Column("Nama"), Column("OPD"), Column("Nomor WhatsApp", "phone"),
                               Column("Keterangan")), rows)
