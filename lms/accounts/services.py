"""Use cases of accounts: authentication, passwords, users, OPDs and the institution."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import undefer
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts import passwords
from lms.accounts import sessions as login_sessions
from lms.accounts.identity import IdentityError, clean_name, name_key, normalize_email, normalize_nip, normalize_phone
from lms.accounts.models import Agency, Institution, LoginSession, Role, User
from lms.audit import services as audit
from lms.certificates.numbering import PatternError, validate_pattern
from lms.dates import DEFAULT_ZONE
from lms.db_types import utcnow
from lms.errors import LmsError, NotAllowed, Problems, ValidationFailed
from lms.extensions import db
from lms.images import check_image
from lms.network import public_url_problem

GENERIC_LOGIN_ERROR = "NIP/surel atau kata sandi salah."
# No 0/o, 1/l/i: slips are read off paper and typed on phones.
OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OTP_LENGTH = 10


class LoginFailed(LmsError):
    """The credentials do not open an account."""


# ---------------------------------------------------------------- institution


DEFAULT_INSTITUTION = {"name": "Dinas Komunikasi dan Informatika", "city": "", "time_zone": DEFAULT_ZONE}


def find_institution(with_logo: bool = False) -> Institution | None:
    """Return this deployment's institution, if set up (optionally with its logo bytes loaded)."""
    query = select(Institution).order_by(Institution.id).limit(1)
    if with_logo:
        query = query.options(undefer(Institution.logo))
    return db.session.scalars(query).first()


def current_institution() -> Institution:
    """Return this deployment's institution for reading: before anything saved it, an unsaved blank one.

    A read writes nothing: the row itself is created by the first write (`ensure_institution`).
    """
    return find_institution() or _blank_institution()


def _blank_institution() -> Institution:
    """Return an institution with every column default, not added to the session."""
    defaults = {column.key: column.default.arg for column in Institution.__table__.columns
                if column.default is not None and column.default.is_scalar}
    return Institution(**{**defaults, **DEFAULT_INSTITUTION})


def ensure_institution() -> Institution:
    """Return this deployment's institution row, creating the blank one on the first write that needs it."""
    institution = find_institution()
    if institution is None:
        institution = _blank_institution()
        db.session.add(institution)
        db.session.flush()
    return institution


def update_institution(institution: Institution, data: dict[str, Any], actor: User) -> None:
    """Change the institution profile and audit the fields that changed (the public address with both values)."""
    old_address = institution.public_base_url
    changed = _assign(institution, data)
    if changed:
        details: dict[str, Any] = {"fields": changed}
        if "public_base_url" in changed:
            details["public_base_url"] = {"old": old_address, "new": institution.public_base_url}
        audit.record(actor, "institution.update", "institution", institution.id, details)


def public_base_url(institution: Institution | None = None) -> str:
    """Return the base of every public address (certificate QR codes, verification links).

    The address stored on the institution page wins; unset, PUBLIC_BASE_URL (instance config or
    LMS_PUBLIC_BASE_URL, else the address `make run` serves). Pass the institution when it is at
    hand, so a bulk issue does not look it up per certificate.
    """
    stored = (institution or find_institution() or _blank_institution()).public_base_url
    return (stored or str(current_app.config["PUBLIC_BASE_URL"])).rstrip("/")


def clean_public_base_url(text: str) -> str:
    """Return the typed public address without spaces or trailing slash; refuse one the public cannot reach."""
    url = text.strip().rstrip("/")
    if url:
        problem = public_url_problem(url)
        if problem:
            raise ValidationFailed(problem, "public_base_url")
    return url


def save_institution(data: dict[str, Any], logo: bytes | None, actor: User) -> Institution:
    """Check and save the profile form (creating the row on its first save), and a new logo if given."""
    try:
        validate_pattern(data["certificate_pattern"])
    except PatternError as exc:
        raise ValidationFailed(str(exc), "certificate_pattern") from None
    values = {**data, "head_nip": optional_nip(data.get("head_nip", ""), "head_nip")}
    if "public_base_url" in data:
        values["public_base_url"] = clean_public_base_url(data["public_base_url"])
    institution = ensure_institution()
    update_institution(institution, values, actor)
    if logo:
        set_institution_logo(institution, logo, actor)
    return institution


