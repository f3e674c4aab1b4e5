"""Forms of outreach: mail to a contact, a project offered by link, the contact's interest,
the import, the public page's listing and logo, the automated messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..clusters import CAREER_CLUSTERS
from ..forms_common import (
    SelectChoice,
    bounded_int,
    strip,
    strip_text,
)
from .forms import PlausibleDay


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
    consented_on = DateField("Agreed on", validators=[Optional(), PlausibleDay(True)])


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
