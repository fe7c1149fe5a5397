"""Forms of the report page: the narratives and a documentation photo."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from lms.forms import Form
from lms.reports.services import MAX_CAPTION

HELP = "Markdown: **tebal**, *miring*, daftar dengan - atau 1. Kosongkan untuk memakai draf otomatis."


class NarrativeForm(Form):
    latar_belakang = TextAreaField("Latar Belakang", description=HELP, render_kw={"rows": 6})
    dasar_hukum = TextAreaField("Dasar Hukum", description=HELP, render_kw={"rows": 6})
    maksud_tujuan = TextAreaField("Maksud dan Tujuan", description=HELP, render_kw={"rows": 6})
    sasaran = TextAreaField("Sasaran", description=HELP, render_kw={"rows": 5})
    kendala_solusi = TextAreaField("Kendala dan Solusi", description=HELP, render_kw={"rows": 5})
    kesimpulan = TextAreaField("Kesimpulan", description=HELP + " Draf otomatis memakai angka terbaru; teks yang "
                               "Anda simpan dicetak apa adanya.", render_kw={"rows": 5})
    rekomendasi = TextAreaField("Rekomendasi", description=HELP, render_kw={"rows": 5})
    preview = SubmitField("Pratinjau")
    submit = SubmitField("Simpan narasi")


class PhotoForm(Form):
    photo = FileField("Foto (JPEG, PNG, atau WebP)", validators=[FileRequired("Pilih foto terlebih dahulu.")])
    caption = StringField("Keterangan foto", validators=[Length(max=MAX_CAPTION)],
                          render_kw={"placeholder": "mis. Pembukaan oleh Kepala Dinas"})
    upload = SubmitField("Unggah foto")
