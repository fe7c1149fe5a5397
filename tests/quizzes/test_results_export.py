"""The quiz results table as exported: NIP as text, scores with a decimal comma, a negative gain as a number."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from lms.exports import write_csv, write_xlsx
from lms.quizzes.presenters import ResultsReport, results_table
from tests.exportread import read_csv, read_xlsx, xlsx_cells

NIP = "198503142010011001"


def report() -> ResultsReport:
    person = SimpleNamespace(id=7, full_name="Ani Lestari", nip=NIP, agency=SimpleNamespace(name="Dinas Sosial"))
    row = SimpleNamespace(user=person, attempts=2, percent=Fraction(125, 2), passed=False)
    gain = {"user": person, "pre": Fraction(85), "post": Fraction(125, 2), "gain": Fraction(-3, 2)}
    return ResultsReport(quiz=None, rules=None, rows=[row], items=[], gains=[gain])  # type: ignore[arg-type]


def test_a_negative_gain_stays_a_number_and_the_nip_text():
    table = results_table(report())
    rows = read_csv(write_csv(table))
    assert rows == [["nama", "nip", "opd", "percobaan", "nilai", "lulus", "pre_test", "gain_ternormalisasi"],
                    ["Ani Lestari", "19850314 201001 1 001", "Dinas Sosial", "2", "62,5", "tidak", "85", "-1,50"]]
    body = write_xlsx(table)
    assert read_xlsx(body)["Hasil Kuis"][1] == ["Ani Lestari", NIP, "Dinas Sosial", 2, 62.5, "tidak", 85, -1.5]
    cells = xlsx_cells(body)[1]
    assert (cells[1].data_type, cells[1].number_format) == ("s", "@")
    assert (cells[7].data_type, cells[7].number_format) == ("n", "0.00")
