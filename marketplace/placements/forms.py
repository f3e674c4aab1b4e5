"""Forms of placements: the agreement, signing and hours (the guardian's and the consent link's
forms are the offer page's, in `engagements.forms`)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..engagements.forms import AskConsentForm, GuardianForm
from ..forms_common import SelectChoice, lower_strip, strip, strip_text
from ..models import WorkersComp
from .evaluations import VISIT_MODES
from .plans import RUBRIC_LEVELS

__all__ = [
    "AgreementForm",
    "AskConsentForm",
    "CompleteForm",
    "EndForm",
    "GuardianForm",
    "HoursForm",
    "ReflectionForm",
    "SignForm",
    "VerifyForm",
    "VisitForm",
    "evaluation_form",
]

WORKERS_COMP = [SelectChoice(w.value, w.label.capitalize()) for w in WorkersComp]


def lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class AgreementForm(FlaskForm):
    start_date = DateField("Start date", validators=[DataRequired("Give the start date.")])
    end_date = DateField("End date", validators=[Optional()])
    expected_hours = IntegerField(
        "Expected hours in all",
        validators=[InputRequired("Give the hours."), NumberRange(0, 2000)],
    )
    schedule = StringField(
        "Schedule",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description="Days and times, e.g. Tuesdays and Thursdays 3–6 pm.",
    )
    worksite_address = StringField(
        "Worksite address",
        validators=[DataRequired("Give the address."), Length(max=300)],
        filters=[strip],
    )
    supervisor_name = StringField(
        "Supervisor's name",
        validators=[DataRequired("Name the supervisor."), Length(max=120)],
        filters=[strip],
    )
    supervisor_title = StringField(
        "Supervisor's job title", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    supervisor_email = EmailField(
        "Supervisor's e-mail",
        validators=[
            DataRequired("The supervisor signs and verifies hours by e-mail."),
            Email(),
            Length(max=254),
        ],
        filters=[lower_strip],
    )
    supervisor_phone = StringField(
        "Supervisor's phone", validators=[Optional(), Length(max=40)], filters=[strip]
    )
    paid = BooleanField("Paid")
    wage = DecimalField("Wage", places=2, validators=[Optional(), NumberRange(0, 10000)])
    wage_unit = StringField(
        "Per", validators=[Optional(), Length(max=20)], filters=[strip], description="e.g. hour"
    )
    workers_comp = SelectField("Workers' compensation carried by", choices=WORKERS_COMP)
    transport = StringField(
        "Transport",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description="How the student gets there and back.",
    )
    emergency_name = StringField(
        "Emergency contact", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    emergency_phone = StringField(
        "Emergency contact's phone", validators=[Optional(), Length(max=40)], filters=[strip]
    )
    training_plan = TextAreaField(
        "Training plan: one objective per line",
        validators=[DataRequired("Give at least one objective."), Length(max=4000)],
        filters=[strip_text],
    )
    safety_items = TextAreaField(
        "Safety checklist: one item per line",
        validators=[DataRequired("Give the safety items."), Length(max=4000)],
        filters=[strip_text],
    )

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValueError("The end date must be on or after the start date.")

    def validate_wage(self, field: DecimalField) -> None:
        if self.paid.data and field.data is None:
            raise ValueError("A paid placement needs the wage.")

    def values(self) -> dict[str, Any]:
        return {
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "expected_hours": self.expected_hours.data,
            "schedule": self.schedule.data or "",
            "worksite_address": self.worksite_address.data or "",
            "supervisor_name": self.supervisor_name.data or "",
            "supervisor_title": self.supervisor_title.data or "",
            "supervisor_email": self.supervisor_email.data or "",
            "supervisor_phone": self.supervisor_phone.data or "",
            "paid": bool(self.paid.data),
            "wage": self.wage.data if self.paid.data else None,
            "wage_unit": (self.wage_unit.data or "") if self.paid.data else "",
            "workers_comp": WorkersComp(self.workers_comp.data),
            "transport": self.transport.data or "",
            "emergency_name": self.emergency_name.data or "",
            "emergency_phone": self.emergency_phone.data or "",
            "training_plan": lines(self.training_plan.data),
            "safety_items": lines(self.safety_items.data),
        }


class SignForm(FlaskForm):
    typed_name = StringField(
        "Type your full name",
        validators=[DataRequired("Type your full name to sign."), Length(min=2, max=120)],
        filters=[strip],
    )
    agree = BooleanField(
        "I have read these terms and I agree to them.",
        validators=[DataRequired("Tick the box to agree.")],
    )
    terms_hash = HiddenField()


class HoursForm(FlaskForm):
    day = DateField("Day", validators=[DataRequired("Give the day.")])
    starts = TimeField("From", validators=[DataRequired("Give the start time.")])
    ends = TimeField("To", validators=[DataRequired("Give the end time.")])
    activity = StringField(
        "What you did",
        validators=[DataRequired("Say what you did."), Length(max=500)],
        filters=[strip],
    )


class VerifyForm(FlaskForm):
    verifier = StringField(
        "Your name",
        validators=[DataRequired("Type your name."), Length(max=120)],
        filters=[strip],
    )
    refuse_note = TextAreaField(
        "Refuse the week: why (leave empty to approve)",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
    )


class EvaluationFormBase(FlaskForm):
    evaluator_name = StringField(
        "Your name",
        validators=[DataRequired("Type your name."), Length(max=120)],
        filters=[strip],
    )
    strengths = TextAreaField(
        "The student's strengths",
        validators=[Optional(), Length(max=3000)],
        filters=[strip_text],
    )
    to_improve = TextAreaField(
        "What to work on next",
        validators=[Optional(), Length(max=3000)],
        filters=[strip_text],
    )
    # The rubric the form was drawn with: scores are posted by position, so a rubric changed
    # while the form was open must not put them against other skills.
    rubric_hash = HiddenField()
    skills: list[str] = []

    @staticmethod
    def hash_of(skills: list[str]) -> str:
        return hashlib.sha256("\n".join(skills).encode()).hexdigest()[:16]

    def validate_rubric_hash(self, field: HiddenField) -> None:
        expected = self.hash_of(self.skills)
        if field.data != expected:
            field.data = expected  # the form as drawn again, with the skills as they stand
            for skill_field in self.skill_fields():
                skill_field.data = None
            raise ValidationError(
                "The school changed its evaluation skills while this form was open. Here they "
                "are as they stand now: choose a level for each again."
            )

    def scores(self) -> dict[str, int]:
        return {
            skill: int(self[f"skill_{i}"].data)
            for i, skill in enumerate(self.skills)
            if self[f"skill_{i}"].data
        }

    def skill_fields(self) -> list[Any]:
        return [self[f"skill_{i}"] for i in range(len(self.skills))]


LEVEL_CHOICES = [
    SelectChoice(str(level), f"{level} · {words}") for level, words in RUBRIC_LEVELS.items()
]


def evaluation_form(skills: list[str], **kwargs: Any) -> EvaluationFormBase:
    """The evaluation form of a rubric: one choice of level per skill (`skill_0`, `skill_1` …)."""
    fields: dict[str, Any] = {
        f"skill_{i}": RadioField(
            skill,
            choices=LEVEL_CHOICES,
            validators=[InputRequired(f"Choose a level for {skill}.")],
        )
        for i, skill in enumerate(skills)
    }
    form_class = type("EvaluationForm", (EvaluationFormBase,), {**fields, "skills": skills})
    kwargs.setdefault("rubric_hash", EvaluationFormBase.hash_of(skills))
    return form_class(**kwargs)


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(
        "Your reflection",
        validators=[Optional(), Length(max=5000)],
        filters=[strip_text],
        description="What you did, what you learned, what you would do next. Your teacher "
        "reads it; the organisation does not.",
    )
    rating = RadioField(
        "How good was the experience?",
        choices=[SelectChoice(str(n), "★" * n) for n in range(1, 6)],
        validators=[Optional()],
    )
    rating_comment = TextAreaField(
        "Why that rating (optional)",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
        description="Your teacher sees your rating. The organisation sees only an average "
        "over three or more students' completed placements, never yours alone. Rate before "
        "your teacher completes the placement: the rating is kept as it is then.",
    )
    show_endorsement = BooleanField(
        "Show the organisation's endorsement of my skills on my team's projects"
    )


class VisitForm(FlaskForm):
    visited_on = DateField("Day of the visit", validators=[DataRequired("Give the day.")])
    mode = SelectField(
        "How", choices=[SelectChoice(m, m.capitalize()) for m in VISIT_MODES], default="in person"
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], filters=[strip_text])


class CompleteForm(FlaskForm):
    override_reason = TextAreaField(
        "Reason to complete it anyway",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
        description="Only when the record falls short (hours not all verified, no final "
        "evaluation). It stays on the placement's record.",
    )


class EndForm(FlaskForm):
    reason = TextAreaField(
        "Why it ends",
        validators=[DataRequired("Say why the placement ends."), Length(min=5, max=2000)],
        filters=[strip_text],
    )
