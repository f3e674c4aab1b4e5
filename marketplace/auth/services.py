"""Account rules: log-in, sign-up, e-mail confirmation, invitations and password resets.

Services flush but never commit; the view commits once. Mail is queued on the transaction.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from .. import workflow
from ..extensions import db
from ..mail import compose, enqueue
from ..models import Classroom, Invitation, Role, User, utcnow
from ..privacy import new_pseudonym
from ..security import (
    burn_password_check,
    check_password,
    hash_password,
    make_user_token,
    read_user_token,
    set_password,
    token_digest,
)
from ..teams.services import enroll
from ..web import absolute_url

CONFIRM_EMAIL = "confirm-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a token purpose, not a password


class AccountError(Exception):
    """A request that cannot be carried out; the message is shown to the user."""


def find_login(login: str) -> User | None:
    """The account a login name refers to: a username or an e-mail address."""
    column = User.email if "@" in login else User.username
    return db.session.scalar(sa.select(User).where(column == login.strip().lower()))


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None (same time either way)."""
    user = find_login(login)
    if user is None or not user.active:
        burn_password_check(password)
        return None
    if not check_password(user, password):
        return None
    user.previous_login_at, user.last_login_at = user.last_login_at, utcnow()
    return user


def create_student(
    classroom: Classroom,
    *,
    username: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    password: str,
) -> User:
    """A new student account, enrolled in `classroom` (no e-mail needed)."""
    student = User(
        role=Role.STUDENT,
        username=username.lower(),
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        pseudonym=new_pseudonym(),
        password_hash=hash_password(password),
        school_id=classroom.school_id,
    )
    db.session.add(student)
    enroll(student, classroom)
    db.session.flush()
    return student


def register_employer(*, email: str, first_name: str, last_name: str, password: str) -> User | None:
    """A new employer account; it must confirm its e-mail before joining an organisation. An
    address that already has an account gets a note instead (and None comes back): the page
    says the same either way, so sign-up tells nobody which addresses have accounts."""
    email = email.lower()
    existing = find_login(email)
    if existing is not None:
        hash_password(password)  # the same work, so the answer takes as long
        if existing.active and existing.email:
            enqueue(
                compose(
                    existing.email,
                    "You already have an account",
                    "account_exists",
                    user=existing,
                    login=absolute_url("auth.login"),
                    reset=absolute_url("auth.forgot_password"),
                )
            )
        return None
    user = User(
        role=Role.EMPLOYER,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    """Mail `user` a link that confirms their e-mail address (none for an account without one)."""
    if not user.email:
        return
    link = absolute_url("auth.confirm_email", token=make_user_token(user, CONFIRM_EMAIL))
    enqueue(
        compose(user.email, "Confirm your e-mail address", "confirm_email", user=user, link=link)
    )


def confirm_email(token: str) -> User:
    """Mark the address of the token's user as confirmed (logging out must not kill the link)."""
    problem, user = read_user_token(token, CONFIRM_EMAIL, single_use=False)
    if user is None:
        raise AccountError(
            "This confirmation link has expired."
            if problem == "expired"
            else "This confirmation link is not valid."
        )
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link to an adult account with this address (the page says the same always)."""
    user = find_login(email)
    if user is None or user.role is Role.STUDENT or not user.active or not user.email:
        return
    link = absolute_url("auth.reset_password", token=make_user_token(user, RESET_PASSWORD))
    enqueue(compose(user.email, "Reset your password", "reset_password", user=user, link=link))


def user_for_reset(token: str) -> User:
    """The user a reset link is for; it dies once used, since resetting ends all sessions."""
    problem, user = read_user_token(token, RESET_PASSWORD, max_age=3600)
    if user is None:
        raise AccountError(
            "This reset link has expired. Ask for a new one."
            if problem == "expired"
            else "This reset link is not valid or has already been used."
        )
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link (and confirm the address it was sent to)."""
    user = user_for_reset(token)
    # Claim the link atomically: of two simultaneous uses, only one changes the password.
    claimed = workflow.update_if(
        user,
        User.password_hash == user.password_hash,
        password_hash=hash_password(password),
        must_change_password=False,
        session_version=User.session_version + 1,
    )
    if not claimed:
        raise AccountError("This reset link is not valid or has already been used.")
    db.session.refresh(user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password, which ends the user's other sessions."""
    if not check_password(user, current):
        raise AccountError("The current password is not correct.")
    set_password(user, new)


def replace_temporary_password(user: User, new: str) -> None:
    """A student who just logged in with the temporary password their teacher gave them chooses
    their own; they are not asked for the temporary one again."""
    if not user.must_change_password:
        raise AccountError("Give your current password to change it.")
    set_password(user, new)


def pending_invitation(token: str) -> Invitation:
    """The invitation a link is for, if it can still be accepted."""
    invitation = db.session.scalar(sa.select(Invitation).filter_by(token_hash=token_digest(token)))
    if invitation is None:
        raise LookupError(token)
    if invitation.accepted_at is not None:
        raise AccountError("This invitation has already been used. Log in instead.")
    if invitation.revoked_at is not None:
        raise AccountError("This invitation was withdrawn. Ask your school for a new one.")
    if utcnow() >= invitation.expires_at:
        raise AccountError("This invitation has expired. Ask your school to send a new one.")
    return invitation


def accept_invitation(token: str, *, first_name: str, last_name: str, password: str) -> User:
    """Create the invited teacher's or school admin's account, once."""
    invitation = pending_invitation(token)
    if find_login(invitation.email) is not None:
        raise AccountError("An account with this e-mail already exists. Log in instead.")
    # Claim the invitation atomically so two tabs cannot both use it.
    if not workflow.update_if(invitation, Invitation.accepted_at.is_(None), accepted_at=utcnow()):
        raise AccountError("This invitation has already been used. Log in instead.")
    user = User(
        role=invitation.role,
        email=invitation.email,
        email_confirmed_at=utcnow(),
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password),
        school_id=invitation.school_id,
    )
    db.session.add(user)
    db.session.flush()
    return user
