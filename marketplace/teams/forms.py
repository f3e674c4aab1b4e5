"""Forms for classes and teams."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms_common import strip


class ClassroomForm(FlaskForm):
    name = StringField(
        "Class name",
        validators=[DataRequired(), Length(max=120)],
        filters=[strip],
        description="For example: Engineering Design, period 3",
    )


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=80)], filters=[strip])


class AddMemberForm(FlaskForm):
    student_id = SelectField("Student", coerce=int, validators=[DataRequired()])