def set_institution_logo(institution: Institution, data: bytes, actor: User) -> None:
    """Store a verified PNG/JPEG logo in the database."""
    mime = check_image(data, current_app.config["MAX_IMAGE_BYTES"])
    institution.logo, institution.logo_mime = data, mime
    institution.logo_sha256 = hashlib.sha256(data).hexdigest()
    audit.record(actor, "institution.logo", "institution", institution.id,
                 {"sha256": institution.logo_sha256})


# ---------------------------------------------------------------- passwords and login


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_by_login(identifier: str) -> User | None:
    """Return the user whose NIP or e-mail is identifier."""
    text = identifier.strip()
    if "@" in text:
        return db.session.scalars(select(User).where(User.email == text.lower())).first()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    return db.session.scalars(select(User).where(User.nip == digits)).first()


def authenticate(identifier: str, password: str, now: datetime) -> User:
    """Return the user these credentials open, or raise LoginFailed with a safe message."""
    user = find_by_login(identifier)
    if user is None or user.password_hash is None:
        # Spend the same time as a real check, so timing does not reveal who exists.
        check_password_hash(_dummy_hash(), password)
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    if not check_password_hash(user.password_hash, password):
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    if not user.active:
        raise LoginFailed("Akun Anda dinonaktifkan. Hubungi penyelenggara.")
    user.last_login_at = now
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return _DUMMY[method]


def check_password_rules(user: User, password: str) -> None:
    """Raise ValidationFailed saying why, when a new password is common or guessable for this user."""
    problem = passwords.password_problem(password, _password_user_inputs(user))
    if problem:
        raise ValidationFailed(problem, "password")


def _password_user_inputs(user: User) -> list[str | None]:
    institution = find_institution()
    email = user.email or ""
    return [user.full_name, user.nip, email, email.partition("@")[0], user.phone,
            user.agency.name if user.agency else None,
            institution.name if institution else None, institution.city if institution else None]


def change_own_password(user: User, current: str, new: str, now: datetime | None = None,
                        keep_session: LoginSession | None = None) -> None:
    """Change the user's password after checking the current one; end the other sessions."""
    check_password_change(user, current, new)
    _set_password(user, new, one_time=False, now=now, keep_session=keep_session)
    audit.record(user, "user.password_change", "user", user.id)


def check_password_change(user: User, current: str | None, new: str) -> None:
    """Check a password change, reporting every problem at once; None for `current` skips it (one-time login)."""
    problems = Problems()
    if current is not None:
        if not user.password_hash or not check_password_hash(user.password_hash, current):
            problems.add("Kata sandi saat ini salah.", "current_password")
        elif current == new:
            problems.add("Kata sandi baru harus berbeda dari kata sandi saat ini.", "password")
    if new and not problems.has("password"):
        with problems.collecting():
            check_password_rules(user, new)
    problems.raise_any()


def replace_one_time_password(user: User, new: str, now: datetime, keep_session: LoginSession | None) -> None:
    """Set the user's own password in place of the one-time one this login session was opened with."""
    if not user.must_change_password or not user.password_hash:
        raise NotAllowed("Kata sandi sekali pakai sudah diganti. Isi kata sandi Anda saat ini.")
    if check_password_hash(user.password_hash, new):
        raise ValidationFailed("Kata sandi baru harus berbeda dari kata sandi sekali pakai.", "password")
    check_password_rules(user, new)
    _set_password(user, new, one_time=False, now=now, keep_session=keep_session)
    audit.record(user, "user.password_change", "user", user.id, {"after_one_time": True})


def set_password(user: User, password: str, actor: User | None, one_time: bool,
                 action: str = "user.password_set") -> None:
    """Set a password chosen by an operator (CLI rescue)."""
    check_password_rules(user, password)
    _set_password(user, password, one_time=one_time)
    audit.record(actor, action, "user", user.id, {"one_time": one_time})


def _set_password(user: User, password: str, one_time: bool, now: datetime | None = None,
                  keep_session: LoginSession | None = None) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    user.session_version += 1
    login_sessions.revoke_all(user, now or utcnow(), keep=keep_session)


def generate_one_time_password() -> str:
    return "".join(secrets.choice(OTP_ALPHABET) for _ in range(OTP_LENGTH))


