"""Import participants from a checked CSV/XLSX: preview, then apply all or nothing.

Trainers' imports create participants and enroll existing accounts without changing them; admins'
imports may also update participants' data. No import changes a staff account or anyone's role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.accounts.identity import name_key
from lms.accounts.importing import ImportFileError, RowError, parse_participants
from lms.accounts.models import Agency, Role, User, UserImport
from lms.accounts.services import ensure_institution
from lms.audit import services as audit
from lms.errors import NotAllowed, ValidationFailed
from lms.extensions import db

_CHUNK = 500
PREVIEW_ROWS = 200

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
# Import column, User attribute, label in the preview. The OPD is compared by its matching key.
_FIELDS = (("nama", "full_name", "Nama"), ("nip", "nip", "NIP"),
           ("pangkat_golongan", "pangkat_golongan", "Pangkat/golongan"), ("jabatan", "jabatan", "Jabatan"),
           ("email", "email", "Surel"), ("no_hp", "phone", "No. HP"))
STAFF_REFUSED = "Akun narasumber atau penyelenggara: tidak diubah dan tidak didaftarkan lewat impor."
KEPT = "Sudah terdaftar, data tidak diubah."
KEPT_INACTIVE = "Sudah terdaftar, data tidak diubah; akun nonaktif, jadi tidak didaftarkan ke kegiatan."
SAME = "Sudah terdaftar, tidak ada perubahan."


@dataclass(frozen=True)
class FieldChange:
    field: str  # the User attribute (what the audit names)
    label: str
    old: str
    new: str


@dataclass
class ImportPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_agencies: list[str] = field(default_factory=list)
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    refused: int = 0
    # Old and new values by row number: shown in the preview, never stored (personal data).
    changes: dict[int, list[FieldChange]] = field(default_factory=dict)

    @property
    def importable(self) -> int:
        return len(self.rows) - self.refused

    def shown_rows(self, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
        """Return the rows a preview lists: the first `limit`, and every row that updates or is refused."""
        return [r for n, r in enumerate(self.rows) if n < limit or r["action"] in (UPDATE, REFUSED)]


def may_update(actor: User) -> bool:
    """Only admins' imports change existing accounts; trainers' imports create and enroll."""
    return actor.has_role(Role.ADMIN)


def preview(filename: str, data: bytes, max_rows: int, actor: User) -> ImportPlan:
    """Check a file against the database without changing anything."""
    try:
        parsed = parse_participants(filename, data, max_rows)
    except ImportFileError as exc:
        raise ValidationFailed(str(exc), "file") from None
    plan = ImportPlan(errors=list(parsed.errors))
    _plan_rows(parsed.rows, plan, may_update(actor))
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _plan_rows(rows: list[dict[str, Any]], plan: ImportPlan, updating: bool) -> None:
    by_nip = _users_by("nip", [r["nip"] for r in rows if r["nip"]])
    by_email = _users_by("email", [r["email"] for r in rows if r["email"]])
    known = {a.name_key for a in db.session.scalars(select(Agency))}
    new: dict[str, str] = {}
    matched: dict[int, int] = {}
    for row in rows:
        usable, existing = _match(row, by_nip.get(row["nip"]), by_email.get(row["email"]), matched, plan)
        if not usable:
            continue
        _plan_row(row, existing, updating, plan)
        key = name_key(row["opd"])
        if _writes_agency(row) and key not in known and key not in new:
            new[key] = row["opd"]
    plan.new_agencies = sorted(new.values(), key=str.casefold)


def _match(row: dict[str, Any], by_nip: User | None, by_email: User | None, matched: dict[int, int],
           plan: ImportPlan) -> tuple[bool, User | None]:
    """Return whether a row is usable and the account it names (None: a new one); record why not."""
    if by_nip and by_email and by_nip.id != by_email.id:
        plan.errors.append(RowError(row["row"], "email", "NIP dan surel ini milik dua pengguna "
                                    "berbeda yang sudah terdaftar; perbaiki salah satunya."))
        return False, None
    existing = by_nip or by_email
    if existing is not None and existing.id in matched:
        plan.errors.append(RowError(row["row"], "nip", f"Baris ini dan baris {matched[existing.id]} "
                                    "menunjuk akun yang sama; hapus salah satunya."))
        return False, None
    if existing is not None:
        matched[existing.id] = row["row"]
    return True, existing


def _plan_row(row: dict[str, Any], user: User | None, updating: bool, plan: ImportPlan) -> None:
    changes: list[FieldChange] = []
    if user is None:
        action, reason = CREATE, ""
    elif user.role != Role.PARTICIPANT.value:
        action, reason = REFUSED, STAFF_REFUSED
    elif not updating:
        action, reason = UNCHANGED, KEPT if user.active else KEPT_INACTIVE
    else:
        changes = _changes(row, user)
        action, reason = (UPDATE, "") if changes else (UNCHANGED, SAME)
    row.update(user_id=user.id if user else None, action=action, reason=reason,
               fields=[c.field for c in changes])
    if changes:
        plan.changes[row["row"]] = changes
    counter = {CREATE: "creates", UPDATE: "updates", UNCHANGED: "unchanged", REFUSED: "refused"}[action]
    setattr(plan, counter, getattr(plan, counter) + 1)
    plan.rows.append(row)


def _changes(row: dict[str, Any], user: User) -> list[FieldChange]:
    """Return what a row would change in a participant's account: blank cells change nothing."""
    changes = [FieldChange(attribute, label, getattr(user, attribute) or "", row[column])
               for column, attribute, label in _FIELDS
               if row[column] and row[column] != (getattr(user, attribute) or "")]
    if user.agency is None or user.agency.name_key != name_key(row["opd"]):
        changes.append(FieldChange("agency_id", "OPD", user.agency.name if user.agency else "", row["opd"]))
    return changes


