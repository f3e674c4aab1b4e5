"""The rules of threads: what each reader sees, posting (with the contact-detail hold) and
telling the others. Services flush, never commit."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import nh3
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from .. import events
from ..extensions import db
from ..markdown import render_markdown
from ..models import (
    Engagement,
    EngagementStatus,
    Message,
    MessageState,
    Organisation,
    Thread,
    ThreadKind,
    User,
    utcnow,
)
from ..web import base_url
from . import contacts
from .attachments import attach
from .errors import AttachmentError, MessagingError
from .mutes import is_muted
from .rules import is_moderator, is_participant, participants, team_teachers

MAX_BODY = 5_000
BURST_WINDOW = timedelta(minutes=10)  # a sender's messages this close are read together


__all__ = ["MAX_BODY", "AttachmentError", "MessagingError", "post_message", "visible_to"]


# --- what each reader sees ---------------------------------------------------------------------


def visible_clause(user: User, thread: Thread) -> sa.ColumnElement[bool]:
    """The SQL form of what `user` sees of a thread's messages."""
    if is_moderator(thread, user):
        return sa.true()
    return sa.or_(Message.state == MessageState.VISIBLE, Message.author_id == user.id)


def visible_to(
    user: User, thread: Thread, after: int = 0, released_since: datetime | None = None
) -> list[Message]:
    """The messages `user` sees, oldest first: visible ones plus their own held or rejected
    ones; the school's staff see all. With `after`, only those with a larger id — and, with
    `released_since`, also older ones the teacher released since then (listed last)."""
    from sqlalchemy.orm import selectinload

    newer = Message.id > after
    if released_since is not None and not is_moderator(thread, user):
        released = sa.and_(
            Message.id <= after,
            Message.state == MessageState.VISIBLE,
            Message.author_id != user.id,
            Message.reviewed_at > released_since,
        )
        newer = sa.or_(newer, released)
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.thread_id == thread.id, newer)
            .where(visible_clause(user, thread))
            .options(selectinload(Message.author), selectinload(Message.attachments))
            .order_by(Message.id > after, Message.id)
        )
    )


# --- getting or starting a thread --------------------------------------------------------------


def find_thread(channel: str) -> Thread | None:
    """The thread of a channel, if it exists."""
    return db.session.scalar(sa.select(Thread).where(Thread.channel == channel))


def _get_or_create(channel: str, make: Callable[[], Thread]) -> Thread:
    """The thread of `channel`, created if missing; when two requests race to create it, the
    unique channel lets one row in and the other reads it."""
    existing = find_thread(channel)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            thread = make()
            db.session.add(thread)
            db.session.flush()
        return thread
    except IntegrityError:
        return db.session.scalars(sa.select(Thread).where(Thread.channel == channel)).one()


def engagement_thread(engagement: Engagement, user: User | None = None) -> Thread:
    """The engagement's thread, created on first use (channel "engagement-<id>")."""
    return _get_or_create(
        f"engagement-{engagement.id}",
        lambda: Thread(
            channel=f"engagement-{engagement.id}",
            kind=ThreadKind.ENGAGEMENT,
            school_id=engagement.school_id,
            organisation_id=engagement.organisation_id,
            engagement_id=engagement.id,
            team_id=engagement.team_id,
            subject=engagement.project.title[:200],
            started_by_id=user.id if user else None,
        ),
    )


def school_thread(school_id: int, organisation: Organisation, user: User, subject: str) -> Thread:
    """The school's relationship channel with `organisation` ("school-<sid>-org-<oid>")."""
    channel = f"school-{school_id}-org-{organisation.id}"
    return _get_or_create(
        channel,
        lambda: Thread(
            channel=channel,
            kind=ThreadKind.SCHOOL,
            school_id=school_id,
            organisation_id=organisation.id,
            subject=subject[:200],
            started_by_id=user.id,
        ),
    )


def thread_subject(thread: Thread) -> str:
    """The engagement's project title, or "Riverside High ↔ Harbor Health" for a school's."""
    if thread.kind is ThreadKind.SCHOOL:
        return f"{thread.school.name} ↔ {thread.organisation.name}"
    return thread.subject


