"""The demo's hand-ins and reviews are dated from the injected `now`, never from the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms.assignments.models import Review, Submission, SubmissionFile
from lms.audit.models import AuditEvent
from lms.demo import create_demo
from lms.demo_trainings import create_demo_trainings
from lms.extensions import db

NOW = datetime(2031, 3, 12, 4, 0, tzinfo=UTC)  # years from the real clock whenever the suite runs


def test_demo_hand_in_times_follow_the_injected_now(app):
    create_demo(8, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    earliest, latest = NOW - timedelta(days=30), NOW
    moments = []
    for s in db.session.scalars(select(Submission)):
        moments += [s.created_at, s.saved_at, s.submitted_at, s.reviewed_at, s.decided_at]
    for r in db.session.scalars(select(Review)):
        moments += [r.started_at, r.updated_at, r.decided_at]
    moments += list(db.session.scalars(select(SubmissionFile.created_at)))
    moments += list(db.session.scalars(select(AuditEvent.at).where(AuditEvent.object_type == "submission")))
    found = [m for m in moments if m is not None]
    assert len(found) > 50
    assert all(earliest <= m.replace(tzinfo=m.tzinfo or UTC) <= latest for m in found), \
        sorted(m for m in found if not earliest <= m.replace(tzinfo=m.tzinfo or UTC) <= latest)[:5]