def _writes_agency(row: dict[str, Any]) -> bool:
    return row["action"] == CREATE or "agency_id" in row["fields"]


def _users_by(column: str, values: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    attribute = getattr(User, column)
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for user in db.session.scalars(select(User).where(attribute.in_(chunk))):
            found[getattr(user, column)] = user
    return found


def _counts(plan: ImportPlan) -> dict[str, int]:
    return {"creates": plan.creates, "updates": plan.updates, "unchanged": plan.unchanged,
            "refused": plan.refused}


def save_pending(filename: str, plan: ImportPlan, actor: User) -> UserImport:
    """Keep a clean plan until the admin confirms it."""
    if plan.errors:
        raise ValidationFailed("Perbaiki semua baris yang salah sebelum mengimpor.")
    pending = UserImport(created_by_id=actor.id, filename=filename[:255], rows=plan.rows,
                         summary={**_counts(plan), "new_agencies": plan.new_agencies})
    db.session.add(pending)
    db.session.flush()
    return pending


@dataclass(frozen=True)
class Staged:
    """An uploaded file's preview, and the pending import kept when it has no errors."""

    plan: ImportPlan
    pending: UserImport | None


def stage(filename: str, data: bytes, max_rows: int, actor: User) -> Staged:
    """Preview an upload and, when every row is clean, keep it pending until the admin confirms."""
    plan = preview(filename, data, max_rows, actor)
    return Staged(plan, None if plan.errors else save_pending(filename, plan, actor))


def apply(pending: UserImport, actor: User, now: datetime) -> dict[str, Any]:
    """Apply a confirmed import in the caller's transaction; re-check against the database first."""
    if pending.status != "pending" or pending.rows is None:
        raise ValidationFailed("Impor ini sudah diproses.")
    if pending.created_by_id != actor.id:
        raise NotAllowed("Impor ini diunggah oleh pengguna lain; unggah berkasnya sendiri untuk melihat "
                         "pratinjau.")
    previewed = {r["row"]: r for r in pending.rows}
    plan = ImportPlan()
    _plan_rows([dict(r) for r in pending.rows], plan, may_update(actor))
    errors = plan.errors + _drift(previewed, plan.rows)
    if errors:
        raise ValidationFailed("Data berubah sejak pratinjau: " + "; ".join(map(str, errors[:5]))
                               + ". Unggah ulang berkasnya untuk melihat pratinjau baru.")
    agencies = _ensure_agencies([r for r in plan.rows if _writes_agency(r)], actor)
    created, updated, participants = _write_users(plan.rows, agencies)
    for user_id, fields in updated:
        audit.record(actor, "user.update", "user", user_id, {"fields": fields, "via": "import",
                                                             "import_id": pending.id})
    summary = {**_counts(plan), "new_agencies": len(plan.new_agencies), "created_user_ids": created,
               "user_ids": participants}
    pending.status, pending.rows, pending.applied_at = "applied", None, now
    pending.summary = summary
    audit.record(actor, "import.apply", "user_import", pending.id,
                 {k: v for k, v in summary.items() if k not in ("created_user_ids", "user_ids")})
    return summary


def _drift(previewed: dict[int, dict[str, Any]], rows: list[dict[str, Any]]) -> list[RowError]:
    """Return the rows whose account or changes differ from what the preview showed."""
    drifted = []
    for row in rows:
        before = previewed.get(row["row"], {})
        if any(before.get(key) != row[key] for key in ("action", "user_id", "fields")):
            drifted.append(RowError(row["row"], "", "akun yang cocok atau datanya berubah sejak pratinjau"))
    return drifted


def _ensure_agencies(rows: Iterable[dict[str, Any]], actor: User) -> dict[str, Agency]:
    agencies = {a.name_key: a for a in db.session.scalars(select(Agency))}
    institution_id = ensure_institution().id
    for row in rows:
        key = name_key(row["opd"])
        if key not in agencies:
            agency = Agency(institution_id=institution_id, name=row["opd"], name_key=key)
            db.session.add(agency)
            db.session.flush()
            audit.record(actor, "agency.create", "agency", agency.id, {"via": "import"})
            agencies[key] = agency
    return agencies


def _write_users(rows: list[dict[str, Any]], agencies: dict[str, Agency]
                 ) -> tuple[list[int], list[tuple[int, list[str]]], list[int]]:
    """Create and update accounts as planned; return created ids, updates, and every participant's id."""
    ids = [r["user_id"] for r in rows if r["action"] == UPDATE]
    existing = {u.id: u for start in range(0, len(ids), _CHUNK)
                for u in db.session.scalars(select(User).where(User.id.in_(ids[start:start + _CHUNK])))}
    institution_id = ensure_institution().id
    created: list[User] = []
    updated: list[tuple[int, list[str]]] = []
    for row in rows:
        if row["action"] == CREATE:
            user = User(institution_id=institution_id, role=Role.PARTICIPANT.value,
                        **_values(row, agencies[name_key(row["opd"])]))
            db.session.add(user)
            created.append(user)
        elif row["action"] == UPDATE:
            values = _values(row, agencies.get(name_key(row["opd"])))
            user = existing[row["user_id"]]
            for attribute in row["fields"]:
                setattr(user, attribute, values[attribute])
            updated.append((user.id, row["fields"]))
    db.session.flush()
    kept = [r["user_id"] for r in rows if r["action"] in (UPDATE, UNCHANGED)]
    return [u.id for u in created], updated, [u.id for u in created] + kept


def _values(row: dict[str, Any], agency: Agency | None) -> dict[str, Any]:
    return {"full_name": row["nama"], "pangkat_golongan": row["pangkat_golongan"],
            "jabatan": row["jabatan"], "phone": row["no_hp"], "nip": row["nip"] or None,
            "email": row["email"] or None, "agency_id": agency.id if agency else None}
