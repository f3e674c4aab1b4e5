"""The demo's conversations (run by `seed.seed_demo` after the engagements).

Keystone and Ava's team talk about the shadow day waiting for their answer: a teammate's
message with a phone number is held for Ms Rivera, an earlier one was rejected with a reason,
and the last messages are from this morning, so the bell and the unread counts have something
to show. Riverside's staff also keep a relationship channel with Riverside Metro Transit.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..messaging import moderation, queries, service
from ..models import (
    Engagement,
    Message,
    MessageState,
    Notification,
    OutgoingMail,
    TeamMembership,
    Thread,
    ThreadRead,
    User,
    utcnow,
)
from .engagement_stories import KEYSTONE, TRANSIT

# (hours ago, who, text); "ava.m" and "noah.k" are students of the team, "rivera@…" its teacher.
_SHADOW_DAY = (
    (
        70,
        KEYSTONE,
        "Hello Trailblazers! I'm Dana, quality manager at Keystone. Your sensor rig "
        "caught the same near-misses we see at our loading bays. Before the shadow day: which "
        "part of the shop would you most like to see?",
    ),
    (
        68,
        "ava.m",
        "Hi Dana! We'd love to see **how you test parts** in the quality lab, and how "
        "the forklift lanes are marked. Could we bring our prototype?",
    ),
    (
        66,
        KEYSTONE,
        "Yes, please bring it. Our floor lead can show you where it would sit. "
        "Closed-toe shoes, and the bus pass is on us.",
    ),
    (
        30,
        "rivera@riverside.example",
        "Thank you, Dana. The consent forms are all in; the team will answer the offer this week.",
    ),
    (26, "noah.k", "cool, add me on snap benny_o22 and I'll send you the video of the rig"),
    (
        5,
        "noah.k",
        "Do we need to bring anything besides the rig? You can text me at "
        "555-201-7788 if that's easier.",
    ),
    (
        3,
        KEYSTONE,
        "Just yourselves and the rig. We'll have safety glasses "
        "for everyone; meet us at the visitor entrance at 8:30.",
    ),
)
_TRANSIT = (
    (200, "rivera@riverside.example", "Hello Alicia, thank you for hosting the externship last "
     "spring. Would Riverside Metro have a table at our career fair on the 12th?"),
    (190, TRANSIT, "Gladly! Two of our planners can come. Could you send the room and the time?"),
    (20, "rivera@riverside.example", "Room 114, 9:00 to 12:00. Students will bring their "
     "transit projects; the Night Owls would love your feedback."),
)  # fmt: skip


def _user(login: str) -> User:
    return db.session.scalars(
        sa.select(User).where(sa.or_(User.email == login, User.username == login))
    ).one()


def _back_date(message: Message, hours: int) -> None:
    """Move a message, its notifications and their mail to `hours` ago (older mail: sent)."""
    when = utcnow() - timedelta(hours=hours)
    db.session.execute(sa.update(Message).where(Message.id == message.id).values(created_at=when))
    keys = sa.or_(
        Notification.idempotency_key.like(f"message-{message.id}-user-%"),
        Notification.idempotency_key.like(f"message-held-{message.id}-user-%"),
    )
    db.session.execute(sa.update(Notification).where(keys).values(created_at=when))
    mail = sa.update(OutgoingMail).where(
        sa.or_(
            OutgoingMail.idempotency_key.like(f"notification-message-{message.id}-user-%"),
            OutgoingMail.idempotency_key.like(f"notification-message-held-{message.id}-user-%"),
        )
    )
    mailed = {"state": "sent", "sent_at": when} if hours > 24 else {}
    db.session.execute(mail.values(created_at=when, next_attempt_at=when, **mailed))
    db.session.execute(
        sa.update(Thread).where(Thread.id == message.thread_id).values(last_message_at=when)
    )


def _converse(thread: Thread, lines: tuple[tuple[int, str, str], ...]) -> list[Message]:
    posted = []
    for hours, login, text in lines:
        message = service.post_message(thread, _user(login), text)
        _back_date(message, hours)
        posted.append(message)
    return posted


def seed_threads() -> None:
    """Create the demo conversations; does nothing when there are threads already."""
    if db.session.scalar(sa.select(sa.func.count(Thread.id))):
        return
    keystone = _user(KEYSTONE)
    ava = _user("ava.m")
    engagement = db.session.scalars(
        sa.select(Engagement)
        .join(TeamMembership, TeamMembership.team_id == Engagement.team_id)
        .where(
            Engagement.organisation_id == keystone.organisation_id,
            TeamMembership.student_id == ava.id,
        )
    ).first()
    if engagement is None:
        return
    rivera = _user("rivera@riverside.example")
    thread = service.engagement_thread(engagement, keystone)
    posted = _converse(thread, _SHADOW_DAY)
    snap, phone = posted[4], posted[5]
    if snap.state is MessageState.HELD:
        moderation.reject(
            snap,
            rivera,
            "Please keep to the marketplace: no social media contacts with our partners.",
        )
    assert phone.state is MessageState.HELD  # waits in Ms Rivera's queue
    queries.mark_read(thread, keystone, posted[-1].id)  # Dana is up to date
    db.session.add(
        ThreadRead(thread_id=thread.id, user_id=ava.id, last_read_message_id=posted[2].id)
    )
    transit = _user(TRANSIT)
    assert rivera.school_id is not None and transit.organisation is not None  # seeded so
    channel = service.school_thread(
        rivera.school_id, transit.organisation, rivera, "Career fair and next spring"
    )
    _converse(channel, _TRANSIT)
    db.session.flush()