# --- posting -----------------------------------------------------------------------------------


def allowed_hosts() -> tuple[str, ...]:
    host = urlsplit(base_url()).hostname
    return (host,) if host else ()


def check_body(body: str) -> str:
    """The trimmed body, or MessagingError when it is empty or too long."""
    text = (body or "").strip()
    if not text:
        raise MessagingError("Write a message first.")
    if len(text) > MAX_BODY:
        raise MessagingError(f"A message can be at most {MAX_BODY:,} characters.")
    return text


def check_can_post(thread: Thread, author: User) -> None:
    """Refuse a non-participant, a muted member, or a closed engagement."""
    if not is_participant(thread, author):
        raise MessagingError("Only the people in this conversation can write to it.")
    engagement = thread.engagement
    if engagement is not None and engagement.status is EngagementStatus.CLOSED:
        raise MessagingError("This engagement is closed; no more messages can be sent to it.")
    if is_muted(author, thread.school_id):
        raise MessagingError("The school has paused your messages; you can still read them.")


def shown_text(text: str) -> str:
    """A message as its readers see it, in plain text: Markdown rendered, tags dropped, entities
    decoded."""
    return html.unescape(nh3.clean(str(render_markdown(text)), tags=set()))


def contact_details(
    text: str, file_names: Sequence[str] = (), earlier: Sequence[str] = ()
) -> list[contacts.ContactDetail]:
    """Contact details in a message as typed, as its readers see it (Markdown rendered, entities
    decoded: `ava&#64;gmail&#46;com`, `5**5**5-…`), and in the names of its files; each read
    after the `earlier` messages of the same sender, so a number sent in pieces is found."""
    hosts = allowed_hosts()
    found = contacts.find_contact_details_in_burst(earlier, text, hosts)
    shown, shown_earlier = shown_text(text), [shown_text(body) for body in earlier]
    if [*shown_earlier, shown] != [*earlier, text]:
        found += contacts.find_contact_details_in_burst(shown_earlier, shown, hosts)
    for name in file_names:
        found += contacts.find_contact_details(name, allowed_hosts=hosts)
    return found


def recent_bodies(thread: Thread, author: User, now: datetime) -> list[str]:
    """The bodies of `author`'s last messages in `thread` within the burst window, oldest first
    (whatever became of them: one held or rejected is still read with the next)."""
    bodies = db.session.scalars(
        sa.select(Message.body)
        .where(Message.thread_id == thread.id, Message.author_id == author.id)
        .where(Message.created_at >= now - BURST_WINDOW)
        .order_by(Message.id.desc())
        .limit(contacts.BURST_MESSAGES)
    )
    return list(bodies)[::-1]


def post_message(
    thread: Thread, author: User, body: str, files: Sequence[FileStorage] = ()
) -> Message:
    """Post a message. In an engagement thread (students are in it), a message that looks like it
    carries contact details is held for the teacher; staff's own messages never are."""
    text = check_body(body)
    check_can_post(thread, author)
    message = Message(thread_id=thread.id, author_id=author.id, body=text, created_at=utcnow())
    found = []
    if thread.kind is ThreadKind.ENGAGEMENT and not author.is_staff:
        earlier = recent_bodies(thread, author, message.created_at)
        found = contact_details(text, [upload.filename or "" for upload in files[:1]], earlier)
    if found:
        message.state = MessageState.HELD
        message.hold_reason = contacts.reason(found)[:300]
    db.session.add(message)
    db.session.flush()
    if files:
        for upload in files[:1]:
            attach(message, author, upload)
    thread.last_message_at = message.created_at
    if message.state is MessageState.HELD:
        events.announce(events.MessageHeld(message, tuple(team_teachers(thread))))
    else:
        events.announce(events.MessageShown(message, tuple(participants(thread))))
    db.session.flush()
    return message


def message_excerpt(message: Message, limit: int = 300) -> str:
    """The start of a message for a notification, as its readers see it, on one line."""
    text = " ".join(shown_text(message.body).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def message_link(message: Message) -> str:
    """The path of the message in its thread, for notifications."""
    return f"/messages/{message.thread_id}#message-{message.id}"
