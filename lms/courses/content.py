"""Read course folders (course.toml + ordered Markdown lessons): pure, no Flask, no database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

from lms.contentfiles import SLUG, ContentError, key_line, parse_toml, unknown_keys

# "tugas": the course's assignments, read by lms/assignments/content.py.
COURSE_KEYS = {"title", "summary", "jp", "order", "version", "lessons", "tugas"}
LESSON_KEYS = {"title", "minutes", "id"}
RESERVED_SLUGS = {"assets", "progress"}
# Markdown files of a course folder that are notes for authors, never lessons.
NOT_LESSONS = {"readme.md", "changelog.md"}
_NUMBERED = re.compile(r"^(\d+)-(.+)\.md$")
# Markdown link or image targets: ](target) or ](target "title").
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*([^)\s]+)((?:\s+\"[^\"]*\")?)\s*\)")
_FRONT = "+++"
# The only files a course's assets/ folder may hold, each served with this type (never sniffed).
# Images are shown in lessons; every other type is downloaded. SVG is refused whatever it holds:
# it can carry script that would run in the app's origin.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
DOWNLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".zip": "application/zip",
}
ASSET_TYPES = {**IMAGE_TYPES, **DOWNLOAD_TYPES}
_REFUSED_ASSETS = {".html": "halaman HTML", ".htm": "halaman HTML", ".xhtml": "halaman HTML",
                   ".svg": "gambar SVG", ".svgz": "gambar SVG"}


@dataclass(frozen=True)
class LessonDef:
    slug: str
    title: str
    minutes: int
    body: str
    position: int
    path: str
    content_hash: str

    @property
    def word_count(self) -> int:
        return len(self.body.split())


@dataclass(frozen=True)
class CourseDef:
    slug: str
    title: str
    summary: str
    jp: int
    order: int
    version: str
    lessons: tuple[LessonDef, ...]
    path: str
    content_hash: str


def find_course_dirs(root: Path) -> list[Path]:
    """Return the course folders below root (each holds a course.toml)."""
    return sorted(p.parent for p in root.glob("*/course.toml"))


def load_courses(root: Path) -> tuple[list[CourseDef], list[ContentError]]:
    """Read every course under root; return the valid ones and every error found."""
    courses: list[CourseDef] = []
    errors: list[ContentError] = []
    if not root.is_dir():
        return [], [ContentError(str(root), 0, "folder kursus tidak ada")]
    for folder in find_course_dirs(root):
        course, found = load_course(folder)
        errors.extend(found)
        if course is not None:
            courses.append(course)
    return sorted(courses, key=lambda c: (c.order, c.slug)), errors


def load_course(folder: Path) -> tuple[CourseDef | None, list[ContentError]]:
    """Read one course folder; return None with the errors when anything is wrong."""
    toml_path = folder / "course.toml"
    text = toml_path.read_text(encoding="utf-8")
    data, errors = parse_toml(text, str(toml_path))
    if data is None:
        return None, errors
    errors += _check_course_fields(folder, data, text, str(toml_path))
    files, order_errors = _lesson_files(folder, data, text, str(toml_path))
    errors += order_errors
    lessons: list[LessonDef] = []
    for position, path in enumerate(files, start=1):
        lesson, found = _load_lesson(path, position)
        errors += found
        if lesson:
            lessons.append(lesson)
    errors += _check_lesson_set(folder, lessons)
    errors += check_assets(folder)
    if errors:
        return None, errors
    lessons = [_rewrite_links(lesson, folder, lessons) for lesson in lessons]
    errors += [e for lesson in lessons for e in _check_links(lesson, folder)]
    if errors:
        return None, errors
    digest = hashlib.sha256(text.encode())
    for lesson in lessons:
        digest.update(lesson.content_hash.encode())
    return CourseDef(slug=folder.name, title=data["title"].strip(), summary=data.get("summary", "").strip(),
                     jp=data.get("jp", 0), order=data.get("order", 0), version=str(data.get("version", "1")),
                     lessons=tuple(lessons), path=str(folder), content_hash=digest.hexdigest()), []


def asset_type(name: str) -> str | None:
    """Return the type an asset of this name is served as, or None when it must not be served."""
    parts = PurePosixPath(name).parts
    if not parts or any(part.startswith(".") for part in parts):
        return None
    return ASSET_TYPES.get(PurePosixPath(name).suffix.lower())


def check_assets(folder: Path) -> list[ContentError]:
    """Refuse every file in the course's assets/ folder that is not an allowlisted type."""
    root = folder / "assets"
    if not root.is_dir():
        return []
    errors = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # .gitkeep and the like: never linked, never served
        if asset_type(relative) is None:
            errors.append(ContentError(str(path), 0, _asset_problem(path.suffix.lower())))
    return errors


