"""Questionnaire files: the default set, and every bad input reported with file and line."""

from pathlib import Path

import pytest

from lms.evaluations.questionnaires import load_file, load_folder

ROOT = Path(__file__).resolve().parents[2] / "quizzes" / "evaluasi"

LABELS = 'labels = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]'
GOOD = '''title = "Uji"
target = "training"
scale = 5
labels = ["Sangat tidak setuju", "Tidak setuju", "Ragu-ragu", "Setuju", "Sangat setuju"]

[[sections]]
title = "Bagian"

[[sections.items]]
id = "satu"
type = "likert"
text = "Butir satu"

[[sections.items]]
id = "dua"
type = "text"
text = "Saran"
'''


def write(tmp_path, text, name="uji.toml"):
    folder = tmp_path / "evaluasi"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_set_follows_the_usual_items():
    found, errors = load_folder(ROOT)
    assert errors == []
    by_slug = {q.slug: q for q in found}
    assert by_slug["penyelenggaraan"].target == "training"
    assert by_slug["narasumber"].target == "narasumber"
    organiser = {i.id for i in by_slug["penyelenggaraan"].items}
    assert {"informasi", "jadwal", "tempat", "konsumsi", "fasilitas"} <= organiser
    assert {"penguasaan_materi", "cara_penyajian", "ketepatan_waktu", "interaksi"} <= {
        i.id for i in by_slug["narasumber"].likert_items}
    assert all(len(q.labels) == q.scale for q in found)


def test_a_good_file_loads_with_a_1_to_5_scale(tmp_path):
    questionnaire, errors = load_file(write(tmp_path, GOOD))
    assert errors == []
    assert questionnaire.scale == 5 and [i.type for i in questionnaire.items] == ["likert", "text"]
    assert questionnaire.items[0].required and not questionnaire.items[1].required


@pytest.mark.parametrize("change, expected", [
    (('type = "text"', 'type = "rating"'), ':16: jenis butir "rating" tidak dikenal; pilih likert atau text'),
    (('id = "dua"', 'id = "satu"'), ':15: id "satu" ganda (sudah dipakai di baris 10)'),
    (("scale = 5", "scale = 3"), ":3: skala Likert 3 tidak didukung; gunakan 4 (1–4) atau 5 (1–5)"),
    ((LABELS, 'labels = ["a", "b"]'),
     ":4: skala 5 membutuhkan 5 label, tertulis 2"),
    ((LABELS, ""),
     "label skala (labels) wajib diisi"),
    (('text = "Saran"', 'text = ""'), ":17: teks butir (text) wajib diisi"),
    (('target = "training"', 'target = "peserta"'), ':2: target "peserta" tidak dikenal'),
    (('text = "Butir satu"', 'text = "Butir satu"\nbobot = 2'), ':13: kunci "bobot" tidak dikenal'),
    (('title = "Bagian"', 'title = "Bagian"\n[[sections.items'), "TOML tidak valid"),
], ids=["unknown-type", "duplicate-id", "scale-3", "label-count", "no-labels", "no-text", "target", "unknown-key",
        "syntax"])
def test_bad_files_are_refused_with_file_and_line(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))
    questionnaire, errors = load_file(path)
    assert questionnaire is None
    assert any(expected in str(e) and str(e).startswith(str(path)) for e in errors), [str(e) for e in errors]


def test_content_check_reports_questionnaire_errors(runner, tmp_path):
    path = write(tmp_path, GOOD.replace('type = "text"', 'type = "skala"'))
    result = runner.invoke(args=["content", "check", str(path)])
    assert result.exit_code != 0
    assert f'{path}:16: jenis butir "skala" tidak dikenal' in result.output
    good = write(tmp_path, GOOD, "baik.toml")
    result = runner.invoke(args=["content", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 kuesioner evaluasi" in result.output


def test_content_check_of_everything_includes_the_default_questionnaires(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "2 kuesioner evaluasi" in result.output
