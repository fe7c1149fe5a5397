"""Command-line interface: `flask --app lms <group> <command>`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import Role, User
from lms.accounts.privacy import run_purge
from lms.caption import PLATFORMS
from lms.caption import report as caption_report
from lms.catalog import check_paths, load_all, sync
from lms.certificates import services as certificates
from lms.certificates.export import write_zip
from lms.certificates.models import Certificate
from lms.certificates.signing import SigningError
from lms.certificates.signing import services as signing
from lms.certificates.signing.jobs import sign_training
from lms.certificates.signing.validate import SignatureCheck, check_pdf
from lms.dates import format_utc
from lms.db_types import utcnow, writing
from lms.demo import create_demo
from lms.demo_trainings import create_demo_trainings
from lms.errors import LmsError
from lms.extensions import db
from lms.quizzes import services as quiz_services
from lms.quizzes.models import Attempt
from lms.reports.cli import reports_cli
from lms.trainings.models import Training
from lms.trainings.scope import get_training, trainings_with_counts

if TYPE_CHECKING:
    from lms.catalog import CheckResult

user_cli = AppGroup("user", help="Kelola pengguna.")
trainings_cli = AppGroup("trainings", help="Kegiatan bimtek.")
certificates_cli = AppGroup("certificates", help="Sertifikat: terbitkan, cabut, ekspor, periksa.")
quizzes_cli = AppGroup("quizzes", help="Kuis: penutupan otomatis dan penilaian ulang.")
content_cli = AppGroup("content", help="Periksa dan muat konten (courses/, quizzes/).")
caption_cli = AppGroup("caption", help="Cek Caption: periksa caption dari berkas atau stdin.")
privacy_cli = AppGroup("privacy", help="Pelindungan data pribadi: hapus data yang melewati masa simpan.")


def init_app(app: Flask) -> None:
    """Register every command group."""
    app.cli.add_command(user_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(trainings_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(caption_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(reports_cli)
    from lms import backup_cli  # backup and restore of the whole database

    backup_cli.init_app(app)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _now() -> datetime:
    """Return the current UTC time: app.config["CLOCK"]() when injected (tests), else the clock's."""

    clock: Callable[[], datetime] = current_app.config.get("CLOCK") or utcnow
    return clock()


@user_cli.command("create")
@click.option("--email", default="", help="Surel (login).")
@click.option("--nip", default="", help="NIP 18 digit (login).")
@click.option("--name", required=True, help="Nama lengkap dengan gelar.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PARTICIPANT.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari stdin (satu baris).")
def user_create(email: str, nip: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a user with a password (prompted, or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        user = services.create_user(services.UserData(full_name=name, email=email, nip=nip, role=role), None)
        services.set_password(user, password, None, one_time=False)
    except LmsError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Pengguna dibuat: {user.login_name} ({role}).")


@user_cli.command("set-password")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari stdin (satu baris).")
@click.option("--one-time", is_flag=True, help="Wajib diganti saat masuk berikutnya.")
def user_set_password(login: str, password_stdin: bool, one_time: bool) -> None:
    """Set LOGIN's (NIP or e-mail) password: the rescue when nobody can log in."""
    user = services.find_by_login(login)
    if user is None:
        _fail(f"Pengguna {login} tidak ditemukan.")
        return
    try:
        services.set_password(user, _read_password(password_stdin), None, one_time=one_time)
    except LmsError as exc:
        _fail(exc.message)
    if not user.active:
        click.echo("Perhatian: akun ini nonaktif; aktifkan dari halaman admin.", err=True)
    db.session.commit()
    click.echo(f"Kata sandi {user.login_name} diganti; sesi lamanya berakhir.")


@user_cli.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]))
def user_list(role: str | None) -> None:
    """Print users as tab-separated lines: id, role, login, name."""
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    for user in db.session.scalars(query):
        click.echo(f"{user.id}\t{user.role}\t{user.login_name}\t{user.full_name}")


