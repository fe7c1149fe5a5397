"""Quiz files: load one quiz or a folder of them into QuizDefinitions (pure Python).

A quiz is `quizzes/<slug>.toml` (settings plus `[[questions]]`, or settings plus
`questions_from = "<file>.gift"` naming a GIFT file beside it), or a bare `quizzes/<slug>.gift`
with default settings. Loading never raises on bad content: it returns every problem as a
line-numbered ContentError so an author can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lms.contentfiles import SLUG, ContentError, parse_toml
from lms.quizzes.questions.codec import question_to_snapshot, settings_to_json
from lms.quizzes.questions.model import Question, QuestionSection, QuizSettings
from lms.quizzes.sourcemap import SourceMap
from lms.quizzes.toml_reader import TomlReader, read_gift, read_text

__all__ = ["ContentError", "Loaded", "QuizDefinition", "load_quiz", "load_quizzes"]


@dataclass(frozen=True)
class QuizDefinition:
    """A loaded, valid quiz: its slug, settings, questions and the file it came from."""

    slug: str
    settings: QuizSettings
    questions: tuple[Question, ...]
    source: str
    # What each TOML question says it tests (GIFT questions name nothing); not in content_hash.
    sections: tuple[QuestionSection, ...] = ()

    @property
    def content_hash(self) -> str:
        """Return the sha256 hex of the canonical settings and questions (not of positions)."""
        questions = [question_to_snapshot(q) for q in self.questions]
        for snapshot in questions:
            del snapshot["line"]  # moving a question within its file does not change the quiz
        payload = {"settings": settings_to_json(self.settings), "questions": questions}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


Loaded = tuple[QuizDefinition | None, list[ContentError], list[ContentError]]


def _slug_errors(path: Path) -> list[ContentError]:
    if SLUG.match(path.stem):
        return []
    return [ContentError(str(path), 0, f"nama berkas \"{path.name}\" tidak dapat menjadi slug: "
                                       "gunakan huruf kecil, angka, dan tanda hubung")]


def _humanise(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _load_toml_quiz(path: Path) -> Loaded:
    raw, errors = read_text(path)
    if raw is None:
        return None, errors, []
    data, errors = parse_toml(raw, str(path))
    if data is None:
        return None, errors, []
    reader = TomlReader(path, raw)
    settings = reader.settings(data)
    questions = reader.questions(data)
    reader.check_timing(settings)
    # In file order, so an author can work from the top; the GIFT file's errors come after.
    errors = _slug_errors(path) + sorted(reader.errors,
                                         key=lambda e: (e.path != str(path), e.line))
    if errors:
        return None, errors, reader.skipped
    return (QuizDefinition(path.stem, settings, questions, str(path), tuple(reader.sections)), [],
            reader.skipped)


def _load_bare_gift(path: Path) -> Loaded:
    questions, errors, skipped = read_gift(path)
    errors = _slug_errors(path) + errors
    if errors:
        return None, errors, skipped
    settings = QuizSettings(title=_humanise(path.stem))
    return QuizDefinition(path.stem, settings, tuple(questions), str(path)), [], skipped


def load_quiz(path: Path) -> Loaded:
    """Load one quiz file (.toml or bare .gift); return it or None, the errors and skipped notes."""
    if path.suffix == ".gift":
        return _load_bare_gift(path)
    return _load_toml_quiz(path)


def _claimed_gifts(toml_path: Path) -> set[str]:
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8").lstrip("\ufeff"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()  # the file's own load reports why
    name = data.get("questions_from")
    return {name} if isinstance(name, str) else set()


def _quiz_files(root: Path) -> list[Path]:
    tomls = sorted(root.glob("*.toml"))
    claimed = {p.stem for p in tomls}
    named = set().union(*(_claimed_gifts(p) for p in tomls))
    gifts = [p for p in sorted(root.glob("*.gift"))
             if p.stem not in claimed and p.name not in named]
    return sorted(tomls + gifts, key=lambda p: p.stem)


def _pretest_errors(quiz: QuizDefinition,
                    by_slug: dict[str, QuizDefinition]) -> list[ContentError]:
    slug = quiz.settings.pretest
    if slug is None:
        return []
    target = by_slug.get(slug)
    if target is not None and target.settings.kind == "pretest":
        return []
    raw, _ = read_text(Path(quiz.source))
    source = SourceMap(raw or "")
    line = source.key_line(source.top(), "pretest")
    reason = (f"kuis pretest \"{slug}\" tidak ditemukan" if target is None
              else f"kuis \"{slug}\" bukan pretest (kind = \"{target.settings.kind}\")")
    return [ContentError(quiz.source, line, reason)]


def load_quizzes(
        root: Path) -> tuple[list[QuizDefinition], list[ContentError], list[ContentError]]:
    """Load every quiz in a folder: each TOML file and each GIFT file that no TOML file claims."""
    if not root.is_dir():
        return [], [ContentError(str(root), 0, "folder kuis tidak ada")], []
    quizzes: list[QuizDefinition] = []
    errors: list[ContentError] = []
    skipped: list[ContentError] = []
    for path in _quiz_files(root):
        quiz, found, notes = load_quiz(path)
        errors += found
        skipped += notes
        if quiz is not None:
            quizzes.append(quiz)
    by_slug = {q.slug: q for q in quizzes}
    linked = [(q, _pretest_errors(q, by_slug)) for q in quizzes]
    errors += [e for _, found in linked for e in found]
    return [q for q, found in linked if not found], errors, skipped
