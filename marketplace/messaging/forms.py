"""Forms of threads: writing a message, and starting a school's relationship channel."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms_common import optional_int, strip, strip_text
from ..models import Thread, ThreadKind
from .service import MAX_BODY

MARKDOWN_HELP = "Markdown works: **bold**, lists, links."
# Only where students read: contact details are held for their teacher.
BODY_HELP = f"{MARKDOWN_HELP} Contact details are held for the teacher."


def body_field(description: str = BODY_HELP) -> TextAreaField:
    return TextAreaField(
        "Message",
        filters=[strip_text],
        validators=[
            DataRequired("Write a message first."),
            Length(max=MAX_BODY, message=f"A message can be at most {MAX_BODY:,} characters."),
        ],
        description=description,
        render_kw={"rows": 4},
    )


class MessageForm(FlaskForm):
    """A message with an optional file."""

    body = body_field()
    file = FileField("Attach a file (optional)")

    @classmethod
    def for_thread(cls, thread: Thread, **kwargs: Any) -> MessageForm:
        """The form for `thread`: the staff–organisation channel has no students, so nothing
        there is held for a teacher and the hint does not say so."""
        form = cls(**kwargs)
        if thread.kind is ThreadKind.SCHOOL:
            form.body.description = MARKDOWN_HELP
        return form


class NewThreadForm(FlaskForm):
    """Staff open (or write into) their school's channel with an organisation."""

    organisation = SelectField("Organisation", coerce=optional_int, validate_choice=True)
    subject = StringField("Subject", filters=[strip], validators=[DataRequired(), Length(max=200)])
    body = body_field(MARKDOWN_HELP)