@privacy_cli.command("purge")
def privacy_purge() -> None:
    """Purge check-in IP, user agent and device id, and import previews, past the retention period."""

    result = run_purge(_now())
    click.echo(f"Data sebelum {format_utc(result.cutoff)} dihapus: data perangkat pada "
               f"{result.attendance_records} catatan presensi, {result.import_previews} pratinjau impor.")


@caption_cli.command("check")
@click.argument("file", default="-")
@click.option("--platform", type=click.Choice(list(PLATFORMS)), default="instagram", show_default=True)
def caption_check(file: str, platform: str) -> None:
    """Check the caption in FILE (- or nothing: stdin); print LINE:COLUMN: KIND: message; exit 1 on any finding."""

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        _caption_error(f"Berkas {file} tidak ada.")
    except IsADirectoryError:
        _caption_error(f"{file} adalah folder, bukan berkas caption.")
    except UnicodeDecodeError:
        _caption_error(f"Berkas {file} bukan teks UTF-8.")
    result = caption_report.build(text, platform, Path(current_app.config["COURSES_DIR"]))
    for finding in result.findings:
        click.echo(finding.as_line())
    sys.exit(1 if result.findings else 0)


def _caption_error(message: str) -> NoReturn:
    click.echo(f"Kesalahan: {message}", err=True)
    sys.exit(2)  # 1 means "findings"


@click.command("demo")
@click.option("--participants", default=30, show_default=True, type=click.IntRange(1, 2000))
@click.option("--seed", type=int, default=None, help="Angka acak tetap (untuk pengujian).")
@click.option("--if-empty", is_flag=True,
              help="Jika sudah ada pengguna, jangan gagal: tampilkan saja login admin demo.")
def demo_command(participants: int, seed: int | None, if_empty: bool) -> None:
    """Fill an empty database with a demo institution, OPDs, staff and participants."""

    path = Path(current_app.instance_path) / "demo-logins.txt"
    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        _echo_saved_admin(path)
        return

    try:
        logins = create_demo(participants, seed)
        create_demo_trainings(utcnow(), seed)
    except LmsError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    lines = ["peran\tnama\tlogin\tkata_sandi"] + ["\t".join(line) for line in logins.lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo("Login demo (peran, login, kata sandi):")
    for role, name, login, password in logins.lines[:4]:
        click.echo(f"  {role:12} {login:34} {password}   {name}")
    click.echo(f"  ... dan {len(logins.lines) - 4} peserta lain. Semua login tersimpan di {path}")


def _echo_saved_admin(path: Path) -> None:
    admins = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
              if line.startswith("admin\t")] if path.exists() else []
    if admins:
        _, name, login, password = admins[0]
        click.echo(f"Login admin demo: {login}  kata sandi: {password}  ({name}; bila belum diganti). "
                   f"Semua login demo ada di {path}")
    else:
        click.echo("Basis data sudah berisi pengguna; demo tidak dibuat ulang.")


def _roots() -> tuple[Path, Path]:
    return Path(current_app.config["COURSES_DIR"]), Path(current_app.config["QUIZZES_DIR"])


def _print_problems(result: CheckResult) -> None:
    for error in result.errors:
        click.echo(str(error), err=True)
    for note in result.notes:
        click.echo(f"{note} (catatan)", err=True)
    for warning in result.warnings:
        click.echo(f"{warning} (peringatan)", err=True)


@content_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def content_check(paths: tuple[Path, ...]) -> None:
    """Validate content files or folders (default: courses/ and quizzes/) without writing."""

    courses_root, quizzes_root = _roots()
    result = check_paths(paths, courses_root, quizzes_root) if paths else load_all(courses_root, quizzes_root)
    _print_problems(result)
    if result.errors:
        raise click.ClickException(f"{len(result.errors)} kesalahan ditemukan.")
    click.echo(f"OK: {len(result.courses)} kursus, "
               f"{sum(len(c.lessons) for c in result.courses)} pelajaran, {len(result.quizzes)} kuis, "
               f"{sum(len(q.questions) for q in result.quizzes)} soal, {len(result.assignments)} tugas, "
               f"{len(result.questionnaires)} kuesioner evaluasi"
               + (f", {len(result.warnings)} peringatan." if result.warnings else "."))


