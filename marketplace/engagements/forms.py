"""Forms of the ladder: interest, the offer's terms, answers, consent, skips and checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
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

from .. import clock
from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    bounded_int,
    lower_strip,
    strip,
    strip_text,
)
from ..models import OFFER_RUNGS
from .terms import MAX_HOURS_PER_WEEK, TERM_FIELDS, terms_problems

RUNG_CHOICES = [SelectChoice(r.value, r.label.capitalize()) for r in OFFER_RUNGS]
CONSENT_METHODS = [
    SelectChoice("signed form", "Signed form"),
    SelectChoice("e-mail", "E-mail from the guardian"),
    SelectChoice("phone call", "Phone call"),
    SelectChoice("in person", "In person"),
]


class InterestForm(FlaskForm):
    note = TextAreaField(
        "A note to the team and their teacher (optional)",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
        description="What caught your eye, and what you could offer.",
    )


class OfferForm(FlaskForm):
    """The terms of an offer. The rules on the terms live in terms.py; this form
    shows their messages beside the fields."""

    rung = SelectField("Rung", choices=RUNG_CHOICES, validators=[DataRequired()])
    title = StringField(
        "Position title",
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description="For the upper rungs: intern, apprentice, fellow…",
    )
    start_date = DateField("Start date", validators=[Optional()])
    end_date = DateField("End date", validators=[Optional()])
    days_per_week = IntegerField(
        "Days per week", validators=[Optional(), NumberRange(min=1, max=7)]
    )
    hours_per_week = IntegerField(
        "Hours per week",
        validators=[Optional(), NumberRange(min=1, max=MAX_HOURS_PER_WEEK)],
    )
    remote = BooleanField("Remote (no workplace visit)")
    address = StringField(
        "Place (address)", validators=[Optional(), Length(max=300)], filters=[strip]
    )
    paid = BooleanField("Paid")
    amount = DecimalField(
        "Amount", places=2, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    amount_unit = SelectField(
        "Per",
        choices=[
            SelectChoice("hour", "hour"),
            SelectChoice("week", "week"),
            SelectChoice("total", "in total"),
        ],
        validators=[Optional()],
    )
    paid_by = StringField(
        "Paid by", validators=[Optional(), Length(max=120)], filters=[strip],
        description="Your organisation, a grant, a workforce program…",
    )  # fmt: skip
    supervisor = StringField(
        "Supervisor's name", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    student_needs = TextAreaField(
        "What the student needs",
        validators=[Optional(), Length(max=2000)],
        filters=[strip_text],
        description="Transport, ID, documents, clothing, equipment…",
    )
    may_continue = BooleanField("May continue after the end date")
    details = TextAreaField(
        "Details", validators=[Optional(), Length(max=5000)], filters=[strip_text]
    )
    respond_by = DateField(
        "Answer by",
        validators=[Optional()],
        description="The offer stays open until midnight at the end of this day, school time.",
    )
    students = MultiCheckboxField(
        "For which students",
        coerce=bounded_int,
        choices=[],
        description=(
            "From job shadowing up, tick each student it is for: each answers for themselves "
            "and has their own placement. A mentorship may go to the whole team: leave all "
            "unticked."
        ),
    )

    def terms(self) -> dict[str, Any]:
        """The offer's terms as the domain stores them."""
        terms = {name: getattr(self, name).data for name in TERM_FIELDS}
        for name in ("title", "address", "paid_by", "supervisor", "student_needs", "details"):
            terms[name] = terms[name] or ""
        if not self.paid.data:
            terms["amount"], terms["amount_unit"], terms["paid_by"] = None, "", ""
        return terms

    def check_terms(self, today: date) -> bool:
        """Apply the domain's rules on the terms; their messages go beside the fields."""
        problems = terms_problems(self.terms(), today)
        for name, message in problems.items():
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return not problems


class DeclineForm(FlaskForm):
    note = TextAreaField(
        "Why (optional, seen by the employer and your teacher)",
        validators=[Optional(), Length(max=1000)],
        filters=[strip_text],
    )


class AcceptForm(FlaskForm):
    confirm = BooleanField(
        "I have read the terms and talked them over with my family",
        validators=[InputRequired(message="Tick the box to confirm you read the terms.")],
    )


class ConsentForm(FlaskForm):
    student_id = SelectField("Student", coerce=bounded_int, choices=[], validators=[DataRequired()])
    given_on = DateField(
        "Consent given on",
        default=lambda: clock.today_for(current_user),
        validators=[DataRequired("Give the date.")],
    )
    method = SelectField("How", choices=CONSENT_METHODS, validators=[DataRequired()])
    note = StringField("Note", validators=[Optional(), Length(max=300)], filters=[strip])

    def validate_given_on(self, field: DateField) -> None:
        if field.data and field.data > clock.today_for(current_user):
            raise ValidationError("The consent date cannot be in the future.")


