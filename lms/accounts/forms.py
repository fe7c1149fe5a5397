"""Forms of the accounts domain; every one carries a CSRF token."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from lms.accounts.models import ROLE_LABELS, Role
from lms.dates import ZONE_LABELS
from lms.forms import Form

REQUIRED = "Wajib diisi."


class LoginForm(Form):
    identifier = StringField("NIP atau surel", validators=[DataRequired(REQUIRED), Length(max=254)],
                             render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Masuk")


class ChangePasswordForm(Form):
    current_password = PasswordField("Kata sandi saat ini", validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("Kata sandi baru", validators=[DataRequired(REQUIRED), Length(max=200)],
                             render_kw={"autocomplete": "new-password"},
                             description="Minimal 8 karakter. Hindari kata sandi umum, pola berulang, "
                                         "serta nama, NIP, atau surel Anda; gabungan tiga kata atau "
                                         "lebih mudah diingat dan sulit ditebak.")
    confirm = PasswordField("Ulangi kata sandi baru",
                            validators=[DataRequired(REQUIRED),
                                        EqualTo("password", "Kedua kata sandi baru tidak sama.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Simpan kata sandi")


class UserForm(Form):
    full_name = StringField("Nama lengkap (dengan gelar)",
                            validators=[DataRequired(REQUIRED), Length(max=200)])
    nip = StringField("NIP", validators=[Optional(), Length(max=30)],
                      description="18 digit; kosongkan untuk non-ASN (isi surel).",
                      render_kw={"inputmode": "numeric"})
    email = StringField("Surel", validators=[Optional(), Length(max=254)],
                        render_kw={"type": "email", "autocapitalize": "none"})
    pangkat_golongan = StringField("Pangkat/Golongan", validators=[Optional(), Length(max=100)])
    jabatan = StringField("Jabatan", validators=[Optional(), Length(max=200)])
    phone = StringField("No. HP/WA", validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "tel"})
    agency_id = SelectField("OPD", coerce=int)
    role = SelectField("Peran", choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    submit = SubmitField("Simpan")


class ContactForm(Form):
    email = StringField("Surel", validators=[Optional(), Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "email", "autocapitalize": "none"})
    phone = StringField("No. HP/WA", validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"},
                        description="Diawali 0 atau +62, misalnya 0812 3456 7890.")
    submit = SubmitField("Simpan perbaikan")


class AnonymiseForm(Form):
    confirm = BooleanField("Saya paham: nama, NIP, surel, No. HP, pangkat, jabatan, dan kata sandi akun ini "
                           "dihapus dan tidak dapat dikembalikan.",
                           validators=[DataRequired("Centang konfirmasi terlebih dahulu.")])
    submit = SubmitField("Anonimkan akun")


class AgencyForm(Form):
    name = StringField("Nama OPD", validators=[DataRequired(REQUIRED), Length(max=200)])
    submit = SubmitField("Simpan")


class InstitutionForm(Form):
    name = StringField("Nama instansi", validators=[DataRequired(REQUIRED), Length(max=200)])
    city = StringField("Kota/Kabupaten (tempat penerbitan)",
                       validators=[DataRequired(REQUIRED), Length(max=100)])
    time_zone = SelectField("Zona waktu", choices=[SelectChoice(k, f"{v} ({k})") for k, v in ZONE_LABELS.items()])
    address = StringField("Alamat", validators=[Optional(), Length(max=300)])
    head_name = StringField("Nama kepala dinas", validators=[Optional(), Length(max=200)])
    head_pangkat = StringField("Pangkat/golongan kepala dinas", validators=[Optional(), Length(max=100)])
    head_nip = StringField("NIP kepala dinas", validators=[Optional(), Length(max=30)])
    head_title = StringField("Jabatan kepala dinas", validators=[Optional(), Length(max=200)])
    certificate_pattern = StringField(
        "Pola nomor sertifikat", validators=[DataRequired(REQUIRED), Length(max=200)],
        description="Kolom yang dikenal: {seq} (urut per tahun, mis. {seq:03d}), {year}, {month}, "
                    "{month_roman}, {day}, {training_code}. Wajib memuat {seq} dan {year}.")
    public_base_url = StringField(
        "Alamat publik LMS", validators=[Optional(), Length(max=300)],
        render_kw={"inputmode": "url", "autocapitalize": "none", "placeholder": "https://lms.diskominfo.contohkab.go.id"},
        description="Alamat server Diskominfo yang dapat dibuka masyarakat; dipakai pada kode QR dan tautan "
                    "verifikasi sertifikat yang diterbitkan sesudah ini. Kosongkan untuk memakai alamat bawaan.")
    logo = FileField("Logo (PNG atau JPEG, paling besar 2 MB)")
    verify_show_score = BooleanField(
        "Tampilkan nilai post-test dan predikat di halaman verifikasi publik",
        description="Bawaan: tidak. Halaman verifikasi dapat dibuka siapa pun yang memegang kode; "
                    "nilai adalah data pribadi (UU PDP) dan tidak diperlukan untuk memeriksa keaslian.")
    verify_show_pangkat = BooleanField(
        "Tampilkan pangkat/golongan pemegang di halaman verifikasi publik",
        description="Bawaan: tidak. Nama, NIP tersamar, OPD, nomor, dan tanggal sudah cukup untuk verifikasi.")
    verify_show_jabatan = BooleanField(
        "Tampilkan jabatan pemegang di halaman verifikasi publik",
        description="Bawaan: tidak. Aktifkan hanya bila instansi penerima sertifikat memerlukannya.")
    submit = SubmitField("Simpan")


class ImportForm(Form):
    file = FileField("Berkas CSV atau XLSX", validators=[FileRequired("Pilih berkas terlebih dahulu.")])
    submit = SubmitField("Periksa berkas")


class OneTimePasswordForm(Form):
    user_ids = SelectMultipleField("Pengguna", coerce=int,
                                   validators=[DataRequired("Pilih minimal satu pengguna.")])
    output = SelectField("Bentuk", choices=[SelectChoice("pdf", "Slip PDF untuk dicetak"),
                                                   SelectChoice("xlsx", "Excel (XLSX)"), SelectChoice("csv", "CSV")])
    confirm = BooleanField("Saya paham kata sandi lama pengguna terpilih tidak berlaku lagi.",
                           validators=[DataRequired("Centang konfirmasi terlebih dahulu.")])
    submit = SubmitField("Buat kata sandi sekali pakai")
