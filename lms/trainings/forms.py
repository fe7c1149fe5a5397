"""Forms of trainings: the training, its agenda, enrollment and walk-ins."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.accounts.forms import REQUIRED
from lms.dates import ZONE_LABELS
from lms.forms import Form
from lms.training_defaults import TRAINING
from lms.trainings.models import STATUSES

ZONE_CHOICES = [SelectChoice(zone, label) for zone, label in ZONE_LABELS.items()]


class TrainingForm(Form):
    title = StringField("Judul kegiatan", validators=[DataRequired(REQUIRED), Length(max=300)])
    slug = StringField("Slug (alamat singkat)", validators=[DataRequired(REQUIRED), Length(max=100)],
                       description="Huruf kecil, angka, dan tanda hubung, mis. bimtek-medsos-2026.")
    start_date = DateField("Tanggal mulai", validators=[DataRequired("Isi tanggal yang sah.")])
    end_date = DateField("Tanggal selesai", validators=[DataRequired("Isi tanggal yang sah.")])
    venue = StringField("Tempat", validators=[Optional(), Length(max=300)])
    city = StringField("Kota/Kabupaten", validators=[Optional(), Length(max=100)])
    time_zone = SelectField("Zona waktu", choices=ZONE_CHOICES, default=TRAINING.time_zone)
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUSES.items()], default=TRAINING.status)
    quota = IntegerField("Kuota peserta", validators=[Optional(), NumberRange(min=1, max=100_000)])
    description = TextAreaField("Deskripsi", validators=[Optional(), Length(max=5000)])
    minutes_per_jp = IntegerField("Menit per JP", default=TRAINING.minutes_per_jp,
                                  validators=[DataRequired(REQUIRED), NumberRange(min=1, max=120)])
    min_attendance_percent = IntegerField("Kehadiran minimal (%)", default=TRAINING.min_attendance_percent,
                                          validators=[Optional(), NumberRange(min=0, max=100)])
    require_posttest_pass = BooleanField("Wajib lulus post-test", default=TRAINING.require_posttest_pass)
    require_courses_complete = BooleanField("Wajib menyelesaikan semua modul",
                                            default=TRAINING.require_courses_complete)
    evaluation_days = IntegerField("Evaluasi dibuka sampai (hari setelah hari terakhir)",
                                   default=TRAINING.evaluation_days,
                                   validators=[Optional(), NumberRange(min=0, max=90)])
    require_evaluation = BooleanField("Evaluasi wajib sebelum unduh sertifikat", default=TRAINING.require_evaluation)
    late_after_minutes = IntegerField("Terlambat setelah (menit)", default=TRAINING.late_after_minutes,
                                      validators=[Optional(), NumberRange(min=0, max=240)])
    late_counts_present = BooleanField("Terlambat dihitung hadir", default="terlambat" in TRAINING.present_statuses)
    venue_network = StringField("Jaringan Wi-Fi lokasi (opsional, CIDR)", validators=[Optional(), Length(max=100)],
                                description="Jika diisi, presensi mandiri hanya diterima dari jaringan ini, "
                                            "mis. 192.168.1.0/24.")
    courses = SelectMultipleField("Modul", coerce=int)
    trainers = SelectMultipleField("Narasumber", coerce=int)
    pretest_id = SelectField("Pre-test", coerce=int)
    pretest_open_at = DateTimeLocalField("Pre-test dibuka", validators=[Optional()])
    pretest_close_at = DateTimeLocalField("Pre-test ditutup", validators=[Optional()])
    posttest_id = SelectField("Post-test", coerce=int)
    posttest_open_at = DateTimeLocalField("Post-test dibuka", validators=[Optional()])
    posttest_close_at = DateTimeLocalField("Post-test ditutup", validators=[Optional()])


class AgendaForm(Form):
    day = SelectField("Hari")
    start_time = TimeField("Mulai", validators=[DataRequired("Isi jam yang sah.")])
    end_time = TimeField("Selesai", validators=[DataRequired("Isi jam yang sah.")])
    topic = StringField("Materi", validators=[DataRequired(REQUIRED), Length(max=300)])
    trainer_id = SelectField("Narasumber", coerce=int)
    trainer_name = StringField("atau nama narasumber tamu", validators=[Optional(), Length(max=200)])
    jp = IntegerField("JP (kosongkan: dihitung dari durasi)", validators=[Optional(), NumberRange(min=0, max=20)])


class EnrollForm(Form):
    login = StringField("NIP atau surel peserta", validators=[DataRequired(REQUIRED), Length(max=254)])


class EnrollAgencyForm(Form):
    agency_id = SelectField("OPD", coerce=int)


class WalkInForm(Form):
    full_name = StringField("Nama lengkap", validators=[DataRequired(REQUIRED), Length(max=200)])
    nip = StringField("NIP", validators=[Optional(), Length(max=30)], render_kw={"inputmode": "numeric"})
    email = StringField("Surel", validators=[Optional(), Length(max=254)])
    jabatan = StringField("Jabatan", validators=[Optional(), Length(max=200)])
    agency_id = SelectField("OPD", coerce=int)
    phone = StringField("No. HP/WA", validators=[Optional(), Length(max=20)])
