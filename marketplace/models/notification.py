"""What the product tells people: in-app notifications and the outgoing-mail outbox.

Both are written in the same transaction as the change that caused them. The worker
(`marketplace.notifications.worker`) delivers `OutgoingMail` rows: it claims each one, sends it
under its idempotency key and marks it sent once.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .user import User


class MailFrequency(enum.StrEnum):
    """How a person wants notifications by e-mail (the bell shows them all regardless)."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self) -> str:
        return {
            "immediately": "Right away, one e-mail each",
            "daily": "One daily digest",
            "off": "No e-mail (only the bell)",
        }[self.value]


class NotificationMail(enum.StrEnum):
    """What became of a notification's e-mail."""

    QUEUED = "queued"  # an OutgoingMail row carries it
    DIGEST = "digest"  # waiting for the person's daily digest
    DIGESTED = "digested"  # went out in a digest
    NONE = "none"  # the person has no address or asked for no e-mail


class Notification(Model):
    """One thing to tell one person: shown under the bell, and mailed per their preference."""

    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("engagement_event.id"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    mail_state: Mapped[str] = mapped_column(sa.String(12), default="none", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class MailState(enum.StrEnum):
    """pending → sending (claimed by a worker) → sent; a failure goes back to pending with a
    later `next_attempt_at`, or to failed after the last attempt."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingMail(Model):
    """One e-mail to send, rendered when it was queued. `idempotency_key` is unique: queuing the
    same message twice keeps one row, and the key becomes the Message-ID, so a receiver that
    already holds it can drop a copy re-sent after a worker died between sending and marking."""

    __table_args__ = (sa.Index("ix_outgoing_mail_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40), default="account")
    subject: Mapped[str] = mapped_column(sa.String(200))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[str] = mapped_column(sa.Text, default="")  # "Name: value" lines
    # An iCalendar entry sent with it (an event's invitation), as text/calendar.
    calendar: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    state: Mapped[str] = mapped_column(sa.String(12), default=MailState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
