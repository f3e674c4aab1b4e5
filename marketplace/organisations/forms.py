"""Forms for an employer's organisation and its verification."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..clusters import CAREER_CLUSTERS
from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    bounded_int,
    strip,
    strip_text,
    timezone_field,
    web_address_field,
)

SIZES = ("1–9", "10–49", "50–249", "250–999", "1000+")


class SchoolsMixin:
    school_ids = MultiCheckboxField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Schools you want to work with",
        coerce=bounded_int,
        validators=[DataRequired(message="Choose at least one school.")],
        invalid_choice_message="Choose among the schools listed.",
        description="Each school checks your organisation before you can contact its students.",
    )


class OrganisationForm(SchoolsMixin, FlaskForm):
    name = StringField(
        "Organisation name", validators=[DataRequired(), Length(max=160)], filters=[strip]
    )
    website = web_address_field("Website", max_length=255)
    industry = StringField("Industry", validators=[Optional(), Length(max=120)], filters=[strip])
    career_cluster = SelectField(
        "Career cluster",
        choices=[SelectChoice("", "Choose…"), *(SelectChoice(c) for c in CAREER_CLUSTERS)],
        validators=[DataRequired(message="Choose the career cluster closest to your work.")],
    )
    city = StringField("City", validators=[Optional(), Length(max=120)], filters=[strip])
    size = SelectField(
        "Size (people)",
        choices=[SelectChoice("", "—"), *(SelectChoice(s) for s in SIZES)],
        validators=[Optional()],
    )
    timezone = timezone_field("Your time zone")


class OrganisationZoneForm(FlaskForm):
    timezone = timezone_field("Your time zone")


class RequestSchoolsForm(SchoolsMixin, FlaskForm):
    """Ask more schools to verify the organisation."""


class DecisionForm(FlaskForm):
    note = TextAreaField(
        "Note (optional)", validators=[Optional(), Length(max=1000)], filters=[strip_text]
    )
