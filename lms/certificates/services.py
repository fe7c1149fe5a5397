"""Use cases of certificates: eligibility, numbering, issuing, revoking, verifying, JP ledger."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, undefer

from lms.accounts.identity import mask_nip
from lms.accounts.models import Institution, User
from lms.accounts.services import optional_nip
from lms.accounts.services import public_base_url as accounts_public_base_url
from lms.assignments import services as assignments
from lms.assignments.models import Assignment
from lms.attendance import services as attendance
from lms.audit import services as audit
from lms.certificates import eligibility, revisions
from lms.certificates.codes import new_code, normalize_code
from lms.certificates.layout import DEFAULT_LAYOUT, Layout, load_layout
from lms.certificates.models import Certificate, CertificateSequence, EligibilityOverride
from lms.certificates.numbering import PatternError, format_number, validate_pattern
from lms.certificates.pdf import CertificateData, TranscriptRow, render_certificate, transcript_cache
from lms.certificates.pdf.signatory import signature_area
from lms.certificates.signing import services as signing
from lms.courses import services as courses
from lms.dates import DEFAULT_ZONE, format_date, format_datetime, local_date
from lms.db_types import affected_rows, utcnow, writing
from lms.errors import LmsError, ValidationFailed
from lms.extensions import db
from lms.images import check_image
from lms.network import is_public_host
from lms.numbers import optional_decimal
from lms.quizzes import services as quizzes
from lms.trainings import scope as trainings
from lms.trainings.models import Training

JP_TARGET = 20
BATCH = 25


class IssueInProgress(LmsError):
    """Another issue of the same certificates got there first (a second bulk issue, CLI or page)."""


IN_PROGRESS = ("Penerbitan sertifikat untuk pelatihan ini sedang berjalan atau baru saja selesai "
               "di proses lain; tunggu sampai selesai, lalu muat ulang halaman.")


class NotEligible(LmsError):
    """The participant misses a rule and no override is recorded."""


# ---------------------------------------------------------------- eligibility


@dataclass
class Row:
    user: User
    verdict: eligibility.Verdict
    certificate: Certificate | None
    override: EligibilityOverride | None
    posttest: Fraction | None
    revoked: Certificate | None = None  # the latest revoked certificate, when no valid one replaced it

    @property
    def may_issue(self) -> bool:
        return self.certificate is None and (self.verdict.eligible or self.override is not None)

    @property
    def cells(self) -> list[tuple[str, eligibility.Criterion | None]]:
        """Return the list's criterion columns: (label, the criterion, or None when the rule is not set)."""
        found = {c.key: c for c in self.verdict.criteria}
        return [(label, found.get(key)) for key, label in COLUMNS]


# The certificates list: one column per rule that can apply, and the filters by state.
COLUMNS = (("attendance", "Kehadiran"), ("posttest", "Post-test"), ("courses", "Modul"), ("assignments", "Tugas wajib"))
STATES = {"siap": "Siap diterbitkan", "belum": "Belum memenuhi syarat", "terbit": "Sudah bersertifikat"}


def _rules(training: Training, required: Sequence[Assignment]) -> eligibility.Rules:
    return eligibility.Rules(training.min_attendance_percent, training.require_posttest_pass,
                             training.require_courses_complete, training.posttest is not None,
                             {c.id: c.title for c in training.courses}, {a.id: a.title for a in required})


def eligibility_table(training: Training, now: datetime, only: int | None = None) -> list[Row]:
    """Return every participant (or only one) with each criterion's value, in bounded queries.

    A read: it writes nothing. Attempts past their deadline count as they stand at `now`, with what
    they saved; they are recorded by the job worker, `flask quizzes finalize-overdue`, or
    `settle_overdue` before an issue.
    """
    if only is None:
        people = trainings.participants(training)
    else:
        user = db.session.get(User, only)
        people = [user] if user is not None and trainings.is_enrolled(user, training) else []
    return _rows(training, people, now)


def _rows(training: Training, people: Sequence[User], now: datetime) -> list[Row]:
    """Return the rows of these participants (any subset of the training's), in bounded queries."""
    judged = _judge(training, [u.id for u in people], now)
    return [judged.row(user) for user in people]


@dataclass(frozen=True)
class _Judged:
    """Every given participant's verdict, with the training's certificates and overrides by holder."""

    facts: dict[int, eligibility.Facts]
    verdicts: dict[int, eligibility.Verdict]
    valid: dict[int, Certificate]
    revoked: dict[int, Certificate]
    overrides: dict[int, EligibilityOverride]

    def row(self, user: User) -> Row:
        held = self.valid.get(user.id)
        return Row(user, self.verdicts[user.id], held, self.overrides.get(user.id),
                   self.facts[user.id].posttest_percent, None if held else self.revoked.get(user.id))

    def state(self, user_id: int) -> str:
        """Return what Row.state would say, without loading the person."""
        if user_id in self.valid:
            return "terbit"
        return "siap" if self.verdicts[user_id].eligible or user_id in self.overrides else "belum"


