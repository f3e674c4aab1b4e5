"""Forms for schools and staff invitations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms_common import SelectChoice, lower_strip, strip, timezone_field
from ..models import Role


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired(), Length(max=160)], filters=[strip])
    city = StringField("City", validators=[Optional(), Length(max=120)], filters=[strip])
    timezone = timezone_field()


class SchoolZoneForm(FlaskForm):
    timezone = timezone_field("The school's time zone")


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
