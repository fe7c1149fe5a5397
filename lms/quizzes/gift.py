"""Moodle GIFT parser: GIFT text in, Question records and line-numbered problems out (pure Python).

Follows Moodle's reading of the format. Questions are separated by blank lines; whole-line `//`
comments and `$CATEGORY:` lines are dropped. `::name::` gives the question id (unnamed questions
get "q-" plus 10 hex digits of the SHA-1 of their whitespace-collapsed text; a repeated id gets
"-2", "-3", ...). A `[html]`, `[markdown]`, `[plain]` or `[moodle]` prefix sets the text format
(no prefix means Moodle's own default, plain text); on answers and feedback it is dropped.
Escapes: \\~ \\= \\# \\{ \\} \\: \\\\ and \\n (a line break).

The answer block decides the type, in Moodle's order: `{}` essay (skipped), `{#...}` numerical,
any `~` multiple choice (single when some answer starts with `=`, else multiple response),
`=a -> b` matching, other `=` short answer, else true/false. Text after the closing brace makes
the block a blank in the sentence, whatever the type (as in Moodle): the text keeps `{_}` there,
and a single-choice question becomes "missingword". GIFT has no points: each is worth 1.

GIFT has no syntax for ordering questions: the `{>...}` block of Moodle's qtype_ordering plugin
is reported as an error that says to write the question in TOML (ORDERING_IN_GIFT).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lms.contentfiles import ContentError
from lms.quizzes.questions.checks import numeric_answer_text, weight_fraction
from lms.quizzes.questions.model import BLANK, CATCH_ALL, Answer, Pair, Question
from lms.quizzes.questions.types import question_problems

ESSAY_NOTE = "pertanyaan esai tidak dapat dinilai otomatis, dilewati"
DESCRIPTION_NOTE = "deskripsi tanpa jawaban, dilewati"
ORDERING_IN_GIFT = ("soal mengurutkan (ordering) tidak dapat dibaca dari GIFT: format GIFT "
                    "Moodle tidak memiliki sintaks untuk urutan (blok {>...} hanya milik plugin "
                    "qtype_ordering); tulis soal ini di berkas TOML dengan type = \"ordering\"")

# Escaped characters become private-use placeholders while the structure is read, so that an
# escaped "=" or "}" is never taken for syntax; they turn back into text at the leaves.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004",
            "}": "\ue005", ":": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({held: ("\n" if char == "n" else char)
                           for char, held in _ESCAPES.items()})
_FORMATS = {"html": "html", "moodle": "plain", "plain": "plain", "markdown": "markdown"}
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TRUTH = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _Skip(Exception):
    """A question the LMS cannot grade automatically: noted, not an error."""


class _GiftError(Exception):
    """A question that cannot be read."""


@dataclass(frozen=True)
class _Block:
    line: int
    text: str


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines: list[str] = []
    first = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            if lines:
                blocks.append(_Block(first, "\n".join(lines)))
            lines = []
        elif stripped.startswith(("//", "$CATEGORY:")):
            continue
        else:
            first = first if lines else number
            lines.append(line)
    if lines:
        blocks.append(_Block(first, "\n".join(lines)))
    return blocks


def _protect(text: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        pair = text[position:position + 2]
        if pair[:1] == "\\" and pair[1:] in _ESCAPES:
            out.append(_ESCAPES[pair[1:]])
            position += 2
        else:
            out.append(text[position])
            position += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_UNESCAPE)


def _clean(text: str) -> str:
    """Return answer or feedback text without its format prefix, escapes or ragged indentation."""
    text = _FORMAT.sub("", text.strip(), count=1)
    return _restore("\n".join(line.strip() for line in text.strip().splitlines()))


def _split_name(text: str) -> tuple[str, str]:
    if not text.startswith("::"):
        return "", text
    end = text.find("::", 2)
    if end < 0:
        raise _GiftError("nama pertanyaan tidak ditutup dengan \"::\"")
    return _restore(text[2:end]).strip(), text[end + 2:]


def _split_format(text: str) -> tuple[str, str]:
    match = _FORMAT.match(text)
    if not match:
        return "plain", text  # Moodle's default, auto-format, is plain text with line breaks
    return _FORMATS[match.group(1).lower()], text[match.end():]


def _split_braces(text: str) -> tuple[str, str, str]:
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        raise _Skip(DESCRIPTION_NOTE)
    if start < 0 or 0 <= end < start:
        raise _GiftError("tanda \"}\" muncul tanpa pasangan \"{\" (gunakan \\} untuk teks)")
    if end < 0 or "{" in text[start + 1:end]:
        raise _GiftError("kurung kurawal \"{\" tidak ditutup")
    after = text[end + 1:]
    if "{" in after or "}" in after:
        raise _GiftError("satu pertanyaan hanya boleh memiliki satu blok jawaban {...}")
    return text[:start], text[start + 1:end], after


def _split_general_feedback(answers: str) -> tuple[str, str]:
    head, separator, tail = answers.partition("####")
    return head, (_clean(tail) if separator else "")


def _segments(text: str, markers: str) -> tuple[str, list[tuple[str, str]]]:
    """Split at each marker character: the text before the first, then (marker, body) pairs."""
    pieces = re.split(f"([{re.escape(markers)}])", text)
    return pieces[0], list(zip(pieces[1::2], pieces[2::2]))


def _expect_nothing(lead: str) -> None:
    if lead.strip():
        raise _GiftError(f"teks \"{_restore(lead).strip()}\" sebelum jawaban pertama tidak "
                         "dikenali (awali setiap jawaban dengan = atau ~)")


def _split_weight(body: str) -> tuple[Fraction | None, str]:
    match = _WEIGHT.match(body)
    if match:
        return weight_fraction(Decimal(match.group(1))), body[match.end():]
    if body.lstrip().startswith("%"):
        raise _GiftError(f"bobot jawaban tidak dapat dibaca: \"{_restore(body).strip()}\" "
                         "(contoh yang benar: %50% atau %-25%)")
    return None, body


def _option(position: int, marker: str, body: str) -> Answer:
    weight, body = _split_weight(body)
    text, _, feedback = body.partition("#")
    if weight is None:
        weight = Fraction(1) if marker == "=" else Fraction(0)
    return Answer(f"a{position + 1}", _clean(text), weight, _clean(feedback))


def _choice_fields(answers: str) -> dict[str, Any]:
    lead, parts = _segments(answers, "=~")
    _expect_nothing(lead)
    single = any(marker == "=" for marker, _ in parts)
    return {"type": "single" if single else "multiple",
            "answers": tuple(_option(n, marker, body) for n, (marker, body) in enumerate(parts))}


def _short_fields(answers: str) -> dict[str, Any]:
    lead, parts = _segments(answers, "=")
    _expect_nothing(lead)
    return {"type": "short",
            "answers": tuple(_option(n, "=", body) for n, (_, body) in enumerate(parts))}


def _pair(position: int, body: str) -> Pair:
    left, arrow, right = body.partition("->")
    if not arrow:
        raise _GiftError(f"pasangan \"{_restore(body).strip()}\" harus berbentuk \"kiri -> kanan\"")
    return Pair(f"p{position + 1}", _clean(left), _clean(right))


def _matching_fields(answers: str) -> dict[str, Any]:
    lead, parts = _segments(answers, "=")
    _expect_nothing(lead)
    return {"type": "matching", "pairs": tuple(_pair(n, body) for n, (_, body) in enumerate(parts))}


def _truefalse_fields(answers: str) -> dict[str, Any]:
    value, *feedback = answers.split("#")
    if len(feedback) > 2:
        raise _GiftError("jawaban benar/salah hanya boleh memuat dua umpan balik: #salah#benar")
    truth = _TRUTH.get(_restore(value).strip().upper())
    if truth is None:
        raise _GiftError(f"jawaban \"{_restore(value).strip()}\" tidak dikenali: gunakan T, TRUE, "
                         "F, atau FALSE untuk benar/salah, atau awali jawaban dengan = untuk isian "
                         "singkat")
    wrong, right = (_clean(text) for text in (feedback + ["", ""])[:2])
    # Moodle's order is {T#feedback for a wrong answer#feedback for a right answer}.
    return {"type": "truefalse", "correct_bool": truth,
            "feedback_true": right if truth else wrong, "feedback_false": wrong if truth else right}


def _decimal(text: str) -> Decimal:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise _GiftError(f"angka \"{text}\" tidak dapat dibaca (gunakan titik sebagai pemisah "
                         "desimal)")
    return Decimal(text)


def _numeric_spec(spec: str) -> tuple[Decimal | None, ...]:
    """Read "v", "v:tolerance" or "low..high" into (value, tolerance, low, high)."""
    if ".." in spec:
        low_text, _, high_text = spec.partition("..")
        low, high = _decimal(low_text), _decimal(high_text)
        if low > high:
            raise _GiftError(f"rentang \"{spec}\" terbalik: batas bawah lebih besar dari batas "
                             "atas")
        return None, None, low, high
    value_text, colon, tolerance_text = spec.partition(":")
    tolerance = _decimal(tolerance_text) if colon else Decimal(0)
    if tolerance < 0:
        raise _GiftError(f"toleransi pada \"{spec}\" tidak boleh negatif")
    return _decimal(value_text), tolerance, None, None


def _numeric_answer(position: int, marker: str, body: str) -> Answer:
    weight, body = _split_weight(body)
    spec, _, feedback = body.partition("#")
    spec = _restore(spec).strip()
    fraction = weight if weight is not None else Fraction(1 if marker == "=" else 0)
    aid = f"a{position + 1}"
    # "~#feedback" (or "*") is Moodle's "any other number", there to carry feedback.
    if spec == CATCH_ALL or (not spec and marker == "~"):
        return Answer(aid, CATCH_ALL, fraction, _clean(feedback))
    if not spec:
        raise _GiftError("jawaban numerik kosong")
    value, tolerance, low, high = _numeric_spec(spec)
    return Answer(aid, numeric_answer_text(value, tolerance, low, high), fraction, _clean(feedback),
                  value, tolerance, low, high)


def _numerical_fields(answers: str) -> dict[str, Any]:
    lead, parts = _segments(answers.strip()[1:], "=~")
    entries = ([("=", lead)] if lead.strip() else []) + parts
    if not entries:
        raise _GiftError("pertanyaan numerik tidak memiliki jawaban")
    return {"type": "numerical",
            "answers": tuple(_numeric_answer(n, marker, body)
                             for n, (marker, body) in enumerate(entries))}


_FIELD_READERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "numerical": _numerical_fields, "choice": _choice_fields, "matching": _matching_fields,
    "short": _short_fields, "truefalse": _truefalse_fields,
}


def _answer_kind(answers: str) -> str:
    stripped = answers.strip()
    if not stripped:
        raise _Skip(ESSAY_NOTE)
    if stripped.startswith(">"):
        raise _GiftError(ORDERING_IN_GIFT)
    if stripped.startswith("#"):
        return "numerical"
    if "~" in stripped:
        return "choice"
    if "=" in stripped:
        return "matching" if "->" in stripped else "short"
    return "truefalse"


def _question_text(before: str, after: str) -> str:
    if after.strip():
        return _restore(before + BLANK + after).strip()
    return _restore(before).strip()


def _text_id(text: str) -> str:
    normalised = " ".join(text.split())
    return "q-" + hashlib.sha1(normalised.encode("utf-8")).hexdigest()[:10]


def _parse_block(block: _Block) -> Question:
    name, rest = _split_name(_protect(block.text.strip()))
    text_format, rest = _split_format(rest)
    before, answers, after = _split_braces(rest)
    answers, general_feedback = _split_general_feedback(answers)
    fields = _FIELD_READERS[_answer_kind(answers)](answers)
    if after.strip() and fields["type"] == "single":
        fields["type"] = "missingword"
    text = _question_text(before, after)
    return Question(id=name or _text_id(text), text=text, text_format=text_format,
                    general_feedback=general_feedback, line=block.line, **fields)


def _unique_ids(questions: list[Question]) -> list[Question]:
    used: set[str] = set()
    unique: list[Question] = []
    for question in questions:
        candidate, count = question.id, 1
        while candidate in used:
            count += 1
            candidate = f"{question.id}-{count}"
        used.add(candidate)
        unique.append(replace(question, id=candidate))
    return unique


def parse_gift(text: str,
               path: str) -> tuple[list[Question], list[ContentError], list[ContentError]]:
    """Parse GIFT text into gradable questions, errors, and notes on skipped questions."""
    questions: list[Question] = []
    errors: list[ContentError] = []
    skipped: list[ContentError] = []
    for block in _blocks(text):
        try:
            question = _parse_block(block)
        except _Skip as note:
            skipped.append(ContentError(path, block.line, str(note)))
            continue
        except _GiftError as problem:
            errors.append(ContentError(path, block.line, str(problem)))
            continue
        problems = question_problems(question)
        errors += [ContentError(path, block.line, problem) for problem in problems]
        if not problems:
            questions.append(question)
    return _unique_ids(questions), errors, skipped