def issue_one_time_passwords(users: Iterable[User], actor: User) -> list[tuple[User, str]]:
    """Give each user a fresh one-time password; replacing an existing password is for admins only."""
    chosen = list(users)
    if not actor.has_role(Role.ADMIN) and any(u.password_hash is not None for u in chosen):
        # A reset logs the owner out and hands the account to whoever holds the slip.
        raise NotAllowed("Hanya Penyelenggara yang dapat mengatur ulang kata sandi akun yang sudah ada.")
    issued = []
    for user in chosen:
        reset = user.password_hash is not None
        password = generate_one_time_password()
        _set_password(user, password, one_time=True)
        audit.record(actor, "user.one_time_password", "user", user.id, {"user_id": user.id, "reset": reset})
        issued.append((user, password))
    return issued


# ---------------------------------------------------------------- users


@dataclass(frozen=True)
class UserData:
    full_name: str
    email: str = ""
    nip: str = ""
    pangkat_golongan: str = ""
    jabatan: str = ""
    phone: str = ""
    agency_id: int | None = None
    role: str = Role.PARTICIPANT.value


def clean_user_data(data: UserData) -> dict[str, Any]:
    """Normalise and check one user's fields; raise ValidationFailed naming each field that is wrong."""
    values, problems = _cleaned(data)
    problems.raise_any()
    return values


def _cleaned(data: UserData) -> tuple[dict[str, Any], Problems]:
    """Return one user's normalised fields and every problem found in them."""
    values: dict[str, Any] = {"full_name": clean_name(data.full_name),
                              "pangkat_golongan": clean_name(data.pangkat_golongan),
                              "jabatan": clean_name(data.jabatan), "agency_id": data.agency_id,
                              "role": Role(data.role).value}
    problems = Problems()
    if not values["full_name"]:
        problems.add("Nama lengkap wajib diisi.", "full_name")
    for key, normalize in (("email", normalize_email), ("nip", normalize_nip),
                           ("phone", normalize_phone)):
        raw = getattr(data, key).strip()
        try:
            values[key] = normalize(raw) if raw else ""
        except IdentityError as exc:
            values[key] = ""
            problems.add(str(exc), key)
    if not values["email"] and not values["nip"] and not problems.has("nip") and not problems.has("email"):
        problems.add("Isi NIP atau surel (salah satu wajib ada) untuk masuk.", "nip")
    values["email"] = values["email"] or None
    values["nip"] = values["nip"] or None
    if values["agency_id"] is not None and db.session.get(Agency, values["agency_id"]) is None:
        problems.add("OPD tidak ditemukan.", "agency_id")
    return values, problems


def check_user(data: UserData, user_id: int | None = None) -> dict[str, Any]:
    """Check a user's fields and that their NIP and e-mail are free, reporting every problem at once; writes nothing."""
    values, problems = _cleaned(data)
    with problems.collecting():
        _check_unique(values, user_id)
    problems.raise_any()
    return values


def optional_nip(raw: str, field: str, prefix: str = "") -> str:
    """Return the 18-digit NIP written in raw, or "" when blank; raise ValidationFailed on field if malformed."""
    try:
        return normalize_nip(raw) if raw.strip() else ""
    except IdentityError as exc:
        raise ValidationFailed(f"{prefix}{exc}", field) from None


def _check_unique(values: dict[str, Any], user_id: int | None) -> None:
    problems = Problems()
    for key, label in (("email", "Surel"), ("nip", "NIP")):
        if values.get(key) is None:
            continue
        column = getattr(User, key)
        other = db.session.scalars(select(User.id).where(column == values[key])).first()
        if other is not None and other != user_id:
            problems.add(f"{label} {values[key]} sudah dipakai pengguna lain.", key)
    problems.raise_any()


def create_user(data: UserData, actor: User | None) -> User:
    """Create a user (no password yet: give a one-time password to let them in)."""
    values = check_user(data)
    user = User(institution_id=ensure_institution().id, **values)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, {"role": user.role})
    return user


def update_user(user: User, data: UserData, actor: User) -> list[str]:
    """Change a user's profile; return the names of the fields that changed."""
    values = check_user(data, user.id)
    if user.id == actor.id and values["role"] != user.role:
        raise ValidationFailed("Anda tidak dapat mengubah peran akun Anda sendiri.", "role")
    changed = _assign(user, values)
    if changed:
        audit.record(actor, "user.update", "user", user.id, {"fields": changed})
    return changed


