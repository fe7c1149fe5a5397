"""Backup and restore of the whole database: `flask --app lms backup` / `restore`, and the scheduled copy.

SQLite: SQLite's online backup API copies the file page by page inside one read transaction of
its own connection. In WAL mode (the app's) a reader never blocks a writer, so the app keeps
serving while the copy runs, and the snapshot makes the copy consistent: every write committed
before the copy began is in it, none half-done. PostgreSQL: a custom-format `pg_dump`
(a consistent snapshot as well), restored with `pg_restore`. The password of the database URL
goes to the client tools through PGPASSWORD, never on a command line or in a message.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from lms.dates import compact_stamp
from lms.errors import LmsError
from lms.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PAGES_PER_STEP = 256  # SQLite pages copied per step (1 MiB at 4 KiB a page)
PG_TOOLS_MISSING = ("Program pg_dump dan pg_restore tidak ditemukan. Pasang alat klien PostgreSQL "
                    "(Debian/Ubuntu: apt-get install postgresql-client; versinya sama dengan atau lebih "
                    "baru daripada server PostgreSQL), lalu ulangi.")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SCHEDULED_PREFIX = "lms-"  # instance/backups/lms-20261203-0215.sqlite3: only these are pruned

Progress = Callable[[int, int], None]  # (done, total) in pages


class BackupError(LmsError):
    """A backup or restore was refused or failed; nothing was changed."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class RestoreResult:
    revision: str
    head: str

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


def kind_of(url: URL) -> str:
    """Return "sqlite" or "postgresql" for a database URL, or refuse another kind."""
    name = url.get_backend_name()
    if name in {"sqlite", "postgresql"}:
        return name
    raise BackupError(f"Basis data jenis {name} tidak didukung untuk cadangan (hanya SQLite dan PostgreSQL).")


