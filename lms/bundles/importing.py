"""Import a training bundle: match every row by identity (or its natural key), add and update by version.

`import_bundle` writes into the session's transaction and returns the plan of what it did; the
caller commits it, or rolls it back for a dry run (the preview is the real import, undone) or
when the plan has a blocking problem. Nothing is ever deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, func, insert, select, update

from lms.accounts.identity import name_key
from lms.accounts.models import Institution, Role, User
from lms.accounts.services import DEFAULT_INSTITUTION
from lms.audit import services as audit
from lms.backup import code_revisions
from lms.bundles import codec
from lms.bundles.archive import BundleReader, BundleRefused
from lms.bundles.kinds import (
    AGENCIES,
    ASSIGNMENTS,
    AUDIT_DETAIL_REFS,
    AUDIT_OBJECTS,
    BY_NAME,
    KINDS,
    TRAININGS,
    USERS,
    Kind,
    reference_of,
)
from lms.bundles.scope import owned
from lms.certificates.models import Certificate, CertificateSequence
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizVersion
from lms.trainings.models import training_courses, training_trainers

BATCH = 500
FILE_BATCH = 50  # rows with a file inserted at a time: memory stays flat with many photos
_GENERIC = [kind for kind in KINDS if kind.name not in ("agencies", "users", "trainings", "audit_events")]


@dataclass
class KindCount:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # differs, but the copy here is as new or newer: kept

    @property
    def changed(self) -> int:
        return self.new + self.updated


@dataclass
class Problem:
    text: str
    blocking: bool


@dataclass
class ImportPlan:
    """What an import does (or did): counts per kind, how accounts matched, every conflict."""

    manifest: dict[str, Any]
    counts: dict[str, KindCount] = field(default_factory=lambda: defaultdict(KindCount))
    accounts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # new / nip / email / uuid
    participants: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[Problem] = field(default_factory=list)
    training_new: bool = False
    certificates_new: int = 0

    @property
    def created_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(str(self.manifest.get("created_at")))
        except ValueError:
            return None

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values()) + self.accounts.get("new", 0)

    def summary(self) -> str:
        """Say in one Indonesian sentence what the import brings (the preview's first line)."""
        parts = [self._people()]
        for name, label in (("attendance_sessions", "sesi"), ("attendance_records", "catatan presensi"),
                            ("attempts", "attempt"), ("responses", "jawaban kuis"),
                            ("submissions", "pengumpulan tugas"), ("reviews", "penilaian tugas"),
                            ("evaluation_submissions", "pengisian evaluasi"), ("certificates", "sertifikat"),
                            ("audit_events", "peristiwa audit")):
            if self.counts[name].total:
                parts.append(f"{self.counts[name].total} {label}")
        return ", ".join(parts)

    def _people(self) -> str:
        p = self.participants
        matched = [f"{p[how]} dicocokkan dengan {word}" for how, word in
                   (("nip", "NIP"), ("email", "surel"), ("uuid", "identitas akun")) if p[how]]
        new = f"{p['new']} akun baru"
        return f"{p['total']} peserta ({', '.join([new, *matched])})"

    def details(self) -> list[str]:
        """Return one line per kind: how many are new, updated, the same, kept."""
        lines = []
        for kind in KINDS:
            count = self.counts[kind.name]
            if not count.total:
                continue
            bits = [f"{count.new} baru", f"{count.updated} diperbarui", f"{count.unchanged} sama"]
            if count.kept:
                bits.append(f"{count.kept} dipertahankan versi server")
            lines.append(f"{kind.label[0].upper() + kind.label[1:]}: {count.total} ({', '.join(bits)})")
        return lines


class _Skip(Exception):
    """This row cannot be placed; its problem is recorded."""


class _Abort(Exception):
    """The import cannot go on (the training itself does not fit); the problems say why."""


def check_manifest(manifest: dict[str, Any], institution: Institution, accept_institution: bool) -> None:
    """Refuse a bundle of a newer schema, or of another institution unless the admin confirmed it."""
    head, known = code_revisions()
    revision = manifest.get("schema_revision")
    if revision not in known:
        raise BundleRefused(
            f"Bundel dibuat dengan skema basis data yang lebih baru (revisi {revision}, aplikasi versi "
            f"{manifest.get('app_version', '?')}) daripada aplikasi ini (revisi {head}). Perbarui aplikasi ini ke "
            f"versi yang memuat revisi {revision}, lalu impor lagi.")
    source = manifest.get("institution") or {}
    # A fresh installation (its profile never filled in) takes the bundle's institution as its own.
    same = source.get("uuid") == institution.uuid or name_key(institution.name) in (
        name_key(str(source.get("name", ""))), name_key(DEFAULT_INSTITUTION["name"]))
    if not same and not accept_institution:
        raise BundleRefused(
            f"Bundel berasal dari instansi lain: “{source.get('name', '?')}”, sedangkan instansi di sini "
            f"“{institution.name}”. Bila memang benar, konfirmasi impor dari instansi lain "
            "(centang kotaknya, atau --accept-institution di baris perintah).")


def import_bundle(reader: BundleReader, institution: Institution, now: datetime, actor: User | None,
                  accept_institution: bool = False) -> ImportPlan:
    """Write the bundle into the session's transaction and return the plan of what was done."""
    check_manifest(reader.manifest, institution, accept_institution)
    importer = _Importer(reader, institution, now)
    try:
        importer.run()
    except _Abort:
        pass
    plan = importer.plan
    if not plan.blocking and plan.changed:
        audit.record(actor, "bundle.import", "training", importer.training_id,
                     {"counts": {k: v.changed for k, v in plan.counts.items() if v.changed},
                      "accounts_new": plan.accounts.get("new", 0)}, now)
    return plan


class _Importer:
    def __init__(self, reader: BundleReader, institution: Institution, now: datetime) -> None:
        self.reader = reader
        self.institution = institution
        self.now = now
        self.plan = ImportPlan(reader.manifest)
        self.map: dict[str, dict[str, Any]] = defaultdict(dict)  # kind or catalog type → bundle key → local id
        self.training_id = 0
        self.bundle_training = str((reader.manifest.get("training") or {}).get("uuid", ""))
        self.unresolved: dict[str, int] = defaultdict(int)

    def run(self) -> None:
        self._catalog()
        self._agencies()
        self._users()
        self._training()
        for kind in _GENERIC:
            self._generic(kind)
        self._audit()
        self._sequences()
        for what, count in sorted(self.unresolved.items()):
            self._problem(f"{count} baris {what} merujuk data yang tidak ada di bundel maupun di sini.", True)

    def _problem(self, text: str, blocking: bool) -> None:
        self.plan.problems.append(Problem(text, blocking))

    # ------------------------------------------------------------ the catalog

    def _catalog(self) -> None:
        catalog = self.reader.manifest.get("catalog") or {}
        for model, slugs, word, target in ((Course, catalog.get("courses") or {}, "Modul", "course"),
                                           (Quiz, catalog.get("quizzes") or {}, "Kuis", "quiz")):
            local = {row.slug: row for row in db.session.execute(
                select(model.id, model.slug, model.content_hash).where(model.slug.in_(list(slugs))))}
            for slug, content_hash in sorted(slugs.items()):
                if slug not in local:
                    folder = "courses" if target == "course" else "quizzes"
                    self._problem(f"{word} {slug} tidak ada di sini. Samakan folder {folder}/ "
                                  "dengan asal bundel, jalankan flask --app lms content sync, lalu impor lagi.", True)
                    continue
                self.map[target][slug] = local[slug].id
                if local[slug].content_hash != content_hash:
                    self._problem(f"Isi {word.lower()} {slug} berbeda dengan asal bundel (hash isi tidak sama); "
                                  "data tetap diimpor dan dinilai dengan isi yang tersimpan di bundel.", False)
        self._quiz_versions()
        lessons = db.session.execute(select(Lesson.id, Lesson.slug, Course.slug.label("course")).join(Course)
                                     .where(Course.id.in_(list(self.map["course"].values()))))
        self.map["lesson"] = {f"{row.course}/{row.slug}": row.id for row in lessons}

    def _quiz_versions(self) -> None:
        for row in self.reader.rows("quiz_versions.jsonl"):
            quiz_id = self.map["quiz"].get(row["quiz"])
            if quiz_id is None:
                continue
            found = db.session.scalar(select(QuizVersion.id).where(QuizVersion.quiz_id == quiz_id,
                                                                     QuizVersion.content_hash == row["content_hash"]))
            if found is None:
                number = (db.session.scalar(select(func.max(QuizVersion.number)).where(
                    QuizVersion.quiz_id == quiz_id)) or 0) + 1
                version = QuizVersion(quiz_id=quiz_id, number=number, content_hash=row["content_hash"],
                                      settings=row["settings"], questions=row["questions"],
                                      created_at=datetime.fromisoformat(row["created_at"]))
                db.session.add(version)
                db.session.flush()
                found = version.id
                self._problem(f"Versi isi kuis {row['quiz']} yang dipakai di bundel belum ada di sini; disimpan "
                              f"sebagai versi {number} (soal yang sudah dikerjakan tetap sama).", False)
            self.map["quiz_version"][row["key"]] = found

    # ------------------------------------------------------------ people

    def _agencies(self) -> None:
        rows = list(self.reader.rows("agencies.jsonl"))
        table = AGENCIES.table
        local = list(db.session.execute(select(table.c.id, table.c.uuid, table.c.name_key).where(
            table.c.institution_id == self.institution.id)))
        by_uuid = {r.uuid: r.id for r in local}
        by_key = {r.name_key: r.id for r in local}
        count = self.plan.counts["agencies"]
        for row in rows:
            count.total += 1
            found = by_uuid.get(row["uuid"]) or by_key.get(name_key(row["name"]))
            if found is None:
                found = db.session.scalar(insert(table).returning(table.c.id).values(
                    uuid=row["uuid"], institution_id=self.institution.id, name=row["name"],
                    name_key=name_key(row["name"]), created_at=codec.decode(table.c.created_at, row["created_at"])))
                count.new += 1
            else:
                count.unchanged += 1
            self.map["agencies"][row["uuid"]] = found

    def _users(self) -> None:
        rows = list(self.reader.rows("users.jsonl"))
        table = USERS.table
        nips = [r["nip"] for r in rows if r.get("nip")]
        emails = [r["email"] for r in rows if r.get("email")]
        local = _select_in(table, "nip", nips) + _select_in(table, "email", emails) + \
            _select_in(table, "uuid", [r["uuid"] for r in rows])
        by = {how: {getattr(r, how): r for r in local if getattr(r, how)} for how in ("nip", "email", "uuid")}
        enrolled = {r["user_id"] for r in self.reader.rows("enrollments.jsonl")}
        count = self.plan.counts["users"]
        for row in rows:
            count.total += 1
            how, match = next(((how, by[how][row[how]]) for how in ("nip", "email", "uuid")
                               if row.get(how) and row[how] in by[how]), ("new", None))
            if match is None:
                match_id = self._new_user(row)
                count.new += 1
            else:
                match_id = match.id
                count.unchanged += 1
                self._compare_user(row, match, how)
            self.plan.accounts[how] += 1
            if row["uuid"] in enrolled:
                self.plan.participants[how] += 1
                self.plan.participants["total"] += 1
            self.map["users"][row["uuid"]] = match_id

    def _new_user(self, row: dict[str, Any]) -> int:
        table = USERS.table
        role = row.get("role") or Role.PARTICIPANT.value
        if role == Role.ADMIN.value:
            # A bundle never makes an administrator: the office decides that itself.
            self._problem(f"Akun penyelenggara “{row['full_name']}” dari bundel dibuat sebagai Narasumber di sini.",
                          False)
            role = Role.TRAINER.value
        values = {"uuid": row["uuid"], "institution_id": self.institution.id, "email": row.get("email"),
                  "nip": row.get("nip"), "full_name": row["full_name"],
                  "pangkat_golongan": row.get("pangkat_golongan") or "", "jabatan": row.get("jabatan") or "",
                  "agency_id": self.map["agencies"].get(row.get("agency_id") or ""), "role": role,
                  "active": True, "password_hash": None, "must_change_password": False,
                  "created_at": codec.decode(table.c.created_at, row["created_at"]),
                  "anonymised_at": codec.decode(table.c.anonymised_at, row.get("anonymised_at"))}
        return int(db.session.scalar(insert(table).returning(table.c.id).values(**values)))

    def _compare_user(self, row: dict[str, Any], match: Row[Any], how: str) -> None:
        who = f"NIP {match.nip}" if how == "nip" else (f"surel {match.email}" if how == "email" else "akun")
        if " ".join(row["full_name"].split()).casefold() != " ".join(match.full_name.split()).casefold():
            self._problem(f"{who}: nama di bundel “{row['full_name']}”, di sini “{match.full_name}”; "
                          "data akun di sini dipertahankan.", False)
        if how == "email" and row.get("nip") and match.nip and row["nip"] != match.nip:
            self._problem(f"{who}: NIP di bundel {row['nip']}, di sini {match.nip}; data akun di sini dipertahankan.",
                          False)

    # ------------------------------------------------------------ the training

    def _training(self) -> None:
        rows = list(self.reader.rows("trainings.jsonl"))
        if len(rows) != 1:
            self._problem("Bundel tidak memuat tepat satu kegiatan.", True)
            raise _Abort
        row = rows[0]
        table = TRAININGS.table
        local = db.session.execute(select(table).where(table.c.uuid == row["uuid"])).first()
        count = self.plan.counts["trainings"]
        count.total = 1
        if local is None:
            clash = db.session.scalar(select(table.c.id).where(table.c.slug == row["slug"]))
            if clash is not None:
                self._problem(f"Kegiatan dengan alamat {row['slug']} sudah ada di sini, tetapi bukan kegiatan yang "
                              "sama (identitasnya berbeda). Ubah alamat (slug) salah satunya, lalu impor lagi.", True)
                raise _Abort
            self.training_id = self._insert(TRAININGS, [self._training_values(row)])[0]
            self.plan.training_new = True
        else:
            self.training_id = local.id
            self._reconcile(TRAININGS, self._training_values(row), local)
        self.map["trainings"][row["uuid"]] = self.training_id
        self._links(training_courses, "course_id", [self.map["course"].get(s) for s in row.get("_courses", [])])
        self._links(training_trainers, "user_id", [self.map["users"].get(u) for u in row.get("_trainers", [])])

    def _training_values(self, row: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._decode(TRAININGS, row)
        except _Skip:
            raise _Abort from None

    def _links(self, table: Table, column: str, ids: Iterable[int | None]) -> None:
        have = set(db.session.scalars(select(table.c[column]).where(table.c.training_id == self.training_id)))
        missing = sorted({i for i in ids if i is not None} - have)
        if missing:
            db.session.execute(insert(table), [{"training_id": self.training_id, column: i} for i in missing])

    # ------------------------------------------------------------ every other kind

    def _generic(self, kind: Kind) -> None:
        table = kind.table
        columns = [c for c in table.c if not codec.is_binary(c)]
        condition = owned(kind, self.training_id, user_ids=list(self.map["users"].values()))
        if kind is ASSIGNMENTS:
            condition = condition | (table.c.scope == "")
        local = list(db.session.execute(select(*columns).where(condition)))
        by_identity = {getattr(r, kind.identity): r for r in local}
        by_natural = {tuple(getattr(r, c) for c in kind.natural): r for r in local} if kind.natural else {}
        self_ref = any(c.foreign_keys and reference_of(kind, c.name) == kind.name for c in table.c)
        pending: list[dict[str, Any]] = []
        count = self.plan.counts[kind.name]
        for row in self.reader.rows(f"{kind.name}.jsonl"):
            count.total += 1
            try:
                values = self._decode(kind, row)
                match = by_identity.get(row.get(kind.identity)) or (
                    by_natural.get(tuple(values.get(c) for c in kind.natural)) if kind.natural else None)
                if match is None:
                    self._check_new(kind, values, row)
            except _Skip:
                continue
            if match is not None:
                self.map[kind.name][row[kind.identity]] = match.id
                if kind is ASSIGNMENTS and match.scope == "":
                    count.unchanged += 1  # content comes from courses/ on both sides, never from a bundle
                else:
                    self._reconcile(kind, values, match)
            elif self_ref:
                self._insert(kind, [values])
            else:
                pending.append(values)
                if len(pending) >= BATCH:  # memory stays flat with thousands of answers or photos
                    self._insert(kind, pending)
                    pending = []
        self._insert(kind, pending)

    def _check_new(self, kind: Kind, values: dict[str, Any], row: dict[str, Any]) -> None:
        if kind is ASSIGNMENTS and values.get("scope") == "":
            self._problem(f"Tugas {row['slug']} tidak ada di sini. Samakan konten modul (courses/), "
                          "jalankan flask --app lms content sync, lalu impor lagi.", True)
            raise _Skip
        if kind.name == "certificates":
            self._check_certificate(values)

    def _check_certificate(self, values: dict[str, Any]) -> None:
        table = Certificate.__table__
        taken = db.session.execute(select(table.c.number, table.c.code, table.c.seq, table.c.year).where(
            (table.c.number == values["number"]) | (table.c.code == values["code"])
            | ((table.c.institution_id == self.institution.id) & (table.c.year == values["year"])
               & (table.c.seq == values["seq"])))).first()
        if taken is not None:
            self._problem(f"Sertifikat nomor {values['number']} dari bundel bertabrakan dengan sertifikat yang "
                          f"sudah terbit di sini (nomor {taken.number}). Sertifikat itu tidak dapat diimpor; "
                          "biasanya sertifikat diterbitkan di server setelah impor.", True)
            raise _Skip
        if values.get("status") == "valid":
            holder = db.session.scalar(select(table.c.number).where(
                table.c.training_id == values["training_id"], table.c.user_id == values["user_id"],
                table.c.status == "valid"))
            if holder is not None:
                self._problem(f"Sertifikat {values['number']}: peserta ini sudah memiliki sertifikat sah untuk "
                              f"kegiatan ini di sini (nomor {holder}).", True)
                raise _Skip
        self.plan.certificates_new += 1

    def _decode(self, kind: Kind, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in kind.table.c:
            name = column.name
            if name == "institution_id":
                values[name] = self.institution.id
                continue
            if (name == "id" and kind.identity != "id") or name in kind.skip or name not in row:
                continue
            raw = row[name]
            try:
                if codec.is_binary(column) or raw is None:
                    values[name] = raw
                elif column.foreign_keys:
                    values[name] = self._resolve(kind, name, raw)
                elif name in kind.user_keyed and isinstance(raw, str) and raw.startswith("user:"):
                    values[name] = f"u{self.map['users'].get(raw[5:], raw)}"
                elif name in kind.scoped and isinstance(raw, str):
                    values[name] = raw.replace(f"training:{self.bundle_training}", f"training:{self.training_id}")
                else:
                    values[name] = codec.decode(column, raw)
            except codec.CodecError as exc:
                self._problem(f"Bagian {kind.name}.jsonl: {exc}.", True)
                raise _Skip from exc
        return values

    def _resolve(self, kind: Kind, column: str, key: Any) -> Any:
        target = reference_of(kind, column) or ""
        found = self.map[target].get(key)
        if found is None:
            self.unresolved[kind.label] += 1
            raise _Skip
        return found

    def _reconcile(self, kind: Kind, values: dict[str, Any], local: Row[Any]) -> None:
        """Update a row found here when the bundle's copy is newer; count it either way."""
        count = self.plan.counts[kind.name]
        table = kind.table
        compared = [c for c in table.c if c.name in values and c.name not in (kind.identity, "id")
                    and not codec.is_binary(c)]
        differs = [c.name for c in compared if not codec.same(c, values[c.name], getattr(local, c.name))]
        if not differs:
            count.unchanged += 1
            return
        if kind.version is None or not values.get(kind.version, 0) > getattr(local, kind.version):
            count.kept += 1
            return
        changes = {name: values[name] for name in differs}
        for column in table.c:
            if codec.is_binary(column) and values.get(column.name):
                changes[column.name] = self.reader.read(values[column.name])
        db.session.execute(update(table).where(table.c.id == local.id).values(**changes))
        count.updated += 1

    def _insert(self, kind: Kind, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """Insert rows (their files read from the bundle a batch at a time); return the new ids."""
        table = kind.table
        binary = [c.name for c in table.c if codec.is_binary(c)]
        size = FILE_BATCH if binary else BATCH
        ids: list[Any] = []
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[tuple(sorted(row))].append(row)
        for group in groups.values():
            for start in range(0, len(group), size):
                batch = [dict(row) for row in group[start:start + size]]
                for row in batch:
                    for name in binary:
                        if row.get(name):
                            row[name] = self.reader.read(row[name])
                statement = insert(table).returning(table.c.id, table.c[kind.identity])
                result = db.session.execute(statement, batch) if len(batch) > 1 else \
                    db.session.execute(statement.values(**batch[0]))
                for new_id, identity in result:
                    self.map[kind.name][identity] = new_id
                    ids.append(new_id)
        self.plan.counts[kind.name].new += len(ids)
        return ids

    # ------------------------------------------------------------ audit trail and numbering

    def _audit(self) -> None:
        kind = BY_NAME["audit_events"]
        table = kind.table
        rows = list(self.reader.rows("audit_events.jsonl"))
        have = {r.uuid for r in _select_in(table, "uuid", [r["uuid"] for r in rows])}
        pending = []
        count = self.plan.counts["audit_events"]
        for row in rows:
            count.total += 1
            if row["uuid"] in have:
                count.unchanged += 1
                continue
            details = dict(row.get("details") or {})
            for key, target in AUDIT_DETAIL_REFS.items():
                ref = (row.get("_details_refs") or {}).get(key)
                if ref is not None and ref in self.map[target]:
                    details[key] = self.map[target][ref]
            actor = row.get("actor_id")
            pending.append({"uuid": row["uuid"], "at": codec.decode(table.c.at, row["at"]),
                            "actor_id": self.map["users"].get(actor) if actor else None,
                            "action": row["action"], "object_type": row["object_type"],
                            "object_id": self._audit_object(row), "details": details})
        self._insert(kind, pending)

    def _audit_object(self, row: dict[str, Any]) -> str:
        key = str(row["object_id"])
        if row["object_type"] == "attendance_cell" and ":" in key:
            session, user = key.split(":", 1)
            return f"{self.map['attendance_sessions'].get(session, session)}:{self.map['users'].get(user, user)}"
        target = AUDIT_OBJECTS.get(row["object_type"])
        return str(self.map[target].get(key, key)) if target else key

    def _sequences(self) -> None:
        """Raise the numbering rows past every imported certificate: no number is given out twice.

        Imported certificates also get their place in this installation's Open Badges status lists
        (their new id, as issuing here gives), so a revocation here flips their bit.
        """
        table = Certificate.__table__
        db.session.execute(update(Certificate).where(Certificate.status_list_index.is_(None))
                           .values(status_list_index=Certificate.id))
        tops = db.session.execute(select(table.c.year, func.max(table.c.seq)).where(
            table.c.institution_id == self.institution.id).group_by(table.c.year))
        for year, top in tops:
            sequence = db.session.get(CertificateSequence, (self.institution.id, year))
            if sequence is None:
                db.session.add(CertificateSequence(institution_id=self.institution.id, year=year, last_seq=top))
            elif sequence.last_seq < top:
                sequence.last_seq = top
        db.session.flush()


def _select_in(table: Table, column: str, values: Sequence[Any]) -> list[Row[Any]]:
    found: list[Row[Any]] = []
    for start in range(0, len(values), BATCH):
        found.extend(db.session.execute(select(table).where(table.c[column].in_(values[start:start + BATCH]))))
    return found
