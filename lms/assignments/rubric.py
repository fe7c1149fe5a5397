"""Rubrics: their rules and scoring by chosen levels: pure.

A rubric is a list of criteria, each {"id", "title", "description", "levels"}, each level
{"label", "points", "description"}, highest points first. The rubric's maximum is the sum of
each criterion's highest level; the definition states it (`max_points`) so that a level typed
wrong shows up as "does not add up" instead of silently changing the pass mark's meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (criterion and level index, None for the rubric itself) and why."""

    message: str
    criterion: int | None = None
    level: int | None = None
    key: str = ""


def maximum(criteria: Sequence[Mapping[str, Any]]) -> int:
    """Return the most points the rubric gives: each criterion's highest level, summed."""
    return sum(max((int(level["points"]) for level in c.get("levels") or []), default=0) for c in criteria)


def check(criteria: Sequence[Mapping[str, Any]], max_points: int | None, pass_points: int | None) -> list[Problem]:
    """Return every problem of a rubric with its stated maximum and pass mark (empty when sound)."""
    problems: list[Problem] = []
    if not criteria:
        return [Problem("Rubrik belum punya kriteria; tulis paling sedikit satu kriteria dengan levelnya.",
                        key="criteria")]
    seen: set[str] = set()
    for index, criterion in enumerate(criteria):
        problems += _criterion(index, criterion, seen)
    if problems:
        return problems
    total = maximum(criteria)
    if max_points is not None and total != max_points:
        parts = " + ".join(str(max(int(lv["points"]) for lv in c["levels"])) for c in criteria)
        problems.append(Problem(f"Level rubrik tidak berjumlah {max_points}: nilai tertinggi tiap kriteria "
                                f"{parts} = {total}. Perbaiki poin level atau max_points.", key="max_points"))
    if pass_points is not None and not 0 <= pass_points <= total:
        problems.append(Problem(f"Nilai lulus {pass_points} di luar rentang 0 sampai {total} (nilai maksimal "
                                "rubrik).", key="pass_points"))
    return problems


def _criterion(index: int, criterion: Mapping[str, Any], seen: set[str]) -> list[Problem]:
    number = index + 1
    problems = []
    cid = str(criterion.get("id") or "")
    if not SLUG.match(cid):
        problems.append(Problem(f"Kriteria ke-{number}: id \"{cid}\" harus huruf kecil, angka, dan tanda hubung.",
                                index, key="id"))
    elif cid in seen:
        problems.append(Problem(f"Kriteria ke-{number}: id \"{cid}\" dipakai dua kali.", index, key="id"))
    seen.add(cid)
    if not str(criterion.get("title") or "").strip():
        problems.append(Problem(f"Kriteria ke-{number}: judul (title) wajib diisi.", index, key="title"))
    levels = criterion.get("levels") or []
    if len(levels) < 2:
        problems.append(Problem(f"Kriteria ke-{number}: tulis paling sedikit dua level (mis. Baik dan Perlu "
                                "perbaikan).", index, key="levels"))
    points: list[int] = []
    for position, level in enumerate(levels):
        problems += _level(index, position, level, points)
    if len(points) == len(levels) and points != sorted(points, reverse=True):
        problems.append(Problem(f"Kriteria ke-{number}: urutkan level dari poin tertinggi ke terendah "
                                f"(sekarang {', '.join(map(str, points))}).", index, key="levels"))
    elif len(set(points)) != len(points):
        problems.append(Problem(f"Kriteria ke-{number}: dua level berpoin sama; setiap level perlu poin berbeda.",
                                index, key="levels"))
    return problems


def _level(index: int, position: int, level: Mapping[str, Any], points: list[int]) -> list[Problem]:
    where = f"Kriteria ke-{index + 1}, level ke-{position + 1}"
    problems = []
    if not str(level.get("label") or "").strip():
        problems.append(Problem(f"{where}: label wajib diisi.", index, position, "label"))
    value = level.get("points")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(Problem(f"{where}: poin harus bilangan bulat 0 atau lebih (sekarang {value!r}).",
                                index, position, "points"))
    else:
        points.append(value)
    return problems


@dataclass(frozen=True)
class Score:
    points: int
    maximum: int
    chosen: int  # how many criteria have a level chosen
    criteria: int

    @property
    def complete(self) -> bool:
        return self.chosen == self.criteria


def score(criteria: Sequence[Mapping[str, Any]], levels: Mapping[str, int]) -> Score:
    """Return the points of the chosen levels (criterion id -> level index); unchosen ones give 0."""
    points = chosen = 0
    for criterion in criteria:
        index = levels.get(str(criterion["id"]))
        if index is not None and 0 <= index < len(criterion["levels"]):
            points += int(criterion["levels"][index]["points"])
            chosen += 1
    return Score(points, maximum(criteria), chosen, len(criteria))


def check_levels(criteria: Sequence[Mapping[str, Any]], levels: Mapping[str, Any]) -> dict[str, int]:
    """Return the chosen levels as criterion id -> index, refusing unknown criteria or levels."""
    by_id = {str(c["id"]): c for c in criteria}
    clean: dict[str, int] = {}
    for cid, value in levels.items():
        criterion = by_id.get(str(cid))
        if criterion is None:
            raise ValueError(f"Kriteria \"{cid}\" tidak ada di rubrik tugas ini.")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(criterion["levels"]):
            raise ValueError(f"Level yang dipilih untuk kriteria \"{criterion['title']}\" tidak ada.")
        clean[str(cid)] = value
    return clean
