"""`flask --app lms trainings export` and `trainings import [--dry-run]`."""

from __future__ import annotations

import zipfile

from lms.trainings.models import Training
from lms.trainings.scope import get_training
from tests.bundles.conftest import FINISHED, NOW, export_from, table_hashes
from tests.bundles.test_refusals import rewrite
from tests.conftest import create_training


def test_export_writes_the_bundle(app, runner, cli_clock, make_user, tmp_path):
    create_training(users=(make_user(),))
    cli_clock(NOW)
    result = runner.invoke(args=["trainings", "export", "bimtek-tes", "-o", str(tmp_path / "b.zip")])
    assert result.exit_code == 0, result.output
    assert "Bundel tersimpan" in result.output and "enrollments: 1" in result.output
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert {"manifest.json", "users.jsonl", "attendance_records.jsonl"} <= set(archive.namelist())
    missing = runner.invoke(args=["trainings", "export", "tidak-ada", "-o", str(tmp_path / "c.zip")])
    assert missing.exit_code == 1 and "Kegiatan tidak-ada tidak ditemukan" in missing.output


def test_import_dry_run_then_apply(app, runner, cli_clock, laptop, server_catalog, tmp_path):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    cli_clock(NOW)
    before = table_hashes()
    dry = runner.invoke(args=["trainings", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "24 peserta (24 akun baru)" in dry.output and "tidak ada yang diubah" in dry.output
    assert table_hashes() == before
    done = runner.invoke(args=["trainings", "import", str(path)])
    assert done.exit_code == 0 and "Impor selesai." in done.output
    assert isinstance(get_training(FINISHED), Training)
    again = runner.invoke(args=["trainings", "import", str(path)])
    assert "tidak ada yang berubah" in again.output


def test_import_refusal_exits_non_zero_with_the_reason(app, runner, laptop, server_catalog, tmp_path):
    bad = rewrite(export_from(laptop, FINISHED, tmp_path / "bundel.zip"), tmp_path / "bad.zip",
                  drop="attempts.jsonl")
    result = runner.invoke(args=["trainings", "import", str(bad)])
    assert result.exit_code == 1 and "bagian attempts.jsonl hilang" in result.output
