"""Sync the assignments of course content into the catalog: keyed by slug, retired, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from lms.assignments.definitions import AssignmentDef
from lms.assignments.models import Assignment
from lms.assignments.services import apply_definition
from lms.contentfiles import SyncReport, sync_rows
from lms.extensions import db


def sync_assignments(found: Sequence[AssignmentDef], now: datetime) -> SyncReport:
    """Upsert content assignments from their definitions; retire those whose files dropped them."""

    def create(definition: AssignmentDef) -> Assignment:
        assignment = Assignment(scope="", slug=definition.slug, created_at=now)
        db.session.add(assignment)
        return assignment

    def apply(assignment: Assignment, definition: AssignmentDef) -> None:
        apply_definition(assignment, definition)
        assignment.course_slug, assignment.synced_at, assignment.retired_at = definition.course_slug, now, None

    def retire(assignment: Assignment) -> None:
        assignment.retired_at = now

    existing = {a.slug: a for a in db.session.scalars(select(Assignment).where(Assignment.scope == ""))}
    report = sync_rows(existing, found, create, apply, retire)
    db.session.flush()
    return report
