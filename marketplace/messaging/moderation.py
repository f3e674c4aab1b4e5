"""Moderation of messages: who may moderate a thread, releasing or rejecting a held message,
and reports (flags) on a message. A school's mutes of employer members are in `mutes`.

Every transition is a conditional UPDATE on the row's state, so two teachers acting at once never
both win: the second is told who acted first (`AlreadyReviewed`), never a database error.
Services flush, never commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import IntegrityError

from .. import events, workflow
from ..extensions import db, rows_matched
from ..models import (
    Message,
    MessageFlag,
    MessageState,
    School,
    Thread,
    User,
    utcnow,
)
from ..privacy import name_for
from .errors import AlreadyReviewed, ModerationError
from .rules import can_flag, can_moderate, participants, thread_staff

__all__ = [
    "AlreadyReviewed",
    "ModerationError",
    "choose_checkers",
    "flag",
    "reject",
    "release",
    "resolve",
]


def _path(endpoint: str, **values: Any) -> str:  # passed on to url_for, which takes Any
    """A path on this site, inside a request or not (a worker, a test's direct call)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def thread_link(thread: Thread) -> str:
    """The path of the thread's page, for notifications."""
    return _path("messaging.thread", thread_id=thread.id)


def moderation_queue_link() -> str:
    """The path of the staff's queue of held and reported messages, for notifications."""
    return _path("moderation.queue")


def _already(message: Message, viewer: User) -> AlreadyReviewed:
    """Why a decision on `message` came too late: who decided, and what."""
    db.session.refresh(message)
    if message.state is MessageState.HELD:  # pragma: no cover - only if the row vanished
        return AlreadyReviewed("This message changed a moment ago; look again.")
    done = "released" if message.state is MessageState.VISIBLE else "rejected"
    who = message.reviewed_by
    by = f" by {name_for(viewer, who)}" if who is not None else ""
    return AlreadyReviewed(f"This message was already {done}{by}.")


def _review(message: Message, staff: User, state: MessageState, note: str) -> None:
    """Move a held message to `state` if it is still held, or raise who decided first."""
    if not can_moderate(message.thread, staff):
        raise ModerationError("Only the thread's teacher or the school's staff can do that.")
    reviewed = {"reviewed_by_id": staff.id, "reviewed_at": utcnow(), "review_note": note}
    if not workflow.update_if(message, Message.state == MessageState.HELD, state=state, **reviewed):
        raise _already(message, staff)
    db.session.refresh(message)


def choose_checkers(school: School, admin: User, all_staff: bool) -> None:
    """A school admin decides who checks held messages: the team's own teachers (and the
    admins), or every member of the school's staff."""
    if not (admin.is_school_admin and admin.school_id == school.id):
        raise ModerationError("Only the school's admins decide who checks held messages.")
    school.held_checked_by_all_staff = all_staff
    db.session.flush()


def release(message: Message, staff: User, note: str = "") -> None:
    """Let a held message through: the thread is told of it, and the sender that it went."""
    _review(message, staff, MessageState.VISIBLE, note.strip()[:500])
    audience = tuple(participants(message.thread))
    events.announce(events.MessageShown(message, audience, reviewer=staff))


def reject(message: Message, staff: User, reason: str) -> None:
    """Keep a held message back for good, with the reason the sender is shown."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("Say why the message is not sent: the sender is shown the reason.")
    _review(message, staff, MessageState.REJECTED, reason[:500])
    events.announce(events.MessageRejected(message, reason))


# --- reports ----------------------------------------------------------------------------------


def flag(message: Message, user: User, reason: str) -> MessageFlag:
    """Report a message to the thread's teacher; once per person."""
    reason = reason.strip()
    if not reason:
        raise ModerationError("Say what is wrong with the message.")
    if not can_flag(message, user):
        raise ModerationError("You cannot report this message.")
    report = MessageFlag(message_id=message.id, user_id=user.id, reason=reason[:500])
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        raise ModerationError("You already reported this message.") from None
    staff = tuple(person for person in thread_staff(message.thread) if person.id != user.id)
    events.announce(events.MessageFlagged(report, staff))
    return report


def resolve(report: MessageFlag, staff: User, hide: bool = False, reason: str = "") -> int:
    """Close the open reports of a message (optionally removing the message, with a reason the
    sender sees); how many reports were closed."""
    message = report.message
    if not can_moderate(message.thread, staff):
        raise ModerationError("Only the thread's teacher or the school's staff can do that.")
    reason = reason.strip()
    if hide and not reason:
        raise ModerationError("Say why the message is removed: the sender is shown the reason.")
    now = utcnow()
    closed = rows_matched(
        sa.update(MessageFlag)
        .where(MessageFlag.message_id == message.id, MessageFlag.resolved_at.is_(None))
        .values(resolved_by_id=staff.id, resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    if closed == 0:
        db.session.refresh(report)
        who = db.session.get(User, report.resolved_by_id) if report.resolved_by_id else None
        by = f" by {name_for(staff, who)}" if who is not None else ""
        raise AlreadyReviewed(f"This report was already resolved{by}.")
    if hide:
        db.session.execute(
            sa.update(Message)
            .where(Message.id == message.id, Message.state == MessageState.VISIBLE)
            .values(
                state=MessageState.REJECTED,
                reviewed_by_id=staff.id,
                reviewed_at=now,
                review_note=reason[:500],
            )
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(message)
        events.announce(events.MessageRejected(message, reason, after_report=True))
    db.session.refresh(report)
    return closed
