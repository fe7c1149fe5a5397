"""Forms of attendance: a session of the day, a mark by staff, a participant's check-in code."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.accounts.forms import REQUIRED
from lms.attendance.models import STATUS_LABELS
from lms.attendance.states import EXTEND_CHOICES
from lms.forms import Form
from lms.routing import MAX_ID


class SessionForm(Form):
    day = SelectField("Hari")
    label = StringField("Nama sesi", validators=[DataRequired(REQUIRED), Length(max=100)], default="Pagi")
    start_time = TimeField("Mulai", validators=[DataRequired("Isi jam yang sah.")])
    end_time = TimeField("Selesai", validators=[DataRequired("Isi jam yang sah.")])


class MarkForm(Form):
    session_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    user_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    note = StringField("Catatan", validators=[Optional(), Length(max=300)])


class CodeForm(Form):
    code = StringField("Kode presensi (6 angka)", validators=[DataRequired(REQUIRED), Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class BulkForm(Form):
    """One status for the selected participants (or all of them) in one session."""

    session_id = SelectField("Sesi", coerce=int, validate_choice=False,
                             validators=[DataRequired("Pilih sesi."), NumberRange(min=1, max=MAX_ID)])
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    user_ids = HiddenField()  # the checkboxes of the rows; read as a list by the view
    all = BooleanField("Pilih semua")


class UndoForm(Form):
    event_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])


class StateForm(Form):
    """Open, close or extend a session now; `back` names the page to return to."""

    change = SelectField(choices=[SelectChoice("open", "Buka sekarang"), SelectChoice("close", "Tutup sekarang"),
                                  SelectChoice("extend", "Perpanjang")])
    minutes = IntegerField(default=EXTEND_CHOICES[0], validators=[Optional(), NumberRange(min=1, max=240)])
    back = SelectField(choices=[SelectChoice("roster", ""), SelectChoice("screen", "")], default="roster")
    alamat = StringField(validators=[Optional(), Length(max=45)])  # the screen's chosen venue address