def sqlite_path(url: URL) -> Path:
    """Return the file of a SQLite URL, or refuse an in-memory database."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return Path(url.database)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup -------------------------------------------------------------------------------------


def make_backup(url: URL, output: Path, progress: Progress | None = None) -> BackupResult:
    """Write a consistent copy of the database at `url` to `output` (temp file + rename)."""
    kind = kind_of(url)
    output = output.resolve()
    if output.is_dir():
        raise BackupError(f"Berkas keluaran {output} adalah folder; sebutkan nama berkasnya.")
    if not output.parent.is_dir():
        raise BackupError(f"Folder {output.parent} untuk berkas cadangan tidak ada.")
    live = sqlite_path(url).resolve() if kind == "sqlite" else None
    if live is not None and output in {live.with_name(live.name + end) for end in ("", "-wal", "-shm", "-journal",
                                                                                    ".lock")}:
        raise BackupError(f"Berkas keluaran {output.name} adalah basis data yang dicadangkan (atau berkasnya); "
                          "pilih nama lain.")
    with _temporary_beside(output) as temporary:
        if kind == "sqlite":
            backup_sqlite(sqlite_path(url), temporary, progress)
        else:
            backup_postgres(url, temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, output)
    return BackupResult(output, output.stat().st_size, file_digest(output))


@contextmanager
def _temporary_beside(output: Path) -> Iterator[Path]:
    """A fresh path in the output's folder (a rename there is atomic); removed unless renamed."""
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def backup_sqlite(source: Path, target: Path, progress: Progress | None = None,
                  pages: int = PAGES_PER_STEP) -> None:
    """Copy the SQLite database `source` into the file `target`, `pages` pages a step.

    The source connection holds one read transaction for the whole copy: the steps all read the
    same snapshot, so writers committing meanwhile neither restart the copy nor appear in it
    half-done, and in WAL mode they are not blocked by it.
    """
    if not source.is_file():
        raise BackupError(f"Berkas basis data {source} tidak ditemukan.")
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None, timeout=30)
    writer = sqlite3.connect(target, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        reader.backup(writer, pages=pages,
                      progress=(lambda status, remaining, total: progress(total - remaining, total))
                      if progress else None)
        reader.execute("COMMIT")
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = writer.execute("PRAGMA integrity_check").fetchone()
        if check != ("ok",):
            raise BackupError(f"Salinan tidak lolos pemeriksaan integritas SQLite: {check[0]}")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Pencadangan SQLite gagal: {exc}") from exc
    finally:
        reader.close()
        writer.close()


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(PG_TOOLS_MISSING)
    return found


def pg_environment(url: URL) -> dict[str, str]:
    """The libpq variables naming the database of `url` (its password included, never printed)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for variable, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                            ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[variable] = str(value)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    return env


def _run_pg(command: list[str], url: URL, what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=pg_environment(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = _safe_detail(result.stderr, url)
        raise BackupError(f"{what} gagal (kode keluar {result.returncode}): {detail}")
    return result


def _safe_detail(stderr: str, url: URL) -> str:
    """The tool's last lines, with the password blanked should it ever appear in them."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()][-3:]
    detail = " / ".join(lines) or "tanpa keterangan"
    if url.password:
        detail = detail.replace(str(url.password), "***")
    return detail


def backup_postgres(url: URL, target: Path) -> None:
    """Dump the PostgreSQL database of `url` into `target` in pg_dump's custom format."""
    _run_pg([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            url, "pg_dump")


# --- restore ------------------------------------------------------------------------------------


def code_revisions() -> tuple[str, set[str]]:
    """Return the code's alembic head and every revision it knows."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    if head is None:  # pragma: no cover - the project always has migrations
        raise BackupError("Folder migrations tidak memuat revisi.")
    return head, {script.revision for script in scripts.walk_revisions()}


def backup_kind(path: Path) -> str:
    """Return "sqlite" or "postgresql" for a backup file by its first bytes, or refuse it."""
    if not path.is_file():
        raise BackupError(f"Berkas cadangan {path} tidak ditemukan.")
    with path.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"Berkas {path.name} bukan berkas cadangan LMS (bukan basis data SQLite dan "
                      "bukan hasil pg_dump format custom).")


def backup_revision(path: Path, kind: str) -> str:
    """Return the schema revision recorded in a backup file, refusing one that is not the LMS's."""
    if kind == "sqlite":
        try:
            reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                check = reader.execute("PRAGMA integrity_check").fetchone()
                if check != ("ok",):
                    raise BackupError(f"Berkas cadangan {path.name} rusak: {check[0]}")
                has_version = reader.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                             "AND name = 'alembic_version'").fetchone()[0]
                row = reader.execute("SELECT version_num FROM alembic_version").fetchone() if has_version else None
            finally:
                reader.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Berkas cadangan {path.name} tidak dapat dibaca sebagai SQLite: {exc}") from exc
        revision = row[0] if row else None
    else:
        revision = _pg_backup_revision(path)
    if not revision:
        raise BackupError(f"Berkas {path.name} bukan cadangan LMS: tidak memuat revisi skema (alembic_version).")
    return str(revision)


def _pg_backup_revision(path: Path) -> str | None:
    tool = pg_tool("pg_restore")
    listed = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise BackupError(f"Berkas {path.name} bukan arsip pg_dump yang utuh: "
                          f"{_safe_detail(listed.stderr, make_url('postgresql://'))}")
    data = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                          capture_output=True, text=True, check=False)
    lines = data.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def database_rows(url: URL) -> int:
    """Count the rows the database at `url` holds, outside alembic_version (0 for a missing file)."""
    if kind_of(url) == "sqlite" and not sqlite_path(url).exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = [name for name in inspect(conn).get_table_names() if name != "alembic_version"]
            quote = conn.dialect.identifier_preparer.quote
            return sum(int(conn.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one())
                       for name in names)
    finally:
        engine.dispose()


def database_has_tables(url: URL) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def database_revision(url: URL) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return None
            value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return None if value is None else str(value)
    finally:
        engine.dispose()


