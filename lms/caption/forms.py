"""The caption form: the text and the platform it is for."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from lms.caption import report
from lms.forms import Form


class CaptionForm(Form):
    text = TextAreaField("Caption", validators=[Length(max=report.MAX_INPUT)],
                         render_kw={"rows": 10, "spellcheck": "false"})
    platform = SelectField("Platform", choices=report.PLATFORM_CHOICES, default="instagram")
