"""Forms of the partner network: a partner, its contacts, the log, tasks and activities."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

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
    CouncilRole,
    PartnerSource,
    PartnerStage,
)

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
    day = DateField("On", validators=[DataRequired(message="Give the day.")])
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
    due_on = DateField("Due", validators=[DataRequired(message="Give the day it is due.")])
    assignee = SelectField("For", coerce=bounded_int, validators=[DataRequired()])


class ActivityForm(FlaskForm):
    kind = SelectField(
        "Activity",
        choices=[SelectChoice(k.value, k.value.capitalize()) for k in ActivityKind],
        default=ActivityKind.GUEST_SPEAKER.value,
    )
    held_on = DateField("On", validators=[DataRequired(message="Give the day.")])
    students_reached = IntegerField(
        "Students reached", default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    hours = FloatField(
        "Hours given", default=0, validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    note = StringField("Note", validators=[Optional(), Length(max=500)], filters=[strip])


class WriteForm(FlaskForm):
    template = SelectField("Start from", validators=[Optional()])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)], filters=[strip])
    body = TextAreaField(
        "Message",
        validators=[DataRequired(), Length(max=10_000)],
        filters=[strip_text],
        description="Merge fields: {{ first_name }}, {{ name }}, {{ organisation }}, "
        "{{ school }}, {{ sender }}. An unsubscribe link is added at the end.",
        render_kw={"rows": 12},
    )
    save_as = StringField(
        "Save as a template named (optional)",
        validators=[Optional(), Length(max=120)],
        filters=[strip],
    )


class OfferProjectForm(FlaskForm):
    project = SelectField("Project", coerce=bounded_int, validators=[DataRequired()])
    message = TextAreaField(
        "Your note",
        validators=[DataRequired(), Length(max=5000)],
        filters=[strip_text],
        description="Merge fields work here too. The link to the project comes after it.",
        render_kw={"rows": 8},
    )
    days = IntegerField(
        "The link works for (days)", default=30, validators=[DataRequired(), NumberRange(1, 90)]
    )


class InterestForm(FlaskForm):
    note = TextAreaField(
        "Anything to add? (optional)",
        validators=[Optional(), Length(max=1000)],
        filters=[strip_text],
    )


class ImportForm(FlaskForm):
    file = FileField(
        "Spreadsheet (CSV)",
        validators=[FileRequired(message="Choose the CSV file to import.")],
        description="One row per organisation. Columns: Organisation (required), Website, "
        "Contact, Title, Email, Phone, Source, Recommended by, Career clusters, Tags, Stage, "
        "Owner (a staff e-mail), Notes.",
    )


class ConfirmImportForm(FlaskForm):
    content = HiddenField(validators=[DataRequired()])


class ListingForm(FlaskForm):
    listed = BooleanField("List them on our public partner page")
    blurb = StringField(
        "What they did with us (one line, public)",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    consent = StringField(
        "How they agreed",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description="For example: e-mail from Jordan Reyes; signed media form.",
    )
    consented_on = DateField("Agreed on", validators=[Optional()])


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo (PNG, JPEG, WebP or GIF)",
        validators=[FileRequired(message="Choose the logo file.")],
        description="Shown at a standard height; SVG is not accepted.",
    )


class MemberListingForm(FlaskForm):
    listed = BooleanField("List us on this school's public partner page")
    blurb = StringField(
        "What we did with the school (one line, public)",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )


class MemberForm(FlaskForm):
    contact = SelectField("Person", coerce=bounded_int, validators=[DataRequired()])
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.value.capitalize()) for r in CouncilRole],
        default=CouncilRole.MEMBER.value,
    )
    term_start = DateField("Term starts", validators=[DataRequired(message="Give the day.")])
    term_end = DateField("Term ends (optional)", validators=[Optional()])


class TermForm(FlaskForm):
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in CouncilRole]
    )
    term_start = DateField("Term starts", validators=[DataRequired(message="Give the day.")])
    term_end = DateField("Term ends", validators=[Optional()])


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
    held_on = DateField("Day", validators=[DataRequired(message="Give the day.")])
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


class AutomationForm(FlaskForm):
    enabled = BooleanField("Switched on")
    daily_cap = IntegerField(
        "At most this many a day",
        default=20,
        validators=[DataRequired(message="Give a number."), NumberRange(1, 500)],
    )
    quiet_days = IntegerField(
        "Silent for (days)", default=90, validators=[Optional(), NumberRange(14, 730)]
    )
    cluster = SelectField(
        "Partners of the cluster",
        choices=[SelectChoice("", "Every cluster"), *(SelectChoice(c) for c in CAREER_CLUSTERS)],
        validators=[Optional()],
    )
