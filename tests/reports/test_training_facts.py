"""The dashboard's figures of a small training, exactly: counts, means, gain, bins, per OPD."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lms.reports import training_facts as tf
from tests.reports.conftest import LONG_OPD, NOW


@pytest.fixture
def facts(built, make_user):
    admin = make_user(role="admin", email="admin-angka@contoh.go.id")
    return tf.training_facts(built, NOW, admin)


def test_attendance_per_session_counts_every_status_and_the_unrecorded(facts):
    assert facts.participants == 5
    counts = [s.counts for s in facts.sessions]
    assert counts[0] == {"hadir": 3, "terlambat": 1, "izin": 0, "sakit": 0, "tidak_hadir": 1, "belum": 0}
    assert counts[2] == {"hadir": 3, "terlambat": 0, "izin": 0, "sakit": 1, "tidak_hadir": 1, "belum": 0}
    assert counts[3] == {"hadir": 2, "terlambat": 0, "izin": 1, "sakit": 0, "tidak_hadir": 1, "belum": 1}
    assert [s.present for s in facts.sessions] == [4, 4, 3, 2]


def test_attendance_percent_distribution_has_the_minimum_as_an_edge(facts):
    assert sorted(facts.attendance.values()) == [0, 50, 75, 100, 100]
    assert facts.mean_attendance == 65 and facts.meeting_minimum == 3 and facts.min_attendance == 75
    edges = [b.low for b in facts.bins] + [facts.bins[-1].high]
    assert edges == [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 90, 100]
    by_low = {b.low: (b.count, b.meets) for b in facts.bins}
    assert by_low[0] == (1, False) and by_low[50] == (1, False) and by_low[70] == (0, False)
    assert by_low[75] == (1, True) and by_low[90] == (2, True)  # 100 falls in the last bin
    assert sum(b.count for b in facts.bins) == 5


@pytest.mark.parametrize(("values", "minimum", "expected"), [
    ([Fraction(0), Fraction(100)], 80, {0: 1, 90: 1}),
    ([Fraction(80), Fraction(7999, 100)], 80, {80: 1, 70: 1}),
    ([Fraction(100)], 100, {90: 1}),  # a minimum of 100 adds no empty bin above 100
])
def test_bins_put_each_value_in_one_bin(values, minimum, expected):
    found = {int(b.low): b.count for b in tf.bins(values, minimum) if b.count}
    assert found == expected


def test_paired_scores_means_and_normalised_gain(facts):
    scores = facts.scores
    assert scores.pre_taken == 4 and scores.post_taken == 3 and len(scores.pairs) == 3
    assert scores.mean_pre == Fraction(270, 4) and scores.mean_post == Fraction(230, 3)
    assert scores.paired_mean_pre == Fraction(220, 3) and scores.paired_mean_post == Fraction(230, 3)
    assert [p.gain for p in scores.pairs] == [Fraction(1, 2), None, Fraction(-1)]
    # The pre-test of 100 has no gain and is left out of the mean: (0,5 + -1) / 2.
    assert scores.mean_gain == Fraction(-1, 4) and scores.gain_undefined == 1
    assert scores.improved == 1 and scores.declined == 1


@pytest.mark.parametrize(("pre", "post", "gain"), [
    (40, 70, Fraction(1, 2)), (80, 60, Fraction(-1)), (0, 100, Fraction(1)), (99, 100, Fraction(1)),
    (100, 100, None), (100, 50, None), (60, 60, Fraction(0)),
])
def test_gain_is_hakes_and_undefined_at_100(pre, post, gain):
    assert tf.gain(Fraction(pre), Fraction(post)) == gain


def test_per_opd_rows(facts):
    rows = {r.name: r for r in facts.agencies}
    assert [r.name for r in facts.agencies] == [LONG_OPD, "Bappeda Kabupaten Contoh", tf.NO_AGENCY]
    assert (rows[LONG_OPD].participants, rows[LONG_OPD].mean_attendance) == (3, 75)
    assert (rows[LONG_OPD].mean_pre, rows[LONG_OPD].mean_post) == (Fraction(220, 3), Fraction(230, 3))
    bappeda = rows["Bappeda Kabupaten Contoh"]
    assert (bappeda.participants, bappeda.mean_attendance, bappeda.mean_pre, bappeda.mean_post) == (1, 0, 50, None)
    assert (rows[tf.NO_AGENCY].mean_attendance, rows[tf.NO_AGENCY].mean_pre) == (100, None)


def test_modules_assignments_and_certificates(facts, built):
    assert [(c.title, c.completed, c.participants, c.percent) for c in facts.courses] == [
        (built.courses[0].title, 1, 5, 20)]
    assert facts.assignments, "the module's assignment is offered"
    for counts in facts.assignments:
        assert counts.counts == {"missing": 5, "waiting": 0, "revision": 0, "passed": 0, "failed": 0}
    assert facts.assignments_passed[0] == 0
    certificates = facts.certificates
    assert (certificates.issued, certificates.revoked) == (0, 0)
    assert certificates.eligible + certificates.not_eligible == 5


def test_certificate_counts_reuse_the_gathered_facts_and_match_the_certificates_list(built, make_user):
    """Eligibility is judged on the dashboard's own facts: the counts are those of the certificates list."""
    from lms.certificates import services as certificates
    from lms.extensions import db
    from lms.trainings.scope import participants
    from tests.trainings.factory import full_agenda

    admin = make_user(role="admin", email="admin-sertifikat@contoh.go.id")
    full_agenda(built, admin)  # a certificate claims the agenda's JP
    people = participants(built)
    for user in people[:3]:
        certificates.set_override(built, user, "Diputuskan panitia untuk pengujian.", admin)
    early = "Penerbitan lebih awal untuk pengujian angka dasbor."
    kept = certificates.issue_for(built, people[0].id, admin, NOW, early_reason=early)
    lost = certificates.issue_for(built, people[1].id, admin, NOW, early_reason=early)
    certificates.revoke(lost, "Dicabut untuk pengujian angka dasbor.", admin, NOW)
    db.session.commit()
    assert kept.status == "valid"

    rows = certificates.eligibility_table(built, NOW)
    expected = tf.CertificateCounts(sum(1 for r in rows if r.certificate is not None),
                                    sum(1 for r in rows if r.certificate is None and r.revoked is not None),
                                    sum(1 for r in rows if r.may_issue),
                                    sum(1 for r in rows if r.certificate is None and not r.may_issue))
    counted = tf.training_facts(built, NOW, admin).certificates
    assert counted == expected
    assert (counted.issued, counted.revoked) == (1, 1)
    assert counted.eligible >= 2  # the revoked holder and the third overridden participant


