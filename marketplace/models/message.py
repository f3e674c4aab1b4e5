"""Threads: an engagement's conversation between an organisation and a team (the team's teacher
reads every message), or a school's relationship channel with an organisation (staff only).

Messages to or from a student that look like they carry contact details are held for the
teacher; only visible messages reach the other side.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .stored_file import StoredFile

if TYPE_CHECKING:
    from .engagement import Engagement
    from .organisation import Organisation
    from .school import School
    from .team import Team
    from .user import User


class ThreadKind(enum.StrEnum):
    ENGAGEMENT = "engagement"  # the organisation's members, the team and its teacher
    SCHOOL = "school"  # the school's staff and the organisation's members; no students


class MessageState(enum.StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # waiting for the teacher: it looked like it carried contact details
    REJECTED = "rejected"  # the teacher kept it back, with a reason the sender sees


class Thread(Model):
    """One conversation. `channel` is unique: one thread per engagement ("engagement-<id>") and
    one relationship channel per school and organisation ("school-<id>-org-<id>")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(60), unique=True)
    kind: Mapped[ThreadKind] = mapped_column(enum_column(ThreadKind))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("engagement.id"), unique=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    school: Mapped[School] = relationship()
    organisation: Mapped[Organisation] = relationship()
    engagement: Mapped[Engagement | None] = relationship()
    team: Mapped[Team | None] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id", viewonly=True
    )


class Message(Model):
    """One message; its body is Markdown, rendered through the same sanitiser as projects."""

    __table_args__ = (sa.Index("ix_message_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("thread.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[MessageState] = mapped_column(
        enum_column(MessageState), default=MessageState.VISIBLE, index=True
    )
    hold_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id"
    )


class MessageAttachment(StoredFile, Model):
    """A file sent with a message, kept in the same `Storage` with the same checks as projects'
    files. A file whose upload did not finish stays pending and is never shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message.id"), index=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("thread.id"), index=True)

    message: Mapped[Message | None] = relationship(back_populates="attachments")


class ThreadRead(Model):
    """How far one person has read one thread: unread = visible messages after this id."""

    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("thread.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageFlag(Model):
    """Someone in the thread reported a message to the teacher; one report per person."""

    __table_args__ = (sa.UniqueConstraint("message_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class MemberMute(Model):
    """A school's staff muted an employer member: they can no longer post in that school's
    threads (reading stays). Unmuting deletes the row."""

    __table_args__ = (sa.UniqueConstraint("school_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    muted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