def _judge(training: Training, user_ids: Sequence[int], now: datetime) -> _Judged:
    required = assignments.required_of(training)
    return _judge_facts(training, eligibility_facts(training, user_ids, now, required), required)


def _judge_facts(training: Training, facts: dict[int, eligibility.Facts], required: Sequence[Assignment]) -> _Judged:
    valid, revoked = _certificates_held(training)
    overrides = {o.user_id: o for o in db.session.scalars(
        select(EligibilityOverride).where(EligibilityOverride.training_id == training.id))}
    rules = _rules(training, required)
    return _Judged(facts, {uid: eligibility.judge(rules, f) for uid, f in facts.items()}, valid, revoked, overrides)


@dataclass(frozen=True)
class StateCounts:
    """How many of the given participants hold a certificate, lost theirs, may be issued one, or may not."""

    issued: int
    revoked: int  # the latest certificate was revoked and not replaced
    ready: int  # eligible or overridden, not issued yet
    not_eligible: int


def state_counts(training: Training, facts: dict[int, eligibility.Facts],
                 required: Sequence[Assignment]) -> StateCounts:
    """Count the participants' certificate states from facts already gathered (see `facts_of`).

    For a page that has read attendance, post-test results, modules and assignment statuses for its
    own figures: the same verdicts as `eligibility_table`, with two more queries (certificates held
    and overrides), nothing gathered twice and no participant loaded.
    """
    judged = _judge_facts(training, facts, required)
    states = [judged.state(uid) for uid in facts]
    revoked = sum(1 for uid in facts if uid not in judged.valid and uid in judged.revoked)
    issued, ready = states.count("terbit"), states.count("siap")
    return StateCounts(issued, revoked, ready, len(states) - issued - ready)


def eligibility_facts(training: Training, user_ids: Sequence[int], now: datetime,
                      required: Sequence[Assignment] | None = None,
                      stored: revisions.CachedFacts | None = None) -> dict[int, eligibility.Facts]:
    """Return, per participant, what each rule of the training is judged on, in bounded queries.

    Every rule's facts are gathered here, once, from plain columns (no snapshot is decoded), for the
    issue paths and the certificates page alike; the page passes the facts it holds in `stored`
    (lms.certificates.revisions), and only the post-test's, which depend on the clock, are read.
    """
    if not user_ids:
        return {}
    required = assignments.required_of(training) if required is None else required
    stored = stored or _stored_facts(training, user_ids, required)
    finals = _posttest_results(training, user_ids, now)
    return facts_of(user_ids, stored.attendance, finals, stored.completed, stored.statuses)


def facts_of(user_ids: Sequence[int], percent: Mapping[int, Fraction], posttest: Mapping[int, quizzes.FinalScore],
             done: Mapping[int, Iterable[int]], statuses: Mapping[int, Mapping[int, str]]
             ) -> dict[int, eligibility.Facts]:
    """Return each participant's eligibility facts from what was read: attendance %, post-test final
    scores, completed course ids, and assignment statuses (extra assignments are ignored by the rules): pure.
    """
    facts = {}
    for user_id in user_ids:
        final = posttest.get(user_id)
        facts[user_id] = eligibility.Facts(percent.get(user_id, Fraction(0)), final.percent if final else None,
                                           final.passed if final else None, frozenset(done.get(user_id, ())),
                                           statuses.get(user_id, {}))
    return facts


def _stored_facts(training: Training, user_ids: Sequence[int], required: Sequence[Assignment]
                  ) -> revisions.CachedFacts:
    """Return the facts that change only with a write (attendance, lessons, assignments), read now."""
    done = courses.completed_course_ids(user_ids, [c.id for c in training.courses]) if training.courses else {}
    return revisions.CachedFacts(frozenset(user_ids), attendance.percentages_of(training, user_ids), done,
                                 assignments.statuses(training, required, user_ids))


def _certificates_held(training: Training, holders: Sequence[int] | None = None
                       ) -> tuple[dict[int, Certificate], dict[int, Certificate]]:
    """Return the valid and the latest revoked certificate per holder (of all, or of these), without data or PDF."""
    valid: dict[int, Certificate] = {}
    revoked: dict[int, Certificate] = {}
    query = select(Certificate).options(defer(Certificate.data)).where(Certificate.training_id == training.id)
    if holders is not None:
        query = query.where(Certificate.user_id.in_(holders))
    for held in db.session.scalars(query.order_by(Certificate.id)):
        (valid if held.status == "valid" else revoked)[held.user_id] = held
    return valid, revoked


