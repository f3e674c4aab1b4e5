"""Forms for classes and teams."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..extensions import db
from ..forms_common import SelectChoice, bounded_int, optional_int, strip
from ..models import Classroom
from ..models.classroom import normalise_join_code
from .services import UNKNOWN_CODE


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
    student_id = SelectField("Student", coerce=bounded_int, validators=[DataRequired()])


class ClassCodeMixin:
    """A class's join code, checked; the class found is `self.classroom`."""

    class_code = StringField(
        "Class code",
        validators=[DataRequired(), Length(max=20)],
        filters=[lambda v: normalise_join_code(v) if v else v],
        description=(
            "Your teacher gives you this code: eight letters and digits, for example K7QPM2XA."
        ),
    )

    def validate_class_code(self, field: StringField) -> None:
        self.classroom = db.session.scalar(sa.select(Classroom).filter_by(join_code=field.data))
        if self.classroom is None:
            raise ValidationError(UNKNOWN_CODE)


class JoinClassForm(ClassCodeMixin, FlaskForm):
    """A logged-in student joins another class."""


class TeamJoiningForm(FlaskForm):
    """How the class's students get onto its teams."""

    joining = RadioField(
        "Joining a team",
        choices=[
            SelectChoice("ask", "Students ask; a teammate or you accept"),
            SelectChoice("open", "Students join any team at once"),
        ],
        validators=[DataRequired(message="Choose how students join teams.")],
    )


GRADES = range(6, 13)  # middle and high school
MAX_ROSTER = 1000  # lines one save takes


class StudentRecordRow(Form):
    """One student's line of the roster's records: grade and the school's student number."""

    student_id = HiddenField()

    @property
    def student(self) -> int | None:
        """The student the line is for (None: not a student id)."""
        try:
            return optional_int(self.student_id.data)
        except ValueError:
            return None

    grade = SelectField(
        "Grade",
        coerce=optional_int,
        choices=[SelectChoice("", "—")] + [SelectChoice(str(g), f"Grade {g}") for g in GRADES],
        validators=[Optional()],
    )
    student_number = StringField("Student number", validators=[Length(max=40)], filters=[strip])


class StudentRecordsForm(FlaskForm):
    """The class's students, each with a grade and a student number (the state's record)."""

    rows = FieldList(FormField(StudentRecordRow), max_entries=MAX_ROSTER)
