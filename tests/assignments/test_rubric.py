"""Rubric rules and scoring by chosen levels; definitions parsed with every problem named."""

from __future__ import annotations

import copy

import pytest

from lms.assignments import definitions, rubric
from tests.assignments.conftest import DEFINITION

CRITERIA = DEFINITION["criteria"]


def _criteria():
    return copy.deepcopy(CRITERIA)


@pytest.mark.parametrize(("levels", "points", "complete"), [
    ({}, 0, False),
    ({"unsur": 0}, 6, False),
    ({"unsur": 0, "ejaan": 0}, 10, True),
    ({"unsur": 1, "ejaan": 1}, 4, True),
    ({"unsur": 2, "ejaan": 1}, 1, True),
])
def test_score(levels, points, complete):
    result = rubric.score(CRITERIA, levels)
    assert (result.points, result.maximum, result.complete) == (points, 10, complete)


def test_a_sound_rubric_has_no_problem():
    assert rubric.check(CRITERIA, 10, 7) == []


def test_levels_that_do_not_add_up():
    problems = rubric.check(CRITERIA, 12, 7)
    assert [p.message for p in problems] == [
        "Level rubrik tidak berjumlah 12: nilai tertinggi tiap kriteria 6 + 4 = 10. Perbaiki poin level atau "
        "max_points."]


@pytest.mark.parametrize(("change", "message"), [
    (lambda c: c[0]["levels"].reverse(), "urutkan level dari poin tertinggi ke terendah (sekarang 0, 3, 6)"),
    (lambda c: c[1]["levels"][1].update(points=4), "dua level berpoin sama"),
    (lambda c: c[1]["levels"][1].update(points=-1), "poin harus bilangan bulat 0 atau lebih"),
    (lambda c: c[1]["levels"][1].update(points=1.5), "poin harus bilangan bulat 0 atau lebih"),
    (lambda c: c[1].update(levels=c[1]["levels"][:1]), "paling sedikit dua level"),
    (lambda c: c[1].update(id="unsur"), "dipakai dua kali"),
    (lambda c: c[1].update(id="Ejaan Baku"), "harus huruf kecil"),
    (lambda c: c[0]["levels"][0].update(label=""), "level ke-1: label wajib diisi"),
])
def test_broken_rubrics(change, message):
    criteria = _criteria()
    change(criteria)
    assert any(message in p.message for p in rubric.check(criteria, None, None))


def test_a_pass_mark_above_the_maximum():
    assert "Nilai lulus 11 di luar rentang 0 sampai 10" in rubric.check(CRITERIA, 10, 11)[0].message


def test_chosen_levels_are_checked():
    assert rubric.check_levels(CRITERIA, {"unsur": 2}) == {"unsur": 2}
    with pytest.raises(ValueError, match="tidak ada di rubrik"):
        rubric.check_levels(CRITERIA, {"lain": 0})
    with pytest.raises(ValueError, match="Level yang dipilih untuk kriteria \"Ejaan\" tidak ada"):
        rubric.check_levels(CRITERIA, {"ejaan": 2})


def test_a_definition_parses():
    definition, problems = definitions.parse(DEFINITION)
    assert problems == []
    assert definition is not None
    assert (definition.slug, definition.accepts, definition.max_revisions, definition.due_day,
            definition.pass_points) == ("caption-kegiatan", ["text", "images", "links"], 1, 2, 7)


@pytest.mark.parametrize(("change", "key", "message"), [
    ({"hand_in": ["video"]}, "hand_in", "\"video\" tidak dikenal"),
    ({"hand_in": []}, "hand_in", "hand_in wajib"),
    ({"max_images": 0}, "max_images", "max_images wajib diisi"),
    ({"due_time": "25:00"}, "due_time", "harus jam:menit"),
    ({"due_day": 0}, "due_day", "dihitung dari 1"),
    ({"id": "Caption 1"}, "id", "harus huruf kecil"),
    ({"title": ""}, "title", "title wajib diisi"),
    ({"typo": 1}, "typo", "Kunci \"typo\" tidak dikenal"),
    ({"accept_late": "ya"}, "accept_late", "true atau false"),
    ({"max_points": 9}, "max_points", "tidak berjumlah 9"),
    ({"hand_in": ["text"], "max_images": 0, "max_links": 0}, "opd_target", "tambahkan \"links\""),
])
def test_definition_problems_name_their_key(change, key, message):
    definition, problems = definitions.parse({**DEFINITION, **change})
    assert definition is None
    assert any(p.key == key and message in p.message for p in problems), problems
