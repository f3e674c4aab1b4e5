"""Forms of sign-up, log-in and passwords."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..extensions import db
from ..forms_common import (
    USERNAME_RE,
    confirm_password_field,
    lower_strip,
    name_field,
    new_password_field,
    validate_student_birth_date,
)
from ..models import User
from ..teams.forms import ClassCodeMixin


class LoginForm(FlaskForm):
    login = StringField(
        "Username or e-mail",
        validators=[DataRequired(), Length(max=254)],
        filters=[lower_strip],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


class StudentJoinForm(ClassCodeMixin, FlaskForm):
    """A new student creates an account by joining a class."""

    first_name = name_field("First name")
    last_name = name_field("Last name")
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(min=3, max=30)],
        filters=[lower_strip],
        description="3–30 letters, digits, dots, dashes or underscores. No e-mail needed.",
        render_kw={"autocomplete": "username"},
    )
    date_of_birth = DateField("Date of birth", validators=[DataRequired()])
    password = new_password_field("Password", "username", "first_name", "last_name")
    confirm = confirm_password_field()

    def validate_username(self, field: StringField) -> None:
        if not USERNAME_RE.match(field.data or ""):
            raise ValidationError("Use 3–30 letters, digits, dots, dashes or underscores.")
        if getattr(self, "classroom", None) is None:
            return  # a wrong class code says only that: usernames are not probed without one
        if db.session.scalar(sa.select(User.id).filter_by(username=field.data)) is not None:
            raise ValidationError("This username is taken; try adding a number.")

    def validate_date_of_birth(self, field: DateField) -> None:
        validate_student_birth_date(field.data)


class EmailMixin:
    email = EmailField(
        "Work e-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[lower_strip],
        render_kw={"autocomplete": "email"},
    )


class EmployerSignupForm(EmailMixin, FlaskForm):
    first_name = name_field("First name")
    last_name = name_field("Last name")
    password = new_password_field("Password", "email", "first_name", "last_name")
    confirm = confirm_password_field()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[lower_strip],
    )


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")
    confirm = confirm_password_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field("New password")
    confirm = confirm_password_field()


class AcceptInvitationForm(FlaskForm):
    first_name = name_field("First name")
    last_name = name_field("Last name")
    password = new_password_field("Password", "first_name", "last_name")
    confirm = confirm_password_field()
