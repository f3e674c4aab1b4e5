"""Who may do what with messages — the one place to look: who takes part in a thread (and may
write), who reads it, who moderates it (releases or rejects held messages, resolves reports), who
may report a message, who may mute and unmute, and who is told of what."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Classroom,
    Engagement,
    FileStatus,
    MemberMute,
    Message,
    MessageAttachment,
    MessageState,
    Organisation,
    Role,
    Team,
    Thread,
    ThreadKind,
    User,
)


def _org_members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == organisation_id,
                User.role == Role.EMPLOYER,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def school_staff(school_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.school_id == school_id,
                User.role.in_([Role.TEACHER, Role.SCHOOL_ADMIN]),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def team_teachers(thread: Thread) -> list[User]:
    """The teacher(s) who read every message of an engagement thread: the team's class teacher."""
    if thread.team is None:
        return []
    teacher = thread.team.classroom.teacher
    return [teacher] if teacher.active else []


def organisation_may_talk(thread: Thread) -> bool:
    """An organisation talks with a school's students only while that school verifies it: if
    the school declines it later, its members leave the engagement threads (the school's own
    channel with it stays, for staff to explain)."""
    if thread.kind is ThreadKind.SCHOOL:
        return True
    organisation = db.session.get(Organisation, thread.organisation_id)
    return organisation is not None and organisation.is_verified_by(thread.school_id)


def participants(thread: Thread) -> list[User]:
    """Who takes part: an engagement thread holds the organisation's active members (while the
    school verifies it), the team's students and its teacher; a school thread holds the school's
    staff and the organisation's active members (no students)."""
    people = _org_members(thread.organisation_id) if organisation_may_talk(thread) else []
    if thread.kind is ThreadKind.ENGAGEMENT and thread.team is not None:
        people += [s for s in thread.team.members if s.active]
        people += team_teachers(thread)
    else:
        people += school_staff(thread.school_id)
    unique = {person.id: person for person in people}
    return list(unique.values())


def is_participant(thread: Thread, user: User | None) -> bool:
    """True for someone who takes part (and so may post), without loading everyone."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if user.is_employer:
        return user.organisation_id == thread.organisation_id and organisation_may_talk(thread)
    if thread.kind is ThreadKind.SCHOOL:
        return user.is_staff_of(thread.school_id)
    if thread.team is None:
        return False
    if user.is_student:
        return thread.team.has_member(user)
    if user.is_teacher:
        return thread.team.classroom.teacher_id == user.id
    return False


def can_read(thread: Thread, user: User | None) -> bool:
    """Participants read; so does every staff member of the thread's school. Site admins don't."""
    if user is None or not user.is_authenticated:
        return False
    return is_participant(thread, user) or user.is_staff_of(thread.school_id)


def may_read_engagement(engagement: Engagement, user: User | None) -> bool:
    """Whether `user` may read the engagement's thread (before it exists)."""
    probe = Thread(
        kind=ThreadKind.ENGAGEMENT,
        school_id=engagement.school_id,
        organisation_id=engagement.organisation_id,
    )
    probe.team = engagement.team
    return can_read(probe, user)


def is_moderator(thread: Thread, user: User | None) -> bool:
    """Who sees a thread's held messages: whoever checks them (`can_moderate`)."""
    return user is not None and can_moderate(thread, user)


def can_moderate(thread: Thread, user: User) -> bool:
    """Who reads held messages, releases or rejects them, and resolves reports: in a team's
    thread its own teachers and the school's admins — every member of the school's staff if the
    school chose so; in the school's channel with an organisation, its staff."""
    if not user.is_authenticated:
        return False
    if thread.team is not None and thread.team.classroom.teacher_id == user.id:
        return True
    if not user.is_staff_of(thread.school_id):
        return False
    return user.is_school_admin or thread.team is None or thread.school.held_checked_by_all_staff


def moderated_threads(user: User) -> sa.Select:
    """The ids of the threads `user` moderates: `can_moderate` as SQL, for the queue."""
    threads = sa.select(Thread.id).where(Thread.school_id == user.school_id)
    if user.is_school_admin or (user.school is not None and user.school.held_checked_by_all_staff):
        return threads
    own_teams = sa.select(Team.id).join(Classroom).where(Classroom.teacher_id == user.id)
    return threads.where(sa.or_(Thread.team_id.is_(None), Thread.team_id.in_(own_teams)))


def can_flag(message: Message, user: User) -> bool:
    """Anyone who can read a visible message, other than its author, may report it."""
    return (
        message.state is MessageState.VISIBLE
        and message.author_id != user.id
        and can_read(message.thread, user)
    )


def can_see(message: Message, user: User) -> bool:
    """A message of a thread the reader reads: a visible one, their own (held or rejected), or
    any for the school's staff."""
    thread = message.thread
    return can_read(thread, user) and (
        message.state is MessageState.VISIBLE
        or message.author_id == user.id
        or is_moderator(thread, user)
    )


def can_download(attachment: MessageAttachment, user: User) -> bool:
    """A stored file of a message the reader sees."""
    message = attachment.message
    if attachment.status is not FileStatus.STORED or message is None:
        return False
    return can_see(message, user)


def can_unmute(mute: MemberMute, user: User) -> bool:
    """The staff of the school that muted the member."""
    return user.is_staff_of(mute.school_id)


def thread_staff(thread: Thread) -> list[User]:
    """Who is told of a report: the team's teacher; in a school channel, the school's staff."""
    if thread.team is not None:
        return team_teachers(thread)
    return school_staff(thread.school_id)
