"""What keeps a question from being graded fairly, per type, as messages for its author (pure)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from lms.quizzes.questions.model import BLANK, CATCH_ALL, MAX_ID_LENGTH, TEXT_FORMATS, Question

# Moodle exports weights rounded to 7 digits (33.33333 for a third); within this distance of a
# fraction with a small denominator the weight is taken to mean that fraction, so thirds add up
# to exactly 100 %.
_SNAP_TOLERANCE = Fraction(1, 10**6)
_SNAP_DENOMINATOR = 20


def weight_fraction(percent: Decimal) -> Fraction:
    """Turn a percent weight into a fraction, reading Moodle's 33.33333 as exactly 1/3."""
    exact = Fraction(percent) / 100
    near = exact.limit_denominator(_SNAP_DENOMINATOR)
    return near if abs(exact - near) <= _SNAP_TOLERANCE else exact


def numeric_answer_text(value: Decimal | None, tolerance: Decimal | None,
                        low: Decimal | None, high: Decimal | None) -> str:
    """Describe a numerical answer for people: "17", "3 ± 0.05" or "1 .. 5"."""
    if low is not None and high is not None:
        return f"{low} .. {high}"
    if value is None:
        return CATCH_ALL
    return f"{value} ± {tolerance}" if tolerance else f"{value}"


def _percent_text(value: Fraction) -> str:
    percent = value * 100
    if percent.denominator == 1:
        return str(percent.numerator)
    return f"{float(percent):.4g}"


def common_problems(q: Question) -> list[str]:
    """Return the problems any question can have, whatever its type."""
    problems = []
    if len(q.id) > MAX_ID_LENGTH:
        problems.append(f"id pertanyaan terlalu panjang ({len(q.id)} karakter, "
                        f"paling banyak {MAX_ID_LENGTH})")
    if not q.text.strip():
        problems.append("teks pertanyaan kosong")
    if q.text_format not in TEXT_FORMATS:
        problems.append(f"format teks \"{q.text_format}\" tidak dikenal; "
                        f"pilihan: {', '.join(TEXT_FORMATS)}")
    if q.points <= 0:
        problems.append("poin pertanyaan harus lebih dari 0")
    if any(not -1 <= a.fraction <= 1 for a in q.answers):
        problems.append("bobot jawaban harus antara -100 dan 100")
    return problems


def _empty_answer_problems(q: Question) -> list[str]:
    return [f"teks jawaban ke-{n} kosong"
            for n, a in enumerate(q.answers, start=1) if not a.text.strip()]


def choice_problems(q: Question) -> list[str]:
    """Single choice: at least two answers, exactly one right."""
    problems = _empty_answer_problems(q)
    if len(q.answers) < 2:
        problems.append("pertanyaan pilihan memerlukan minimal dua jawaban")
    correct = sum(1 for a in q.answers if a.fraction == 1)
    if correct == 0:
        problems.append("tidak ada jawaban benar (bobot 100)")
    elif correct > 1:
        problems.append(f"ada {correct} jawaban benar; pertanyaan ini hanya boleh memiliki satu "
                        "(gunakan jenis \"multiple\" untuk beberapa jawaban benar)")
    return problems


def missingword_problems(q: Question) -> list[str]:
    """A single choice whose text holds exactly one blank."""
    problems = choice_problems(q)
    blanks = q.text.count(BLANK)
    if blanks != 1:
        problems.append(f"teks pertanyaan isian harus memuat tepat satu penanda {BLANK}; "
                        f"ditemukan {blanks}")
    return problems


def multiple_problems(q: Question) -> list[str]:
    """Multiple response: the positive weights add up to exactly 100 %."""
    problems = _empty_answer_problems(q)
    if len(q.answers) < 2:
        problems.append("pertanyaan pilihan memerlukan minimal dua jawaban")
    positive = sum((a.fraction for a in q.answers if a.fraction > 0), Fraction(0))
    if positive != 1:
        problems.append("jumlah bobot positif harus tepat 100 agar nilai penuh dapat dicapai; "
                        f"saat ini {_percent_text(positive)}")
    return problems


def _full_credit_problems(q: Question) -> list[str]:
    if not q.answers:
        return ["pertanyaan tidak memiliki jawaban"]
    if not any(a.fraction == 1 for a in q.answers):
        return ["harus ada minimal satu jawaban dengan bobot 100"]
    return []


def short_problems(q: Question) -> list[str]:
    """Short answer: accepted texts, one of them worth full marks."""
    return _empty_answer_problems(q) + _full_credit_problems(q)


def numerical_problems(q: Question) -> list[str]:
    """Numerical: every answer has a value or a range, one worth full marks."""
    problems = _full_credit_problems(q)
    for n, answer in enumerate(q.answers, start=1):
        has_range = answer.low is not None and answer.high is not None
        if answer.value is None and not has_range and answer.text != CATCH_ALL:
            problems.append(f"jawaban numerik ke-{n} tidak memiliki nilai")
    return problems


def matching_problems(q: Question) -> list[str]:
    """Matching: at least two real pairs, each with a right-hand side."""
    real = sum(1 for p in q.pairs if p.left.strip())
    problems = [f"pasangan ke-{n} tidak memiliki jawaban kanan"
                for n, p in enumerate(q.pairs, start=1) if not p.right.strip()]
    if real < 2:
        problems.append("pertanyaan menjodohkan memerlukan minimal dua pasangan (kiri tidak "
                        f"kosong); ditemukan {real}")
    return problems


def truefalse_problems(q: Question) -> list[str]:
    """True/false: the right answer is given."""
    return ["jawaban benar/salah belum ditentukan"] if q.correct_bool is None else []


def ordering_problems(q: Question) -> list[str]:
    """Ordering: at least two steps, each with its own text."""
    problems = _empty_answer_problems(q)
    if len(q.answers) < 2:
        problems.append("pertanyaan urutan memerlukan minimal dua langkah; "
                        f"ditemukan {len(q.answers)}")
    first: dict[str, int] = {}
    for n, answer in enumerate(q.answers, start=1):
        text = answer.text.strip()
        if text and text in first:
            problems.append(f"langkah ke-{n} sama dengan langkah ke-{first[text]}; setiap langkah "
                            "harus berbeda agar urutannya dapat dinilai")
        first.setdefault(text, n)
    return problems
