"""Forms of the partner network: a partner, its contacts, the log, tasks and activities."""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from .. import clock
from ..clusters import CAREER_CLUSTERS
from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    bounded_int,
    lower_strip,
    optional_int,
    strip,
    strip_text,
    web_address_field,
)
from ..models import (
    MANUAL_KINDS,
    ActivityKind,
    Channel,
    PartnerSource,
    PartnerStage,
)

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class PlausibleDay:
    """A day this century (a typo like 0001 or 20266 is refused, not a 500); with `past`, not
    after today where the user is (the log records what happened)."""

    def __init__(self, past: bool = False) -> None:
        self.past = past

    def __call__(self, form: FlaskForm, field: DateField) -> None:
        day = field.data
        if day is None:
            return
        if not EARLIEST <= day <= LATEST:
            raise ValidationError("Check the year.")
        if self.past and day > clock.today_for(current_user):
            raise ValidationError("That day has not come yet: log what has happened.")


SOURCE_CHOICES = [SelectChoice("", "Not known"), *(SelectChoice(s.value) for s in PartnerSource)]


def _clusters() -> MultiCheckboxField:
    return MultiCheckboxField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Career clusters",
        choices=[SelectChoice(c) for c in CAREER_CLUSTERS],
        validate_choice=True,
        invalid_choice_message="Choose among the clusters listed.",
    )


def _tags() -> StringField:
    return StringField(
        "Tags",
        validators=[Optional(), Length(max=400)],
        filters=[strip],
        description="Separated by commas, for example: hiring, bilingual, summer only",
    )


class RecordMixin:
    source = SelectField("How they came to us", choices=SOURCE_CHOICES, validators=[Optional()])
    recommended_by = StringField(
        "Recommended by",
        validators=[Optional(), Length(max=160)],
        filters=[strip],
        description="Who referred them: a council member, a parent, another partner…",
    )
    clusters = _clusters()
    tags = _tags()
    notes = TextAreaField(
        "Private notes",
        validators=[Optional(), Length(max=5000)],
        filters=[strip_text],
        description="Only your school's staff read these.",
    )


class NewPartnerForm(RecordMixin, FlaskForm):
    name = StringField(
        "Organisation name", validators=[DataRequired(), Length(max=160)], filters=[strip]
    )
    website = web_address_field("Website", max_length=255)


class RecordForm(RecordMixin, FlaskForm):
    owner = SelectField("Owner of the relationship", coerce=optional_int, validators=[Optional()])


class StageForm(FlaskForm):
    stage = SelectField(
        "Stage",
        choices=[SelectChoice(s.value, s.label.capitalize()) for s in PartnerStage],
        validators=[DataRequired()],
    )


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip])
    title = StringField("Title", validators=[Optional(), Length(max=120)], filters=[strip])
    email = EmailField(
        "E-mail", validators=[Optional(), Email(), Length(max=255)], filters=[lower_strip]
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=40)], filters=[strip])
    channel = SelectField(
        "Prefers",
        choices=[SelectChoice(c.value, c.value.capitalize()) for c in Channel],
        default=Channel.EMAIL.value,
    )
    do_not_contact = BooleanField(
        "Do not contact", description="Nobody at the school writes or calls them."
    )


class TouchpointForm(FlaskForm):
    kind = RadioField(
        "What",
        choices=[SelectChoice(k.value, k.value.capitalize()) for k in MANUAL_KINDS],
        default=MANUAL_KINDS[0].value,
        validators=[DataRequired(message="Choose what it was.")],
    )
    day = DateField("On", validators=[DataRequired(message="Give the day."), PlausibleDay(True)])
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired(message="Say in a line what was said."), Length(max=5000)],
        filters=[strip_text],
    )
    contacts = MultiCheckboxField(
        "With", coerce=bounded_int, validators=[Optional()], validate_choice=True
    )


class TaskForm(FlaskForm):
    title = StringField("Follow-up", validators=[DataRequired(), Length(max=200)], filters=[strip])
    due_on = DateField(
        "Due", validators=[DataRequired(message="Give the day it is due."), PlausibleDay()]
    )
    assignee = SelectField("For", coerce=bounded_int, validators=[DataRequired()])


class ActivityForm(FlaskForm):
    kind = SelectField(
        "Activity",
        choices=[SelectChoice(k.value, k.value.capitalize()) for k in ActivityKind],
        default=ActivityKind.GUEST_SPEAKER.value,
    )
    held_on = DateField(
        "On", validators=[DataRequired(message="Give the day."), PlausibleDay(True)]
    )
    students_reached = IntegerField(
        "Students reached", default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    hours = FloatField(
        "Hours given", default=0, validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    note = StringField("Note", validators=[Optional(), Length(max=500)], filters=[strip])
