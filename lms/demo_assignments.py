"""Demo hand-ins: the finished bimtek's reviewed submissions and the running one's waiting queue.

The finished bimtek: every participant passes the required assignments (two contents with the
OPD template, the activity caption) except one whose caption is missing, which keeps that one
certificate from being issued; one reply assignment is returned for revision, the optional ones
are handed in by some and passed or failed. The running bimtek: captions waiting for review,
drafts still being written.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from lms.accounts.models import User
from lms.assignments import review, services
from lms.assignments.models import Assignment, Submission
from lms.dates import format_date, local_to_utc
from lms.trainings.models import Training

CAPTIONS = (
    "Tingkatkan Layanan Publik, {opd} Gelar Bimtek Pengelolaan Media Sosial\n\n"
    "Kepala {opd}, Drs. H. Muhammad Arif, M.Si., membuka Bimbingan Teknis Pengelolaan Media Sosial "
    "pada {tanggal}, pukul 08.30 WIB di Aula Kantor Bupati Contoh. Kegiatan ini diikuti 40 admin "
    "media sosial dari seluruh bidang dan UPT. Peserta berlatih menulis caption yang lengkap dan "
    "menanggapi pertanyaan warga dengan cepat.\n\n#KabupatenContoh #LayananPublik",
)
REPLIES = (
    "Komentar: Kapan pendaftaran beasiswa dibuka?\nBalasan: Terima kasih atas pertanyaannya, Kak. "
    "Pendaftaran dibuka 1 September melalui laman resmi dinas; syaratnya ada di tautan profil kami.\n\n"
    "Komentar: Jalan di desa kami rusak.\nBalasan: Terima kasih laporannya. Mohon kirim lokasi lewat "
    "pesan langsung agar kami teruskan ke bidang terkait hari ini.\n\n"
    "Komentar: Pelayanannya lama.\nBalasan: Mohon maaf atas ketidaknyamanannya. Kami catat masukan ini "
    "dan akan menyampaikan perkembangannya di akun ini minggu depan."
)
AI_DRAFT = (
    "Perintah: Anda admin humas {opd}. Tulis caption Instagram tentang posyandu keliling berdasarkan "
    "fakta berikut, tanpa nama warga.\n\nDraf AI diperiksa dengan 5W+1H; tanggal dan nama pejabat "
    "diperbaiki.\n\nPengungkapan: Caption ini disusun dengan bantuan AI dan diperiksa oleh admin {opd}."
)
LOG = ("Log 7 hari: ER tertimbang 3,4%; pengikut bertambah 1,2%. Temuan berbobot tertinggi: keluhan antrean "
       "layanan KTP pada hari Rabu, sudah diteruskan ke bidang terkait.")


def _picture(label: str, rng: random.Random) -> bytes:
    """Return a small JPEG that looks like a template-based post (a coloured card with a band)."""
    image = Image.new("RGB", (540, 540), (rng.randint(0, 60), rng.randint(80, 160), rng.randint(150, 230)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 440, 540, 540), fill=(255, 255, 255))
    draw.text((24, 470), label[:60], fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _log_pdf(opd: str) -> bytes:
    """Return a one-page PDF standing for a week's monitoring log."""
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 770, f"Log monitoring mingguan - {opd}")
    for row, day in enumerate(("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")):
        page.drawString(72, 740 - 18 * row, f"{day}: 3 unggahan, 41 komentar, 2 aduan diteruskan")
    page.save()
    return out.getvalue()


def _hand_in(person: User, training: Training, assignment: Assignment, when: datetime, rng: random.Random,
             opd: str) -> Submission:
    submission = services.start(person, training, assignment, when)
    text, links = _content(assignment, training, rng, opd, person)
    services.save_draft(person, submission, text, links, None, when)
    if assignment.accepts_kind("images"):
        for number in range(min(assignment.max_images, 2 if assignment.opd_target else 1)):
            services.add_file(person, submission, _picture(f"{assignment.title} {number + 1}", rng), None, when)
    if assignment.accepts_kind("pdf"):
        services.add_file(person, submission, _log_pdf(opd), None, when)
    services.submit(person, submission, None, when)
    return submission


