"""The bundle upload form."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField

from lms.forms import Form


class BundleUploadForm(Form):
    file = FileField("Berkas bundel (.zip)", validators=[FileRequired("Pilih berkas bundel terlebih dahulu.")])
    accept_institution = BooleanField("Saya tahu bundel ini dari instansi lain dan tetap ingin mengimpornya")
    submit = SubmitField("Periksa bundel")
