"""A school's business advisory council: members (partners' contacts) with their terms and
roles, and its meetings with who came; action items are follow-up tasks (`partner.py`)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .partner import PartnerContact


class CouncilRole(enum.StrEnum):
    MEMBER = "member"
    CHAIR = "chair"
    VICE_CHAIR = "vice chair"
    SECRETARY = "secretary"


class CouncilMember(Model):
    """A partner's person on the school's business advisory council, for a term."""

    __table_args__ = (sa.UniqueConstraint("school_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_contact.id"))
    role: Mapped[CouncilRole] = mapped_column(enum_column(CouncilRole), default=CouncilRole.MEMBER)
    term_start: Mapped[date] = mapped_column(sa.Date)
    term_end: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[PartnerContact] = relationship()

    def serving_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class CouncilMeeting(Model):
    """A meeting of the advisory council: agenda, who came, minutes; its action items are
    follow-up tasks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendance: Mapped[list[CouncilAttendance]] = relationship(cascade="all, delete-orphan")


class CouncilAttendance(Model):
    """Whether a member came to a meeting."""

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("council_meeting.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("council_member.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(default=True)
