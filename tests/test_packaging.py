"""The wheel built from setup.cfg holds the whole app: installed alone, it serves and checks content.

An editable install maps `lms` onto the source tree and hides a package left out of the wheel
(lms/courses/ once had no __init__.py). So the wheel is built from a copy of the tree, installed
into a fresh virtual environment that sees the project's dependencies but not the editable
install, and run from a folder outside the repository. Offline: no index, no build isolation
(the build uses this venv's setuptools).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("lms", "setup.cfg", "pyproject.toml", "README.md", "LICENSE")

pytestmark = pytest.mark.packaging


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output unless it succeeds."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp: Path) -> Path:
    source = tmp / "src"
    source.mkdir()
    for name in SOURCES:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(item, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", tmp / "dist", source, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("bimtek_lms-*.whl")
    return wheel


def fresh_venv(tmp: Path, wheel: Path) -> tuple[Path, Path]:
    """Return (python, site-packages) of a new venv holding the wheel, with our deps but not lms."""
    home = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", home, cwd=tmp)
    python = home / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run(python, "-c", purelib, cwd=tmp).stdout.strip())
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index",
        wheel, cwd=tmp)
    # A path line in a .pth adds the folder, but does not run that folder's own .pth files: the
    # dependencies become importable, the editable install's import hook does not.
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python, site


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, zipfile.ZipFile]:
    tmp = tmp_path_factory.mktemp("packaging")
    wheel = build_wheel(tmp)
    python, site = fresh_venv(tmp, wheel)
    return tmp, python, site, zipfile.ZipFile(wheel)


def app_env(tmp: Path) -> dict[str, str]:
    # Without libfaketime too (a suite run on a faked date): under it a flask command never exits,
    # its rate-limit storage's expiry timer waiting on a faked clock.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LMS_", "PYTHON", "FLASK_", "FAKETIME", "LD_PRELOAD", "DONT_FAKE"))}
    env.update(LMS_SECRET_KEY="uji-paket", LMS_DATABASE_URL=f"sqlite:///{tmp / 'paket.sqlite3'}",
               LMS_COURSES_DIR=str(REPO / "courses"), LMS_QUIZZES_DIR=str(REPO / "quizzes"),
               LMS_CERTIFICATES_DIR=str(REPO / "certificates"))
    return env


def test_every_package_directory_is_a_package() -> None:
    missing = [str(d.relative_to(REPO)) for d in (REPO / "lms").rglob("*")
               if d.is_dir() and any(d.glob("*.py")) and not (d / "__init__.py").is_file()]
    assert missing == []


def test_the_wheel_holds_every_module_template_and_static_file(installed) -> None:
    names = set(installed[3].namelist())
    wanted = {str(p.relative_to(REPO)) for p in (REPO / "lms").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(wanted - names) == []
    assert "lms/courses/__init__.py" in names and "lms/courses/content.py" in names


def test_the_installed_wheel_is_what_runs(installed) -> None:
    tmp, python, site, _ = installed
    where = run(python, "-c", "import lms, lms.courses.content as c; print(lms.__file__); print(c.__file__)",
                cwd=tmp, env=app_env(tmp)).stdout.split()
    assert [Path(p).is_relative_to(site) for p in where] == [True, True], where


def test_the_installed_app_lists_its_routes(installed) -> None:
    tmp, python, _, _ = installed
    routes = run(python, "-m", "flask", "--app", "lms", "routes", cwd=tmp, env=app_env(tmp)).stdout
    assert "/courses/<slug>" in routes and "/verify/<code>" in routes and "/quizzes/" in routes


def test_the_installed_app_checks_the_bundled_content(installed) -> None:
    tmp, python, _, _ = installed
    output = run(python, "-m", "flask", "--app", "lms", "content", "check", cwd=tmp, env=app_env(tmp)).stdout
    courses = len(list((REPO / "courses").glob("*/course.toml")))
    assert output.startswith(f"OK: {courses} kursus, ") and " 0 kuis" not in output