def _posttest_results(training: Training, user_ids: Sequence[int], now: datetime) -> dict[int, quizzes.FinalScore]:
    quiz = training.posttest
    if quiz is None or not user_ids:
        return {}
    rules = quizzes.rules_of(quizzes.current_version(quiz))
    # As results stand at `now`: overdue attempts count with what they saved (nothing is written).
    # The context holds only this training's attempts: for many people, read them all rather than
    # bind hundreds of ids, and keep the wanted ones.
    scores = quizzes.final_scores(quiz, rules, now, user_ids if len(user_ids) <= 50 else None,
                                  trainings.quiz_context(training, quiz))
    wanted = set(user_ids)
    return {user_id: score for user_id, score in scores.items() if user_id in wanted}


@dataclass(frozen=True)
class ListPage:
    """One page of the certificates list: its rows, and the counts over every participant."""

    rows: list[Row]
    total: int
    counts: dict[str, int]
    matched: int
    page: int
    pages: int

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


def list_page(training: Training, now: datetime, state: str = "", query: str = "", page: int = 1,
              per_page: int = 50) -> ListPage:
    """Return one page of participants by name, filtered by state and by a part of their name or OPD.

    Every participant is judged (the counts cover them all), but only the page's people are loaded
    as users, with their certificates and overrides, and only their criteria are written out: the
    queries stay the same at any size. The facts that only a write changes come from the
    per-training cache (lms.certificates.revisions); the post-test's are read on every load.
    """
    people = db.session.execute(trainings.participant_rows(training)).all()
    ids = [person[0] for person in people]
    required = assignments.required_of(training)
    stored = revisions.cached_facts(training, ids, required, lambda wanted: _stored_facts(training, wanted, required))
    facts = eligibility_facts(training, ids, now, required, stored)
    rules = _rules(training, required)
    certified = set(db.session.scalars(select(Certificate.user_id).where(
        Certificate.training_id == training.id, Certificate.status == "valid")))
    overridden = set(db.session.scalars(select(EligibilityOverride.user_id)
                                        .where(EligibilityOverride.training_id == training.id)))
    states = {uid: "terbit" if uid in certified else
              "siap" if uid in overridden or eligibility.eligible(rules, facts[uid]) else "belum" for uid in ids}
    needle = " ".join(query.split()).casefold()
    chosen = [person[0] for person in people if (not state or states[person[0]] == state)
              and (not needle or needle in person[1].casefold() or needle in person[2].casefold())]
    pages = max(-(-len(chosen) // per_page), 1)
    page = min(max(page, 1), pages)
    shown = chosen[(page - 1) * per_page:page * per_page]
    rows = []
    if shown:
        users = {u.id: u for u in db.session.scalars(
            select(User).options(joinedload(User.agency)).where(User.id.in_(shown)))}
        valid, revoked = _certificates_held(training, shown)
        overrides = {o.user_id: o for o in db.session.scalars(select(EligibilityOverride).where(
            EligibilityOverride.training_id == training.id, EligibilityOverride.user_id.in_(shown)))}
        judged = _Judged(facts, {uid: eligibility.judge(rules, facts[uid]) for uid in shown}, valid, revoked,
                         overrides)
        rows = [judged.row(users[uid]) for uid in shown]
    counts = {key: sum(1 for value in states.values() if value == key) for key in STATES}
    return ListPage(rows, len(ids), counts, len(chosen), page, pages)


def settle_overdue(training: Training, now: datetime) -> None:
    """Finalise the post-test attempts past their deadline, so an issue counts them with what they saved."""
    if training.posttest is not None:
        quizzes.finalize_overdue(now, quiz=training.posttest)


def waiting_count(training: Training, now: datetime) -> int:
    """Return how many participants may be issued a certificate now."""
    return sum(1 for row in eligibility_table(training, now) if row.may_issue)


def set_override(training: Training, user: User, reason: str, actor: User) -> EligibilityOverride:
    """Record an admin's decision to certify a participant who misses a rule."""
    if not reason.strip() or len(reason.strip()) < 10:
        raise ValidationFailed("Tulis alasan yang jelas (minimal 10 karakter).", "reason")
    if not trainings.is_enrolled(user, training):
        raise ValidationFailed("Peserta tidak terdaftar di kegiatan ini.")
    override = db.session.scalars(select(EligibilityOverride).where(
        EligibilityOverride.training_id == training.id, EligibilityOverride.user_id == user.id)).first()
    if override is None:
        override = EligibilityOverride(training_id=training.id, user_id=user.id, decided_by_id=actor.id,
                                       reason=reason.strip())
        db.session.add(override)
    override.reason, override.decided_by_id = reason.strip(), actor.id
    db.session.flush()
    audit.record(actor, "certificate.override", "training", training.id, {"user_id": user.id})
    return override


# ---------------------------------------------------------------- numbering


def next_number(institution: Institution, issued: date, training_code: str) -> tuple[int, str]:
    """Take the next sequence number of the institution's year, locking its row until commit."""
    try:
        validate_pattern(institution.certificate_pattern)
    except PatternError as exc:
        raise ValidationFailed(f"Pola nomor sertifikat tidak sah: {exc}") from None
    year = issued.year
    values = {"institution_id": institution.id, "year": year}
    if db.session.get(CertificateSequence, (institution.id, year)) is None:
        try:
            with db.session.begin_nested():
                db.session.add(CertificateSequence(last_seq=0, **values))
        except IntegrityError:
            pass  # another issuer created the year's row a moment ago
    # The UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite, in a
    # write transaction): a second issuer waits here until the first commits. No gaps, no repeats.
    with db.session.no_autoflush:  # bulk issue flushes its certificates per batch, not per number
        seq = db.session.execute(
            update(CertificateSequence).where(CertificateSequence.institution_id == institution.id,
                                          CertificateSequence.year == year)
            .values(last_seq=CertificateSequence.last_seq + 1).returning(CertificateSequence.last_seq)
            .execution_options(synchronize_session=False)).scalar_one()
    return seq, format_number(institution.certificate_pattern, seq=seq, issued=issued, training_code=training_code)


def check_pattern(pattern: str) -> None:
    try:
        validate_pattern(pattern)
    except PatternError as exc:
        raise ValidationFailed(str(exc), "certificate_pattern") from None


# ---------------------------------------------------------------- issuing

EARLY_LABEL = "Terbitkan sebelum pelatihan selesai"
MIN_EARLY_REASON = 10


def public_base_url(institution: Institution | None = None) -> str:
    """Return the base of certificate links: the institution's stored public address, else PUBLIC_BASE_URL."""
    return accounts_public_base_url(institution)


def verify_url(code: str, institution: Institution | None = None) -> str:
    return f"{public_base_url(institution)}/verify/{code}"


def base_url_is_public(url: str) -> bool:
    """Tell whether printed QR codes will open for the public (not loopback or private)."""
    return is_public_host(urlsplit(url).hostname or "")


_LAYOUTS: dict[str, Layout] = {}


def layout() -> Layout:
    path = current_app.config["CERTIFICATES_DIR"] / "default.toml"
    key = str(path if path.exists() else DEFAULT_LAYOUT)
    if key not in _LAYOUTS:
        _LAYOUTS[key] = load_layout(key)
    return _LAYOUTS[key]


def bands_for(training: Training) -> list[tuple[Fraction, str]]:
    if training.predikat_bands.strip():
        return eligibility.parse_bands(training.predikat_bands)
    if training.posttest is None:
        return []
    return eligibility.default_bands(quizzes.rules_of(quizzes.current_version(training.posttest)).pass_mark)


def _signatory(training: Training, institution: Institution) -> dict[str, str]:
    if training.signatory_name:
        return {"name": training.signatory_name, "pangkat": training.signatory_pangkat,
                "nip": training.signatory_nip, "title": training.signatory_title}
    return {"name": institution.head_name, "pangkat": institution.head_pangkat, "nip": institution.head_nip,
            "title": institution.head_title}


def _frozen(training: Training, user: User, institution: Institution, row: Row, number: str, code: str,
            issued: date) -> dict[str, Any]:
    signatory = _signatory(training, institution)
    score = row.posttest if training.posttest else None
    return {
        "number": number, "code": code, "verify_url": verify_url(code, institution),
        "holder_name": user.full_name, "nip": user.nip or "", "pangkat": user.pangkat_golongan,
        "jabatan": user.jabatan, "agency": user.agency.name if user.agency else "",
        "training_title": training.title, "start_date": training.start_date.isoformat(),
        "end_date": training.end_date.isoformat(), "venue": training.venue, "city": training.city,
        "jp": training.total_jp, "score": optional_decimal(score),
        "predikat": eligibility.predikat(score, bands_for(training)),
        "issue_city": institution.city, "issue_date": issued.isoformat(),
        "signatory_name": signatory["name"], "signatory_pangkat": signatory["pangkat"],
        "signatory_nip": signatory["nip"], "signatory_title": signatory["title"],
        "institution_name": institution.name, "institution_address": institution.address,
        "transcript": [{"topic": i.topic, "jp": i.jp, "trainer": i.trainer_label} for i in training.agenda if i.jp],
    }


def certificate_data(frozen: dict[str, Any]) -> CertificateData:
    """Rebuild the renderer's input from a certificate's frozen data."""
    values = dict(frozen)
    values["transcript"] = tuple(TranscriptRow(**row) for row in frozen["transcript"])
    for key in ("start_date", "end_date", "issue_date"):
        values[key] = date.fromisoformat(frozen[key])
    return CertificateData(**values)


@dataclass
class Assets:
    institution: Institution
    logo: bytes | None
    signature: bytes | None
    signing: signing.IssueSigning = signing.IssueSigning("none")


def assets_for(training: Training, now: datetime | None = None) -> Assets:
    """Return what every certificate of the training is drawn with, and how issuing at `now` signs."""
    institution = db.session.scalars(select(Institution).options(undefer(Institution.logo))
                                     .where(Institution.id == training.institution_id)).one()
    signature = db.session.scalars(select(Training.signature).where(Training.id == training.id)).first()
    return Assets(institution, institution.logo if institution.logo_sha256 else None, signature,
                  signing.for_issue(now or utcnow()))


def _check(training: Training, row: Row) -> None:
    """Refuse a row that may not be issued, before any number is taken."""
    if row.certificate is not None:
        raise ValidationFailed(f"{row.user.full_name} sudah memiliki sertifikat {row.certificate.number}.")
    if not row.verdict.eligible and row.override is None:
        raise NotEligible(f"{row.user.full_name} belum memenuhi syarat: " + " ".join(row.verdict.reasons))
    if training.total_jp < 1:
        raise ValidationFailed("Agenda kegiatan belum memiliki JP; susun agenda dulu.")


def _number(institution: Institution, seq: int, issued: date, training_code: str) -> str:
    try:
        validate_pattern(institution.certificate_pattern)
        return format_number(institution.certificate_pattern, seq=seq, issued=issued, training_code=training_code)
    except (PatternError, ValueError) as exc:
        raise ValidationFailed(f"Pola nomor sertifikat tidak sah: {exc}") from None


def _certificate(training: Training, row: Row, actor: User | None, now: datetime, assets: Assets, seq: int,
                 number: str, issued: date, replaces: Certificate | None = None) -> Certificate:
    """Freeze and render one certificate with its number, signed when signing is at issue; not yet added."""
    code = new_code()
    frozen = _frozen(training, row.user, assets.institution, row, number, code, issued)
    data = certificate_data(frozen)
    pdf = render_certificate(data, layout(), logo=assets.logo, signature=assets.signature)
    certificate = Certificate(
        institution_id=assets.institution.id, training_id=training.id, user_id=row.user.id, number=number,
        year=issued.year, seq=seq, code=code, status="valid", issued_at=now, issue_date=issued,
        jp=frozen["jp"], jp_year=training.end_date.year, data=frozen, pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), layout="default",
        override_reason=row.override.reason if row.override and not row.verdict.eligible else "",
        issued_by_id=actor.id if actor else None, replaces_id=replaces.id if replaces else None,
        signature_box=[0, *signature_area(layout(), data)])
    signing.sign_rendered(certificate, assets.signing, now)
    return certificate


def issue(training: Training, row: Row, actor: User | None, now: datetime,
          assets: Assets | None = None, replaces: Certificate | None = None) -> Certificate:
    """Issue one certificate: check, number, freeze, render and store the PDF (one short render in the lock)."""
    _check(training, row)
    assets = assets or assets_for(training, now)
    issued = local_date(now, assets.institution.time_zone)
    seq, number = next_number(assets.institution, issued, training.slug.upper())
    if assets.signing.state == "signed":  # not while numbering holds the lock: sign_after_issue signs it
        assets = dataclasses.replace(assets, signing=signing.IssueSigning("pending"))
    certificate = _certificate(training, row, actor, now, assets, seq, number, issued, replaces)
    db.session.add(certificate)
    db.session.flush()
    _place_in_status_list([certificate])
    _audit_issue(certificate, actor, now)
    return certificate


def _place_in_status_list(certificates: list[Certificate]) -> None:
    """Give flushed certificates their Open Badges status-list index: their id, unique and never reused."""
    for certificate in certificates:
        certificate.status_list_index = certificate.id


@contextmanager
def _first_issuer_wins() -> Iterator[None]:
    """Turn a holder issued meanwhile by another process into a domain error.

    The unique index on valid certificates refuses the second INSERT, at whichever flush
    (explicit or autoflush) writes it; the caller's rollback also returns the numbers taken.
    """
    try:
        yield
    except IntegrityError:
        raise IssueInProgress(IN_PROGRESS) from None


def _audit_issue(certificate: Certificate, actor: User | None, now: datetime) -> None:
    audit.record(actor, "certificate.issue", "certificate", certificate.id,
                 {"training_id": certificate.training_id, "user_id": certificate.user_id,
                  "number": certificate.number, "override": bool(certificate.override_reason),
                  "replaces": certificate.replaces_id}, now)
    if certificate.signed:
        signing.audit_signed(certificate, actor, now)


def before_last_day(training: Training, now: datetime) -> bool:
    """Tell whether the training's last day has not yet come (in the training's time zone)."""
    return local_date(now, training.time_zone) < training.end_date


def check_issue_day(training: Training, now: datetime, early_reason: str | None, actor: User | None,
                    user_id: int | None = None) -> None:
    """Refuse issuing before the training's last day unless an admin ticked the override with a reason.

    A certificate claims the training's full JP; issued while it still runs, it claims days not yet held.
    The override is audited with its reason (for one participant, or for a bulk issue).
    """
    if not before_last_day(training, now):
        return
    if early_reason is None:
        raise ValidationFailed(
            f"Pelatihan ini baru berakhir pada {format_date(training.end_date)}; sertifikat belum dapat "
            f"diterbitkan. Bila memang perlu, centang \"{EARLY_LABEL}\" dan tulis alasannya.", "early")
    if len(early_reason.strip()) < MIN_EARLY_REASON:
        raise ValidationFailed(f"Alasan penerbitan sebelum pelatihan selesai wajib diisi (minimal "
                               f"{MIN_EARLY_REASON} karakter).", "early_reason")
    audit.record(actor, "certificate.early_issue", "training", training.id,
                 {"reason": early_reason.strip(), "user_id": user_id, "end_date": training.end_date.isoformat()},
                 now)


def valid_certificate(training: Training, user_id: int) -> Certificate | None:
    """Return the participant's valid certificate of the training, if any."""
    return db.session.scalars(select(Certificate).where(
        Certificate.training_id == training.id, Certificate.user_id == user_id,
        Certificate.status == "valid")).first()


def issue_for(training: Training, user_id: int, actor: User | None, now: datetime,
              replaces: Certificate | None = None, early_reason: str | None = None) -> Certificate:
    """Issue one participant's certificate (a replacement when `replaces` is a revoked one)."""
    if replaces is not None and replaces.status != "revoked":
        raise ValidationFailed("Cabut sertifikat lama (dengan alasan) sebelum menerbitkan penggantinya.")
    check_issue_day(training, now, early_reason, actor, user_id)
    settle_overdue(training, now)
    row = next(iter(eligibility_table(training, now, only=user_id)), None)
    if row is None:
        raise ValidationFailed("Peserta tidak terdaftar di kegiatan ini.")
    with _first_issuer_wins(), transcript_cache():
        return issue(training, row, actor, now, replaces=replaces)


Progress = Callable[[int, int, Certificate | None, str | None], None]


def issue_all(training: Training, actor: User | None, now: datetime,
              commit: Callable[[], None] | None = None, progress: Progress | None = None) -> list[Certificate]:
    """Issue every eligible participant's certificate in batches that hold the write lock only to store.

    With `commit`, each batch is rendered outside any write transaction with the numbers it
    expects, then numbered (a compare-and-set on the sequence row) and inserted in one short
    write transaction that is committed at once, so waiting writers (answer saves) get in between
    batches. A batch that lost its numbers to another issuer is rendered again with the next ones:
    the numbering stays gapless, and a crash leaves only whole, committed batches.
    Without `commit` everything stays in the caller's one transaction.
    """
    with _writes(commit):
        settle_overdue(training, now)
        _commit(commit)
    rows = [r for r in eligibility_table(training, now) if r.may_issue]
    assets = assets_for(training, now)
    issued: list[Certificate] = []
    session = db.session()  # the request's (or job's) real session behind the scoped proxy
    expire, session.expire_on_commit = session.expire_on_commit, False  # no reloads after each batch
    counter = _Counter(len(rows), progress)
    try:
        with _first_issuer_wins(), transcript_cache():
            ready, refused = [], []
            for row in rows:
                try:
                    _check(training, row)
                    ready.append(row)
                except LmsError as exc:
                    refused.append(exc.message)
            # End the read before any progress is counted: changes made inside a read transaction would
            # be flushed in it, and SQLite refuses its late upgrade at once while others write.
            _commit(commit)
            for message in refused:
                counter.tick(None, message)
            for start in range(0, len(ready), BATCH):
                _save_progress(commit)
                for certificate in _issue_batch(training, ready[start:start + BATCH], actor, now, assets, commit):
                    issued.append(certificate)
                    counter.tick(certificate, None)
            _save_progress(commit)
    finally:
        session.expire_on_commit = expire
    return issued


@dataclass
class _Counter:
    total: int
    progress: Progress | None
    done: int = 0

    def tick(self, certificate: Certificate | None, error: str | None) -> None:
        # Called for certificates once they are committed: a line printed is a certificate kept.
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, certificate, error)