@content_cli.command("sync")
def content_sync() -> None:
    """Load courses/ and quizzes/ into the catalog: idempotent, all or nothing."""

    loaded = load_all(*_roots())
    _print_problems(loaded)
    if loaded.errors:
        raise click.ClickException(f"{len(loaded.errors)} kesalahan: tidak ada yang dimuat.")
    outcome = sync(loaded, utcnow())
    db.session.commit()
    click.echo(f"Kursus: {outcome.courses.summary()}.")
    click.echo(f"Kuis: {outcome.quizzes.summary()}.")
    click.echo(f"Tugas: {outcome.assignments.summary()}.")


@quizzes_cli.command("finalize-overdue")
def quizzes_finalize_overdue() -> None:
    """Grade and close every attempt past its deadline (the job worker also does so every minute)."""

    count = quiz_services.run_finalize_overdue(_now())
    click.echo(f"{count} percobaan yang lewat batas waktu ditutup dan dinilai.")


@quizzes_cli.command("regrade")
@click.argument("slug")
def quizzes_regrade(slug: str) -> None:
    """Regrade SLUG's finished attempts against its current key; list changed pass/fail."""

    quiz = quiz_services.get_quiz(slug)
    if quiz is None:
        _fail(f"Kuis {slug} tidak ditemukan.")
        return
    changed = quiz_services.regrade(quiz, None, _now())
    db.session.commit()
    click.echo(f"Penilaian ulang {slug} selesai; {len(changed)} percobaan berubah status kelulusan.")

    for item in changed:
        before = "lulus" if item["passed_before"] else "tidak lulus"
        after = "lulus" if item["passed_after"] else "tidak lulus"
        attempt = db.session.get(Attempt, item["attempt_id"])
        backed = db.session.scalars(select(Certificate.number).where(
            Certificate.user_id == item["user_id"], Certificate.training_id == attempt.training_id,
            Certificate.status == "valid")).all() if attempt and attempt.training_id else []
        note = f"\tsertifikat terbit (tidak diubah): {', '.join(backed)}" if backed else ""
        click.echo(f"attempt {item['attempt_id']}\tuser {item['user_id']}\t{before} → {after}{note}")


@trainings_cli.command("list")
def trainings_list() -> None:
    """Print one tab-separated line per training: slug, title, start, end, participants."""
    items = list(db.session.scalars(select(Training).order_by(Training.start_date, Training.id)))
    counts = trainings_with_counts(items)
    for training in items:
        click.echo(f"{training.slug}\t{training.title}\t{training.start_date.isoformat()}\t"
                   f"{training.end_date.isoformat()}\t{counts.get(training.id, 0)}")


def _training_or_fail(slug: str) -> Training:
    training = get_training(slug)
    if training is None:
        _fail(f"Kegiatan {slug} tidak ditemukan.")
    return training  # type: ignore[return-value]


@certificates_cli.command("issue")
@click.argument("training_slug")
@click.option("--all-eligible", is_flag=True, required=True, help="Terbitkan untuk semua yang memenuhi syarat.")
@click.option("--before-end", "early_reason", default=None, metavar="ALASAN",
              help="Terbitkan sebelum pelatihan selesai, dengan alasan ini (dicatat di log audit).")
