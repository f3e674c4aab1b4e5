"""Forms of the moderation pages: release, reject, report, resolve and mute."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms_common import optional_int, strip_text

NOTE_MAX = 500


class ReleaseForm(FlaskForm):
    """Let a held message through, with an optional note kept with it."""

    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip_text],
        render_kw={"rows": 1},
    )


class RejectForm(FlaskForm):
    """Keep a held message back; the sender is shown the reason."""

    reason = TextAreaField(
        "Reason (the sender sees it)",
        validators=[
            DataRequired(message="Say why the message is not sent: the sender sees it."),
            Length(max=NOTE_MAX),
        ],
        filters=[strip_text],
        render_kw={"rows": 2},
    )


class FlagForm(FlaskForm):
    """Report a message to the teacher."""

    reason = TextAreaField(
        "What is wrong with this message?",
        validators=[
            DataRequired(message="Say what is wrong with the message."),
            Length(max=NOTE_MAX),
        ],
        filters=[strip_text],
        render_kw={"rows": 2},
    )


class ResolveForm(FlaskForm):
    """Close a message's reports, optionally removing the message (with a reason)."""

    hide = BooleanField("Also remove the message from the thread")
    reason = TextAreaField(
        "Reason for removing it (the sender sees it)",
        validators=[Length(max=NOTE_MAX)],  # not Optional(): it would skip validate_reason
        filters=[strip_text],
        render_kw={"rows": 2},
    )

    def validate_reason(self, field: TextAreaField) -> None:
        if self.hide.data and not field.data:
            raise ValidationError("Say why the message is removed: the sender sees it.")


class MuteForm(FlaskForm):
    """Mute an employer member for the school: they still read, but cannot post."""

    user_id = SelectField(
        "Member",
        coerce=optional_int,
        validate_choice=False,  # the service decides who may be muted, and says why
        validators=[DataRequired(message="Choose whom to mute.")],
    )
    reason = TextAreaField(
        "Reason (kept with the mute)",
        validators=[DataRequired(message="Say why: it is kept with the mute."), Length(max=500)],
        filters=[strip_text],
        render_kw={"rows": 2},
    )
