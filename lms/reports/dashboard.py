"""The training dashboard's page data: key figures and sections, each a chart with its table.

Each section's table is built from the same figures as its chart, so what a person reads, what a
screen reader reads and what a test reads agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from markupsafe import Markup

from lms import charts
from lms.assignments import states as assignment_states
from lms.dates import format_date
from lms.numbers import decimal_text, percent_text
from lms.reports.training_facts import SESSION_LABELS, SESSION_STATUSES, Scores, TrainingFacts

SESSION_COLORS = {"hadir": charts.GREEN, "terlambat": charts.SKY, "izin": charts.PURPLE, "sakit": charts.ORANGE,
                  "tidak_hadir": charts.VERMILLION, "belum": charts.GREY}
ASSIGNMENT_COLORS = {"passed": charts.GREEN, "waiting": charts.SKY, "revision": charts.ORANGE,
                     "failed": charts.VERMILLION, "missing": charts.GREY}
NO_SESSIONS = "Belum ada sesi presensi."


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    key: str  # the id of the section on the page (and its table's id)
    title: str
    chart: Markup | None = None
    empty: str | None = None  # said instead of chart and table when there is nothing to show
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: Table | None = None  # a long table, folded (per participant)


@dataclass(frozen=True)
class Figure:
    value: str
    label: str


@dataclass(frozen=True)
class Dashboard:
    figures: list[Figure]
    sections: list[Section]


def _svg(chart: charts.Chart, key: str) -> Markup:
    return charts.to_svg(chart, described_by=f"tabel-{key}")


def _pct(value: Fraction | float | None) -> str:
    return percent_text(value)


def _num(value: Fraction | float | None, places: int = 1) -> str:
    return decimal_text(value, places)


def build(facts: TrainingFacts, jp: int | None = None, quota: int | None = None) -> Dashboard:
    """Return the dashboard of these figures; jp (the agenda's hours) and quota join the key figures."""
    sections = [_sessions(facts), _distribution(facts), _scores(facts), _agencies(facts), _courses(facts),
                _assignments(facts), *_evaluations(facts), _certificates(facts)]
    figures = _figures(facts)
    if quota:
        figures[0] = Figure(str(facts.participants), f"peserta (kuota {quota})")
    if jp is not None:
        figures.insert(1, Figure(str(jp), "JP dari agenda"))
    figures.insert(2 if jp is not None else 1, Figure(str(len(facts.sessions)), "sesi presensi"))
    return Dashboard(figures, sections)


def _figures(facts: TrainingFacts) -> list[Figure]:
    scores = facts.scores
    passed, expected = facts.assignments_passed
    satisfaction = facts.satisfaction
    return [
        Figure(str(facts.participants), "peserta"),
        Figure(_pct(facts.mean_attendance), f"kehadiran rata-rata (minimal {facts.min_attendance}%)"),
        Figure(f"{_num(scores.paired_mean_pre)} → {_num(scores.paired_mean_post)}",
               f"nilai pre-test → post-test ({len(scores.pairs)} peserta dengan kedua nilai)"),
        Figure(_num(scores.mean_gain, 2), "gain ternormalisasi rata-rata"),
        Figure(f"{passed} dari {expected}" if expected else "—", "tugas lulus"),
        Figure(f"{_num(satisfaction.mean, 2)} dari {satisfaction.scale}" if satisfaction and satisfaction.mean
               else "—", "kepuasan penyelenggaraan"),
        Figure(str(facts.certificates.issued), "sertifikat terbit"),
    ]


def _sessions(facts: TrainingFacts) -> Section:
    key, title = "presensi-sesi", "Presensi per sesi"
    if not facts.sessions:
        return Section(key, title, empty=NO_SESSIONS)
    labels = [f"{s.label} · {format_date(s.day)}" for s in facts.sessions]
    statuses = [st for st in SESSION_STATUSES if any(s.counts.get(st) for s in facts.sessions)] or ["belum"]
    series = [charts.Series(SESSION_LABELS[st], [s.counts.get(st, 0) for s in facts.sessions], SESSION_COLORS[st])
              for st in statuses]
    rows = [[label, *(str(s.counts.get(st, 0)) for st in statuses)] for label, s in zip(labels, facts.sessions,
                                                                                     strict=True)]
    table = Table("Jumlah peserta per status presensi di setiap sesi",
                  ["Sesi", *(SESSION_LABELS[st] for st in statuses)], rows)
    return Section(key, title, _svg(charts.stacked_bar_chart(labels, series, title), key), tables=[table])


def _distribution(facts: TrainingFacts) -> Section:
    key, title = "sebaran-kehadiran", "Sebaran kehadiran peserta"
    if not facts.sessions:
        return Section(key, title, empty=NO_SESSIONS)
    if not facts.bins:
        return Section(key, title, empty="Belum ada peserta.")
    edges = [facts.bins[0].low, *(b.high for b in facts.bins)]
    chart = charts.histogram([float(e) for e in edges], [b.count for b in facts.bins], title,
                             threshold=facts.min_attendance, threshold_label=f"Minimal {facts.min_attendance}%")
    last = len(facts.bins) - 1
    rows = [[f"{_num(b.low, 0)}–{'100' if i == last else '<' + _num(b.high, 0)}%", str(b.count),
             "Ya" if b.meets else "Tidak"] for i, b in enumerate(facts.bins)]
    table = Table("Jumlah peserta per rentang persentase kehadiran", ["Kehadiran", "Peserta", "Memenuhi minimal"],
                  rows)
    note = (f"{facts.meeting_minimum} dari {facts.participants} peserta memenuhi kehadiran minimal "
            f"{facts.min_attendance}%; rata-rata {_pct(facts.mean_attendance)}.")
    return Section(key, title, _svg(chart, key), tables=[table], notes=[note])


def _scores(facts: TrainingFacts) -> Section:
    key, title = "nilai-tes", "Pre-test dan post-test"
    scores = facts.scores
    empty = _scores_missing(scores)
    if empty:
        return Section(key, title, empty=empty, tables=[_score_table(scores)] if scores.pre_taken else [])
    chart = charts.paired_chart([(float(p.pre), float(p.post)) for p in scores.pairs], title)
    details = Table("Nilai per peserta yang mengikuti kedua tes", ["Peserta", "OPD", "Pre-test", "Post-test", "Gain"],
                    [[p.name, p.agency, _num(p.pre), _num(p.post), _num(p.gain, 2)] for p in scores.pairs])
    notes = ["Gain ternormalisasi (Hake) g = (post − pre) ÷ (100 − pre), negatif bila nilai turun; "
             "rata-ratanya dihitung dari gain setiap peserta."]
    if scores.gain_undefined:
        notes.append(f"{scores.gain_undefined} peserta dengan pre-test 100 tidak punya gain (tidak ada yang dapat "
                     f"ditingkatkan; ditulis —) dan tidak dihitung dalam rata-rata gain.")
    return Section(key, title, _svg(chart, key), tables=[_score_table(scores)], notes=notes, details=details)


def _scores_missing(scores: Scores) -> str | None:
    if not scores.has_pretest and not scores.has_posttest:
        return "Belum ada pre-test dan post-test yang ditautkan."
    if not scores.has_posttest or not scores.post_taken:
        return "Belum ada post-test."
    if not scores.has_pretest or not scores.pre_taken:
        return "Belum ada pre-test."
    if not scores.pairs:
        return "Belum ada peserta yang mengikuti kedua tes."
    return None


def _score_table(scores: Scores) -> Table:
    rows = [["Mengikuti pre-test", str(scores.pre_taken)], ["Mengikuti post-test", str(scores.post_taken)],
            ["Mengikuti keduanya", str(len(scores.pairs))],
            ["Rata-rata pre-test (semua)", _num(scores.mean_pre)],
            ["Rata-rata post-test (semua)", _num(scores.mean_post)],
            ["Rata-rata pre-test (keduanya)", _num(scores.paired_mean_pre)],
            ["Rata-rata post-test (keduanya)", _num(scores.paired_mean_post)],
            ["Rata-rata gain ternormalisasi", _num(scores.mean_gain, 2)],
            ["Nilai naik / turun / tetap", f"{scores.improved} / {scores.declined} / "
                                            f"{len(scores.pairs) - scores.improved - scores.declined}"]]
    return Table("Ringkasan nilai", ["Ukuran", "Nilai"], rows)


def _agencies(facts: TrainingFacts) -> Section:
    key, title = "per-opd", "Peserta per OPD"
    if not facts.agencies:
        return Section(key, title, empty="Belum ada peserta.")
    chart = charts.bar_chart([a.name for a in facts.agencies], [a.participants for a in facts.agencies], title,
                             places=0)
    rows = [[a.name, str(a.participants), _pct(a.mean_attendance), _num(a.mean_pre), _num(a.mean_post)]
            for a in facts.agencies]
    table = Table("Peserta, kehadiran dan nilai rata-rata per OPD",
                  ["OPD", "Peserta", "Kehadiran rata-rata", "Pre-test rata-rata", "Post-test rata-rata"], rows)
    return Section(key, title, _svg(chart, key), tables=[table])


def _courses(facts: TrainingFacts) -> Section:
    key, title = "modul", "Penyelesaian modul"
    if not facts.courses:
        return Section(key, title, empty="Belum ada modul yang ditautkan.")
    percents = [float(c.percent or 0) for c in facts.courses]
    chart = charts.bar_chart([c.title for c in facts.courses], percents, title, value_max=100, unit="%")
    rows = [[c.title, str(c.completed), str(c.participants), _pct(c.percent)] for c in facts.courses]
    table = Table("Peserta yang menyelesaikan setiap modul", ["Modul", "Selesai", "Peserta", "Persentase"], rows)
    return Section(key, title, _svg(chart, key), tables=[table])


def _assignments(facts: TrainingFacts) -> Section:
    key, title = "tugas", "Status tugas"
    if not facts.assignments:
        return Section(key, title, empty="Kegiatan ini tidak memberi tugas.")
    groups = list(assignment_states.FILTERS)
    names = {g: assignment_states.FILTERS[g][0] for g in groups}
    labels = [a.title + ("" if a.required else " (tidak wajib)") for a in facts.assignments]
    series = [charts.Series(names[g], [a.counts.get(g, 0) for a in facts.assignments], ASSIGNMENT_COLORS[g])
              for g in groups]
    rows = [[label, *(str(a.counts.get(g, 0)) for g in groups)] for label, a in zip(labels, facts.assignments,
                                                                                 strict=True)]
    table = Table("Jumlah peserta per status di setiap tugas", ["Tugas", *(names[g] for g in groups)], rows)
    return Section(key, title, _svg(charts.stacked_bar_chart(labels, series, title), key), tables=[table])


def _evaluations(facts: TrainingFacts) -> list[Section]:
    if not facts.evaluations:
        return [Section("evaluasi", "Evaluasi", empty="Belum ada evaluasi yang dapat Anda lihat.")]
    ordered = sorted(facts.evaluations, key=lambda t: not t.about_training)
    overview = Table("Rata-rata setiap evaluasi", ["Evaluasi", "Tanggapan", "Rata-rata"],
                     [[t.label, str(t.responses), f"{_num(t.mean, 2)} dari {t.scale}" if t.shown and t.mean
                       else "Ditampilkan mulai 5 tanggapan" if not t.shown else "—"] for t in ordered])
    sections = [Section("evaluasi", "Evaluasi", tables=[overview])]
    shown = sorted((t for t in facts.evaluations if t.shown and t.items), key=lambda t: not t.about_training)
    for index, target in enumerate(shown):
        key = f"evaluasi-{index + 1}"
        title = f"Evaluasi: {target.label}"
        items = [i for i in target.items if i.mean is not None]
        chart = charts.bar_chart([i.text for i in items], [i.mean or 0.0 for i in items], title,
                                 value_max=target.scale, places=2)
        table = Table(f"Rata-rata per butir (skala 1–{target.scale}, {target.responses} tanggapan)",
                      ["Butir", "Jawaban", "Rata-rata"],
                      [[i.text, str(i.responses), _num(i.mean, 2)] for i in target.items])
        sections.append(Section(key, title, _svg(chart, key) if items else None, tables=[table]))
    return sections


def _certificates(facts: TrainingFacts) -> Section:
    counts = facts.certificates
    rows: Sequence[tuple[str, int]] = (("Terbit", counts.issued), ("Siap diterbitkan", counts.eligible),
                                       ("Belum memenuhi syarat", counts.not_eligible), ("Dicabut", counts.revoked))
    table = Table("Sertifikat peserta", ["Keadaan", "Peserta"], [[name, str(n)] for name, n in rows])
    if not facts.participants:
        return Section("sertifikat", "Sertifikat", empty="Belum ada peserta.")
    chart = charts.bar_chart([name for name, _ in rows], [n for _, n in rows], "Sertifikat", places=0,
                             value_max=max(facts.participants, 1))
    return Section("sertifikat", "Sertifikat", _svg(chart, "sertifikat"), tables=[table])