CLAIM_TRIES = 20


def _issue_batch(training: Training, rows: list[Row], actor: User | None, now: datetime, assets: Assets,
                 commit: Callable[[], None] | None) -> list[Certificate]:
    """Render rows with the numbers they expect, then claim those numbers and store them in one short write."""
    institution = assets.institution
    issued = local_date(now, institution.time_zone)
    code = training.slug.upper()
    for _ in range(CLAIM_TRIES):
        _ensure_sequence(institution, issued.year, commit)
        last = _last_seq(institution, issued.year) or 0
        _commit(commit)  # end the read transaction: nothing is held while rendering
        certificates = [_certificate(training, row, actor, now, assets, last + n, _number(institution, last + n,
                                                                                         issued, code), issued)
                        for n, row in enumerate(rows, start=1)]
        with _writes(commit):
            if _claim(institution, issued.year, last, len(certificates)):
                db.session.add_all(certificates)
                db.session.flush()
                _place_in_status_list(certificates)
                for certificate in certificates:
                    _audit_issue(certificate, actor, now)
                db.session.flush()
                _commit(commit)
                return certificates
            _commit(commit)  # another issuer took these numbers: release the lock, render again
    raise IssueInProgress(IN_PROGRESS)


def _writes(commit: Callable[[], None] | None) -> AbstractContextManager[None]:
    # Only a caller that commits between batches can take and release the write lock per batch.
    return writing() if commit else nullcontext()


