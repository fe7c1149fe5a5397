"""16 phones at once on the venue laptop (SQLite, Waitress): reads and writes, counting refusals.

Logs in 16 demo participants against a running `make run`, then for --seconds each thread loops
over the pages a participant uses in the hall: lesson page (read), "lesson opened" (write),
Data Saya (read), own phone number saved (write), and the home page (read). Prints requests per
second, latency p50/p95 per kind, every non-2xx/3xx answer and whether any said "database is
locked". Reference: the same loop on /healthz alone, in the same run.

    make run PORT=5301 &
    .venv/bin/python bench/venue_threads.py --base http://127.0.0.1:5301
"""

from __future__ import annotations

import argparse
import re
import statistics
import threading
import time
from collections import defaultdict
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

LOGINS = Path(__file__).resolve().parent.parent / "instance" / "demo-logins.txt"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Phone:
    def __init__(self, base: str) -> None:
        self.base, self.opener = base, build_opener(HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict[str, str], token_from: str) -> tuple[int, str]:
        token = CSRF.search(self.get(token_from)[1])
        data = urlencode({**fields, "csrf_token": token.group(1) if token else ""}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


def participants(count: int) -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in LOGINS.read_text().splitlines()[1:] if "\t" in line]
    return [(r[2].strip(), r[3].strip()) for r in rows if r[0].strip() == "participant"][:count]


def run(base: str, seconds: float, threads: int, reference: bool) -> dict[str, list[float]]:
    phones = []
    for login, password in participants(threads):
        phone = Phone(base)
        phone.post("/login", {"identifier": login, "password": password}, "/login")
        if "Profil Saya" not in phone.get("/account")[1]:
            raise SystemExit(f"login failed for a demo participant ({login[:4]}…): was the password changed?")
        phones.append(phone)
    course, lesson = lesson_of(phones[0])
    times: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def step(phone: Phone, kind: str, call) -> None:
        began = time.perf_counter()
        status, body = call()
        with lock:
            times[kind].append((time.perf_counter() - began) * 1000)
            if status >= 400:
                failures.append(f"{kind} {status} {'database is locked' if 'locked' in body else body[:80]!r}")

    def loop(phone: Phone) -> None:
        while time.perf_counter() < stop:
            if reference:
                step(phone, "healthz", lambda: phone.get("/healthz"))
                continue
            step(phone, "lesson (GET)", lambda: phone.get(f"/courses/{course}/{lesson}"))
            step(phone, "viewed (POST)", lambda: phone.post(f"/courses/{course}/{lesson}/viewed", {},
                                                             f"/courses/{course}/{lesson}"))
            step(phone, "data saya (GET)", lambda: phone.get("/account/data"))
            step(phone, "contact (POST)", lambda: phone.post("/account/data/contact",
                                                              {"email": "", "phone": "081234567890"}, "/account/data"))
            step(phone, "home (GET)", lambda: phone.get("/"))

    workers = [threading.Thread(target=loop, args=(p,)) for p in phones]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    times["_failures"] = [float(len(failures))]
    for failure in sorted(set(failures)):
        print("  refused:", failure, f"x{failures.count(failure)}")
    return times


def lesson_of(phone: Phone) -> tuple[str, str]:
    page = phone.get("/courses/")[1]
    course = re.search(r'href="/courses/([a-z0-9-]+)"', page).group(1)
    lesson = re.search(rf'href="/courses/{course}/([a-z0-9-]+)"', phone.get(f"/courses/{course}")[1]).group(1)
    return course, lesson


def report(title: str, times: dict[str, list[float]], seconds: float) -> float:
    failures = int(times.pop("_failures")[0])
    total = sum(len(v) for v in times.values())
    print(f"{title}: {total / seconds:.1f} requests/s, {failures} refused")
    for kind, values in sorted(times.items()):
        values.sort()
        print(f"  {kind:18} n={len(values):5}  p50 {statistics.median(values):7.1f} ms  "
              f"p95 {values[int(len(values) * .95) - 1]:7.1f} ms")
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    bare = report("reference (/healthz)", run(args.base, args.seconds / 2, args.threads, True), args.seconds / 2)
    mixed = report("venue mix", run(args.base, args.seconds, args.threads, False), args.seconds)
    print(f"ratio venue mix / reference: {mixed / bare:.2f}")


if __name__ == "__main__":
    main()
