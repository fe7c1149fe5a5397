"""Generated first drafts of a report's narrative parts, from the training's data: pure Markdown.

A draft is printed whenever nothing is saved for its section, so its numbers are those of the
moment; once an admin saves their own text, that text is printed as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from lms.numbers import decimal_text, percent_text
from lms.reports.regulations import Regulation

MAX_LISTED_OPDS = 25


@dataclass(frozen=True)
class DraftFacts:
    """What the drafts say about a training: its words and a few of its numbers."""

    title: str
    institution: str
    year: int
    description: str
    courses: tuple[str, ...]
    opds: tuple[str, ...]  # the OPDs of the participants, by name
    participants: int
    regulations: tuple[Regulation, ...]
    total_jp: int
    sessions: int
    min_attendance: int
    attendance_mean: Fraction | None = None  # mean attendance % over all participants
    below_minimum: int = 0  # participants under min_attendance
    pretest_mean: Fraction | None = None
    posttest_mean: Fraction | None = None
    mean_gain: Fraction | None = None  # mean normalised gain, 0..1
    posttest_missing: int = 0  # participants without a post-test result
    certificates: int = 0
    evaluation_mean: Fraction | None = None  # mean of every Likert answer of the training's evaluation
    evaluation_scale: int = 4
    assignments_missing: int = 0  # participants who have not handed in every required assignment


def _listed(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " dan " + items[-1]


def latar_belakang(facts: DraftFacts) -> str:
    intro = facts.description.strip()
    parts = [intro] if intro else []
    parts.append(
        "Media sosial dan kanal digital lain kini menjadi saluran utama komunikasi publik pemerintah daerah. "
        "Informasi yang cepat, akurat, dan santun dari setiap Perangkat Daerah menentukan kepercayaan masyarakat, "
        "sedangkan kekeliruan kecil dapat menyebar luas dalam hitungan jam.")
    parts.append(
        "Pengembangan kompetensi merupakan hak sekaligus kewajiban setiap Aparatur Sipil Negara. "
        f"Karena itu {facts.institution} menyelenggarakan kegiatan {facts.title} bagi pengelola media sosial "
        "dan informasi publik Perangkat Daerah"
        + (f", dengan materi {_listed([c for c in facts.courses])}." if facts.courses else "."))
    return "\n\n".join(parts)


def dasar_hukum(facts: DraftFacts) -> str:
    lines = [f"{n}. {r.citation};" for n, r in enumerate(facts.regulations, start=1)]
    lines.append(f"{len(lines) + 1}. Dokumen Pelaksanaan Anggaran (DPA) {facts.institution} "
                 f"Tahun Anggaran {facts.year}.")
    return "\n".join(lines)


def maksud_tujuan(facts: DraftFacts) -> str:
    text = (f"Maksud kegiatan {facts.title} adalah meningkatkan kompetensi aparatur pengelola komunikasi "
            "publik Perangkat Daerah agar informasi pemerintah tersampaikan secara cepat, tepat, dan dapat "
            "dipertanggungjawabkan.\n\nTujuan kegiatan ini adalah agar peserta mampu:\n\n")
    goals = [f"{n}. menerapkan materi *{course}*;" for n, course in enumerate(facts.courses, start=1)]
    goals.append(f"{len(goals) + 1}. menyusun dan menyebarluaskan informasi OPD sesuai ketentuan yang berlaku.")
    return text + "\n".join(goals)


def sasaran(facts: DraftFacts) -> str:
    if not facts.participants:
        return ("Sasaran kegiatan adalah pengelola media sosial dan informasi publik Perangkat Daerah. "
                "Belum ada peserta yang terdaftar.")
    shown = list(facts.opds[:MAX_LISTED_OPDS])
    rest = len(facts.opds) - len(shown)
    text = (f"Sasaran kegiatan adalah {facts.participants} orang pengelola media sosial dan informasi publik "
            f"dari {len(facts.opds)} Perangkat Daerah")
    if not shown:
        return text + "."
    listing = "\n".join(f"- {name}" for name in shown)
    more = f"\n\nserta {rest} Perangkat Daerah lain (daftar lengkap pada Lampiran)." if rest else ""
    return f"{text}, yaitu:\n\n{listing}{more}"


def kendala_solusi(facts: DraftFacts) -> str:
    items = []
    if facts.below_minimum:
        items.append(f"{facts.below_minimum} peserta belum memenuhi kehadiran minimal {facts.min_attendance}%. "
                     "Solusi: atasan peserta diberi tahu melalui OPD masing-masing, dan peserta diutamakan "
                     "pada kegiatan berikutnya.")
    if facts.posttest_missing:
        items.append(f"{facts.posttest_missing} peserta belum mengerjakan post-test. Solusi: jendela post-test "
                     "diumumkan sejak hari pertama dan diingatkan melalui WhatsApp pada hari terakhir.")
    if facts.assignments_missing:
        items.append(f"{facts.assignments_missing} peserta belum menyelesaikan tugas wajib. Solusi: tenggat "
                     "tugas diingatkan kepada peserta dan pendamping OPD.")
    items.append("Koneksi internet di lokasi kegiatan tidak selalu stabil. Solusi: aplikasi pelatihan dijalankan "
                 "pada jaringan lokal di lokasi sehingga materi, kuis, dan presensi tetap dapat diakses.")
    return "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))


def kesimpulan(facts: DraftFacts) -> str:
    sentences = [f"Kegiatan {facts.title} telah dilaksanakan selama {facts.total_jp} JP dan diikuti oleh "
                 f"{facts.participants} peserta dari {len(facts.opds)} Perangkat Daerah."]
    if facts.attendance_mean is not None and facts.sessions:
        sentences.append(f"Kehadiran rata-rata {percent_text(facts.attendance_mean)} dari {facts.sessions} sesi.")
    if facts.pretest_mean is not None and facts.posttest_mean is not None:
        gain = (f" (gain ternormalisasi rata-rata {decimal_text(facts.mean_gain, 2)})"
                if facts.mean_gain is not None else "")
        sentences.append(f"Nilai rata-rata naik dari {decimal_text(facts.pretest_mean)} pada pre-test menjadi "
                         f"{decimal_text(facts.posttest_mean)} pada post-test{gain}.")
    elif facts.posttest_mean is not None:
        sentences.append(f"Nilai rata-rata post-test {decimal_text(facts.posttest_mean)}.")
    if facts.evaluation_mean is not None:
        sentences.append(f"Peserta menilai penyelenggaraan rata-rata {decimal_text(facts.evaluation_mean, 2)} dari "
                         f"skala {facts.evaluation_scale}.")
    sentences.append(f"Sebanyak {facts.certificates} peserta memperoleh sertifikat.")
    return " ".join(sentences)


def rekomendasi(facts: DraftFacts) -> str:
    items = ["Kegiatan serupa diselenggarakan secara berkala bagi pengelola media sosial OPD yang belum mengikuti.",
             "Peserta menerapkan hasil pelatihan pada akun resmi OPD dan Diskominfo melakukan pendampingan "
             "serta pemantauan unggahan selama tiga bulan."]
    if facts.below_minimum or facts.posttest_missing:
        items.append("Peserta yang belum memenuhi syarat sertifikat diberi kesempatan mengikuti kegiatan berikutnya.")
    return "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))


DRAFTS = {
    "latar_belakang": latar_belakang,
    "dasar_hukum": dasar_hukum,
    "maksud_tujuan": maksud_tujuan,
    "sasaran": sasaran,
    "kendala_solusi": kendala_solusi,
    "kesimpulan": kesimpulan,
    "rekomendasi": rekomendasi,
}


def drafts(facts: DraftFacts) -> dict[str, str]:
    """Return every narrative's generated draft."""
    return {key: make(facts) for key, make in DRAFTS.items()}
