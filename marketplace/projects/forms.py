"""Forms for writing a project and reviewing it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms_common import SkillsMixin, optional_int, strip, strip_text, web_address_field


class ProjectForm(SkillsMixin, FlaskForm):
    challenge_id = SelectField(  # type: ignore[call-arg]  # stubs predate WTForms 3.3
        "Challenge",
        coerce=optional_int,
        validators=[DataRequired(message="Choose the challenge your project answers.")],
        invalid_choice_message="Choose an open challenge: only those accept new projects.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=160)], filters=[strip])
    pitch = StringField(
        "One-sentence pitch",
        validators=[DataRequired(), Length(max=144)],
        filters=[strip],
        description="At most 144 characters: what it does, for whom.",
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Length(max=1000)], filters=[strip_text]
    )
    body = TextAreaField(
        "The whole story",
        validators=[Optional(), Length(max=50_000)],
        filters=[strip_text],
        description="The problem, what you built, how you tested it. Markdown works.",
    )
    ask = TextAreaField(
        "What we'd like from a partner",
        validators=[Optional(), Length(max=300)],
        filters=[strip_text],
        description=(
            "At most 300 characters: a mentor in …, access to …, feedback on … — what an "
            "employer says yes to when they press “I'm interested”."
        ),
        render_kw={"rows": 2},
    )
    demo_url = web_address_field("Demo link")
    repo_url = web_address_field("Code repository link")
    video_url = web_address_field("Video link")

    def fields_for_save(self) -> dict[str, object]:
        """The project's own text fields, ready for the service (the skills go as `skill_list`)."""
        return {
            "title": self.title.data,
            "pitch": self.pitch.data,
            "summary": self.summary.data or "",
            "body": self.body.data or "",
            "demo_url": self.demo_url.data or "",
            "repo_url": self.repo_url.data or "",
            "video_url": self.video_url.data or "",
            "ask": self.ask.data or "",
        }


class EditProjectForm(ProjectForm):
    """Editing keeps the challenge the project was made for."""

    challenge_id = None  # type: ignore[assignment]


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        "Comment for the team",
        validators=[Optional(), Length(max=4000)],
        filters=[strip_text],
        description="Needed when you ask for changes: what should the team do?",
    )
