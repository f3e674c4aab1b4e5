"""Forms of threads: writing a message, and starting a school's relationship channel."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms_common import optional_int, strip, strip_text
from .service import MAX_BODY

BODY_HELP = "Markdown works: **bold**, lists, links. Contact details are held for the teacher."


def body_field() -> TextAreaField:
    return TextAreaField(
        "Message",
        filters=[strip_text],
        validators=[
            DataRequired("Write a message first."),
            Length(max=MAX_BODY, message=f"A message can be at most {MAX_BODY:,} characters."),
        ],
        description=BODY_HELP,
        render_kw={"rows": 4},
    )


class MessageForm(FlaskForm):
    """A message with an optional file."""

    body = body_field()
    file = FileField("Attach a file (optional)")


class NewThreadForm(FlaskForm):
    """Staff open (or write into) their school's channel with an organisation."""

    organisation = SelectField("Organisation", coerce=optional_int, validate_choice=True)
    subject = StringField("Subject", filters=[strip], validators=[DataRequired(), Length(max=200)])
    body = body_field()
