"""CPU per request and queries of the pages in pages.py, measured in-process, beside the bare page.

Not a test. On a machine shared with other work, wrk's rates move with the neighbours; the CPU
time this process spends on one request does much less. This fills a fresh database as pages.py
does (the demo with N participants), logs in with Flask's test client as each page's user, and
for every page prints the median CPU time per request (`time.process_time` around the request),
the ratio bare/page (the throughput ratio one core would give, before any server overhead), the
queries of one request and the HTML size. Given several sizes, it prints one table per size, so
a query count that grows with the participants shows.

    .venv/bin/python bench/pages_cpu.py --sizes 100 300
    .venv/bin/python bench/pages_cpu.py --db postgresql --pg-db lms_bench_pages_cpu
    .venv/bin/python bench/pages_cpu.py --profile "certificates (300)"   # pyinstrument, if installed
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pages as load  # noqa: E402


def measure(db: str, size: int, repeat: int, pg_name: str, profile: str | None) -> list[dict[str, Any]]:
    from sqlalchemy import event

    from lms import create_app
    from lms.extensions import db as sqla

    with tempfile.TemporaryDirectory() as tmp:
        env, world = load.prepare(db, Path(tmp), size, pg_name)
        os.environ["LMS_DATABASE_URL"] = env["LMS_DATABASE_URL"]
        os.environ["LMS_SECRET_KEY"] = env["LMS_SECRET_KEY"]
        app = load.add_bare_route(create_app({"INSTANCE_PATH": tmp}))
        rows = []
        with app.app_context():
            engine = sqla.engine
        clients = {}
        for who in ("participant", "trainer", "admin"):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = load.re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
                load.re.search(r'name="csrf_token" value="([^"]+)"', page)
            client.post("/login", data={"identifier": world[who], "password": load.PASSWORD,
                                        "csrf_token": token.group(1) if token else ""})
            clients[who] = client
        clients[None] = app.test_client()
        queries = [0]

        def count(*_: object) -> None:
            queries[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        for name, path, who, text in load.pages(world):
            name = name.replace("(300)", f"({size})")
            client = clients[who]
            first = client.get(path)  # warm-up: templates compiled, caches filled
            body = first.get_data(as_text=True)
            if first.status_code != 200 or text not in body:
                raise RuntimeError(f"{path}: HTTP {first.status_code}, {text!r} not shown")
            cpu = []
            for _ in range(repeat):
                queries[0] = 0
                started = time.process_time()
                response = client.get(path)
                response.get_data()
                cpu.append(time.process_time() - started)
            rows.append({"page": name, "cpu_ms": statistics.median(cpu) * 1000, "queries": queries[0],
                         "bytes": len(body.encode()), "status": response.status_code})
            if profile and profile.replace("(300)", f"({size})") == name:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                for _ in range(repeat):
                    client.get(path).get_data()
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            sqla.engine.dispose()
    bare = rows[0]["cpu_ms"] or 1.0
    for row in rows:
        row["ratio"] = bare / row["cpu_ms"] if row["cpu_ms"] else float("nan")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[300])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg-db", default="lms_bench_pages_cpu")
    parser.add_argument("--profile", help="a page's name (as printed) to profile with pyinstrument")
    args = parser.parse_args()
    for size in args.sizes:
        rows = measure(args.db, size, args.repeat, args.pg_db, args.profile)
        print(f"\n== in-process, {args.db}, {size} participants, median of {args.repeat} requests")
        print(f"{'page':<20} {'CPU ms':>8} {'ratio':>6} {'queries':>8} {'KB':>7}")
        for row in rows:
            print(f"{row['page']:<20} {row['cpu_ms']:>8.2f} {row['ratio']:>6.2f} {row['queries']:>8} "
                  f"{row['bytes'] / 1024:>7.1f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
