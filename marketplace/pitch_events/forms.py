"""Forms for organising pitch events."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..forms_common import (
    MultiCheckboxField,
    SelectChoice,
    optional_int,
    strip,
    strip_text,
    web_address_field,
)
from ..models import RubricCriterion


class EventForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=160)], filters=[strip],
        description="For example: Riverside Demo Day, spring 2027.",
    )  # fmt: skip
    description = TextAreaField(
        "What guests should know",
        validators=[Optional(), Length(max=5000)],
        filters=[strip_text],
        description="Who is pitching, what to expect, parking or how to join online.",
    )
    day = DateField("Date", validators=[InputRequired(message="Choose the day.")])
    starts = TimeField("Starts at", validators=[InputRequired(message="Choose when it starts.")])
    ends = TimeField("Ends at", validators=[InputRequired(message="Choose when it ends.")])
    place = StringField(
        "Place", validators=[Optional(), Length(max=300)], filters=[strip],
        description="A room and an address; leave empty for an online-only event.",
    )  # fmt: skip
    online_url = web_address_field("Online link (optional)")
    capacity = IntegerField(
        "Seats for guests (optional)", validators=[Optional(), NumberRange(1, 5000)]
    )
    pitch_minutes = IntegerField(
        "Minutes per pitch, questions included",
        default=5,
        validators=[InputRequired(), NumberRange(1, 60)],
    )
    changeover_minutes = IntegerField(
        "Minutes between two pitches", default=1, validators=[InputRequired(), NumberRange(0, 30)]
    )
    min_judges = IntegerField(
        "Judges each pitch should have", default=3, validators=[InputRequired(), NumberRange(1, 20)]
    )
    judging_mode = RadioField(
        "How judges judge",
        choices=[
            SelectChoice("rubric", "Each pitch scored on the rubric (up to about 30 pitches)"),
            SelectChoice(
                "pairwise", "Judges say which of two pitches was better (a big event, a fair)"
            ),
        ],
        default="rubric",
        description="Set until the event starts.",
    )
    partner_ids = MultiCheckboxField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Other schools taking part",
        coerce=int,
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Choose among the schools listed.",
        description="Their teachers can enter their teams' projects.",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.starts.data and self.ends.data and self.ends.data <= self.starts.data:
            self.ends.errors = [*self.ends.errors, "The event must end after it starts."]
            ok = False
        if not self.place.data and not self.online_url.data:
            self.place.errors = [*self.place.errors, "Give a place, an online link, or both."]
            ok = False
        return ok


class EnterForm(FlaskForm):
    project_id = SelectField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Published project",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a project to enter.")],
        invalid_choice_message="Choose one of the projects listed.",
    )


class DeclineForm(FlaskForm):
    reason = StringField(
        "Why (optional; your teachers and the event's organisers read it)",
        validators=[Optional(), Length(max=300)],
        filters=[strip],
    )


class MinutesForm(FlaskForm):
    minutes = IntegerField(
        "Minutes", validators=[Optional(), NumberRange(1, 60)],
        description="Empty: the event's length.",
    )  # fmt: skip


class InviteForm(FlaskForm):
    member_ids = MultiCheckboxField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Members of partner organisations",
        coerce=int,
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Choose among the people listed.",
    )
    others = TextAreaField(
        "Other people (a prospect's contact, a chamber of commerce), one per line",
        validators=[Optional(), Length(max=10_000)],
        description="Jane Doe <jane@example.org>, or just the address.",
    )
    role = SelectField(
        "Invite them as",
        choices=[SelectChoice("guest", "Guests"), SelectChoice("judge", "Judges")],
        default="guest",
    )


def score_form(criteria: list[RubricCriterion]) -> FlaskForm:
    """A judge's form for one pitch: a 1–5 choice per criterion, each score said in words,
    and a comment for the team."""

    class ScoreForm(FlaskForm):
        comment = TextAreaField(
            "A comment for the team (they read it when the results are released)",
            validators=[Optional(), Length(max=2000)],
            filters=[strip_text],
        )

    for criterion in criteria:
        setattr(
            ScoreForm,
            f"c{criterion.id}",
            RadioField(
                f"{criterion.name} (counts ×{criterion.weight})",
                choices=[
                    SelectChoice(str(n), f"{n} — {text}")
                    for n, text in enumerate(criterion.descriptors, start=1)
                ],
                validators=[InputRequired(message=f"Give a score for {criterion.name}.")],
            ),
        )
    return ScoreForm()


class ExcludeForm(FlaskForm):
    reason = StringField(
        "Why their scores are set aside",
        validators=[DataRequired(message="Say why."), Length(max=300)],
        filters=[strip],
        description="For example: judged their own relative's team; left after two pitches.",
    )


class AwardForm(FlaskForm):
    name = StringField(
        "Award", validators=[DataRequired(message="Name the award."), Length(max=120)],
        filters=[strip], description="For example: Best pitch; People's choice.",
    )  # fmt: skip
    cluster = SelectField("For the pitches of one track (optional)", choices=[], default="")


class WinnerForm(FlaskForm):
    presenter_id = SelectField("Winner", coerce=optional_int, choices=[])


class InterestForm(FlaskForm):
    note = StringField(
        "A word for the team's teacher (optional)",
        validators=[Optional(), Length(max=500)],
        filters=[strip],
    )


class CriterionForm(FlaskForm):
    name = StringField("Criterion", validators=[DataRequired(), Length(max=80)], filters=[strip])
    weight = IntegerField("Counts ×", default=1, validators=[InputRequired(), NumberRange(1, 5)])
    d1 = StringField("1 means", validators=[DataRequired(), Length(max=200)], filters=[strip])
    d2 = StringField("2 means", validators=[DataRequired(), Length(max=200)], filters=[strip])
    d3 = StringField("3 means", validators=[DataRequired(), Length(max=200)], filters=[strip])
    d4 = StringField("4 means", validators=[DataRequired(), Length(max=200)], filters=[strip])
    d5 = StringField("5 means", validators=[DataRequired(), Length(max=200)], filters=[strip])
