"""Fill an empty database with a believable demo: institution, OPDs, staff and participants."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.dates import DEFAULT_ZONE, compact_date
from lms.errors import LmsError
from lms.extensions import db

AGENCIES = (
    "Dinas Kesehatan", "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Pendidikan dan Kebudayaan",
    "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Sosial", "Dinas Perhubungan",
    "Dinas Lingkungan Hidup", "Dinas Pariwisata, Pemuda dan Olahraga",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Badan Perencanaan Pembangunan Daerah",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "Badan Penanggulangan Bencana Daerah",
    "Sekretariat Daerah", "Kecamatan Kota Contoh", "RSUD Kabupaten Contoh",
)
FIRST = ("Ahmad", "Siti", "Budi", "Dewi", "Rizky", "Nur", "Agus", "Sri", "Andi", "Rina", "Hendra",
         "Wulan", "Fajar", "Intan", "Yusuf", "Maya", "Dimas", "Ratna", "Eko", "Fitri", "Bayu",
         "Lestari", "Arif", "Putri", "I Made", "Ni Luh", "Teguh", "Ayu", "Ilham", "Nabila")
LAST = ("Saputra", "Rahmawati", "Hidayat", "Pratama", "Wijaya", "Lestari", "Nugroho", "Siregar",
        "Kurniawan", "Handayani", "Setiawan", "Permatasari", "Harahap", "Sitompul", "Yulianti",
        "Gunawan", "Susanto", "Ramadhani", "Manurung", "Wibowo", "Pangaribuan", "Daeng Matutu")
RANKS = (("Penata Muda", "III/a"), ("Penata Muda Tingkat I", "III/b"), ("Penata", "III/c"),
         ("Penata Tingkat I", "III/d"), ("Pengatur", "II/c"), ("Pembina", "IV/a"))
POSITIONS = ("Pranata Humas Ahli Pertama", "Pranata Humas Terampil", "Pengelola Layanan Informasi",
             "Analis Kebijakan Ahli Pertama", "Pranata Komputer Ahli Pertama", "Kepala Subbagian Umum",
             "Pengadministrasi Perkantoran", "Pejabat Pengelola Informasi dan Dokumentasi Pembantu")


@dataclass
class DemoLogins:
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)  # role, name, login, password


def make_nip(rng: random.Random, serial: int) -> str:
    """Return a valid-looking NIP: birth date, appointment month, gender, serial."""
    born = date(rng.randint(1970, 1998), rng.randint(1, 12), rng.randint(1, 28))
    appointed = (max(born.year + 22, 1995) + rng.randint(0, 8), rng.randint(1, 12))
    return f"{compact_date(born)}{appointed[0]:04d}{appointed[1]:02d}{rng.choice('12')}{serial % 999 + 1:03d}"


def create_demo(participants: int, seed: int | None = None) -> DemoLogins:
    """Create the demo people; refuse when the database already has users."""
    if db.session.scalar(select(func.count(User.id))):
        raise LmsError("Basis data sudah berisi pengguna; demo hanya dibuat pada basis data kosong.")
    rng = random.Random(seed)
    _institution()
    agencies = [services.create_agency(_local(name), None) for name in AGENCIES]
    logins = DemoLogins()
    _person(logins, "Rahmat Hidayat, S.Kom., M.Si.", Role.ADMIN, agencies[0].id, rng,
                    email="admin@diskominfo.contoh.go.id", position="Kepala Bidang Informasi dan Komunikasi Publik")
    for index, name in enumerate(("Dra. Wahyuni Kusumastuti, M.I.Kom.", "Bambang Sutrisno, S.Sos.")):
        _person(logins, name, Role.TRAINER, None, rng, email=f"narasumber{index + 1}@diskominfo.contoh.go.id",
                position="Pranata Humas Ahli Madya")
    used: set[str] = set()
    for index in range(participants):
        name = _unique_name(rng, used)
        _person(logins, name, Role.PARTICIPANT, agencies[index % len(agencies)].id, rng,
                nip=make_nip(rng, index), position=rng.choice(POSITIONS))
    db.session.flush()
    return logins


def _local(agency: str) -> str:
    """Name an agency of the demo regency, as OPD names are written."""
    return agency if agency.startswith(("Kecamatan", "RSUD")) else f"{agency} Kabupaten Contoh"


def _institution() -> None:
    institution = services.ensure_institution()
    institution.name = "Dinas Komunikasi dan Informatika Kabupaten Contoh"
    institution.city = "Contoh"
    institution.address = "Jalan Merdeka No. 1, Kabupaten Contoh"
    institution.head_name = "Dr. Hj. Sri Mulyani Rahayu, S.Sos., M.Si."
    institution.head_pangkat = "Pembina Utama Muda (IV/c)"
    institution.head_nip = "197205141998032004"
    institution.head_title = "Kepala Dinas Komunikasi dan Informatika"
    institution.time_zone = DEFAULT_ZONE


def _unique_name(rng: random.Random, used: set[str]) -> str:
    for _ in range(1000):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name + rng.choice(("", ", S.Sos.", ", S.Kom.", ", S.I.Kom.", ", A.Md.", ", S.E."))
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {len(used)}"
    used.add(name)
    return name


def _person(logins: DemoLogins, name: str, role: Role, agency_id: int | None, rng: random.Random,
            email: str = "", nip: str = "", position: str = "") -> User:
    rank = rng.choice(RANKS)
    user = services.create_user(services.UserData(
        full_name=name, email=email, nip=nip or make_nip(rng, rng.randint(0, 998)),
        pangkat_golongan=f"{rank[0]} ({rank[1]})", jabatan=position, agency_id=agency_id,
        phone=f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}", role=role.value), None)
    password = secrets.token_urlsafe(9)
    user.password_hash = services.hash_password(password)
    login = user.login_name if role == Role.PARTICIPANT else (user.email or "")
    logins.lines.append((role.value, name, login, password))
    return user
