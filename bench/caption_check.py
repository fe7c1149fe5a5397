"""Cek Caption speed: p95 per 2,200-character caption on one core, beside a bare regex tokenisation.

    .venv/bin/python bench/caption_check.py [--captions 200] [--seed 7]

Builds distinct captions of exactly 2,200 characters (Instagram's limit) from the lesson's
sentences, each with a few typos, jargon, numbers and hashtags, so every check has work; then
times `lms.caption.check` on each with cold caches (every word looked up again) and warm
(a second pass, as a server sees repeated vocabulary), and a bare reference: the same text
split into words by one regular expression. Prints the one-time dictionary load, p50/p95/max
and the ratio to the bare reference. Target: p95 <= 300 ms cold.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "Pelatihan kader posyandu dibuka Kepala Dinas Kesehatan Kabupaten Contoh, dr. Sari Wulandari, M.Kes.",
    "Kegiatan berlangsung di Aula Puskesmas Sukamaju pada Selasa, 15 Juli 2025, pukul 08.30 WIB.",
    "Sebanyak 60 kader dari 12 desa mengikuti praktik langsung mengukur panjang badan balita.",
    "Tengkes (stunting) bisa dicegah jika pertumbuhan anak dipantau setiap bulan.",
    "Bawa balita Anda ke posyandu setiap bulan dan jangan lupa membawa buku KIA.",
    "Para stakeholder diminta segera follow up hasil rakor dlm rangka percepatan layanan.",
    "Warga bisa antri di kantor kecamatan jam 8 pagi untuk perekaman KTP-el.",
    "Petugas memverifikasi data penerima bantuan dan mengunggahnya ke sistem secara online.",
    "Jadwal posyandu di desa Anda bisa ditanyakan melalui kolom komentar atau pesan langsung.",
    "Pemerintah Kabupaten Contoh menargetkan setiap balita di desa prioritas diukur setiap bulan.",
    "Rapat koordinasi Tim Percepatan Penurunan Stunting (TPPS) dipimpin Wakil Bupati Contoh, Ahmad Fauzi, S.E.",
    "Layanan ini tidak dipungut biaya dan terbuka bagi semua warga yang membawa kartu keluarga.",
    "Informasi lengkap tersedia di situs resmi Dinas Kesehatan dan akun media sosial kecamatan.",
    "Pemeriksaan tekanan darah dan gula darah bagi lansia dilaksanakan setiap Kamis pagi.",
]
TAGS = "#DinkesKabContoh #CegahStunting #PosyanduAktif #SehatBersama #KabContoh #LayananPublik #Posyandu"
LENGTH = 2200


def typo(word: str, rng: random.Random) -> str:
    """Return word with one letter dropped, doubled or swapped (a word the dictionary will not know)."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    choice = rng.randrange(3)
    if choice == 0:
        return word[:i] + word[i + 1:]
    if choice == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def caption(rng: random.Random) -> str:
    """Return one distinct caption of exactly LENGTH characters."""
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < LENGTH:
        words = rng.choice(SENTENCES).split()
        for _ in range(rng.randrange(0, 2)):
            k = rng.randrange(len(words))
            words[k] = typo(words[k], rng)
        parts.append(" ".join(words))
        if rng.random() < 0.25:
            parts.append("\n")
    text = " ".join(parts)[: LENGTH - len(TAGS) - 2] + "\n\n" + TAGS
    return text[:LENGTH].ljust(LENGTH, ".")


def timed(function, text: str) -> float:
    start = time.perf_counter()
    function(text)
    return (time.perf_counter() - start) * 1000


def summary(name: str, values: list[float], bare_p95: float | None = None) -> None:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    ratio = f"  p95 ratio to bare {p95 / bare_p95:,.0f}x" if bare_p95 else ""
    print(f"{name:<30} p50 {statistics.median(ordered):8.2f} ms   p95 {p95:8.2f} ms   max {ordered[-1]:8.2f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--captions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    start = time.perf_counter()
    from lms.caption import check, clear_caches, default_lists, speller
    from lms.caption.model import WORD
    imported = time.perf_counter()
    speller.warm_up()
    loaded = time.perf_counter()
    default_lists()
    listed = time.perf_counter()
    print(f"import lms.caption {1000 * (imported - start):.0f} ms; Hunspell id_ID load and stem index "
          f"(once per process)"
          f" {1000 * (loaded - imported):.0f} ms; word lists {1000 * (listed - loaded):.1f} ms")

    rng = random.Random(args.seed)
    texts = [caption(rng) for _ in range(args.captions)]
    assert all(len(t) == LENGTH for t in texts)
    bare = [timed(WORD.findall, t) for t in texts]
    cold = []
    for text in texts:
        clear_caches()
        cold.append(timed(check, text))
    warm = [timed(check, t) for t in texts]
    findings = [len(check(t)) for t in texts]
    print(f"{len(texts)} captions of {LENGTH} characters, {statistics.mean(findings):.1f} findings each on average")
    summary("bare regex tokenisation", bare)
    bare_p95 = sorted(bare)[int(0.95 * (len(bare) - 1))]
    summary("check, cold caches", cold, bare_p95)
    summary("check, warm caches", warm, bare_p95)
    p95 = sorted(cold)[int(0.95 * (len(cold) - 1))]
    print(f"target p95 <= 300 ms (cold): {'met' if p95 <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