def test_evaluations_are_listed_without_answers(facts):
    assert facts.evaluations and all(t.responses == 0 for t in facts.evaluations)
    assert facts.satisfaction is None


def test_a_training_with_nothing_yet(app, make_user):
    from tests.conftest import create_training

    training = create_training("bimtek-kosong")
    facts = tf.training_facts(training, NOW, make_user(role="admin", email="a-kosong@contoh.go.id"))
    assert (facts.participants, facts.sessions, facts.bins, facts.mean_attendance) == (0, [], [], None)
    assert facts.scores.pairs == [] and facts.scores.mean_gain is None and not facts.scores.has_posttest
    assert facts.agencies == [] and facts.courses == [] and facts.certificates.issued == 0


def test_the_number_of_queries_does_not_grow_with_participants(built, make_user, count_queries):
    from tests.trainings.factory import bulk_enroll, bulk_participants

    admin = make_user(role="admin", email="admin-hitung@contoh.go.id")
    tf.training_facts(built, NOW, admin)
    with count_queries() as small:
        tf.training_facts(built, NOW, admin)
    bulk_enroll(built, bulk_participants(60, prefix="Tambahan"))
    with count_queries() as large:
        grown = tf.training_facts(built, NOW, admin)
    assert grown.participants == 65
    assert large.count == small.count, (small.count, large.count)