class SkipForm(FlaskForm):
    to = SelectField("Allow skipping to", choices=RUNG_CHOICES[1:], validators=[DataRequired()])


class CloseForm(FlaskForm):
    reason = TextAreaField(
        "Why is it ending? (optional)",
        validators=[Optional(), Length(max=1000)],
        filters=[strip_text],
    )


class BackgroundCheckForm(FlaskForm):
    checked_on = DateField("Checked on", validators=[DataRequired("Give the date of the check.")])
    valid_until = DateField("Valid until (optional)", validators=[Optional()])
    reference = StringField(
        "Reference", validators=[Optional(), Length(max=120)], filters=[strip],
        description="The certificate or case number; never the report itself.",
    )  # fmt: skip

    def validate_checked_on(self, field: DateField) -> None:
        if field.data and field.data > clock.today_for(current_user):
            raise ValidationError("The check date cannot be in the future.")

    def validate_valid_until(self, field: DateField) -> None:
        if field.data and self.checked_on.data and field.data < self.checked_on.data:
            raise ValidationError("The check cannot expire before it was done.")


class LadderSettingsForm(FlaskForm):
    min_age_job_shadowing = IntegerField(
        "Youngest age for job shadowing", validators=[InputRequired(), NumberRange(0, 21)]
    )
    min_age_externship = IntegerField(
        "Youngest age for an externship", validators=[InputRequired(), NumberRange(0, 21)]
    )
    min_age_internship = IntegerField(
        "Youngest age for an internship", validators=[InputRequired(), NumberRange(0, 21)]
    )
    stall_days = IntegerField(
        "Days without news before an engagement counts as stalled",
        validators=[InputRequired(), NumberRange(1, 365)],
    )
    under_16_day_hours = IntegerField(
        "Under 16: hours on a school day", validators=[InputRequired(), NumberRange(1, 24)]
    )
    under_16_week_hours = IntegerField(
        "Under 16: hours in a week", validators=[InputRequired(), NumberRange(1, 80)]
    )
    minor_day_hours = IntegerField(
        "16 and 17: hours on a school day", validators=[InputRequired(), NumberRange(1, 24)]
    )
    minor_week_hours = IntegerField(
        "16 and 17: hours in a week", validators=[InputRequired(), NumberRange(1, 80)]
    )
    refuse_over_limit = BooleanField(
        "Refuse hours over these limits (unticked: log them with a warning to the teacher)"
    )
    site_visit_target = IntegerField(
        "Site visits per placement the coordinator aims for",
        validators=[InputRequired(), NumberRange(0, 52)],
    )
    rubric = TextAreaField(
        "Skills the supervisor's evaluations score",
        validators=[Length(max=3000)],
        description="One skill per line, 3 to 15 of them. Each is scored from Beginning (1) to "
        "Exceeds expectations (4). Evaluations already given keep the skills they scored.",
    )

    wbl_job_shadowing = StringField(
        "Code for job shadowing",
        validators=[DataRequired("Give the code."), Length(max=20)],
        filters=[strip],
    )
    wbl_externship = StringField(
        "Code for an externship",
        validators=[DataRequired("Give the code."), Length(max=20)],
        filters=[strip],
    )
    wbl_internship = StringField(
        "Code for an internship",
        validators=[DataRequired("Give the code."), Length(max=20)],
        filters=[strip],
    )

    def wbl_codes(self) -> dict[str, str]:
        return {
            rung: self[f"wbl_{rung}"].data or ""
            for rung in ("job_shadowing", "externship", "internship")
        }

    def validate_rubric(self, field: TextAreaField) -> None:
        skills = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if not 3 <= len(skills) <= 15:
            raise ValidationError("Give 3 to 15 skills, one per line.")
        if any(len(s) > 80 for s in skills):
            raise ValidationError("Keep each skill to 80 characters or fewer.")
        if len({s.lower() for s in skills}) != len(skills):
            raise ValidationError("A skill is listed twice.")

    def skills(self) -> list[str]:
        return [line.strip() for line in (self.rubric.data or "").splitlines() if line.strip()]


class GuardianForm(FlaskForm):
    name = StringField(
        "Guardian's name",
        validators=[DataRequired("Give the guardian's name."), Length(max=120)],
        filters=[strip],
    )
    email = EmailField(
        "Guardian's e-mail",
        validators=[DataRequired("Give the guardian's e-mail."), Email(), Length(max=254)],
        filters=[lower_strip],
    )


class AskConsentForm(GuardianForm):
    student_id = SelectField("Student", coerce=bounded_int, choices=[], validators=[DataRequired()])