def _commit(commit: Callable[[], None] | None) -> None:
    if commit:
        commit()


def _save_progress(commit: Callable[[], None] | None) -> None:
    """Commit what a progress callback changed (a job's counters) in its own short write."""
    if commit and (db.session.dirty or db.session.new):
        with writing():
            commit()


def _ensure_sequence(institution: Institution, year: int, commit: Callable[[], None] | None) -> None:
    if _last_seq(institution, year) is not None:
        return
    with _writes(commit):
        try:
            with db.session.begin_nested():
                db.session.add(CertificateSequence(institution_id=institution.id, year=year, last_seq=0))
        except IntegrityError:
            pass  # another issuer created the year's row a moment ago
        _commit(commit)


def _last_seq(institution: Institution, year: int) -> int | None:
    # No autoflush: a pending write would upgrade this read transaction to a write without waiting.
    with db.session.no_autoflush:
        return db.session.scalar(select(CertificateSequence.last_seq).where(
        CertificateSequence.institution_id == institution.id, CertificateSequence.year == year))


def _claim(institution: Institution, year: int, last: int, count: int) -> bool:
    """Move the year's sequence from `last` to `last + count`, only if nobody moved it meanwhile."""
    with db.session.no_autoflush:
        return affected_rows(db.session.execute(
            update(CertificateSequence).where(CertificateSequence.institution_id == institution.id,
                                              CertificateSequence.year == year, CertificateSequence.last_seq == last)
            .values(last_seq=last + count).execution_options(synchronize_session=False))) == 1