def _asset_problem(suffix: str) -> str:
    allowed = ", ".join(sorted(ext.lstrip(".") for ext in ASSET_TYPES))
    if suffix in _REFUSED_ASSETS:
        return (f"{_REFUSED_ASSETS[suffix]} ({suffix}) tidak diizinkan di assets/: isinya dapat menjalankan "
                f"skrip di situs LMS. Ubah ke PDF atau gambar PNG/JPG. Jenis yang diizinkan: {allowed}")
    what = f"jenis berkas \"{suffix}\"" if suffix else "berkas tanpa ekstensi"
    return f"{what} tidak diizinkan di assets/. Jenis yang diizinkan: {allowed}"


def _check_course_fields(folder: Path, data: dict[str, Any], text: str, path: str) -> list[ContentError]:
    errors = unknown_keys(data, COURSE_KEYS, text, path)
    if not SLUG.match(folder.name):
        errors.append(ContentError(path, 0, f"nama folder \"{folder.name}\" harus huruf kecil, angka, "
                                             "dan tanda hubung"))
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        errors.append(ContentError(path, key_line(text, "title"), "\"title\" wajib diisi (teks)"))
    for key in ("jp", "order"):
        if key in data and (not isinstance(data[key], int) or data[key] < 0):
            errors.append(ContentError(path, key_line(text, key), f"\"{key}\" harus bilangan bulat ≥ 0"))
    if "summary" in data and not isinstance(data["summary"], str):
        errors.append(ContentError(path, key_line(text, "summary"), "\"summary\" harus teks"))
    return errors


def _lesson_files(folder: Path, data: dict[str, Any], text: str, path: str) -> tuple[list[Path], list[ContentError]]:
    present = sorted(p for p in folder.glob("*.md") if p.name.lower() not in NOT_LESSONS)
    if "lessons" not in data:
        unnumbered = [p for p in present if not _NUMBERED.match(p.name)]
        errors = [ContentError(str(p), 0, "nama berkas pelajaran harus diawali nomor urut "
                                          "(mis. 01-judul.md), atau cantumkan di \"lessons\"")
                  for p in unnumbered]
        numbered = sorted((p for p in present if _NUMBERED.match(p.name)),
                          key=lambda p: (int(_NUMBERED.match(p.name).group(1)), p.name))  # type: ignore[union-attr]
        return numbered, errors
    listed = data["lessons"]
    line = key_line(text, "lessons")
    if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
        return [], [ContentError(path, line, "\"lessons\" harus daftar nama berkas")]
    errors = [ContentError(path, line, f"pelajaran \"{name}\" tercantum tetapi berkasnya tidak ada")
              for name in listed if not (folder / name).is_file()]
    errors += [ContentError(str(p), 0, f"berkas ini tidak tercantum di \"lessons\" pada {path}")
               for p in present if p.name not in listed]
    return [folder / name for name in listed if (folder / name).is_file()], errors


def _split_front_matter(text: str, path: str) -> tuple[str | None, str, list[ContentError]]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FRONT:
        return None, text, [ContentError(path, 1, "pelajaran harus diawali front matter TOML di antara "
                                                  "baris +++ (title dan minutes)")]
    for index in range(1, len(lines)):
        if lines[index].strip() == _FRONT:
            return "".join(lines[1:index]), "".join(lines[index + 1:]), []
    return None, text, [ContentError(path, 1, "front matter tidak ditutup dengan baris +++")]


