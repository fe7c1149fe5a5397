"""Who may receive a certificate, criterion by criterion: pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from lms.numbers import percent_text as _percent


@dataclass(frozen=True)
class Rules:
    min_attendance_percent: int
    require_posttest_pass: bool
    require_courses_complete: bool
    has_posttest: bool
    course_titles: dict[int, str]
    # The required assignments the training gives (id -> title): each must be passed (Lulus).
    assignment_titles: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    attendance_percent: Fraction
    posttest_percent: Fraction | None
    posttest_passed: bool | None
    completed_course_ids: frozenset[int]
    # The participant's status of each required assignment ("passed", "revision_requested", ...; absent: missing).
    assignment_statuses: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    value: str
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Verdict:
    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        return all(c.ok for c in self.criteria)

    @property
    def reasons(self) -> list[str]:
        return [c.reason for c in self.criteria if not c.ok]


def judge(rules: Rules, facts: Facts) -> Verdict:
    """Return each rule of the training with the participant's value and whether it is met."""
    criteria = [_attendance(rules, facts)]
    if _posttest_applies(rules):
        criteria.append(_posttest(facts))
    if _courses_apply(rules):
        criteria.append(_courses(rules, facts))
    if rules.assignment_titles:
        criteria.append(_assignments(rules, facts))
    return Verdict(tuple(criteria))


def eligible(rules: Rules, facts: Facts) -> bool:
    """Return judge(rules, facts).eligible without writing any criterion's text (the page's counts)."""
    return (_attendance_ok(rules, facts)
            and (not _posttest_applies(rules) or _posttest_ok(facts))
            and (not _courses_apply(rules) or not _missing_courses(rules, facts))
            and (not rules.assignment_titles or not _missing_assignments(rules, facts)))


def _posttest_applies(rules: Rules) -> bool:
    return rules.require_posttest_pass and rules.has_posttest


def _courses_apply(rules: Rules) -> bool:
    return rules.require_courses_complete and bool(rules.course_titles)


def _attendance_ok(rules: Rules, facts: Facts) -> bool:
    return facts.attendance_percent >= rules.min_attendance_percent


def _posttest_ok(facts: Facts) -> bool:
    return facts.posttest_percent is not None and bool(facts.posttest_passed)


def _missing_courses(rules: Rules, facts: Facts) -> list[int]:
    return [cid for cid in rules.course_titles if cid not in facts.completed_course_ids]


def _missing_assignments(rules: Rules, facts: Facts) -> list[int]:
    return [aid for aid in rules.assignment_titles if facts.assignment_statuses.get(aid, "missing") != "passed"]


def _attendance(rules: Rules, facts: Facts) -> Criterion:
    ok = _attendance_ok(rules, facts)
    return Criterion("attendance", "Kehadiran", _percent(facts.attendance_percent), ok,
                     "" if ok else f"Kehadiran {_percent(facts.attendance_percent)}, kurang dari minimal "
                                   f"{rules.min_attendance_percent}%.")


def _posttest(facts: Facts) -> Criterion:
    if facts.posttest_percent is None:
        return Criterion("posttest", "Post-test", "belum dikerjakan", False, "Belum mengerjakan post-test.")
    ok = _posttest_ok(facts)
    return Criterion("posttest", "Post-test", _percent(facts.posttest_percent), ok,
                     "" if ok else f"Nilai post-test {_percent(facts.posttest_percent)} belum lulus.")


def _courses(rules: Rules, facts: Facts) -> Criterion:
    missing = [rules.course_titles[cid] for cid in _missing_courses(rules, facts)]
    done = len(rules.course_titles) - len(missing)
    return Criterion("courses", "Modul", f"{done}/{len(rules.course_titles)} selesai", not missing,
                     "" if not missing else "Modul belum selesai: " + ", ".join(missing) + ".")


ASSIGNMENT_STATES = {"missing": "belum dikumpulkan", "draft": "belum dikumpulkan", "withdrawn": "ditarik",
                     "submitted": "menunggu penilaian", "resubmitted": "menunggu penilaian",
                     "in_review": "sedang dinilai", "revision_requested": "perlu revisi", "failed": "belum lulus"}


def _assignments(rules: Rules, facts: Facts) -> Criterion:
    status = {aid: facts.assignment_statuses.get(aid, "missing") for aid in rules.assignment_titles}
    missing = [f"{rules.assignment_titles[aid]} ({ASSIGNMENT_STATES.get(status[aid], status[aid])})"
               for aid in _missing_assignments(rules, facts)]
    done = len(rules.assignment_titles) - len(missing)
    return Criterion("assignments", "Tugas wajib", f"{done}/{len(rules.assignment_titles)} lulus", not missing,
                     "" if not missing else "Tugas wajib belum lulus: " + ", ".join(missing) + ".")


def parse_bands(text: str) -> list[tuple[Fraction, str]]:
    """Read predikat bands written as "90=Sangat Baik; 80=Baik; 70=Cukup" (highest first)."""
    bands = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        low, sep, label = part.partition("=")
        try:
            value = Fraction(low.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"Batas predikat \"{low.strip()}\" bukan angka.") from None
        if not sep or not label.strip() or not 0 <= value <= 100:
            raise ValueError(f"Tulis setiap predikat sebagai nilai=label, mis. 90=Sangat Baik (salah: \"{part}\").")
        bands.append((value, label.strip()))
    return sorted(bands, key=lambda b: b[0], reverse=True)


def default_bands(pass_mark: Fraction) -> list[tuple[Fraction, str]]:
    """Return bands starting at the post-test's pass mark."""
    top, good = max(Fraction(90), pass_mark), max(Fraction(80), pass_mark)
    bands = [(top, "Sangat Baik"), (good, "Baik"), (pass_mark, "Cukup")]
    unique: dict[Fraction, str] = {}
    for low, label in bands:
        unique.setdefault(low, label)
    return sorted(unique.items(), reverse=True)


def predikat(score: Fraction | None, bands: Sequence[tuple[Fraction, str]]) -> str | None:
    if score is None:
        return None
    return next((label for low, label in bands if score >= low), None)
