"""A school's mutes of employer members: a muted member still reads the school's threads but
cannot post to them. Posting asks `is_muted`; staff mute and unmute from /school/mutes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import MemberMute, Role, User
from ..privacy import name_for
from . import rules
from .errors import ModerationError
from .moderation_queries import working_with


def is_muted(user: User, school_id: int) -> bool:
    """True when the school's staff muted this member: they may read but not post."""
    found = db.session.scalar(
        sa.select(MemberMute.id).where(
            MemberMute.school_id == school_id, MemberMute.user_id == user.id
        )
    )
    return found is not None


def mute(staff: User, member: User | None, reason: str) -> MemberMute:
    """Stop an employer member posting in the staff's school's threads (they still read)."""
    if not staff.is_staff or staff.school_id is None:
        raise ModerationError("Only a school's staff can mute someone.")
    allowed = (
        member is not None
        and member.role is Role.EMPLOYER
        and member.organisation_id is not None
        and db.session.scalar(
            sa.select(sa.literal(1)).where(
                sa.literal(member.organisation_id).in_(working_with(staff.school_id))
            )
        )
        is not None
    )
    if member is None or not allowed:
        raise ModerationError(
            "Only a member of an organisation working with your school can be muted."
        )
    reason = reason.strip()
    if not reason:
        raise ModerationError("Say why: the reason is kept with the mute.")
    row = MemberMute(
        school_id=staff.school_id, user_id=member.id, muted_by_id=staff.id, reason=reason[:500]
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise ModerationError(f"{name_for(staff, member)} is already muted.") from None
    return row


def unmute(row: MemberMute, staff: User) -> None:
    """Let a muted member post again."""
    if not rules.can_unmute(row, staff):
        raise ModerationError("Only the school's staff can unmute.")
    db.session.execute(sa.delete(MemberMute).where(MemberMute.id == row.id))