def _load_lesson(path: Path, position: int) -> tuple[LessonDef | None, list[ContentError]]:
    raw = path.read_text(encoding="utf-8")
    front, body, errors = _split_front_matter(raw, str(path))
    if front is None:
        return None, errors
    data, errors = parse_toml(front, str(path), line_offset=1)
    if data is None:
        return None, errors
    errors = unknown_keys(data, LESSON_KEYS, front, str(path), line_offset=1)
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        errors.append(ContentError(str(path), key_line(front, "title", line_offset=1), "\"title\" wajib diisi"))
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        errors.append(ContentError(str(path), key_line(front, "minutes", line_offset=1),
                                   "\"minutes\" wajib diisi dengan bilangan bulat > 0"))
    slug = data.get("id") or _slug_from_name(path.name)
    if not isinstance(slug, str) or not SLUG.match(slug) or slug in RESERVED_SLUGS:
        errors.append(ContentError(str(path), key_line(front, "id", line_offset=1) if "id" in data else 0,
                                   f"slug pelajaran \"{slug}\" tidak sah (huruf kecil, angka, tanda hubung; "
                                   f"bukan {', '.join(sorted(RESERVED_SLUGS))})"))
    if errors:
        return None, errors
    return LessonDef(slug=slug, title=data["title"].strip(), minutes=cast(int, minutes), body=body, position=position,
                     path=str(path), content_hash=hashlib.sha256(raw.encode()).hexdigest()), []


def _slug_from_name(name: str) -> str:
    match = _NUMBERED.match(name)
    return match.group(2) if match else name.removesuffix(".md")


def _check_lesson_set(folder: Path, lessons: list[LessonDef]) -> list[ContentError]:
    errors = []
    seen: dict[str, str] = {}
    for lesson in lessons:
        if lesson.slug in seen:
            errors.append(ContentError(lesson.path, 0, f"slug \"{lesson.slug}\" sudah dipakai {seen[lesson.slug]}"))
        seen[lesson.slug] = lesson.path
    if not lessons:
        errors.append(ContentError(str(folder / "course.toml"), 0, "kursus tidak memiliki pelajaran"))
    return errors


def _rewrite_links(lesson: LessonDef, folder: Path, lessons: list[LessonDef]) -> LessonDef:
    """Point links to sibling lesson files at the lesson's page, relative to it."""
    by_file = {Path(other.path).name: other.slug for other in lessons}

    def replace(match: re.Match[str]) -> str:
        bang, label, target, title = match.groups()
        name, _, anchor = target.partition("#")
        if not bang and name in by_file:
            target = by_file[name] + (f"#{anchor}" if anchor else "")
        return f"{bang}[{label}]({target}{title})"

    return LessonDef(**{**lesson.__dict__, "body": _LINK.sub(replace, lesson.body)})


def _check_links(lesson: LessonDef, folder: Path) -> list[ContentError]:
    errors = []
    slugs = {p.stem for p in folder.glob("*.md")}
    for number, line in enumerate(lesson.body.splitlines(), start=1):
        for bang, _, target, _ in _LINK.findall(line):
            problem = _link_problem(bang, target.partition("#")[0], folder, slugs)
            if problem:
                errors.append(ContentError(lesson.path, number + _front_lines(lesson.path), problem))
    return errors


def _front_lines(path: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == _FRONT), 0)


def _link_problem(bang: str, target: str, folder: Path, slugs: set[str]) -> str | None:
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        scheme = target.split(":", 1)[0].lower() if target else ""
        if scheme and scheme not in {"http", "https", "mailto"}:
            return f"tautan dengan skema \"{scheme}:\" tidak diizinkan"
        return None
    if bang:
        if not target.startswith("assets/") or not (folder / target).is_file():
            return f"gambar \"{target}\" tidak ditemukan (letakkan di folder assets/ kursus)"
        return None
    if target.endswith(".md"):
        return f"tautan ke \"{target}\" tidak menunjuk pelajaran yang ada di kursus ini"
    if target.startswith("assets/"):
        return None if (folder / target).is_file() else f"berkas \"{target}\" tidak ditemukan"
    return None
