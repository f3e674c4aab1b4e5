"""Rules for schools and their staff: creating schools and inviting teachers and admins."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..extensions import db
from ..mail import compose, enqueue
from ..models import Invitation, Role, School, User, utcnow
from ..security import new_secret_token
from ..web import absolute_url
from . import rules


class InvitationError(Exception):
    """An invitation that cannot be sent; the message is shown to the user."""


def slugify(name: str) -> str:
    """A URL-safe name for a school."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:70] or "school"


def create_school(name: str, city: str = "", timezone: str = "") -> School:
    """A new school (tenant) with a unique slug."""
    base = slugify(name)
    slug, n = base, 1
    while db.session.scalar(sa.select(School.id).filter_by(slug=slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    school = School(name=name, city=city, slug=slug, timezone=timezone or clock.default_zone().key)
    db.session.add(school)
    db.session.flush()
    return school


def invite(inviter: User, school: School, email: str, role: Role) -> Invitation:
    """Create a single-use invitation and mail its link (the link is never stored)."""
    if not rules.can_invite(school, inviter, role):
        raise PermissionError
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise InvitationError("Someone already has an account with this e-mail address.")
    # A new invitation replaces any pending one to the same address.
    db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.email == email,
            Invitation.school_id == school.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    token, digest = new_secret_token()
    invitation = Invitation(
        token_hash=digest,
        email=email,
        role=role,
        school=school,
        invited_by=inviter,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = absolute_url("auth.accept_invitation", token=token)
    enqueue(
        compose(
            email,
            f"You are invited to {school.name} on the project marketplace",
            "invitation",
            invitation=invitation,
            link=link,
            role_label=role.label.lower(),
        )
    )
    return invitation


def revoke(invitation: Invitation) -> None:
    """Withdraw an invitation that was not used yet."""
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def staff_of(school_id: int) -> list[User]:
    """The school's teachers and admins, admins first."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school_id, User.role.in_(rules.INVITABLE_ROLES))
            .order_by(User.role, User.last_name)
        )
    )


def pending_invitations(school_id: int) -> list[Invitation]:
    """The school's invitations that can still be accepted, newest first."""
    return [
        i
        for i in db.session.scalars(
            sa.select(Invitation)
            .where(Invitation.school_id == school_id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
        if i.is_pending
    ]
