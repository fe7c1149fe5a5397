from datetime import datetime, timezone
from pathlib import Path

import pytest

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes

ENGINE = Path(__file__).resolve().parent.parent / "fixtures" / "engine"
T0 = datetime(2026, 8, 17, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def quiz(app):
    definitions, errors, _ = load_quizzes(ENGINE)
    assert errors == []
    services.sync_quizzes(definitions, T0)
    db.session.commit()
    return services.get_quiz("uji-mesin")


def entry_ids(attempt):
    return {e["q"]["id"]: e for e in attempt.questions}


def key_answers(attempt):
    """Return full-mark responses for every question of the attempt."""
    entries = entry_ids(attempt)
    single = next(a["id"] for a in entries["tunggal"]["q"]["answers"] if a["fraction"] == "1/1")
    multiple = [a["id"] for a in entries["jamak"]["q"]["answers"] if not a["fraction"].startswith("-")]
    pairs = {p["id"]: p["right"] for p in entries["jodoh"]["q"]["pairs"] if p["left"]}
    return {"tunggal": single, "jamak": multiple, "benar-salah": "false", "isian": "5w 1h", "jodoh": pairs}
