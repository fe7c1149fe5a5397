"""The form of a training's own assignment: the fields of a content file's [[tugas]], rubric rows included.

The form only gathers text; `definition_of` turns it into the keys of courses/README.md and
hands them to `definitions.parse`, the check the content files go through, so the web and the
files share one rule set. Each problem comes back on the field it names, in the form's words.
The rubric editor works without JavaScript: a fixed number of blank rows, and buttons that add
or remove rows by posting the form back (nothing is saved until "Simpan").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms.assignments import definitions
from lms.assignments.definitions import LIMITS, AssignmentDef, Problem
from lms.assignments.manage import slugify
from lms.assignments.models import KINDS, Assignment
from lms.dates import format_date, input_time, zone_label
from lms.forms import INDONESIAN, Form, Indonesian
from lms.trainings.models import Training

BLANK_CRITERIA = 1  # blank criterion rows below the written ones
BLANK_LEVELS = 1  # blank level rows below each criterion's written ones
NEW_LEVELS = 3  # levels of a blank criterion
NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}

# The content files' keys in the form's words, for the messages of definitions.parse.
LABELS = {
    "title": "Judul tugas", "instructions": "Petunjuk", "lesson": "Pelajaran yang dilatih",
    "hand_in": "Yang dikumpulkan", "max_images": "Jumlah foto paling banyak",
    "max_chars": "Jumlah karakter teks paling banyak", "max_links": "Jumlah tautan paling banyak",
    "due_day": "Hari batas waktu", "due_time": "Jam batas waktu", "accept_late": "Terima terlambat",
    "revisions": "Revisi paling banyak", "max_points": "Nilai maksimal", "pass_points": "Nilai lulus",
    "required": "Wajib untuk sertifikat", "opd_target": "Target unggahan per OPD", "criteria": "Rubrik",
}
# Which form field shows a problem of each key (the slug is made from the title).
FIELDS = {**{key: key for key in LABELS}, "id": "title", "max_points": "pass_points"}
_KEY_WORDS = re.compile(r"\b(" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\b( \([^)]*\))?")
_KIND_WORDS = re.compile(r"\"(" + "|".join(KINDS) + r")\"")


class _Part(PlainForm):
    """A row of the rubric: no CSRF token of its own (the outer form has one), Indonesian messages."""

    class Meta:
        def get_translations(self, form: Any) -> Indonesian:
            return INDONESIAN


class LevelForm(_Part):
    label = StringField("Label tingkat", [Length(max=80)])
    points = StringField("Poin", [Length(max=10)], render_kw=NUMBER)
    description = StringField("Keterangan tingkat", [Length(max=500)])


class CriterionForm(_Part):
    id = HiddenField()
    title = StringField("Nama kriteria", [Length(max=200)])
    description = StringField("Keterangan kriteria", [Length(max=500)])
    levels = FieldList(FormField(LevelForm))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(Form):
    title = StringField("Judul tugas", [Length(max=200)])
    instructions = TextAreaField("Petunjuk (Markdown)", [Length(max=20000)], render_kw={"rows": 8},
                                 description="Tebal: **teks**, daftar: baris diawali \"- \". Tekan \"Pratinjau\" "
                                             "untuk melihat hasilnya.")
    lesson = SelectField("Pelajaran yang dilatih", choices=[], default="")
    hand_in = CheckboxesField("Yang dikumpulkan", choices=[SelectChoice(k, v) for k, v in KINDS.items()])
    max_images = StringField("Jumlah foto paling banyak", [Length(max=10)], render_kw=NUMBER)
    max_chars = StringField("Jumlah karakter teks paling banyak", [Length(max=10)], render_kw=NUMBER,
                            description="Instagram: 2.200 karakter.")
    max_links = StringField("Jumlah tautan paling banyak", [Length(max=10)], render_kw=NUMBER)
    due_day = SelectField("Batas waktu", choices=[], default="")
    due_time = StringField("Jam batas waktu", [Length(max=10)], render_kw={"type": "time"})
    accept_late = BooleanField("Terima pengumpulan terlambat (ditandai terlambat)", default=True)
    revisions = StringField("Revisi paling banyak", [Length(max=10)], render_kw=NUMBER, default="2")
    pass_points = StringField("Nilai lulus", [Length(max=10)], render_kw=NUMBER)
    required = BooleanField("Wajib lulus untuk sertifikat")
    opd_target = StringField("Target unggahan per OPD", [Length(max=10)], render_kw=NUMBER,
                             description="Jumlah tautan unggahan yang dihitung per OPD (mis. 2). Kosongkan bila "
                                         "tidak dihitung; perlu \"Tautan unggahan\" di atas.")
    criteria = FieldList(FormField(CriterionForm))


def day_choices(training: Training, chosen: int | None = None) -> list[SelectChoice]:
    """Return "" (no due time) and each day of the training with its date; a stored day past the end too."""
    days = min((training.end_date - training.start_date).days + 1, LIMITS["due_day"])
    choices = [SelectChoice("", "Tanpa batas waktu")]
    choices += [SelectChoice(str(n), f"Hari ke-{n} "
                             f"({format_date(training.start_date + timedelta(days=n - 1), with_day=True)})")
                for n in range(1, days + 1)]
    if chosen is not None and chosen > days:
        choices.append(SelectChoice(str(chosen), f"Hari ke-{chosen} (setelah kegiatan selesai: dihitung hari "
                                    "terakhir)"))
    return choices


def make_form(training: Training, lessons: list[tuple[str, str]], assignment: Assignment | None,
              formdata: Any = None, blank_rows: bool = True) -> AssignmentForm:
    """Return the form filled from the request, else from the assignment (or empty), with its choices."""
    data = initial(assignment) if assignment is not None and formdata is None else None
    form = AssignmentForm(formdata=formdata, data=data)
    form.lesson.choices = [SelectChoice("", "Tidak terkait pelajaran tertentu"),
                           *[SelectChoice(value, label) for value, label in lessons]]
    stored = initial(assignment)["lesson"] if assignment is not None else ""
    if stored and stored not in {value for value, _ in lessons}:
        # Its course was unlinked or the lesson retired: shown as it is, so the form still opens and saves.
        form.lesson.choices.append(SelectChoice(stored, f"{stored} (tidak lagi di modul kegiatan ini)"))
    form.due_day.choices = day_choices(training, assignment.due_day if assignment else None)
    form.due_time.description = (f"Dalam zona waktu kegiatan ({zone_label(training.time_zone)}). Kosongkan untuk "
                                 "akhir hari (23.59).")
    if formdata is None and blank_rows:
        add_blank_rows(form)
    return form


def initial(assignment: Assignment) -> dict[str, Any]:
    """Return the form's data from a stored assignment."""
    lesson = (f"{assignment.course_slug}/{assignment.lesson_slug}"
              if assignment.lesson_slug and assignment.course_slug else "")
    number = {key: "" if value is None else str(value) for key, value in (
        ("max_images", assignment.max_images or None), ("max_chars", assignment.max_chars or None),
        ("max_links", assignment.max_links or None), ("revisions", assignment.max_revisions),
        ("pass_points", assignment.pass_points), ("opd_target", assignment.opd_target))}
    criteria = [{"id": c["id"], "title": c["title"], "description": c.get("description", ""),
                 "levels": [{"label": lv["label"], "points": str(lv["points"]),
                             "description": lv.get("description", "")} for lv in c["levels"]]}
                for c in assignment.rubric]
    return {"title": assignment.title, "instructions": assignment.instructions, "lesson": lesson,
            "hand_in": list(assignment.accepts),
            "due_day": "" if assignment.due_day is None else str(assignment.due_day),
            "due_time": input_time(assignment.due_time) if assignment.due_time else "",
            "accept_late": assignment.accept_late, "required": assignment.required, "criteria": criteria, **number}


