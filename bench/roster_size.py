"""The trainer's roster at 300 and 3,000 participants: HTML bytes, queries and render time.

A throwaway SQLite database in a temporary folder; six sessions, four of them marked, as on
the second day of a bimtek. Prints one line per size:

    .venv/bin/python bench/roster_size.py --sizes 300 3000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app  # noqa: E402
from lms.accounts import services as accounts  # noqa: E402
from lms.extensions import db  # noqa: E402
from tests.conftest import FAST_HASH, PASSWORD, create_training, settings_for  # noqa: E402
from tests.trainings.factory import bulk_enroll, bulk_participants, bulk_records, bulk_sessions  # noqa: E402


def measure(size: int, repeat: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(settings_for(Path(folder), PASSWORD_HASH_METHOD=FAST_HASH))
        with app.app_context():
            db.create_all()
            trainer = accounts.create_user(accounts.UserData(full_name="Narasumber", email="n@contoh.go.id",
                                                             role="trainer"), None)
            trainer.password_hash = accounts.hash_password(PASSWORD)
            training = create_training(f"bimtek-{size}", trainers=(trainer,))
            ids = bulk_participants(size)
            bulk_enroll(training, ids)
            sessions = bulk_sessions(training, 6)
            bulk_records(sessions[:4], ids)
            db.session.commit()
            client = app.test_client()
            client.post("/login", data={"identifier": "n@contoh.go.id", "password": PASSWORD})
            url = f"/trainings/bimtek-{size}/attendance"
            client.get(url)  # warm-up: templates compiled
            queries = [0]

            def count(*args: object) -> None:
                queries[0] += 1

            times, body = [], b""
            event.listen(db.engine, "before_cursor_execute", count)
            for _ in range(repeat):
                queries[0] = 0
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                body = response.get_data()
            event.remove(db.engine, "before_cursor_execute", count)
            db.engine.dispose()
    return (f"{size:>5} participants × 6 sessions: {len(body):>9,} bytes, {queries[0]} queries, "
            f"median {statistics.median(times) * 1000:.0f} ms per render (status {response.status_code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for size in args.sizes:
        print(measure(size, args.repeat), flush=True)


if __name__ == "__main__":
    main()