def set_active(user: User, active: bool, actor: User) -> None:
    """Activate or deactivate a user; deactivation ends their sessions at once."""
    if user.id == actor.id and not active:
        raise ValidationFailed("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if user.active == active:
        return
    user.active = active
    user.session_version += 1
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id)


def _assign(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


def list_users(search: str = "", role: str = "", agency_id: int | None = None,
               active: bool | None = None, user_id: int | None = None) -> Any:
    """Return a select of users filtered as on the admin list, ordered by name."""
    query = select(User)
    if user_id:
        query = query.where(User.id == user_id)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.full_name).like(like),
                                func.lower(User.email).like(like), User.nip.like(like)))
    if role:
        query = query.where(User.role == role)
    if agency_id:
        query = query.where(User.agency_id == agency_id)
    if active is not None:
        query = query.where(User.active == active)
    return query.order_by(func.lower(User.full_name), User.id)


def users_page(filters: dict[str, Any], page: int, per_page: int) -> Any:
    """Return one page of the admin's user list (list_users' filters by name)."""
    return db.paginate(list_users(**filters), page=page, per_page=per_page, error_out=False)


def users_by_ids(ids: Iterable[int]) -> Sequence[User]:
    """Return the users with these ids, by name."""
    return db.session.scalars(select(User).where(User.id.in_(list(ids))).order_by(User.full_name)).all()


def staff_members() -> Sequence[User]:
    """Return every admin and trainer, by name (whose actions the audit log is filtered by)."""
    return db.session.scalars(select(User).where(User.role.in_([Role.ADMIN.value, Role.TRAINER.value]))
                              .order_by(User.full_name)).all()


def active_counts() -> dict[str, int]:
    """Return the number of active users per role, and of OPDs under "agencies" (the admin's Beranda)."""
    rows = db.session.execute(select(User.role, func.count()).where(User.active.is_(True))
                              .group_by(User.role)).all()
    counts = {role: n for role, n in rows}
    counts["agencies"] = db.session.scalar(select(func.count(Agency.id))) or 0
    return counts


# ---------------------------------------------------------------- agencies (OPD)


def find_agency(name: str) -> Agency | None:
    """Return the OPD whose name matches case- and space-insensitively."""
    return db.session.scalars(select(Agency).where(Agency.name_key == name_key(name))).first()


def create_agency(name: str, actor: User | None) -> Agency:
    """Add an OPD; refuse a name that matches an existing one."""
    cleaned = clean_name(name)
    if not cleaned:
        raise ValidationFailed("Nama OPD wajib diisi.", "name")
    if find_agency(cleaned):
        raise ValidationFailed(f"OPD \"{cleaned}\" sudah ada.", "name")
    agency = Agency(institution_id=ensure_institution().id, name=cleaned, name_key=name_key(cleaned))
    db.session.add(agency)
    db.session.flush()
    audit.record(actor, "agency.create", "agency", agency.id)
    return agency


def rename_agency(agency: Agency, name: str, actor: User) -> None:
    """Rename an OPD; refuse a name another OPD already has."""
    cleaned = clean_name(name)
    if not cleaned:
        raise ValidationFailed("Nama OPD wajib diisi.", "name")
    other = find_agency(cleaned)
    if other is not None and other.id != agency.id:
        raise ValidationFailed(f"OPD \"{other.name}\" sudah ada.", "name")
    if agency.name != cleaned:
        agency.name, agency.name_key = cleaned, name_key(cleaned)
        audit.record(actor, "agency.update", "agency", agency.id, {"fields": ["name"]})


def list_agencies() -> Sequence[Agency]:
    """Return every OPD, by name."""
    return db.session.scalars(select(Agency).order_by(Agency.name_key)).all()


def agencies_with_counts() -> list[tuple[Agency, int]]:
    """Return every OPD with its number of users, in one query."""
    rows = db.session.execute(
        select(Agency, func.count(User.id)).outerjoin(User, User.agency_id == Agency.id)
        .group_by(Agency.id).order_by(Agency.name_key)).all()
    return [(agency, count) for agency, count in rows]
