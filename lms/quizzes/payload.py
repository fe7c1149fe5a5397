"""Read what the attempt page posts (autosave JSON, no-JS form revisions) strictly: pure."""

from __future__ import annotations

from typing import Any

from lms.quizzes.errors import MalformedAnswer
from lms.routing import MAX_ID


def answer_payload(data: Any) -> tuple[str, Any, int]:
    """Return question id, value and revision of an autosave body, or raise MalformedAnswer."""
    if not isinstance(data, dict):
        raise MalformedAnswer("Data jawaban harus berupa objek JSON berisi question, value, "
                              "dan revision.")
    question = data.get("question", "")
    if not isinstance(question, str):
        raise MalformedAnswer("Kunci question pada data jawaban harus berupa teks.")
    return question, data.get("value"), revision(data.get("revision", 0), "revision")


def revision(value: Any, field: str) -> int:
    """Return a revision number 0..MAX_ID given as an integer or its digits, else raise."""
    digits = value.strip() if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit() and len(digits) <= len(str(MAX_ID)):
        value = int(digits)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise MalformedAnswer(f"Nomor revisi jawaban ({field}) harus bilangan bulat 0–{MAX_ID}.")
    return value


def page_number(data: Any) -> int:
    """Return the page of a position body ({"page": n}, n from 1), or raise MalformedAnswer."""
    value = data.get("page") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise MalformedAnswer(f"Nomor halaman (page) harus bilangan bulat 1–{MAX_ID}.")
    return value
