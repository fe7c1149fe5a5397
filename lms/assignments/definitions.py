"""An assignment's definition, from a content file or the web form, checked the same way: pure.

The keys are those of courses/README.md ("Assignments (tugas)"). Every problem names the key
(and criterion/level) it concerns, so the content loader can turn it into a file line and the
form into a field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import time
from typing import Any

from lms.assignments import rubric

KINDS = ("text", "images", "links", "pdf")
KEYS = {"id", "title", "instructions", "lesson", "hand_in", "max_images", "max_chars", "max_links", "due_day",
        "due_time", "accept_late", "revisions", "criteria", "max_points", "pass_points", "required",
        "opd_target"}
CRITERION_KEYS = {"id", "title", "description", "levels"}
LEVEL_KEYS = {"label", "points", "description"}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
LIMITS = {"max_images": 20, "max_chars": 20000, "max_links": 20, "revisions": 10, "due_day": 60, "opd_target": 50}


@dataclass(frozen=True)
class Problem:
    message: str
    key: str = ""
    criterion: int | None = None
    level: int | None = None


@dataclass
class AssignmentDef:
    slug: str
    title: str
    instructions: str = ""
    lesson_slug: str = ""
    accepts: list[str] = field(default_factory=list)
    max_images: int = 0
    max_chars: int = 0
    max_links: int = 0
    due_day: int | None = None
    due_time: time | None = None
    accept_late: bool = True
    max_revisions: int = 2
    rubric: list[dict[str, Any]] = field(default_factory=list)
    max_points: int = 0
    pass_points: int = 0
    required: bool = False
    opd_target: int | None = None
    course_slug: str | None = None
    position: int = 0
    line: int = 0  # where the definition starts in its file (0: the web form)
    path: str = ""

    @property
    def content_hash(self) -> str:
        data = asdict(self)
        for key in ("line", "path", "position"):
            data.pop(key)
        data["due_time"] = self.due_time.isoformat() if self.due_time else None
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parse(data: Mapping[str, Any]) -> tuple[AssignmentDef | None, list[Problem]]:
    """Return the definition from its keys (TOML or form), or None with every problem found."""
    problems: list[Problem] = []
    unknown = sorted(set(data) - KEYS)
    problems += [Problem(f"Kunci \"{key}\" tidak dikenal pada tugas.", key) for key in unknown]
    slug = str(data.get("id") or "")
    if not rubric.SLUG.match(slug):
        problems.append(Problem(f"id tugas \"{slug}\" harus huruf kecil, angka, dan tanda hubung "
                                "(mis. \"caption-kegiatan\").", "id"))
    title = _text(data, "title", problems, required=True)
    instructions, lesson = _text(data, "instructions", problems), _text(data, "lesson", problems)
    accepts = _kinds(data, problems)
    numbers = {key: _number(data, key, problems) for key in ("max_images", "max_chars", "max_links", "revisions",
                                                             "due_day", "opd_target", "max_points", "pass_points")}
    criteria = _criteria(data, problems)
    _check_limits(accepts, numbers, problems)
    if criteria is not None:
        problems += [Problem(p.message, p.key or "criteria", p.criterion, p.level)
                     for p in rubric.check(criteria, numbers["max_points"], numbers["pass_points"])]
    if "max_points" not in data:
        problems.append(Problem("max_points (nilai maksimal rubrik) wajib diisi.", "max_points"))
    if "pass_points" not in data:
        problems.append(Problem("pass_points (nilai lulus) wajib diisi.", "pass_points"))
    due_time = _due_time(data, problems)
    flags = {key: _flag(data, key, default, problems)
             for key, default in (("accept_late", True), ("required", False))}
    if problems:
        return None, problems
    return AssignmentDef(
        slug=slug, title=title, instructions=instructions, lesson_slug=lesson, accepts=accepts,
        max_images=numbers["max_images"] or 0, max_chars=numbers["max_chars"] or 0,
        max_links=numbers["max_links"] or 0, due_day=numbers["due_day"], due_time=due_time,
        accept_late=flags["accept_late"], max_revisions=2 if numbers["revisions"] is None else numbers["revisions"],
        rubric=criteria or [], max_points=numbers["max_points"] or 0, pass_points=numbers["pass_points"] or 0,
        required=flags["required"], opd_target=numbers["opd_target"]), []


def _text(data: Mapping[str, Any], key: str, problems: list[Problem], required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        problems.append(Problem(f"{key} harus berupa teks.", key))
        return ""
    if required and not value.strip():
        problems.append(Problem(f"{key} wajib diisi.", key))
    return value.strip()


def _kinds(data: Mapping[str, Any], problems: list[Problem]) -> list[str]:
    value = data.get("hand_in")
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(Problem("hand_in wajib berupa daftar yang dikumpulkan: \"text\", \"images\", \"links\", "
                                "\"pdf\" (satu atau lebih).", "hand_in"))
        return []
    wrong = [v for v in value if v not in KINDS]
    if wrong:
        problems.append(Problem(f"hand_in: \"{wrong[0]}\" tidak dikenal; pilih dari text, images, links, pdf.",
                                "hand_in"))
    return [k for k in KINDS if k in value]


def _number(data: Mapping[str, Any], key: str, problems: list[Problem]) -> int | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(Problem(f"{key} harus bilangan bulat 0 atau lebih (sekarang {value!r}).", key))
        return None
    if key in LIMITS and value > LIMITS[key]:
        problems.append(Problem(f"{key} paling besar {LIMITS[key]} (sekarang {value}).", key))
        return None
    return value


def _flag(data: Mapping[str, Any], key: str, default: bool, problems: list[Problem]) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        problems.append(Problem(f"{key} harus true atau false.", key))
        return default
    return value


def _check_limits(accepts: list[str], numbers: dict[str, int | None], problems: list[Problem]) -> None:
    for kind, key in (("images", "max_images"), ("text", "max_chars"), ("links", "max_links")):
        if kind in accepts and not numbers[key]:
            problems.append(Problem(f"{key} wajib diisi (lebih dari 0) karena hand_in memuat \"{kind}\".", key))
    if numbers["due_day"] == 0:
        problems.append(Problem("due_day dihitung dari 1 (hari pertama kegiatan).", "due_day"))
    if numbers["opd_target"] is not None and "links" not in accepts:
        problems.append(Problem("opd_target menghitung tautan unggahan: tambahkan \"links\" ke hand_in.",
                                "opd_target"))


def _due_time(data: Mapping[str, Any], problems: list[Problem]) -> time | None:
    if "due_time" not in data:
        return None
    value = data["due_time"]
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _TIME.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        problems.append(Problem(f"due_time \"{value}\" harus jam:menit, mis. \"16:00\".", "due_time"))
        return None
    if "due_day" not in data:
        problems.append(Problem("due_time perlu due_day (hari ke berapa kegiatan).", "due_time"))
    return time(int(match.group(1)), int(match.group(2)))


def _criteria(data: Mapping[str, Any], problems: list[Problem]) -> list[dict[str, Any]] | None:
    value = data.get("criteria")
    if not isinstance(value, list) or not all(isinstance(c, Mapping) for c in value):
        problems.append(Problem("Rubrik wajib ditulis sebagai [[tugas.criteria]] dengan levelnya.", "criteria"))
        return None
    criteria = []
    for index, item in enumerate(value):
        problems += [Problem(f"Kriteria ke-{index + 1}: kunci \"{key}\" tidak dikenal.", key, index)
                     for key in sorted(set(item) - CRITERION_KEYS)]
        levels = item.get("levels") if isinstance(item.get("levels"), list) else []
        clean_levels = []
        for position, level in enumerate(levels):
            if not isinstance(level, Mapping):
                continue
            problems += [Problem(f"Kriteria ke-{index + 1}, level ke-{position + 1}: kunci \"{key}\" tidak dikenal.",
                                 key, index, position) for key in sorted(set(level) - LEVEL_KEYS)]
            clean_levels.append({"label": str(level.get("label") or "").strip(), "points": level.get("points"),
                                 "description": str(level.get("description") or "").strip()})
        criteria.append({"id": str(item.get("id") or ""), "title": str(item.get("title") or "").strip(),
                         "description": str(item.get("description") or "").strip(), "levels": clean_levels})
    return criteria
