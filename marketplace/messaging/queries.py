"""Reads for the inbox and the read position, in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db, rows_matched
from ..models import (
    Classroom,
    Message,
    MessageState,
    Notification,
    Organisation,
    Partnership,
    Team,
    TeamMembership,
    Thread,
    ThreadKind,
    ThreadRead,
    User,
    VerificationStatus,
    utcnow,
)

INBOX_LIMIT = 200


@dataclass
class InboxRow:
    thread: Thread
    unread: int


def _threads_for(user: User) -> sa.Select | None:
    """The threads `user` takes part in: their organisation's; their teams'; for a teacher the
    threads of the teams they teach and the school's channels; for a school admin the
    school's channels."""
    query = sa.select(Thread)
    if user.is_employer and user.organisation_id is not None:
        # Engagement threads only with schools that verify the organisation (a school that
        # declines it takes its teams' threads away); the schools' own channels always.
        verifying = sa.select(Partnership.school_id).where(
            Partnership.organisation_id == user.organisation_id,
            Partnership.status == VerificationStatus.VERIFIED,
        )
        return query.where(
            Thread.organisation_id == user.organisation_id,
            sa.or_(Thread.kind == ThreadKind.SCHOOL, Thread.school_id.in_(verifying)),
        )
    if user.is_student:
        teams = sa.select(TeamMembership.team_id).where(TeamMembership.student_id == user.id)
        return query.where(Thread.kind == ThreadKind.ENGAGEMENT, Thread.team_id.in_(teams))
    if user.is_teacher and user.school_id is not None:
        taught = (
            sa.select(Team.id)
            .join(Classroom, Team.classroom_id == Classroom.id)
            .where(Classroom.teacher_id == user.id)
        )
        return query.where(
            sa.or_(
                sa.and_(Thread.kind == ThreadKind.ENGAGEMENT, Thread.team_id.in_(taught)),
                sa.and_(Thread.kind == ThreadKind.SCHOOL, Thread.school_id == user.school_id),
            )
        )
    if user.is_school_admin and user.school_id is not None:
        return query.where(Thread.kind == ThreadKind.SCHOOL, Thread.school_id == user.school_id)
    return None


_READ = aliased(ThreadRead)  # the reader's position (made once: an alias is costly to build)


def _unread(user: User, threads: list[int] | sa.Select) -> sa.Select:
    """Messages of `threads` after `user`'s read position that they can see (staff of the
    school see held ones too), not their own."""
    read = _READ
    query = (
        sa.select(sa.func.count(Message.id))
        .join(Thread, Thread.id == Message.thread_id)
        .outerjoin(read, sa.and_(read.thread_id == Message.thread_id, read.user_id == user.id))
        .where(
            Message.thread_id.in_(threads),
            Message.author_id != user.id,
            sa.or_(
                Message.id > sa.func.coalesce(read.last_read_message_id, 0),
                Message.reviewed_at > read.read_at,  # released after they last read
            ),
        )
    )
    if user.is_staff and user.school_id is not None:
        return query.where(
            sa.or_(Message.state == MessageState.VISIBLE, Thread.school_id == user.school_id)
        )
    return query.where(Message.state == MessageState.VISIBLE)


def unread_counts(user: User, thread_ids: list[int]) -> dict[int, int]:
    """Unread messages per thread for `user`, in one grouped statement."""
    if not thread_ids:
        return {}
    query = _unread(user, thread_ids).add_columns(Message.thread_id).group_by(Message.thread_id)
    return {thread_id: count for count, thread_id in db.session.execute(query)}


def unread_total(user: User) -> sa.ScalarSelect[int] | None:
    """All unread messages of the user's threads, as a subquery (for the nav's badge, asked
    with the nav's other counts); None for a user in no thread."""
    threads = _threads_for(user)
    if threads is None:
        return None
    return _unread(user, threads.with_only_columns(Thread.id)).scalar_subquery()


def inbox(user: User, limit: int = INBOX_LIMIT) -> list[InboxRow]:
    """The user's threads, newest activity first, each with its unread count."""
    query = _threads_for(user)
    if query is None:
        return []
    threads = list(
        db.session.scalars(
            query.options(
                joinedload(Thread.school),
                joinedload(Thread.organisation),
                joinedload(Thread.team).joinedload(Team.classroom),
            )
            .order_by(Thread.last_message_at.desc(), Thread.id.desc())
            .limit(limit)
        )
    )
    counts = unread_counts(user, [t.id for t in threads])
    return [InboxRow(thread, counts.get(thread.id, 0)) for thread in threads]


def _read_notifications(thread: Thread, user: User) -> None:
    """Reading a thread also reads its notifications under the bell."""
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.read_at.is_(None),
            Notification.link.like(f"/messages/{thread.id}#%"),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def read_at(thread: Thread, user: User) -> datetime | None:
    """When `user` last read `thread` (None: never)."""
    return db.session.scalar(
        sa.select(ThreadRead.read_at).where(
            ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id
        )
    )


def mark_read(thread: Thread, user: User, last_id: int) -> None:
    """Note that `user` read `thread` now, up to `last_id` (the position never moves back: a
    conditional UPDATE); two requests racing to write the first position leave one row."""
    if last_id <= 0:
        return
    _read_notifications(thread, user)
    mine = sa.and_(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
    position = sa.case(
        (ThreadRead.last_read_message_id < last_id, last_id),
        else_=ThreadRead.last_read_message_id,
    )
    now = utcnow()
    moved = sa.update(ThreadRead).where(mine).values(last_read_message_id=position, read_at=now)
    if rows_matched(moved.execution_options(synchronize_session=False)):
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                ThreadRead(
                    thread_id=thread.id, user_id=user.id, last_read_message_id=last_id,
                    read_at=now,
                )
            )  # fmt: skip
    except IntegrityError:
        db.session.execute(moved.execution_options(synchronize_session=False))


def school_partners(school_id: int) -> list[Organisation]:
    """Organisations the school may open a relationship channel with: those it verified or that
    wait for its verification (not those it declined)."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Partnership, Partnership.organisation_id == Organisation.id)
            .where(
                Partnership.school_id == school_id,
                Partnership.status != VerificationStatus.DECLINED,
            )
            .order_by(Organisation.name)
        )
    )


def organisations_with_readers(organisation_ids: list[int]) -> set[int]:
    """Of these organisations, those with at least one active member: someone to read a message
    written to them."""
    if not organisation_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(User.organisation_id)
            .where(User.organisation_id.in_(organisation_ids), User.active.is_(True))
            .distinct()
        )
    )
