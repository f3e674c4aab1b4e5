"""Forms of the advisory council: members and their terms, referrals, meetings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    bounded_int,
    lower_strip,
    strip,
    strip_text,
    web_address_field,
)
from ..models import CouncilRole
from .forms import PlausibleDay


class MemberForm(FlaskForm):
    contact = SelectField("Person", coerce=bounded_int, validators=[DataRequired()])
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.value.capitalize()) for r in CouncilRole],
        default=CouncilRole.MEMBER.value,
    )
    term_start = DateField(
        "Term starts", validators=[DataRequired(message="Give the day."), PlausibleDay()]
    )
    term_end = DateField("Term ends (optional)", validators=[Optional(), PlausibleDay()])


class TermForm(FlaskForm):
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in CouncilRole]
    )
    term_start = DateField(
        "Term starts", validators=[DataRequired(message="Give the day."), PlausibleDay()]
    )
    term_end = DateField("Term ends", validators=[Optional(), PlausibleDay()])


class ReferralForm(FlaskForm):
    name = StringField("Business", validators=[DataRequired(), Length(max=160)], filters=[strip])
    website = web_address_field("Website", max_length=255)
    contact_name = StringField(
        "Person to talk to", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    contact_email = EmailField(
        "Their e-mail", validators=[Optional(), Email(), Length(max=255)], filters=[lower_strip]
    )
    note = StringField("Why they fit", validators=[Optional(), Length(max=500)], filters=[strip])


class MeetingForm(FlaskForm):
    held_on = DateField("Day", validators=[DataRequired(message="Give the day."), PlausibleDay()])
    place = StringField("Where", validators=[Optional(), Length(max=200)], filters=[strip])
    agenda = TextAreaField(
        "Agenda", validators=[Optional(), Length(max=10_000)], filters=[strip_text]
    )


class MinutesForm(FlaskForm):
    agenda = TextAreaField(
        "Agenda", validators=[Optional(), Length(max=10_000)], filters=[strip_text]
    )
    minutes = TextAreaField(
        "Minutes",
        validators=[Optional(), Length(max=50_000)],
        filters=[strip_text],
        render_kw={"rows": 10},
    )
    present = MultiCheckboxField("Who came", coerce=bounded_int, validate_choice=False)
