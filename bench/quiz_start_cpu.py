"""CPU time of one post-test start (the start POST and the attempt page it leads to), in process.

Not a test. It fills a fresh database as quiz_load.py does (a 20-question post-test, shuffled, in a
bimtek of N participants), logs every participant in with the Flask test client, then starts the
post-test for each one in turn and measures the process's CPU time (`time.process_time`) of the
POST and of the page it leads to (with JavaScript the POST answers with the page itself;
`--no-js`: it redirects to it), beside a bare Flask view rendering a 50-item template measured
in the same run. Prints the mean and p95 CPU ms per start, per page and per bare page, their
ratio, the queries of one start, and the bytes of the page. Without a network or a server
in between, this is the application's own cost, what the server pays 300 times in a burst.

    .venv/bin/python bench/quiz_start_cpu.py
    .venv/bin/python bench/quiz_start_cpu.py --db postgresql --pg-db test_h6
    .venv/bin/python bench/quiz_start_cpu.py --profile /tmp/start.html   # pyinstrument, if installed (.txt: text)
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quiz_load import PASSWORD, PG_BENCH_DB, QUIZ, percentile, prepare  # noqa: E402

TOKEN = r'name="csrf_token" type="hidden" value="([^"]+)"'
BARE_TEMPLATE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>
{% for item in items %}<li><a href="/item/{{ item.id }}">{{ item.name }}</a> <span>{{ item.note }}</span></li>
{% endfor %}</ul></main></body></html>"""


def decoded(response: Any) -> str:
    raw = response.get_data()
    return (gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw).decode()


def cpu_ms(call: Any) -> tuple[float, Any]:
    began = time.process_time()
    result = call()
    return (time.process_time() - began) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-db", default=PG_BENCH_DB + "_cpu", help="PostgreSQL database to create (dropped first)")
    parser.add_argument("--participants", type=int, default=150)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--profile", type=Path,
                        help="write a pyinstrument profile of the starts here (.html, else text)")
    parser.add_argument("--no-js", action="store_true",
                        help="start as a phone without JavaScript: the POST redirects to the attempt page")
    parser.add_argument("--queries", action="store_true", help="print the statements of the last start")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare(args.db, Path(tmp), args.participants, args.questions, args.pg_db)
        os.environ.update(env)
        from flask import render_template
        from jinja2 import ChoiceLoader, DictLoader
        from sqlalchemy import event

        from lms import create_app
        from lms.extensions import db

        app = create_app()
        items = [{"id": n, "name": f"Butir nomor {n}", "note": "catatan"} for n in range(50)]
        # The reference: a plain Flask view rendering a template from the loader (compiled once).
        app.jinja_env.loader = ChoiceLoader([DictLoader({"bench_bare.html": BARE_TEMPLATE}),
                                             app.jinja_env.loader])  # type: ignore[list-item]
        app.add_url_rule("/bench/bare", "bench_bare",
                         lambda: render_template("bench_bare.html", title="Halaman acuan", items=items))
        clients = []
        for n in range(args.participants):
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_ENCODING"] = "gzip, deflate"  # a phone's browser over HTTP
            login = re.search(TOKEN, decoded(client.get("/login")))
            assert login, "no form token on /login"
            response = client.post("/login", data={"identifier": f"peserta{n}@bench.go.id", "password": PASSWORD,
                                                   "csrf_token": login.group(1)})
            assert response.status_code == 302, response.status_code
            page = decoded(client.get(f"/quizzes/{QUIZ}"))  # as the phone does, before the burst
            token = re.search(TOKEN, page)
            assert token, page[:500]
            clients.append((client, token.group(1)))
        counted: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *call: counted.append(call[2]))
        profiler = None
        if args.profile and args.profile.suffix == ".pstats":
            import cProfile
            profiler = cProfile.Profile()
            profiler.start = profiler.enable  # type: ignore[method-assign]
            profiler.stop = profiler.disable  # type: ignore[method-assign]
        elif args.profile:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
        import gc
        collecting: dict[str, Any] = {"began": 0.0, "spent": [0.0, 0.0, 0.0], "runs": [0, 0, 0]}

        def collected(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                collecting["began"] = time.process_time()
            elif collecting["began"]:
                collecting["spent"][info["generation"]] += time.process_time() - collecting["began"]
                collecting["runs"][info["generation"]] += 1

        gc.callbacks.append(collected)
        posts, pages, bare, sizes, sent = [], [], [], [], []
        for number, (client, token) in enumerate(clients):
            if number == 10 and profiler:
                profiler.start()
            before = len(counted)
            form = {"csrf_token": token} if args.no_js else {"csrf_token": token, "inline": "1"}
            post_ms, response = cpu_ms(lambda c=client, f=form: c.post(f"/quizzes/{QUIZ}/start", data=f))
            queries = len(counted) - before
            if response.status_code == 303 or response.status_code == 302:
                location = response.headers["Location"]
                page_ms, page = cpu_ms(lambda c=client, url=location: c.get(url))
                queries = len(counted) - before
            else:
                page_ms, page = 0.0, response
            statements = counted[before:]
            raw, body = page.get_data(), decoded(page)
            assert page.status_code == 200 and "/answers" in body, (page.status_code, body[:500])
            bare_ms, _ = cpu_ms(lambda c=client: c.get("/bench/bare"))
            if number >= 5:  # warm: templates compiled, the version decoded
                posts.append(post_ms)
                pages.append(page_ms)
                bare.append(bare_ms)
                sizes.append(len(body.encode()))
                sent.append(len(raw))
        if profiler:
            profiler.stop()
            text = args.profile.suffix != ".html"
            if args.profile.suffix == ".pstats":
                profiler.dump_stats(str(args.profile))
            else:
                args.profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False) if text
                                        else profiler.output_html())
        if args.queries:
            print("\n".join(" ".join(q.split())[:300] for q in statements))
        starts = [a + b for a, b in zip(posts, pages)]
        print(f"{args.db}: {len(starts)} starts of a {args.questions}-question post-test, CPU ms per request")
        for name, values in (("start POST", posts), ("attempt page", pages), ("start + page", starts),
                             ("bare page", bare)):
            print(f"  {name:13} mean {statistics.mean(values):6.2f}  p50 {percentile(values, 50):6.2f}  "
                  f"p95 {percentile(values, 95):6.2f}")
        ratio = statistics.mean(starts) / statistics.mean(bare)
        print(f"  garbage collection during the run: runs per generation {collecting['runs']}, "
              f"CPU ms {[round(1000 * t, 1) for t in collecting['spent']]}; objects tracked {len(gc.get_objects())}")
        print(f"  start + page = {ratio:.1f}x the bare page; {queries} queries per start; "
              f"page {statistics.mean(sizes) / 1024:.1f} KiB, {statistics.mean(sent) / 1024:.1f} KiB sent")


if __name__ == "__main__":
    main()