def revoke(certificate: Certificate, reason: str, actor: User | None, now: datetime) -> None:
    """Revoke a certificate with a reason; it stays resolvable as Dicabut."""
    if certificate.status == "revoked":
        zone = db.session.get(Institution, certificate.institution_id).time_zone  # type: ignore[union-attr]
        raise ValidationFailed(f"Sertifikat {certificate.number} sudah dicabut pada "
                               f"{format_date(local_date(certificate.revoked_at or now, zone))}.")
    if len(reason.strip()) < 5:
        raise ValidationFailed("Tulis alasan pencabutan.", "reason")
    changed = affected_rows(db.session.execute(update(Certificate).where(Certificate.id == certificate.id,
                                                           Certificate.status == "valid")
                                 .values(status="revoked", revoked_at=now, revoke_reason=reason.strip(),
                                         revoked_by_id=actor.id if actor else None)
                                 .execution_options(synchronize_session=False)))
    db.session.refresh(certificate)
    if changed != 1:
        raise ValidationFailed("Sertifikat ini sudah dicabut.")
    audit.record(actor, "certificate.revoke", "certificate", certificate.id, {"number": certificate.number}, now)


def revoked_on(certificate: Certificate) -> str:
    """Return the day the certificate was revoked, in its institution's zone ('3 Desember 2026')."""
    institution = db.session.get(Institution, certificate.institution_id)
    zone = institution.time_zone if institution else DEFAULT_ZONE
    return format_date(local_date(certificate.revoked_at, zone)) if certificate.revoked_at else ""


