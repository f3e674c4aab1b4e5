"""What the moderation pages read: the held queue, open reports, the count waiting for staff,
and the members a school may mute. Read-only; each list is loaded in a fixed number of queries."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Engagement,
    MemberMute,
    Message,
    MessageFlag,
    MessageState,
    Role,
    Team,
    Thread,
    User,
)
from .rules import moderated_threads


def working_with(school_id: int) -> sa.CompoundSelect[tuple[int]]:
    """The ids of organisations that have a thread or an engagement with the school."""
    threads = sa.select(Thread.organisation_id).where(Thread.school_id == school_id)
    engaged = sa.select(Engagement.organisation_id).where(Engagement.school_id == school_id)
    return sa.union(threads, engaged)


def mutable_members(school_id: int) -> list[User]:
    """Employer members the school's staff may mute: of organisations working with the school,
    not muted yet."""
    muted = sa.select(MemberMute.user_id).where(MemberMute.school_id == school_id)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == Role.EMPLOYER,
                User.organisation_id.in_(working_with(school_id)),
                User.id.not_in(muted),
            )
            .options(joinedload(User.organisation))
            .order_by(User.first_name, User.last_name, User.id)
        )
    )


def mutes(school_id: int) -> list[MemberMute]:
    """The school's muted members, most recent first."""
    return list(
        db.session.scalars(
            sa.select(MemberMute)
            .where(MemberMute.school_id == school_id)
            .options(joinedload(MemberMute.user).joinedload(User.organisation))
            .order_by(MemberMute.created_at.desc(), MemberMute.id.desc())
        )
    )


# --- the queue ---------------------------------------------------------------------------------


def held_queue(staff: User) -> list[Message]:
    """Held messages of the threads the staff member checks, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(
                Message.state == MessageState.HELD, Message.thread_id.in_(moderated_threads(staff))
            )
            .options(
                joinedload(Message.author),
                joinedload(Message.thread).joinedload(Thread.team).joinedload(Team.classroom),
            )
            .order_by(Message.created_at, Message.id)
        )
    )


def open_reports(staff: User) -> list[tuple[Message, list[MessageFlag]]]:
    """Messages with open reports in the threads the staff member checks, oldest report first,
    and the reports."""
    flags = db.session.scalars(
        sa.select(MessageFlag)
        .join(Message, MessageFlag.message_id == Message.id)
        .where(MessageFlag.resolved_at.is_(None), Message.thread_id.in_(moderated_threads(staff)))
        .options(
            joinedload(MessageFlag.user),
            joinedload(MessageFlag.message).options(
                joinedload(Message.author), joinedload(Message.thread)
            ),
        )
        .order_by(MessageFlag.created_at, MessageFlag.id)
    )
    grouped: dict[int, tuple[Message, list[MessageFlag]]] = {}
    for report in flags:
        grouped.setdefault(report.message_id, (report.message, []))[1].append(report)
    return list(grouped.values())


def waiting(user: User) -> tuple[sa.ScalarSelect[int], sa.ScalarSelect[int]] | None:
    """Held messages and reported messages waiting for a member of staff, as two subqueries
    (the nav asks them with its other counts); None for anyone else."""
    if not user.is_authenticated or not user.is_staff or user.school_id is None:
        return None
    threads = moderated_threads(user)
    held = (
        sa.select(sa.func.count(Message.id))
        .where(Message.state == MessageState.HELD, Message.thread_id.in_(threads))
        .scalar_subquery()
    )
    reported = (
        sa.select(sa.func.count(sa.distinct(MessageFlag.message_id)))
        .join(Message, MessageFlag.message_id == Message.id)
        .where(MessageFlag.resolved_at.is_(None), Message.thread_id.in_(threads))
        .scalar_subquery()
    )
    return held, reported


def waiting_counts(user: User) -> tuple[int, int]:
    """Held messages and reported messages waiting for a member of staff (one query)."""
    subqueries = waiting(user)
    if subqueries is None:
        return 0, 0
    row = db.session.execute(sa.select(*subqueries)).one()
    return row[0] or 0, row[1] or 0


def waiting_count(user: User) -> int:
    """Held messages plus reported messages waiting for a member of staff (one query)."""
    return sum(waiting_counts(user))
