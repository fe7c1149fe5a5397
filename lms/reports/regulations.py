"""The regulations the bundled courses cite, for the Dasar Hukum of a report: pure.

Only regulations whose full title is known are listed (a report names each as it is
promulgated), and only those that ground a bimtek on government communication: the courses also
cite laws as examples of content rules (child protection, the penal code), which are no legal
basis of the activity itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Kind code -> (rank in the hierarchy of legislation, the kind's full name, the ways texts write it).
KINDS: dict[str, tuple[int, str, str]] = {
    "UU": (1, "Undang-Undang", r"Undang-Undang|UU"),
    "PP": (2, "Peraturan Pemerintah", r"Peraturan Pemerintah|PP"),
    "Perpres": (3, "Peraturan Presiden", r"Peraturan Presiden|Perpres"),
    "Inpres": (4, "Instruksi Presiden", r"Instruksi Presiden|Inpres"),
    "PermenPANRB": (5, "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
                    r"Peraturan Menteri (?:PAN-?RB|Pendayagunaan Aparatur Negara dan Reformasi Birokrasi)"
                    r"|Permen ?PAN-?RB"),
    "Permenkominfo": (6, "Peraturan Menteri Komunikasi dan Informatika",
                      r"Peraturan Menteri Komunikasi dan Informatika|Permen ?[Kk]ominfo"),
    "Perki": (7, "Peraturan Komisi Informasi", r"Peraturan Komisi Informasi|Perki"),
    "SE MenPANRB": (8, "Surat Edaran Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
                    r"Surat Edaran Menteri (?:PAN-?RB|Pendayagunaan Aparatur Negara dan Reformasi Birokrasi)"
                    r"|SE Men ?PAN-?RB"),
    "SE Menkominfo": (9, "Surat Edaran Menteri Komunikasi dan Informatika",
                      r"Surat Edaran Menteri Komunikasi dan Informatika|SE Men ?[Kk]ominfo"),
}


@dataclass(frozen=True)
class Regulation:
    kind: str
    number: int
    year: int
    about: str  # what follows "tentang"; empty when the exact title is not known

    @property
    def citation(self) -> str:
        """The regulation as a report cites it: "Undang-Undang Nomor 14 Tahun 2008 tentang ..."."""
        name = f"{KINDS[self.kind][1]} Nomor {self.number} Tahun {self.year}"
        return f"{name} tentang {self.about}" if self.about else name

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return KINDS[self.kind][0], self.year, self.number


def _r(kind: str, number: int, year: int, about: str) -> Regulation:
    return Regulation(kind, number, year, about)


# The legal basis of every bimtek for civil servants: competency development is an ASN's duty.
ALWAYS = (_r("UU", 20, 2023, "Aparatur Sipil Negara"),)
# Regulations the courses cite that ground a training on government communication.
CATALOGUE = {(r.kind, r.number, r.year): r for r in (
    _r("UU", 11, 2008, "Informasi dan Transaksi Elektronik"),
    _r("UU", 14, 2008, "Keterbukaan Informasi Publik"),
    _r("UU", 19, 2016, "Perubahan atas Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi "
                       "Elektronik"),
    _r("UU", 1, 2024, "Perubahan Kedua atas Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi "
                      "Elektronik"),
    _r("UU", 24, 2007, "Penanggulangan Bencana"),
    _r("UU", 27, 2022, "Pelindungan Data Pribadi"),
    _r("UU", 28, 2014, "Hak Cipta"),
    _r("PP", 61, 2010, "Pelaksanaan Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik"),
    _r("Perpres", 76, 2013, "Pengelolaan Pengaduan Pelayanan Publik"),
    _r("Inpres", 9, 2015, "Pengelolaan Komunikasi Publik"),
    _r("PermenPANRB", 83, 2012, "Pedoman Pemanfaatan Media Sosial Instansi Pemerintah"),
    _r("PermenPANRB", 62, 2018, "Pedoman Teknis Pengelolaan Pengaduan Pelayanan Publik Nasional"),
    _r("Permenkominfo", 4, 2024, ""),
    _r("Perki", 1, 2021, "Standar Layanan Informasi Publik"),
    _r("SE MenPANRB", 137, 2018, "Penyebarluasan Informasi Melalui Media Sosial bagi Aparatur Sipil Negara"),
    _r("SE Menkominfo", 9, 2023, "Etika Kecerdasan Artifisial"),
)}
# Superseded by a regulation above: cited in a course only to say so.
SUPERSEDED = {("Permenkominfo", 8, 2019)}

# "UU 14/2008", "UU No. 14 Tahun 2008", "(PermenPANRB) Nomor 83 Tahun 2012": the kind, then number and year.
_NUMBER_YEAR = r"\)?\s*(?:No\.?|Nomor)?\s*(\d{1,4})\s*(?:/|Tahun\s+)(\d{4})\b"
_ALIASES = [(kind, re.compile(rf"(?<![\w-])(?:{pattern}){_NUMBER_YEAR}")) for kind, (_, _, pattern) in KINDS.items()]


def mentioned(text: str) -> set[tuple[str, int, int]]:
    """Return every (kind, number, year) a text cites, however it writes them ("UU 14/2008", "Nomor 14 Tahun 2008")."""
    found: set[tuple[str, int, int]] = set()
    plain = text.replace("*", "")
    for kind, pattern in _ALIASES:
        found.update((kind, int(number), int(year)) for number, year in pattern.findall(plain))
    return found


def legal_basis(texts: Iterable[str]) -> list[Regulation]:
    """Return the Dasar Hukum for courses of these texts: the standing basis and what they cite, by rank."""
    cited: set[tuple[str, int, int]] = set()
    for text in texts:
        cited |= mentioned(text)
    chosen = {(r.kind, r.number, r.year): r for r in ALWAYS}
    chosen.update({key: CATALOGUE[key] for key in cited - SUPERSEDED if key in CATALOGUE})
    return sorted(chosen.values(), key=lambda r: r.sort_key)
