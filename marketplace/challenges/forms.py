"""Forms for curating challenges and asking to adopt one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..clusters import CAREER_CLUSTERS
from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    SkillsMixin,
    optional_int,
    strip,
    strip_text,
)
from ..models import DELIVERABLES


class ChallengeForm(SkillsMixin, FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)], filters=[strip])
    statement = TextAreaField(
        "Problem statement",
        validators=[DataRequired(), Length(max=20_000)],
        filters=[strip_text],
        description="What problem does this local industry face? Markdown works.",
    )
    career_cluster = SelectField(
        "Career cluster",
        choices=[SelectChoice("", "Choose…"), *(SelectChoice(c) for c in CAREER_CLUSTERS)],
        validators=[DataRequired(message="Choose the career cluster of the industry.")],
    )
    deliverables = MultiCheckboxField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Deliverables",
        choices=[SelectChoice(d) for d in DELIVERABLES],
        invalid_choice_message="Choose among the deliverables listed.",
    )
    starts_on = DateField("Starts on", validators=[Optional()])
    due_on = DateField("Due on", validators=[Optional()])
    sponsor_id = SelectField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Sponsor",
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Choose a sponsor from your school's partner network.",
        description="An organisation of your partner network — even one nobody has asked yet.",
    )
    new_prospect = StringField(
        "…or name a new prospect",
        validators=[Optional(), Length(max=160)],
        filters=[strip],
        description="A local business you have not contacted yet: it becomes a prospect.",
    )
    shared = BooleanField("Share with the other schools of the deployment while it is open")
    question_quota = IntegerField(
        "Questions each team may ask the sponsor",
        default=3,
        validators=[Optional(), NumberRange(0, 20)],
        description="Answers are published to every team of the challenge.",
    )

    def validate_due_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The due date must be on or after the start date.")

    def validate_new_prospect(self, field: StringField) -> None:
        if field.data and self.sponsor_id.data:
            raise ValidationError("Choose a sponsor or name a new prospect, not both.")


class AdoptForm(FlaskForm):
    message = TextAreaField(
        "A note for the teacher (optional)",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
        description="How could your team help? Who would mentor?",
    )


class QuestionForm(FlaskForm):
    body = TextAreaField(
        "Your team's question to the sponsor",
        validators=[DataRequired(message="Write the question first."), Length(max=1000)],
        filters=[strip_text],
        description="Every team of the challenge will read the answer. No contact details.",
        render_kw={"rows": 3},
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        "Your answer",
        validators=[DataRequired(message="Write the answer first."), Length(max=4000)],
        filters=[strip_text],
        description="Every team of the challenge reads it; leave contact details out.",
        render_kw={"rows": 3},
    )