def find(code_text: str) -> Certificate | None:
    """Return the certificate of a typed or scanned code; None for unknown or malformed codes."""
    code = normalize_code(code_text)
    if code is None:
        return None
    return db.session.scalars(select(Certificate).where(Certificate.code == code)).first()


# What identifies a certificate and its holder well enough to compare with the paper (UU PDP 27/2022:
# no more than that); each OPTIONAL_FIELDS group is shown only when the institution turns it on.
PUBLIC_FIELDS = ("number", "holder_name", "agency", "training_title", "venue", "city", "jp", "issue_city",
                 "signatory_name", "signatory_title", "institution_name")
OPTIONAL_FIELDS = {"verify_show_score": ("score", "predikat"), "verify_show_pangkat": ("pangkat",),
                   "verify_show_jabatan": ("jabatan",)}


def _public_keys(institution: Institution | None) -> list[str]:
    keys = list(PUBLIC_FIELDS)
    for flag, fields in OPTIONAL_FIELDS.items():
        if institution is not None and getattr(institution, flag):
            keys.extend(fields)
    return keys


def public_view(certificate: Certificate) -> dict[str, Any]:
    """Return what verifies the certificate for the public page: NIPs masked, opt-in extras, no contact data."""
    data = certificate.data
    institution = db.session.get(Institution, certificate.institution_id)
    view = {key: data.get(key) for key in _public_keys(institution)}
    view.update(nip=mask_nip(data["nip"]) if data.get("nip") else "",
                signatory_nip=mask_nip(data["signatory_nip"]) if data.get("signatory_nip") else "",
                start_date=data["start_date"], end_date=data["end_date"], issue_date=data["issue_date"],
                code=certificate.code, status="Sah" if certificate.status == "valid" else "Dicabut",
                revoked_at=certificate.revoked_at.isoformat() if certificate.revoked_at else None,
                revoked_on=format_date(local_date(certificate.revoked_at, institution.time_zone if institution
                                                  else DEFAULT_ZONE)) if certificate.revoked_at else None,
                revoke_reason=certificate.revoke_reason or None, pdf_sha256=certificate.pdf_sha256,
                transcript=data["transcript"], sign_state=certificate.sign_label, signed=certificate.signed,
                signature=_public_signature(certificate, institution.time_zone if institution else DEFAULT_ZONE))
    return view


