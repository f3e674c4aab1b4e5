"""Fields and validators shared by the feature forms."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.fields.choices import (  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
    SelectChoice as SelectChoice,  # a select's option, for the feature forms and views
)
from wtforms.validators import URL, DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import clock
from .models.user import age_on
from .security import MAX_PASSWORD_LENGTH, password_problem

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,29}$")
# "javascript:", "ftp://", "https://" – but not "harborhealth.org:8080", which is a host and port
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):(?!\d)", re.IGNORECASE)
WEB_SCHEMES = ("http", "https")
# a host name with a dot, then perhaps a port and a path: what people type for an address
HOST_FIRST_RE = re.compile(r"^[^\s/?#@:]+\.[^\s/?#@:]+(:\d+)?([/?#]\S*)?$")
MIN_STUDENT_AGE, MAX_STUDENT_AGE = 5, 25
T = TypeVar("T")


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def add_error(field: Field, message: str) -> None:
    """Show `message` under `field`, as if its own validators had said it."""
    field.errors = [*field.errors, message]


def flash_errors(form: FlaskForm) -> None:
    """A small form's errors as one flash, for a page that redirects after its POST."""
    flash(" ".join(error for errors in form.errors.values() for error in errors), "error")


def required(data: T | None) -> T:
    """A required field's data once its form validated: DataRequired let no None through."""
    if data is None:
        raise ValueError("a required field has no data after validation")
    return data


class EmptyForm(FlaskForm):
    """A form with no fields, rendered so button-only POSTs carry the CSRF token.

    CSRFProtect checks that token on every POST before any view runs, so views that take no
    input do not validate this form again.
    """


MAX_ID = 2**31 - 1  # what an id column (and a page number) holds


def bounded_int(value: str | int) -> int:
    """An id or a page number from a form or a query string: a whole number from 1 to MAX_ID.
    Anything else (a 30-digit number, -1, "x") is a ValueError, which forms and
    `request.args.get(type=…)` turn into an error message or the default, never a 500."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


def optional_int(value: str | int | None) -> int | None:
    """Coerce a select's value to an id, "" meaning none chosen."""
    return bounded_int(value) if value not in (None, "", "None") else None


def strip(value: str | None) -> str | None:
    """One clean line: surrounding spaces gone, line breaks and control characters folded."""
    return " ".join(value.split()) if isinstance(value, str) else value


def strip_text(value: str | None) -> str | None:
    """Multi-line text: only the surrounding spaces go."""
    return value.strip() if isinstance(value, str) else value


def lower_strip(value: str | None) -> str | None:
    """E-mail addresses and usernames compare in lower case."""
    return value.strip().lower() if isinstance(value, str) else value


class WebAddress:
    """An http(s) address with a real host name; another scheme is refused by name."""

    def __init__(self) -> None:
        self.url = URL(require_tld=True, message="Enter a web address, such as harborhealth.org.")

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        scheme = SCHEME_RE.match(field.data or "")
        if scheme and scheme.group(1).lower() not in WEB_SCHEMES:
            raise ValidationError(
                f"Only web addresses (https://…) can be given here, not {scheme.group(1)}: ones."
            )
        self.url(form, field)


def complete_web_address(value: str | None) -> str | None:
    """An address typed as "harborhealth.org/team" becomes "https://harborhealth.org/team";
    one with a scheme, or text that is no host name, stays as typed (the validator says why)."""
    if isinstance(value, str) and not SCHEME_RE.match(value) and HOST_FIRST_RE.match(value):
        return f"https://{value}"
    return value


def web_address_field(label: str, max_length: int = 500) -> URLField:
    """An optional web address; typed without https:// it is completed, as people expect."""
    return URLField(
        label,
        validators=[Optional(), WebAddress(), Length(max=max_length)],
        filters=[strip, complete_web_address],
    )


class PasswordPolicy:
    """ASVS 5.0: 8+ characters, long ones allowed, no composition rules, no common passwords.

    `context_fields` name other fields (name, username, e-mail) the password must not equal;
    a view may also set `form.password_context` to the words of an existing account.
    """

    def __init__(self, *context_fields: str) -> None:
        self.context_fields = context_fields

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        context = tuple(str(form[name].data or "") for name in self.context_fields if name in form)
        context += tuple(getattr(form, "password_context", ()))
        problem = password_problem(field.data or "", context=context)
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "Password", *context_fields: str) -> PasswordField:
    """A new-password field with the ASVS rules (not equal to the named fields)."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(max=MAX_PASSWORD_LENGTH),
            PasswordPolicy(*context_fields),
        ],
        description=(
            "At least 8 characters. A short sentence is easy to remember and hard to guess."
        ),
        render_kw={"autocomplete": "new-password"},
    )


def confirm_password_field() -> PasswordField:
    """The same password typed twice."""
    return PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


def name_field(label: str) -> StringField:
    """A required one-line name of at most 60 characters."""
    return StringField(label, validators=[DataRequired(), Length(max=60)], filters=[strip])


def timezone_field(label: str = "Time zone", blank: str | None = None) -> SelectField:
    """An IANA time zone to choose ("America/Los_Angeles"); `blank` labels an empty choice
    (meaning "the deployment's default"); without one, the deployment's zone is chosen first."""
    choices = [SelectChoice(name, name.replace("_", " ")) for name in clock.zone_choices()]
    if blank is not None:
        choices.insert(0, SelectChoice("", blank))
    return SelectField(
        label,
        choices=choices,
        validate_choice=True,
        default=(lambda: "") if blank is not None else (lambda: clock.default_zone().key),
        description="Times are shown, and deadlines end at midnight, in this zone.",
    )


def validate_student_birth_date(born: date | None, today: date | None = None) -> None:
    """A plausible school-age date of birth."""
    if born is None:
        return
    today = today or clock.today_in(clock.default_zone())
    if born >= today:
        raise ValidationError("The date of birth must be in the past.")
    if not MIN_STUDENT_AGE <= age_on(born, today) <= MAX_STUDENT_AGE:
        raise ValidationError("Please check the date of birth.")


class SkillsMixin:
    """A comma-separated skills field, shared by challenges and projects."""

    skills = StringField(
        "Skills",
        validators=[Optional(), Length(max=600)],
        filters=[strip],
        description="Separated by commas, for example: CAD, user research, Python",
    )

    @property
    def skill_list(self) -> list[str]:
        """The skills typed, split at commas (a list when the form was filled from a row)."""
        value = self.skills.data or ""
        return value if isinstance(value, list) else value.split(",")