def restore(url: URL, path: Path, force: bool = False) -> RestoreResult:
    """Restore the backup file `path` into the database at `url`.

    Refused, with nothing changed: a file that is not a backup of this database's kind, a backup
    of a schema newer than the code's, and a database holding rows unless `force`.
    """
    kind = kind_of(url)
    found = backup_kind(path)
    if found != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"Berkas {path.name} adalah cadangan {names[found]}, sedangkan basis data "
                          f"tujuan adalah {names[kind]}. Pulihkan ke basis data {names[found]}.")
    revision = backup_revision(path, found)
    head, known = code_revisions()
    if revision not in known:
        raise BackupError(f"Cadangan ini memakai skema revisi {revision}, lebih baru daripada aplikasi ini "
                          f"(revisi {head}). Perbarui aplikasi ke versi yang memuat revisi {revision}, "
                          "lalu pulihkan lagi.")
    rows = database_rows(url)
    if rows and not force:
        raise BackupError(f"Basis data tujuan tidak kosong: berisi {rows} baris. Pulihkan ke basis data "
                          "kosong, atau tambahkan --force untuk menimpa seluruh isinya.")
    if kind == "sqlite":
        if path.resolve() == sqlite_path(url).resolve():
            raise BackupError(f"Berkas {path.name} adalah basis data tujuan itu sendiri; pilih berkas cadangan.")
        _restore_sqlite(path, sqlite_path(url))
    else:
        command = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                   "--single-transaction", f"--dbname={url.database}"]
        if force or database_has_tables(url):  # forced, or an empty schema (`db upgrade` already run)
            command += ["--clean", "--if-exists"]
        _run_pg([*command, str(path)], url, "pg_restore")
    restored = database_revision(url)
    if restored != revision:
        raise BackupError(f"Setelah pemulihan, revisi skema basis data {restored or 'tidak ada'}, bukan "
                          f"{revision} seperti dalam cadangan. Periksa basis data tujuan.")
    return RestoreResult(revision=revision, head=head)


def _restore_sqlite(source: Path, target: Path) -> None:
    if not target.parent.is_dir():
        raise BackupError(f"Folder {target.parent} untuk basis data tujuan tidak ada.")
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target, isolation_level=None, timeout=30)
    try:
        reader.backup(writer, pages=PAGES_PER_STEP)
        writer.execute("PRAGMA journal_mode=WAL")  # as the app opens it
        check = writer.execute("PRAGMA integrity_check").fetchone()
        if check != ("ok",):
            raise BackupError(f"Basis data hasil pemulihan tidak lolos pemeriksaan integritas: {check[0]}")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Pemulihan SQLite gagal: {exc}") from exc
    finally:
        reader.close()
        writer.close()


# --- scheduled copies ---------------------------------------------------------------------------


def scheduled_name(url: URL, now: datetime) -> str:
    suffix = ".sqlite3" if kind_of(url) == "sqlite" else ".dump"
    return f"{SCHEDULED_PREFIX}{compact_stamp(now, seconds=True)}{suffix}"


def run_scheduled(url: URL, folder: Path, keep: int, now: datetime) -> BackupResult:
    """Write one scheduled copy into `folder` and keep only the newest `keep` of them."""
    folder.mkdir(parents=True, exist_ok=True)
    result = make_backup(url, folder / scheduled_name(url, now))
    prune(folder, keep)
    return result


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` scheduled copies in `folder` (by the time in their names)."""
    copies = sorted(path for path in folder.glob(f"{SCHEDULED_PREFIX}*")
                    if path.is_file() and path.suffix in {".sqlite3", ".dump"})
    removed = copies[:-keep] if keep > 0 else copies
    for path in removed:
        path.unlink()
    return removed


def run_scheduled_in_app(now: datetime) -> BackupResult | None:
    """The job worker's scheduled backup of the app's database; a failure is logged, not raised."""
    url = db.engine.url
    db.session.remove()
    folder = Path(current_app.instance_path) / "backups"
    try:
        result = run_scheduled(url, folder, int(current_app.config["BACKUP_KEEP"]), now)
    except BackupError as exc:
        current_app.logger.error("Cadangan terjadwal gagal: %s", exc.message)
        return None
    current_app.logger.info("Cadangan terjadwal: %s (%d bita, SHA-256 %s)", result.path.name, result.size,
                            result.sha256)
    return result