def certificates_issue(training_slug: str, all_eligible: bool, early_reason: str | None) -> None:
    """Issue every eligible participant's certificate; print number, code and name per new one."""

    training = _training_or_fail(training_slug)
    try:
        with writing():
            certificates.check_issue_day(training, _now(), early_reason, None)
    except LmsError as exc:
        db.session.rollback()
        _fail(exc.message.replace(f'centang "{certificates.EARLY_LABEL}"', "beri --before-end ALASAN"))
    if not certificates.base_url_is_public(certificates.public_base_url()):
        click.echo(f"Perhatian: alamat publik adalah {certificates.public_base_url()}; kode QR yang dicetak "
                   "tidak akan terbuka untuk publik. Isi Alamat publik LMS di Profil instansi (atau "
                   "LMS_PUBLIC_BASE_URL).", err=True)
    with click.progressbar(length=1, label="Menerbitkan", file=sys.stderr) as bar:
        def progress(done: int, total: int, certificate: Any, error: str | None) -> None:
            bar.length = total
            bar.update(1)
            if certificate is not None:
                click.echo(f"{certificate.number}\t{certificate.code}\t{certificate.data['holder_name']}")
            if error:
                click.echo(f"Dilewati: {error}", err=True)

        try:
            # Not inside writing(): issue_all takes the write lock per batch, only to store it.
            certificates.issue_all(training, None, _now(), commit=db.session.commit, progress=progress)
        except LmsError as exc:  # e.g. another issue of this training running at the same time
            db.session.rollback()
            _fail(exc.message)


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True)
def certificates_revoke(code: str, reason: str) -> None:
    """Revoke the certificate CODE with a reason (it stays verifiable as Dicabut)."""

    certificate = certificates.find(code)
    if certificate is None:
        _fail(f"Sertifikat dengan kode {code} tidak ditemukan.")
        return
    try:
        certificates.revoke(certificate, reason, None, _now())
    except LmsError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Sertifikat {certificate.number} dicabut.")


