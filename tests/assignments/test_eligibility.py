"""Certificate eligibility with the rule "required assignments passed": value, reason, override."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lms.assignments import review, services
from lms.certificates import eligibility
from lms.certificates import services as certificates
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, make_assignment

RULES = eligibility.Rules(80, False, False, False, {}, {1: "Caption kegiatan", 2: "Dua konten"})


def _facts(statuses):
    return eligibility.Facts(Fraction(100), None, None, frozenset(), statuses)


@pytest.mark.parametrize(("statuses", "ok", "value", "reason"), [
    ({1: "passed", 2: "passed"}, True, "2/2 lulus", ""),
    ({1: "passed"}, False, "1/2 lulus", "Tugas wajib belum lulus: Dua konten (belum dikumpulkan)."),
    ({1: "revision_requested", 2: "failed"}, False, "0/2 lulus",
     "Tugas wajib belum lulus: Caption kegiatan (perlu revisi), Dua konten (belum lulus)."),
    ({1: "submitted", 2: "passed"}, False, "1/2 lulus",
     "Tugas wajib belum lulus: Caption kegiatan (menunggu penilaian)."),
])
def test_the_rule(statuses, ok, value, reason):
    criterion = eligibility.judge(RULES, _facts(statuses)).criteria[-1]
    assert (criterion.key, criterion.label, criterion.value, criterion.ok, criterion.reason) == (
        "assignments", "Tugas wajib", value, ok, reason)


def test_no_required_assignment_no_criterion():
    rules = eligibility.Rules(80, False, False, False, {})
    assert [c.key for c in eligibility.judge(rules, _facts({})).criteria] == ["attendance"]


def _row(world, who):
    rows = certificates.eligibility_table(world["training"], BEFORE_DUE, only=world[who].id)
    return rows[0]


def _everyone_present(world, monkeypatch):
    from lms.attendance import services as attendance

    # The certificates list counts attendance in the database (percentages_of): everyone is present.
    monkeypatch.setattr(attendance, "percentages_of", lambda training, user_ids: {
        world["ani"].id: Fraction(100), world["budi"].id: Fraction(100)})


def test_a_missing_required_assignment_blocks_the_certificate_until_passed(world, monkeypatch):
    _everyone_present(world, monkeypatch)
    make_assignment(id="opsional", required=False)
    world["training"].require_posttest_pass = False
    world["training"].require_courses_complete = False
    db.session.commit()
    row = _row(world, "ani")
    assert not row.may_issue
    assert row.verdict.reasons == ["Tugas wajib belum lulus: Caption kegiatan OPD (belum dikumpulkan)."]
    submission = services.start(world["ani"], world["training"], world["assignment"], BEFORE_DUE)
    services.save_draft(world["ani"], submission, "Caption", None, None, BEFORE_DUE)
    services.submit(world["ani"], submission, None, BEFORE_DUE)
    review.save_review(world["trainer"], submission, {"unsur": 0, "ejaan": 0}, {}, "", None, BEFORE_DUE)
    review.decide(world["trainer"], submission, None, BEFORE_DUE)
    db.session.commit()
    row = _row(world, "ani")
    assert row.may_issue and row.verdict.criteria[-1].value == "1/1 lulus"


def test_an_override_lets_a_missing_assignment_pass(world, monkeypatch):
    _everyone_present(world, monkeypatch)
    world["training"].require_posttest_pass = False
    db.session.commit()
    certificates.set_override(world["training"], world["budi"], "Tugas dikumpulkan lewat surel, dinilai manual",
                              world["admin"])
    db.session.commit()
    row = _row(world, "budi")
    assert not row.verdict.eligible and row.may_issue


def test_a_training_that_leaves_the_assignment_out_does_not_require_it(world, monkeypatch):
    _everyone_present(world, monkeypatch)
    world["training"].require_courses_complete = False
    services.set_given(world["training"], world["assignment"], False, world["admin"])
    db.session.commit()
    assert "assignments" not in [c.key for c in _row(world, "ani").verdict.criteria]
