"""A known institution year: three trainings across 2025 and 2026, people at and below 20 JP."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date

from lms.accounts.models import Role, User
from lms.accounts.services import ensure_institution
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.trainings.models import Enrollment, Training
from tests.trainings.factory import agency

_numbers = itertools.count(1)


def training(slug: str, start: date, end: date, status: str = "finished", title: str | None = None) -> Training:
    item = Training(institution_id=ensure_institution().id, slug=slug, title=title or f"Bimtek {slug}",
                    start_date=start, end_date=end, status=status, venue="Aula", city="Contoh")
    db.session.add(item)
    db.session.flush()
    return item


def person(name: str, agency_id: int | None, nip: str | None = None) -> User:
    user = User(institution_id=ensure_institution().id, full_name=name, nip=nip, agency_id=agency_id,
                email=None if nip else f"{name.lower().replace(' ', '.')}@contoh.go.id", role=Role.PARTICIPANT.value)
    db.session.add(user)
    db.session.flush()
    return user


def enroll(item: Training, *users: User) -> None:
    for user in users:
        db.session.add(Enrollment(training_id=item.id, user_id=user.id))
    db.session.flush()


def certify(item: Training, user: User, jp: int, status: str = "valid") -> Certificate:
    n = next(_numbers)
    pdf = f"pdf {n}".encode()
    cert = Certificate(institution_id=item.institution_id, training_id=item.id, user_id=user.id,
                       number=f"{n:03d}/BIMTEK/DISKOMINFO/XII/{item.end_date.year}", year=item.end_date.year,
                       seq=n, code=f"KODE{n:06d}", status=status, issue_date=item.end_date, jp=jp,
                       jp_year=item.end_date.year, data={"jp": jp}, pdf=pdf,
                       pdf_sha256=hashlib.sha256(pdf).hexdigest())
    db.session.add(cert)
    db.session.flush()
    return cert


@dataclass
class Year:
    kominfo: int
    bkpsdm: int
    t1: Training
    t2: Training
    t3: Training


def build_year() -> Year:
    """2026: T1 (12 JP) and T2 (8 JP; 30 December 2025 to 2 January 2026: its end date's year);
    2025: T3 (24 JP); plus a 2026 draft that never counts.

    Ana (NIP, Kominfo) 12 + 8 = 20 JP in 2026: reached, at the boundary; 24 JP in 2025.
    Budi (NIP, Kominfo) 12 JP, his T2 certificate revoked: below. Citra (NIP, BKPSDM) enrolled in T2,
    no certificate: 0 JP, below. Dedi (no NIP, BKPSDM) 12 JP: not a civil servant. Eka (NIP, no
    OPD) 24 JP in 2025 only. Fajar (NIP, Kominfo) only in the draft.
    """
    kominfo, bkpsdm = agency("Dinas Komunikasi dan Informatika"), agency("Badan Kepegawaian")
    t1 = training("t1-2026", date(2026, 3, 2), date(2026, 3, 4), title="Bimtek Pengelolaan Media Sosial")
    t2 = training("t2-2026", date(2025, 12, 30), date(2026, 1, 2), status="open", title="Bimtek PPID")
    t3 = training("t3-2025", date(2025, 11, 10), date(2025, 11, 12), title="Bimtek Keterbukaan Informasi")
    draft = training("draft-2026", date(2026, 5, 1), date(2026, 5, 2), status="draft")
    ana = person("Ana Wulandari", kominfo.id, "198001012005012001")
    budi = person("Budi Santoso", kominfo.id, "198102022006021002")
    citra = person("Citra Lestari", bkpsdm.id, "198203032007032003")
    dedi = person("Dedi Kurniawan", bkpsdm.id)
    eka = person("Eka Saputra", None, "198404042009041004")
    fajar = person("Fajar Nugroho", kominfo.id, "198505052010051005")
    enroll(t1, ana, budi, dedi)
    enroll(t2, ana, budi, citra)
    enroll(t3, ana, eka)
    enroll(draft, fajar)
    certify(t1, ana, 12), certify(t2, ana, 8)
    certify(t1, budi, 12), certify(t2, budi, 8, status="revoked")
    certify(t1, dedi, 12)
    certify(t3, ana, 24), certify(t3, eka, 24)
    db.session.commit()
    return Year(kominfo.id, bkpsdm.id, t1, t2, t3)
