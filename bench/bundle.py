"""Benchmark: export and import of a training bundle with 300 participants, beside a bare ZIP of the same bytes.

Not a test. Builds, once, a laptop database (SQLite): the demo's 300 participants and its finished
three-day bimtek (6 attendance sessions, pre-test and post-test with every answer, reading
progress, evaluations), whose hand-ins are replaced by 4 assignments with one photo each per
participant (1,200 photos of about 300 KB, as phones send them after re-encoding). Then, each in
a fresh process pinned to one core:

- export: `lms.bundles` writes the bundle; the bare reference writes a ZIP of the same members
  (same compression: JSON deflated, files stored) from bytes already in memory;
- import: `lms.bundles` imports it into an empty database (SQLite, or PostgreSQL with --pg); the
  bare reference reads every member of the bundle and hashes it.

Prints bundle size, wall and CPU time, peak memory (VmHWM of the process while the step ran, and
its resident size before) for each, and the ratios to the bare reference. Targets: each step under 30 s
and 300 MB on one core.

    .venv/bin/python bench/bundle.py
    .venv/bin/python bench/bundle.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test_h1
    .venv/bin/python bench/bundle.py --laptop /tmp/bench-laptop.sqlite3   # build once, reuse next time
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if (ROOT / "lms").is_dir():
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 9, 10, 3, 0, tzinfo=UTC)
PARTICIPANTS = 300
ASSIGNMENTS = 4
SLUG = "bimtek-medsos-opd"
SCHEMA = "lms_bench_bundle"


def settings(folder: Path, url: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if url.startswith("postgresql"):
        extra["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}
    return {"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1", "PUBLIC_BASE_URL": "https://lms.diskominfo.contoh.go.id",
            "JOBS_IMMEDIATE": True, **extra}


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})


def photos(count: int) -> list[bytes]:
    """Return photo-like JPEGs (1600×1200, noise over gradients: about 300 KB each)."""
    from PIL import Image, ImageFilter

    rng = random.Random(5)
    made = []
    for index in range(count):
        base = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
        noise = Image.effect_noise((1600, 1200), 60 + index).convert("RGB")
        tint = Image.new("RGB", (1600, 1200), (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
        image = Image.blend(Image.blend(base, tint, 0.4), noise, 0.35).filter(ImageFilter.SMOOTH)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82)
        made.append(out.getvalue())
    return made


def build_laptop(folder: Path) -> Path:
    """Create the laptop's database: demo people and trainings, then 4 photo assignments per participant."""
    from sqlalchemy import delete, insert, select

    from lms import create_app
    from lms.assignments.models import Assignment, Review, Submission, SubmissionFile
    from lms.demo import create_demo
    from lms.demo_trainings import create_demo_trainings
    from lms.extensions import db
    from lms.trainings.scope import get_training, participants

    path = folder / "laptop.sqlite3"
    app = create_app(settings(folder, f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        create_demo(PARTICIPANTS, seed=3)
        create_demo_trainings(NOW, seed=3)
        db.session.commit()
        training = get_training(SLUG)
        assert training is not None
        ids = list(db.session.scalars(select(Submission.id).where(Submission.training_id == training.id)))
        db.session.execute(delete(SubmissionFile).where(SubmissionFile.submission_id.in_(ids)))
        db.session.execute(delete(Review).where(Review.submission_id.in_(ids)))
        db.session.execute(delete(Submission).where(Submission.id.in_(ids)))
        pictures = photos(12)
        for number in range(ASSIGNMENTS):
            assignment = Assignment(scope=f"training:{training.id}", slug=f"foto-praktik-{number + 1}",
                                    training_id=training.id, title=f"Foto praktik {number + 1}",
                                    accepts=["images"], max_images=1, rubric=[], max_points=10, pass_points=6)
            db.session.add(assignment)
            db.session.flush()
            for index, person in enumerate(participants(training)):
                submission_id = db.session.scalar(insert(Submission).returning(Submission.id).values(
                    assignment_id=assignment.id, training_id=training.id, user_id=person.id,
                    agency_id=person.agency_id, status="submitted", text="", links=[],
                    submitted_at=NOW - timedelta(days=10)))
                data = pictures[(index + number) % len(pictures)]
                db.session.execute(insert(SubmissionFile).values(
                    submission_id=submission_id, kind="image", mime="image/jpeg", data=data, size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), width=1600, height=1200))
        db.session.commit()
        db.engine.dispose()
    return path


# ------------------------------------------------------------------ steps, each in its own process


def step_export(laptop: Path, output: Path) -> dict[str, Any]:
    from lms import create_app
    from lms.bundles import services
    from lms.extensions import db
    from lms.trainings.scope import get_training

    app = create_app(settings(laptop.parent, f"sqlite:///{laptop}"))
    with app.app_context():
        training = get_training(SLUG)
        assert training is not None
        return measure(lambda: (services.export(training, output, NOW, None), db.session.commit()))


def step_import(bundle: Path, url: str, folder: Path) -> dict[str, Any]:
    from sqlalchemy import text

    from lms import create_app
    from lms.bundles import services
    from lms.catalog import load_all, sync
    from lms.extensions import db

    app = create_app(settings(folder, url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        db.create_all()
        config = app.config
        sync(load_all(Path(config["COURSES_DIR"]), Path(config["QUIZZES_DIR"])), NOW)
        db.session.commit()
        result: dict[str, Any] = {}

        def run() -> None:
            plan = services.apply(bundle, NOW, None)
            db.session.commit()
            result["rows"] = sum(c.new for c in plan.counts.values())

        figures = measure(run)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        return {**figures, **result}


def step_bare_zip(bundle: Path, output: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]

    def write() -> None:
        with zipfile.ZipFile(output, "w") as target:
            for info, data in members:
                target.writestr(info, data)

    return measure(write)


def step_bare_unzip(bundle: Path) -> dict[str, Any]:
    def read() -> None:
        with zipfile.ZipFile(bundle) as archive:
            for name in archive.namelist():
                digest = hashlib.sha256()
                with archive.open(name) as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)

    return measure(read)


def measure(action: Any) -> dict[str, Any]:
    """Time the action and take the process's peak memory while it ran (VmHWM reset just before).

    No tracemalloc: its own bookkeeping would add to the peak it is meant to show. The resident
    size just before (the interpreter, the app and its libraries, the synced catalog) is printed too.
    """
    reset_peak_rss()
    before = rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "rss_mb": peak_rss_mb(), "rss_before_mb": before}


def reset_peak_rss() -> None:
    """Start VmHWM again from the current resident size (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Return this process's peak resident memory: VmHWM (ru_maxrss keeps the forking parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--step", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        sys.exit(f"step {args[0]} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="", help="import into this PostgreSQL database (a schema of its own)")
    parser.add_argument("--laptop", type=Path, help="keep the built laptop database here and reuse it on the next run")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        pin_one_core()
        kind, *rest = args.step
        steps = {"export": lambda: step_export(Path(rest[0]), Path(rest[1])),
                 "import": lambda: step_import(Path(rest[0]), rest[1], Path(rest[2])),
                 "zip": lambda: step_bare_zip(Path(rest[0]), Path(rest[1])),
                 "unzip": lambda: step_bare_unzip(Path(rest[0]))}
        print(json.dumps(steps[kind]()))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        if args.laptop and args.laptop.exists():
            laptop = folder / "laptop.sqlite3"
            shutil.copy(args.laptop, laptop)
            print(f"Laptop database reused from {args.laptop}")
        else:
            laptop = build_laptop(folder)
            if args.laptop:
                shutil.copy(laptop, args.laptop)
            print(f"Laptop database built in {time.perf_counter() - started:.0f} s: {PARTICIPANTS} participants, "
                  f"6 sessions, 2 tests, {ASSIGNMENTS} assignments with one photo each")
        bundle = folder / "bundel.zip"
        target = args.pg or f"sqlite:///{folder / 'server.sqlite3'}"
        server = folder / "server"
        server.mkdir()
        figures = {"export": run_step("export", str(laptop), str(bundle)),
                   "bare zip": run_step("zip", str(bundle), str(folder / "bare.zip")),
                   "import": run_step("import", str(bundle), target, str(server)),
                   "bare unzip+hash": run_step("unzip", str(bundle))}
        with zipfile.ZipFile(bundle) as archive:
            members = len(archive.namelist())
        size = bundle.stat().st_size
        print(f"Bundle: {size / 1048576:.1f} MB, {members} members; imported {figures['import']['rows']} rows "
              f"into {'PostgreSQL' if args.pg else 'SQLite'}")
        print(f"{'step':<17}{'wall s':>8}{'cpu s':>8}{'peak RSS MB':>13}{'RSS before MB':>15}")
        for name, row in figures.items():
            print(f"{name:<17}{row['wall']:>8.2f}{row['cpu']:>8.2f}{row['rss_mb']:>13.0f}{row['rss_before_mb']:>15.0f}")
        for step, bare in (("export", "bare zip"), ("import", "bare unzip+hash")):
            ratio = figures[step]["wall"] / max(figures[bare]["wall"], 1e-6)
            cpu_ratio = figures[step]["cpu"] / max(figures[bare]["cpu"], 1e-6)
            ok = figures[step]["wall"] < 30 and figures[step]["rss_mb"] < 300
            print(f"{step}: {ratio:.1f}× the bare reference by the clock, {cpu_ratio:.1f}× by CPU time; "
                  f"target < 30 s and < 300 MB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
