"""Read course folders (course.toml + ordered Markdown lessons): pure, no Flask, no database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, cast

from lms.contentfiles import SLUG, ContentError, key_line, parse_toml, unknown_keys
from lms.courses.svgcheck import svg_problem

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
# Images are shown in lessons; every other type is downloaded. An SVG must be a plain drawing
# (lms/courses/svgcheck.py): one carrying script, handlers or outside references is refused.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml"}
# A lesson is read on a phone, often on metered data: no image above this size.
IMAGE_MAX_BYTES = 150 * 1024
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
                   ".svgz": "gambar SVG terkompresi"}


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
    for name, content in asset_digests(folder):  # a changed download changes its size label
        digest.update(f"{name}\0{content}".encode())
    return CourseDef(slug=folder.name, title=data["title"].strip(), summary=data.get("summary", "").strip(),
                     jp=data.get("jp", 0), order=data.get("order", 0), version=str(data.get("version", "1")),
                     lessons=tuple(lessons), path=str(folder), content_hash=digest.hexdigest()), []


def asset_type(name: str) -> str | None:
    """Return the type an asset of this name is served as, or None when it must not be served."""
    parts = PurePosixPath(name).parts
    if not parts or any(part.startswith(".") for part in parts):
        return None
    return ASSET_TYPES.get(PurePosixPath(name).suffix.lower())


def _asset_files(folder: Path) -> list[tuple[str, Path]]:
    root = folder / "assets"
    if not root.is_dir():
        return []
    return [(path.relative_to(root).as_posix(), path) for path in sorted(p for p in root.rglob("*") if p.is_file())
            if not any(part.startswith(".") for part in path.relative_to(root).parts)]  # .gitkeep: never served


def asset_digests(folder: Path) -> list[tuple[str, str]]:
    """Return (name, SHA-256) of every servable file of the course's assets/ folder."""
    return [(name, hashlib.sha256(path.read_bytes()).hexdigest()) for name, path in _asset_files(folder)
            if asset_type(name)]


def plain_svg(path: Path) -> bool:
    """Tell whether the file at path is an SVG that passes the check (False when it is missing)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return _plain_svg(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _plain_svg(path: str, mtime_ns: int, size: int) -> bool:
    """Cached by modification time and size: a lesson page shows the same drawings to every reader."""
    try:
        return svg_problem(Path(path).read_bytes()) is None
    except OSError:
        return False


def check_assets(folder: Path) -> list[ContentError]:
    """Refuse every file of the course's assets/ folder that is not an allowlisted type or a plain SVG."""
    errors = []
    for relative, path in _asset_files(folder):
        mimetype = asset_type(relative)
        if mimetype is None:
            errors.append(ContentError(str(path), 0, _asset_problem(path.suffix.lower())))
        elif mimetype == "image/svg+xml" and (problem := svg_problem(path.read_bytes())):
            errors.append(ContentError(str(path), problem.line, f"gambar SVG ditolak: {problem.message}"))
    return errors


def _too_big(path: Path) -> str:
    return (f"gambar \"{path.name}\" berukuran {_kb(path.stat().st_size)}, melebihi batas "
            f"{IMAGE_MAX_BYTES // 1024} KB: perkecil atau kompres gambarnya agar ringan dibuka di ponsel")


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


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
        elif not bang and _asset_path(folder, name) and asset_type(name[7:]):
            label, target = _download_link(label, name, folder / name)
        return f"{bang}[{label}]({target}{title})"

    return LessonDef(**{**lesson.__dict__, "body": _LINK.sub(replace, lesson.body)})


def _download_link(label: str, name: str, path: Path) -> tuple[str, str]:
    """Say a download's type and size beside its label; an image linked (not shown) is downloaded too."""
    kind = path.suffix.lstrip(".").upper()
    target = f"{name}?unduh=1" if path.suffix.lower() in IMAGE_TYPES else name
    return f"{label} ({kind}, {_kb(path.stat().st_size)})", target


@dataclass(frozen=True)
class Download:
    label: str      # as the lesson shows it, with type and size: "kalender konten (XLSX, 11 KB)"
    filename: str   # inside the course's assets/ folder
    as_file: bool   # an image linked rather than shown: ask the route for a download


_DOWNLOAD = re.compile(r"(?<!!)\[([^\]]+)\]\(assets/([^)\s?#]+)(\?unduh=1)?[^)]*\)")


def downloads(body: str) -> list[Download]:
    """Return the files a lesson body (as loaded, with its labels) links for download, in order, once each."""
    found: dict[str, Download] = {}
    for label, filename, as_file in _DOWNLOAD.findall(body):
        found.setdefault(filename, Download(label, filename, bool(as_file)))
    return list(found.values())


def _check_links(lesson: LessonDef, folder: Path) -> list[ContentError]:
    errors = []
    slugs = {p.stem for p in folder.glob("*.md")}
    for number, line in enumerate(lesson.body.splitlines(), start=1):
        for bang, label, target, _ in _LINK.findall(line):
            problem = _link_problem(bang, label, target.partition("#")[0].partition("?")[0], folder, slugs)
            if problem:
                errors.append(ContentError(lesson.path, number + _front_lines(lesson.path), problem))
    return errors


def _front_lines(path: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == _FRONT), 0)


def _link_problem(bang: str, label: str, target: str, folder: Path, slugs: set[str]) -> str | None:
    if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        scheme = target.split(":", 1)[0].lower() if target else ""
        if scheme and scheme not in {"http", "https", "mailto"}:
            return f"tautan dengan skema \"{scheme}:\" tidak diizinkan"
        return None
    if bang:
        return _image_problem(label, target, folder)
    if target.endswith(".md"):
        return f"tautan ke \"{target}\" tidak menunjuk pelajaran yang ada di kursus ini"
    if target.startswith("assets/") and not _asset_path(folder, target):
        return f"unduhan \"{target}\" tidak ditemukan: letakkan berkasnya di folder assets/ kursus"
    return None


def _asset_path(folder: Path, target: str) -> Path | None:
    """Return the file a link's target names inside the course's assets/ folder, if there is one."""
    parts = PurePosixPath(target).parts
    if len(parts) < 2 or parts[0] != "assets" or any(part in {"..", "."} or part.startswith(".") for part in parts):
        return None
    path = folder.joinpath(*parts)
    return path if path.is_file() else None


def _image_problem(alt: str, target: str, folder: Path) -> str | None:
    if not _asset_path(folder, target):
        return f"gambar \"{target}\" tidak ditemukan (letakkan di folder assets/ kursus)"
    if not (asset_type(target[7:]) or "").startswith("image/"):
        return f"\"{target}\" bukan gambar (png, jpg, gif, webp, svg): tautkan sebagai unduhan, tanpa tanda !"
    if not alt.strip():
        return (f"gambar \"{target}\" tanpa teks alternatif: tulis isi gambarnya di antara [ ], "
                "mis. ![Bagan alur aduan dari diterima sampai selesai](assets/alur.svg)")
    if (folder / target).stat().st_size > IMAGE_MAX_BYTES:
        return _too_big(folder / target)
    return None