@certificates_cli.command("render")
@click.argument("code")
@click.option("-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def certificates_render(code: str, output: Path) -> None:
    """Write the stored PDF of certificate CODE to a file (byte for byte as issued)."""

    certificate = certificates.find(code)
    if certificate is None:
        _fail(f"Sertifikat dengan kode {code} tidak ditemukan.")
        return
    output.write_bytes(certificates.pdf_bytes(certificate))
    click.echo(f"{output} ({certificate.number}, SHA-256 {certificate.pdf_sha256})")


@certificates_cli.command("export")
@click.argument("training_slug")
@click.option("--zip", "zip_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def certificates_export(training_slug: str, zip_path: Path) -> None:
    """Write a training's valid certificates into a ZIP of PDFs."""

    training = _training_or_fail(training_slug)
    with zip_path.open("wb") as target:
        count = write_zip(certificates.pdfs_of(training), target)
    click.echo(f"{count} sertifikat ditulis ke {zip_path}")


@certificates_cli.command("verify-pdf")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def certificates_verify_pdf(file: Path) -> None:
    """Check a PDF against the recorded hashes and validate its electronic signature (exit 0 only when sound)."""

    content = file.read_bytes()
    try:
        checks = check_pdf(content, signing.trust_roots(), _now())
    except ValueError as exc:
        _fail(f"Berkas ini tidak dapat dibaca sebagai PDF: {exc}")
        return
    problems = [problem for check in checks for problem in _echo_signature(check)]
    certificate = certificates.verify_file(content)
    if certificate is None:
        certificate = certificates.unsigned_copy_of(content)
        if certificate is not None:
            click.echo(f"Berkas ini salinan sertifikat {certificate.number} sebelum ditandatangani; yang berlaku "
                       "adalah berkas bertanda tangan elektronik (unduh ulang dari LMS).", err=True)
            problems.append("berkas ini bukan versi yang ditandatangani")
        elif checks:
            _fail("Berkas ini TIDAK sama dengan sertifikat mana pun yang diterbitkan: tanda tangannya bukan "
                  "tanda tangan sertifikat LMS ini, atau berkasnya diubah.")
        else:
            _fail("Berkas ini TIDAK sama dengan sertifikat mana pun yang diterbitkan (mungkin diubah).")
    assert certificate is not None
    if certificate.status != "valid":
        _fail(f"Berkas sertifikat {certificate.number}, tetapi sertifikat itu DICABUT: {certificate.revoke_reason}")
    if problems:
        _fail("Tanda tangan elektronik berkas ini bermasalah: " + "; ".join(problems) + ".")
    state = ", ditandatangani secara elektronik" if checks else " (tanpa tanda tangan elektronik)"
    click.echo(f"Sah: berkas asli sertifikat {certificate.number} atas nama "
               f"{certificate.data['holder_name']}{state}.")


def _echo_signature(check: SignatureCheck) -> list[str]:
    """Print what the validator found for one signature; return its problems (none when sound)."""
    when = format_utc(check.signed_at) if check.signed_at else "tidak diketahui"
    stamp = ("ada, sah" if check.timestamp_ok else "ada, TIDAK sah") if check.timestamped else "tidak ada (PAdES B-B)"
    click.echo(f"Tanda tangan {check.field}: oleh {check.signer} (penerbit sertifikatnya: {check.issuer}), "
               f"pada {when}")
    click.echo(f"  Keutuhan: {'utuh' if check.intact else 'RUSAK (isi berkas tidak cocok dengan tanda tangan)'}")
    click.echo(f"  Penanda tangan: {'terpercaya' if check.trusted else 'TIDAK dikenal (rantainya tidak dipercaya)'}")
    click.echo(f"  Cap waktu (RFC 3161): {stamp}")
    click.echo(f"  Diubah setelah ditandatangani: {'YA' if check.changed_after else 'tidak'}")
    problems = []
    if not check.intact:
        problems.append(f"tanda tangan {check.signer} tidak utuh")
    if check.changed_after:
        problems.append("berkas diubah setelah ditandatangani")
    if not check.trusted:
        problems.append(f"penanda tangan {check.signer} bukan identitas tanda tangan yang dipercaya LMS ini")
    if check.timestamped and not check.timestamp_ok:
        problems.append("cap waktunya tidak sah")
    return problems


@certificates_cli.command("sign")
@click.argument("code", required=False)
@click.option("--training", "training_slug", default=None, metavar="SLUG",
              help="Tandatangani semua sertifikat kegiatan ini yang menunggu TTE.")
def certificates_sign(code: str | None, training_slug: str | None) -> None:
    """Sign certificate CODE, or every certificate of --training SLUG waiting for TTE, with the local key."""

    if bool(code) == bool(training_slug):
        _fail("Sebutkan satu KODE sertifikat atau --training SLUG (tidak keduanya).")
    try:
        signer = signing.local_signer(_now())
    except SigningError as exc:
        _fail(exc.message)
        return
    if signer is None:
        _fail("Kunci tanda tangan lokal belum dikonfigurasi: isi LMS_SIGNING_PKCS12 dan kata sandinya "
              "(LMS_SIGNING_PASSPHRASE_FILE).")
        return
    only: list[int] | None = None
    if code:
        certificate = certificates.find(code)
        if certificate is None:
            _fail(f"Sertifikat dengan kode {code} tidak ditemukan.")
            return
        try:
            signing.check_signable(certificate)
        except LmsError as exc:
            _fail(exc.message)
        training_id, only = certificate.training_id, [certificate.id]
    else:
        training_id = _training_or_fail(training_slug or "").id
    db.session.commit()  # end the read: sign_training takes the write lock per batch, only to store it
    with click.progressbar(length=1, label="Menandatangani", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            count = sign_training(training_id, signer, None, _now(), db.session.commit, progress, only)
        except SigningError as exc:
            _fail(f"{exc.message} Sertifikat yang belum ditandatangani tetap menunggu TTE.")
            return
        except LmsError as exc:
            _fail(exc.message)
            return
    click.echo(f"{count} sertifikat ditandatangani oleh {signer.identity.subject}.")