def add_blank_rows(form: AssignmentForm) -> None:
    """Give each criterion a blank level row and the rubric a blank criterion (with its blank levels)."""
    for entry in form.criteria.entries:
        for _ in range(BLANK_LEVELS):
            entry.form.levels.append_entry()
    for _ in range(BLANK_CRITERIA if form.criteria.entries else 2):
        add_criterion(form)


def add_criterion(form: AssignmentForm) -> None:
    entry = form.criteria.append_entry()
    for _ in range(NEW_LEVELS):
        entry.form.levels.append_entry()


def edit_rows(form: AssignmentForm, action: str) -> bool:
    """Apply a rubric button ("add-criterion", "add-level-<i>", "remove-criterion-<i>", "remove-level-<i>-<j>").

    Returns False for any other action. Indexes count the rows as shown.
    """
    if action == "add-criterion":
        add_criterion(form)
        return True
    numbers = [int(n) for n in re.findall(r"\d+", action)]
    entries = form.criteria.entries
    if action.startswith("add-level-") and len(numbers) == 1 and numbers[0] < len(entries):
        entries[numbers[0]].form.levels.append_entry()
        return True
    if action.startswith("remove-criterion-") and len(numbers) == 1 and numbers[0] < len(entries):
        entries.pop(numbers[0])
        return True
    if action.startswith("remove-level-") and len(numbers) == 2 and numbers[0] < len(entries):
        levels = entries[numbers[0]].form.levels.entries
        if numbers[1] < len(levels):
            levels.pop(numbers[1])
            return True
    return False