def _content(assignment: Assignment, training: Training, rng: random.Random, opd: str,
             person: User) -> tuple[str, list[str]]:
    day = format_date(training.start_date, with_day=True)
    text = ""
    if assignment.slug == "caption-kegiatan":
        text = CAPTIONS[0].format(opd=opd, tanggal=day)
    elif assignment.slug == "balas-tiga-komentar":
        text = REPLIES
    elif assignment.slug == "draf-caption-ai":
        text = AI_DRAFT.format(opd=opd)
    elif assignment.slug == "log-monitoring-mingguan":
        text = LOG
    elif assignment.accepts_kind("text"):
        text = f"{assignment.title}: dikerjakan."
    links = []
    if assignment.accepts_kind("links"):
        links = [f"https://www.instagram.com/p/demo{person.id}x{n}{rng.randint(100, 999)}/" for n in range(2)]
    return text, links


def _best(assignment: Assignment) -> dict[str, int]:
    return {str(c["id"]): 0 for c in assignment.rubric}


def _weak(assignment: Assignment) -> dict[str, int]:
    return {str(c["id"]): len(c["levels"]) - 1 for c in assignment.rubric}


def finished_history(training: Training, people: Sequence[User], trainer: User, rng: random.Random) -> None:
    """Hand in and review the finished bimtek's assignments (see the module's docstring)."""
    offered = services.offered(training)
    missing = people[4] if len(people) > 4 else None  # attendance, tests and modules fine: only this blocks
    returned = people[6] if len(people) > 6 else None  # 6 % 3: hands in the optional ones
    for index, person in enumerate(people):
        opd = person.agency.name if person.agency else "OPD"
        for assignment in offered:
            if not assignment.required and (index % 3 == 2):
                continue  # an optional assignment some skip
            if person is missing and assignment.slug == "caption-kegiatan":
                continue
            when = _moment(training, assignment, rng)
            submission = _hand_in(person, training, assignment, when, rng, opd)
            if submission.status == "draft":
                continue
            later = when + timedelta(hours=rng.randint(1, 5))
            if person is returned and assignment.slug == "balas-tiga-komentar":
                review.save_review(trainer, submission, _weak(assignment),
                                   {"tindak-lanjut": "Sebutkan kanal dan waktu tindak lanjut pada balasan kedua."},
                                   "Nada sudah santun; lengkapi tindak lanjutnya.", None, later)
                review.return_for_revision(trainer, submission, None, later)
                continue
            fail = not assignment.required and index % 5 == 4
            review.save_review(trainer, submission, _weak(assignment) if fail else _best(assignment), {},
                               "Perlu diperbaiki sesuai rubrik." if fail else "Sudah baik.", None, later)
            review.decide(trainer, submission, None, later)


def running_history(training: Training, people: Sequence[User], now: datetime, rng: random.Random) -> None:
    """Leave the running bimtek's captions waiting for review, and some drafts being written."""
    offered = [a for a in services.offered(training) if a.slug == "caption-kegiatan"]
    for index, person in enumerate(people):
        opd = person.agency.name if person.agency else "OPD"
        for assignment in offered:
            when = now - timedelta(hours=rng.randint(1, 12))
            if index % 4 == 3:
                submission = services.start(person, training, assignment, when)
                services.save_draft(person, submission, "Draf caption: Kepala Dinas membuka", None, None, when)
                continue
            _hand_in(person, training, assignment, when, rng, opd)


def _moment(training: Training, assignment: Assignment, rng: random.Random) -> datetime:
    due = services.due_at(assignment, training)
    start = local_to_utc(training.start_date, datetime.min.time().replace(hour=10), training.time_zone)
    if due is None or due <= start:
        return start + timedelta(hours=rng.randint(1, 6))
    return start + (due - start) * rng.uniform(0.3, 0.9)
