"""Import participants from a checked CSV/XLSX: preview, then apply all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from sqlalchemy import select

from lms.accounts.identity import name_key
from lms.accounts.importing import ImportFileError, RowError, parse_participants
from lms.accounts.models import Agency, Role, User, UserImport
from lms.accounts.services import get_institution
from lms.audit import services as audit
from lms.errors import ValidationFailed
from lms.extensions import db

_CHUNK = 500


@dataclass
class ImportPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_agencies: list[str] = field(default_factory=list)
    creates: int = 0
    updates: int = 0


def preview(filename: str, data: bytes, max_rows: int) -> ImportPlan:
    """Check a file against the database without changing anything."""
    try:
        parsed = parse_participants(filename, data, max_rows)
    except ImportFileError as exc:
        raise ValidationFailed(str(exc), "file") from None
    plan = ImportPlan(errors=list(parsed.errors))
    _plan_rows(parsed.rows, plan)
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _plan_rows(rows: list[dict[str, Any]], plan: ImportPlan) -> None:
    by_nip = _users_by("nip", [r["nip"] for r in rows if r["nip"]])
    by_email = _users_by("email", [r["email"] for r in rows if r["email"]])
    known = {a.name_key for a in db.session.scalars(select(Agency))}
    new: dict[str, str] = {}
    for row in rows:
        match_nip, match_email = by_nip.get(row["nip"]), by_email.get(row["email"])
        if match_nip and match_email and match_nip.id != match_email.id:
            plan.errors.append(RowError(row["row"], "email", "NIP dan surel ini milik dua pengguna "
                                        "berbeda yang sudah terdaftar; perbaiki salah satunya."))
            continue
        existing = match_nip or match_email
        row["user_id"] = existing.id if existing else None
        plan.rows.append(row)
        if existing:
            plan.updates += 1
        else:
            plan.creates += 1
        key = name_key(row["opd"])
        if key not in known and key not in new:
            new[key] = row["opd"]
    plan.new_agencies = sorted(new.values(), key=str.casefold)


def _users_by(column: str, values: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    attribute = getattr(User, column)
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for user in db.session.scalars(select(User).where(attribute.in_(chunk))):
            found[getattr(user, column)] = user
    return found


def save_pending(filename: str, plan: ImportPlan, actor: User) -> UserImport:
    """Keep a clean plan until the admin confirms it."""
    if plan.errors:
        raise ValidationFailed("Perbaiki semua baris yang salah sebelum mengimpor.")
    pending = UserImport(created_by_id=actor.id, filename=filename[:255], rows=plan.rows,
                         summary={"creates": plan.creates, "updates": plan.updates,
                                  "new_agencies": plan.new_agencies})
    db.session.add(pending)
    db.session.flush()
    return pending


def apply(pending: UserImport, actor: User, now: datetime) -> dict[str, Any]:
    """Apply a confirmed import in the caller's transaction; re-check against the database first."""
    if pending.status != "pending" or pending.rows is None:
        raise ValidationFailed("Impor ini sudah diproses.")
    plan = ImportPlan()
    _plan_rows([dict(r) for r in pending.rows], plan)
    if plan.errors:
        raise ValidationFailed("Data berubah sejak pratinjau: " + "; ".join(map(str, plan.errors[:5])))
    agencies = _ensure_agencies(plan.rows, actor)
    created_users, all_users = _write_users(plan.rows, agencies)
    summary = {"creates": plan.creates, "updates": plan.updates,
               "new_agencies": len(plan.new_agencies), "created_user_ids": created_users,
               "user_ids": all_users}
    pending.status, pending.rows, pending.applied_at = "applied", None, now
    pending.summary = summary
    audit.record(actor, "import.apply", "user_import", pending.id,
                 {k: v for k, v in summary.items() if k not in ("created_user_ids", "user_ids")})
    return summary


def _ensure_agencies(rows: Iterable[dict[str, Any]], actor: User) -> dict[str, Agency]:
    agencies = {a.name_key: a for a in db.session.scalars(select(Agency))}
    institution_id = get_institution().id
    for row in rows:
        key = name_key(row["opd"])
        if key not in agencies:
            agency = Agency(institution_id=institution_id, name=row["opd"], name_key=key)
            db.session.add(agency)
            db.session.flush()
            audit.record(actor, "agency.create", "agency", agency.id, {"via": "import"})
            agencies[key] = agency
    return agencies


def _write_users(rows: list[dict[str, Any]], agencies: dict[str, Agency]) -> tuple[list[int], list[int]]:
    ids = [r["user_id"] for r in rows if r["user_id"]]
    existing = {u.id: u for start in range(0, len(ids), _CHUNK)
                for u in db.session.scalars(select(User).where(User.id.in_(ids[start:start + _CHUNK])))}
    institution_id = get_institution().id
    created, touched = [], []
    for row in rows:
        values = _values(row, agencies[name_key(row["opd"])])
        user: Optional[User] = existing.get(row["user_id"]) if row["user_id"] else None
        if user is None:
            user = User(institution_id=institution_id, role=Role.PARTICIPANT.value, **values)
            db.session.add(user)
            created.append(user)
        else:
            for key, value in values.items():
                if value not in (None, "") and getattr(user, key) != value:
                    setattr(user, key, value)
        touched.append(user)
    db.session.flush()
    return [u.id for u in created], [u.id for u in touched]


def _values(row: dict[str, Any], agency: Agency) -> dict[str, Any]:
    return {"full_name": row["nama"], "pangkat_golongan": row["pangkat_golongan"],
            "jabatan": row["jabatan"], "phone": row["no_hp"], "nip": row["nip"] or None,
            "email": row["email"] or None, "agency_id": agency.id}
