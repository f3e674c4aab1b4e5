"""Forms of the moderation pages: release, reject, report, resolve and mute."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms_common import SelectChoice, optional_int, strip_text
from ..models import Message

NOTE_MAX = 500


class CheckersForm(FlaskForm):
    """Who checks the school's held messages (school admins choose)."""

    checkers = RadioField(
        "Who checks a team's held messages",
        choices=[
            SelectChoice("team", "The team's own teachers, and the school's admins"),
            SelectChoice("all", "Every teacher and admin of the school"),
        ],
        validators=[InputRequired(message="Choose who checks held messages.")],
    )


class ReleaseForm(FlaskForm):
    """Let a held message through, with an optional note kept with it."""

    note = TextAreaField(
        "Note (optional)",
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip_text],
        render_kw={"rows": 2},
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


# --- the forms of one row of the queue -----------------------------------------------------


def own_ids(form: FlaskForm, key: str) -> FlaskForm:
    """Give the fields of one of several forms on a page ids of their own (labels follow)."""
    for field in form:
        field.id = f"{key}-{field.name}"
        field.label.field_id = field.id
    return form


@dataclass
class Forms:
    """The forms of one row of the queue; a failed one replaces its blank twin."""

    release: ReleaseForm | None = None
    reject: RejectForm | None = None
    resolve: ResolveForm | None = None
    mute: MuteForm | None = None


def held_forms(message: Message, failed: FlaskForm | None = None) -> Forms:
    """The forms of a held message's row (release, reject, mute)."""
    key = f"held-{message.id}"
    forms = Forms(
        release=own_ids(ReleaseForm(formdata=None), f"{key}-release"),
        reject=own_ids(RejectForm(formdata=None), f"{key}-reject"),
        mute=own_ids(MuteForm(formdata=None), f"{key}-mute"),
    )
    if isinstance(failed, ReleaseForm):
        forms.release = own_ids(failed, f"{key}-release")
    if isinstance(failed, RejectForm):
        forms.reject = own_ids(failed, f"{key}-reject")
    return forms


def report_forms(message: Message, failed: FlaskForm | None = None) -> Forms:
    """The forms of a reported message's row (resolve, mute)."""
    key = f"report-{message.id}"
    resolve = failed if isinstance(failed, ResolveForm) else ResolveForm(formdata=None)
    return Forms(
        resolve=own_ids(resolve, f"{key}-resolve"),
        mute=own_ids(MuteForm(formdata=None), f"{key}-mute"),
    )
