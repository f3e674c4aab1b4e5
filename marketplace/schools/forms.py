"""Forms for schools and staff invitations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..forms_common import SelectChoice, lower_strip, strip, timezone_field
from ..models import Role


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=160)], filters=[strip])
    city = StringField("City", validators=[Optional(), Length(max=120)], filters=[strip])
    timezone = timezone_field()


class SchoolZoneForm(FlaskForm):
    timezone = timezone_field("The school's time zone")


class PitchVideoForm(FlaskForm):
    video_max_seconds = IntegerField(
        "Longest pitch video, in seconds",
        validators=[InputRequired(), NumberRange(10, 1200)],
        description="180 seconds is 3 minutes: a pitch should be short.",
    )
    video_max_mb = IntegerField(
        "Largest pitch video, in MB",
        validators=[InputRequired(), NumberRange(5, 2000)],
        description="A 3-minute video from a phone is usually 50 to 200 MB.",
    )


class InviteForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[lower_strip],
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.TEACHER.value, "Teacher / WBL coordinator"),
            SelectChoice(Role.SCHOOL_ADMIN.value, "School admin"),
        ],
        default=Role.TEACHER.value,
    )