def _public_signature(certificate: Certificate, zone: str) -> dict[str, str] | None:
    """Return who signed the certificate electronically and when; None when it is not signed."""
    if not certificate.signed or certificate.signed_at is None:
        return None
    when = format_datetime(certificate.signed_at, zone)
    return {"signed_by": certificate.signed_by, "signed_at": certificate.signed_at.isoformat(), "signed_on": when,
            "sentence": f"Ditandatangani secara elektronik oleh {certificate.signed_by}, pada {when}."}


def pdf_bytes(certificate: Certificate) -> bytes:
    return db.session.scalars(select(Certificate.pdf).where(Certificate.id == certificate.id)).one()


def verify_file(content: bytes) -> Certificate | None:
    """Return the certificate whose stored PDF (the signed one, once signed) has exactly these bytes."""
    return verify_hash(hashlib.sha256(content).hexdigest())


def verify_hash(digest: str) -> Certificate | None:
    """Return the certificate whose served PDF has this SHA-256 (hex)."""
    return db.session.scalars(select(Certificate).where(Certificate.pdf_sha256 == digest.strip().lower())).first()


def unsigned_copy_of(content: bytes) -> Certificate | None:
    """Return the signed certificate of which these bytes are the PDF as rendered, before signing."""
    digest = hashlib.sha256(content).hexdigest()
    return db.session.scalars(select(Certificate).where(Certificate.unsigned_sha256 == digest,
                                                        Certificate.sign_state == "signed")).first()


def ledger(user: User) -> dict[int, tuple[int, list[Certificate]]]:
    """Return the user's valid certificates and JP total per year (the training's end-date year)."""
    years: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                          .order_by(Certificate.issue_date.desc())):
        years[certificate.jp_year].append(certificate)
    return {year: (sum(c.jp for c in items if c.status == "valid"), items)
            for year, items in sorted(years.items(), reverse=True)}


def set_signatory(training: Training, values: dict[str, str], signature: bytes | None, bands: str,
                  actor: User) -> None:
    """Set the training's signatory, signature image (PNG) and predikat bands."""
    values = {**values, "signatory_nip": optional_nip(values.get("signatory_nip", ""), "signatory_nip",
                                                     "NIP penanda tangan: ")}
    try:
        eligibility.parse_bands(bands)
    except ValueError as exc:
        raise ValidationFailed(str(exc), "predikat_bands") from None
    for key, value in values.items():
        setattr(training, key, value.strip())
    training.predikat_bands = bands.strip()
    if signature:
        check_image(signature, current_app.config["MAX_IMAGE_BYTES"], formats=("PNG",), field="signature")
        training.signature, training.signature_sha256 = signature, hashlib.sha256(signature).hexdigest()
    audit.record(actor, "training.signatory", "training", training.id, {"fields": sorted(values) + ["predikat_bands"]})


def pdfs_of(training: Training) -> Iterable[tuple[Certificate, bytes]]:
    """Yield each valid certificate of a training with its stored PDF, in number order."""
    for certificate in db.session.scalars(select(Certificate).options(undefer(Certificate.pdf))
                                          .where(Certificate.training_id == training.id,
                                                 Certificate.status == "valid").order_by(Certificate.seq)):
        yield certificate, certificate.pdf
