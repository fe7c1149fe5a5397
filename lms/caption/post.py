"""Whole-post checks: the unsur wajib of an activity post, hashtags, and length per platform."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lms.caption import speller
from lms.caption.model import CHECK, JABATAN, PLATFORM, TAGAR, UNSUR, WRONG, Raw, Text
from lms.caption.numbers import ANY_DATE, DAY_NAMES

# Characters a post may hold, and hashtags past which the platform refuses or the lesson advises
# against. Instagram: 2,200 characters, 5 hashtags (since December 2025). Facebook: 63,206
# characters. TikTok: 4,000 characters. X: 280 characters (an account without a subscription).
PLATFORMS = {"instagram": ("Instagram", 2200), "facebook": ("Facebook", 63206), "tiktok": ("TikTok", 4000),
             "x": ("X", 280)}
MAX_HASHTAGS = 5
_HASHTAG = re.compile(r"(?<![\w&])#[^\W_]\w*")
# An activity post: a meeting, a training, an opening, a visit. Announcements of a service are not.
_NAMED = (r"rapat|rakor|pelatihan|bimtek|bimbingan teknis|sosialisasi|penyuluhan|lokakarya|workshop|seminar|"
          r"webinar|musyawarah|musrenbang|apel|upacara|peresmian|meresmikan|diresmikan|kunjungan|mengunjungi|"
          r"meninjau|peninjauan|pertemuan|audiensi|peluncuran|meluncurkan|festival|lomba|pameran|kerja bakti|"
          r"pelantikan|melantik|penandatanganan|rembuk|forum|diskusi")
# Words that alone tell of an event ("membuka layanan" does not: a service opens too).
_GENERIC = r"menghadiri|dihadiri|diikuti|dipimpin|kegiatan|acara"
_ACTIVITY = re.compile(rf"\b(?:{_NAMED}|{_GENERIC})\b", re.IGNORECASE)
_NAMED_ACTIVITY = re.compile(rf"\b(?:{_NAMED})\b", re.IGNORECASE)
_OFFICIAL = re.compile(
    r"\b(?:Bupati|Wakil Bupati|Wali Kota|Wakil Wali Kota|Walikota|Gubernur|Wakil Gubernur|Sekretaris Daerah|"
    r"Sekretaris|Asisten|Staf Ahli|Camat|Lurah|Kepala|Direktur|Ketua|Kapolres|Kapolsek|Dandim|Danramil|"
    r"Menteri|Penjabat|Pj|Plt|Kadis|Kabid|Sekda)\b")
_UNIT_AFTER_HEAD = re.compile(r"\s+(?:Dinas|Badan|Bidang|Bagian|Seksi|Subbagian|Desa|Puskesmas|Kantor|Balai|UPT|"
                              r"Sekolah|Satuan|Pelaksana|Pusat|Unit|Rumah|Kepolisian|Kejaksaan|Pengadilan|"
                              r"Kementerian|Lembaga|Perangkat|Sub|[A-Z]{2,})")
_PERSON = re.compile(r"\b(?:dr|drg|Dr|Ir|Prof|Drs|Dra|H|Hj|KH)\.\s*[A-Z]|,\s*(?:[A-Z][a-z]{0,3}\.){1,3}"
                     r"|\b(?:Bapak|Ibu|Sdr|Saudara|Saudari)\.?\s+[A-Z]|,\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\s*[,.]")
_PLACE = re.compile(r"\b(?:[Dd]i|[Bb]ertempat di|[Ll]okasi(?:nya)?)\s+(?:[A-Z]\w+|(?:aula|gedung|balai|kantor|"
                    r"ruang|lapangan|halaman|pendopo|taman|pasar|sekolah|puskesmas|posyandu|desa|kelurahan|"
                    r"kecamatan|masjid|hotel)\b)|\bsecara (?:daring|virtual|hibrida)\b|"
                    r"\bmelalui (?:Zoom|Google Meet|YouTube)\b")
_TIME = re.compile(r"\bpukul\s+\d", re.IGNORECASE)
_DAY = re.compile(rf"\b(?:{'|'.join(DAY_NAMES)})\b")
_RELATIVE = re.compile(r"\b(?:hari ini|kemarin|besok|tadi pagi|tadi siang|pagi ini|siang ini|sore ini|"
                       r"malam ini|lusa)\b", re.IGNORECASE)
_ATTENDEES = re.compile(r"\b(?:diikuti|dihadiri|hadir|peserta|menghadirkan|beserta|didampingi|melibatkan|"
                        r"undangan|perwakilan|bersama)\b|\b(?:\d+|[a-z]+ puluh|[a-z]+ belas|seratus|sepuluh|"
                        r"sebelas|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan)\s+(?:orang|peserta|kader|"
                        r"warga|siswa|pelajar|mahasiswa|pegawai|ASN|anggota|kepala|camat|lurah|guru|petani|"
                        r"nelayan|pelaku|tenaga|perwakilan|OPD)\b", re.IGNORECASE)


def is_activity(doc: Text) -> bool:
    """Tell whether the caption reports an activity (its unsur wajib are checked then only)."""
    return _ACTIVITY.search(doc.masked) is not None


def unsur(doc: Text) -> Iterator[Raw]:
    """Report what an activity post lacks: the official, the activity, the place, the day, date and time, who came."""
    if not is_activity(doc):
        return
    text = doc.masked
    yield from _official(doc)
    if _NAMED_ACTIVITY.search(text) is None:
        yield _missing("apa kegiatannya tidak disebut dengan jelas (mis. rapat koordinasi, pelatihan kader)")
    if _PLACE.search(text) is None:
        yield _missing("tempat kegiatan tidak ditemukan (nama gedung atau lokasi dan wilayahnya)")
    dated = ANY_DATE.search(text)
    if dated is None:
        yield _missing("tanggal kegiatan tidak ditemukan (tulis hari dan tanggal, mis. Selasa, 15 Juli 2025)")
    elif _DAY.search(text) is None:
        yield Raw("unsur", *dated.span(), "nama hari tidak disebut (mis. Selasa, 15 Juli 2025)", CHECK, UNSUR)
    if _TIME.search(text) is None:
        yield _missing("jam kegiatan tidak ditemukan (mis. pukul 08.30 WIB); tambahkan bila relevan")
    if _ATTENDEES.search(text) is None:
        yield _missing("siapa yang hadir tidak ditemukan (unsur peserta dan jumlahnya, mis. 60 kader dari 12 desa)")
    for match in _RELATIVE.finditer(text):
        yield Raw("unsur", *match.span(), f"\"{match.group()}\": warga membaca unggahan pada hari lain; "
                  "tulis hari dan tanggalnya", CHECK, UNSUR)


def _missing(message: str) -> Raw:
    return Raw("unsur", 0, 0, message, CHECK, UNSUR)


def _official(doc: Text) -> Iterator[Raw]:
    first = _OFFICIAL.search(doc.masked)
    if first is None:
        yield Raw("unsur", 0, 0, "nama dan jabatan pejabat yang memimpin atau membuka kegiatan tidak ditemukan",
                  CHECK, JABATAN)
        return
    if first.group() == "Kepala" and not _UNIT_AFTER_HEAD.match(doc.masked[first.end():first.end() + 30]):
        yield Raw("unsur", *first.span(), "jabatan belum lengkap pada penyebutan pertama (mis. Kepala Dinas "
                  "Kesehatan Kabupaten Contoh)", CHECK, JABATAN)
    if _PERSON.search(doc.masked) is None:
        yield Raw("unsur", *first.span(), "jabatan disebut, tetapi nama pejabat tidak ditemukan (tulis nama "
                  "lengkap dengan gelarnya)", CHECK, JABATAN)


def hashtags(doc: Text) -> Iterator[Raw]:
    """Report hashtags past the limit, hashtags mid-text, and long ones without capitals."""
    tags = list(_HASHTAG.finditer(doc.text))
    name, _ = PLATFORMS.get(doc.platform, PLATFORMS["instagram"])
    if len(tags) > MAX_HASHTAGS:
        extra = tags[MAX_HASHTAGS]
        rule = (f"Instagram menerima paling banyak {MAX_HASHTAGS} tagar per unggahan (sejak Desember 2025)"
                if doc.platform == "instagram" else f"tiga sampai lima tagar yang relevan sudah cukup di {name}")
        yield Raw("tagar", extra.start(), tags[-1].end(), f"{len(tags)} tagar; {rule}: hapus "
                  f"{len(tags) - MAX_HASHTAGS}", WRONG if doc.platform == "instagram" else CHECK, TAGAR)
    for tag in tags:
        rest = doc.text[tag.end():].split("\n", 1)[0]
        if re.search(r"[^\W\d_]{2,}", _HASHTAG.sub("", rest)):
            yield Raw("tagar", *tag.span(), f"\"{tag.group()}\" di tengah kalimat; letakkan tagar di akhir caption",
                      CHECK, TAGAR)
            break
    for tag in tags:
        body = tag.group()[1:]
        if body.islower() and len(body) >= 10 and not speller.in_dictionary(body):
            yield Raw("tagar", *tag.span(), f"\"{tag.group()}\": tulis huruf kapital di awal setiap kata "
                      "(mis. #DinkesKabContoh) agar mudah dibaca dan dibacakan pembaca layar", CHECK, TAGAR)


def length(text: str, platform: str) -> Iterator[Raw]:
    """Report a caption longer than the platform accepts (characters as Unicode code points)."""
    name, limit = PLATFORMS.get(platform, PLATFORMS["instagram"])
    if len(text) > limit:
        yield Raw("panjang", limit, len(text), f"{len(text):,} karakter; {name} menerima paling banyak "
                  f"{limit:,} karakter: pangkas {len(text) - limit:,}".replace(",", "."), WRONG, PLATFORM)
