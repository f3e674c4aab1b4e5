"""Rows the moderation routes of the matrix act on, made when a route's URL is built (the
world has messages but no reports or mutes)."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import MemberMute, Message, MessageFlag, User


def report_of(message: Message, reporter: User) -> int:
    """An open report of `message` by `reporter`; its id."""
    row = MessageFlag(message_id=message.id, user_id=reporter.id, reason="Not right")
    db.session.add(row)
    db.session.flush()
    return row.id


def mute_of(member: User, school_id: int, by: User | None = None) -> int:
    """`member` muted for the school (by `by`, or by themselves when the school has no staff in
    the world); its id."""
    row = MemberMute(
        school_id=school_id, user_id=member.id, muted_by_id=(by or member).id, reason="Too pushy"
    )
    db.session.add(row)
    db.session.flush()
    return row.id