# ---------------------------------------------------------------- the form as a definition


@dataclass
class Where:
    """Which form row each criterion and level that reached definitions.parse came from."""

    criteria: list[int] = field(default_factory=list)
    levels: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def _number(text: str | None) -> int | str | None:
    """Return a typed number as an int, a blank as None, anything else as typed (parse names it)."""
    value = (text or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def _blank(*values: str | None) -> bool:
    return not any((v or "").strip() for v in values)


def rubric_rows(form: AssignmentForm) -> tuple[list[dict[str, Any]], Where]:
    """Return the written criteria (blank rows dropped) with ids, and where each came from."""
    where = Where()
    criteria: list[dict[str, Any]] = []
    ids: set[str] = set()
    for row, entry in enumerate(form.criteria.entries):
        part = entry.form
        levels: list[dict[str, Any]] = []
        for level_row, level in enumerate(part.levels.entries):
            values = level.form
            if _blank(values.label.data, values.points.data, values.description.data):
                continue
            where.levels[(len(criteria), len(levels))] = (row, level_row)
            levels.append({"label": values.label.data or "", "points": _number(values.points.data),
                           "description": values.description.data or ""})
        if _blank(part.title.data, part.description.data) and not levels:
            continue
        cid = (part.id.data or "").strip() or slugify(part.title.data or "", f"kriteria-{len(criteria) + 1}")
        base, n = cid, 2
        while cid in ids:
            cid, n = f"{base}-{n}", n + 1
        ids.add(cid)
        where.criteria.append(row)
        criteria.append({"id": cid, "title": part.title.data or "", "description": part.description.data or "",
                         "levels": levels})
    return criteria, where


def maximum_of(criteria: list[dict[str, Any]]) -> int:
    """The rubric's maximum from the levels typed as numbers (the others are reported by the rubric check)."""
    return sum(max((lv["points"] for lv in c["levels"] if isinstance(lv["points"], int)), default=0)
               for c in criteria)


def definition_of(form: AssignmentForm, slug: str) -> tuple[AssignmentDef | None, list[Problem], Where]:
    """Return the form's definition checked by definitions.parse, or its problems, and the rows' origins."""
    criteria, where = rubric_rows(form)
    course, _, lesson = (form.lesson.data or "").partition("/")
    data: dict[str, Any] = {"id": slug, "title": form.title.data or "", "instructions": form.instructions.data or "",
                            "lesson": lesson, "hand_in": list(form.hand_in.data or []),
                            "accept_late": bool(form.accept_late.data), "required": bool(form.required.data),
                            "criteria": criteria, "max_points": maximum_of(criteria)}
    for key in ("max_images", "max_chars", "max_links", "revisions", "pass_points", "opd_target", "due_day"):
        value = _number(getattr(form, key).data)
        if value is not None:
            data[key] = value
    if (form.due_time.data or "").strip():
        data["due_time"] = form.due_time.data.strip()
    definition, problems = definitions.parse(data)
    if definition is not None:
        definition.course_slug = course or None
    return definition, problems, where


def in_words(message: str) -> str:
    """Return a message of definitions.parse with the file's keys in the form's words."""
    message = _KIND_WORDS.sub(lambda m: f"\"{KINDS[m.group(1)]}\"", message)
    return _KEY_WORDS.sub(lambda m: LABELS[m.group(1)], message)


@dataclass
class Shown:
    """Every problem of one submit: on its field, on its criterion's box, on the rubric, and all in a list."""

    messages: list[str] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    criteria: dict[int, list[str]] = field(default_factory=dict)


_ROW_WORDS = re.compile(r"Kriteria ke-(\d+)(?:, level ke-(\d+))?")


def _row_words(message: str, where: Where) -> str:
    """Name a criterion and level by their rows as shown ("Kriteria 2, tingkat 3"), and in the form's words."""
    def name(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        row = where.criteria[index] if index < len(where.criteria) else index
        if match.group(2) is None:
            return f"Kriteria {row + 1}"
        level_row = where.levels.get((index, int(match.group(2)) - 1), (row, int(match.group(2)) - 1))[1]
        return f"Kriteria {row + 1}, tingkat {level_row + 1}"

    message = _ROW_WORDS.sub(name, message).replace("judul (title)", "nama kriteria")
    return re.sub(r"\blevel\b", "tingkat", message)


def show_problems(form: AssignmentForm, problems: list[Problem], where: Where) -> Shown:
    """Put each problem on the field it names (a rubric row's own field, where it has one); list them all."""
    shown = Shown()
    for problem in problems:
        in_rubric = problem.criterion is not None and problem.criterion < len(where.criteria)
        message = _row_words(problem.message, where) if in_rubric else in_words(problem.message)
        if problem.key == "pass_points" and "wajib diisi" in message:
            message = "Nilai lulus wajib diisi."
        elif problem.key == "hand_in" and "wajib berupa daftar" in message:
            message = ("Yang dikumpulkan: pilih paling sedikit satu (teks, foto/gambar, tautan unggahan, atau "
                       "berkas PDF).")
        target = _field_of(form, problem, where)
        if target is not None:
            target.errors = [*target.errors, message]
        elif in_rubric and problem.criterion is not None:
            shown.criteria.setdefault(where.criteria[problem.criterion], []).append(message)
        else:
            shown.rubric.append(message)
        shown.messages.append(message)
    return shown


def own_errors(form: AssignmentForm) -> list[str]:
    """Return the form's own field errors (lengths, choices) as messages naming their field and row."""
    messages = [e if f.name == "csrf_token" else f"{f.label.text}: {e}"
                for f in form if f.name != "criteria" for e in f.errors]
    for row, entry in enumerate(form.criteria.entries):
        part = entry.form
        messages += [f"Kriteria {row + 1}, {f.label.text.lower()}: {e}" for f in (part.title, part.description)
                     for e in f.errors]
        for level_row, level in enumerate(part.levels.entries):
            messages += [f"Kriteria {row + 1}, tingkat {level_row + 1}, {f.label.text.lower()}: {e}"
                         for f in level.form if f.errors for e in f.errors]
    return messages


def _field_of(form: AssignmentForm, problem: Problem, where: Where) -> Any:
    if problem.criterion is None or problem.criterion >= len(where.criteria):
        name = FIELDS.get(problem.key, "criteria")
        return None if name == "criteria" else getattr(form, name, None)
    part = form.criteria.entries[where.criteria[problem.criterion]].form
    if problem.level is not None and (problem.criterion, problem.level) in where.levels:
        _, level_row = where.levels[(problem.criterion, problem.level)]
        level = part.levels.entries[level_row].form
        return getattr(level, problem.key, None) or level.label
    return {"title": part.title, "id": part.title, "description": part.description}.get(problem.key)
