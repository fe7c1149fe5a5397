"""Forms of certificates."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts.forms import REQUIRED
from lms.forms import Form


class ReasonForm(Form):
    reason = TextAreaField("Alasan", validators=[DataRequired(REQUIRED), Length(max=1000)])


class IssueForm(Form):
    """Issue one, all, or a replacement; before the training's last day only with the override ticked."""

    early = BooleanField("Terbitkan sebelum pelatihan selesai")
    early_reason = TextAreaField("Alasan penerbitan sebelum pelatihan selesai",
                                 validators=[Optional(), Length(max=500)],
                                 description="Dicatat di log audit, mis. peserta dipanggil tugas dinas sebelum "
                                             "hari terakhir.")


class SignatoryForm(Form):
    signatory_name = StringField("Nama penanda tangan", validators=[Optional(), Length(max=200)],
                                 description="Kosongkan untuk memakai kepala dinas pada profil instansi.")
    signatory_pangkat = StringField("Pangkat/golongan", validators=[Optional(), Length(max=100)])
    signatory_nip = StringField("NIP", validators=[Optional(), Length(max=30)])
    signatory_title = StringField("Jabatan", validators=[Optional(), Length(max=200)])
    signature = FileField("Gambar tanda tangan (PNG, opsional)")
    predikat_bands = StringField("Predikat", validators=[Optional(), Length(max=300)],
                                 description="Mis. 90=Sangat Baik; 80=Baik; 70=Cukup. Kosong: dimulai dari "
                                             "nilai lulus post-test.")


class LookupForm(Form):
    class Meta:
        csrf = False  # a public GET lookup; nothing changes

    code = StringField("Kode verifikasi", validators=[DataRequired(REQUIRED), Length(max=40)])
