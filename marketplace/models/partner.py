"""The school's partner network (its CRM): each partner record is a `Partnership` (one
organisation seen from one school); here are its contacts, its labels (career clusters and
tags), the communication log (touchpoints), follow-up tasks and activities. Everything here
belongs to one school and is never shown to students or to other schools."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .organisation import Partnership
    from .school import School
    from .user import User


class PartnerStage(enum.StrEnum):
    """How far a partner has come with the school; moves up with what happens, or by hand."""

    PROSPECT = "prospect"
    CONTACTED = "contacted"
    ENGAGED = "engaged"
    PARTNER = "partner"
    ADVISORY = "advisory"

    @property
    def label(self) -> str:
        return "advisory council" if self is PartnerStage.ADVISORY else self.value

    @property
    def rank(self) -> int:
        return list(PartnerStage).index(self)


class PartnerSource(enum.StrEnum):
    """How the partner came to the school."""

    ADVISORY_COUNCIL = "advisory council"
    CHAMBER = "chamber of commerce"
    WORKFORCE_BOARD = "workforce board"
    INDUSTRY_ASSOCIATION = "industry association"
    ALUMNI = "alumni"
    COLD_OUTREACH = "cold outreach"
    REFERRAL = "referral"
    PITCH_EVENT = "pitch event"  # a guest at one of the school's events said they were interested
    EMPLOYER_SIGNUP = "employer sign-up"  # the organisation asked the school to verify it


class Channel(enum.StrEnum):
    """How a contact prefers to be reached."""

    EMAIL = "e-mail"
    PHONE = "phone"
    TEXT = "text message"
    IN_PERSON = "in person"


class PartnerLabel(Model):
    """A career cluster or a free tag on a partner record (filterable, one row each)."""

    __table_args__ = (sa.UniqueConstraint("partnership_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "cluster" or "tag"
    value: Mapped[str] = mapped_column(sa.String(80), index=True)


class PartnerContact(Model):
    """A person at a partner, as one school knows them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.EMAIL)
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    # Unsubscribed from the school's e-mail by the link in one (anti-spam law): no more mail.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changed to revoke every link sent to this contact (unsubscribe, project links).
    nonce: Mapped[str] = mapped_column(sa.String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship(back_populates="contacts")

    @property
    def reachable_by_mail(self) -> bool:
        """The school may e-mail this person: an address, no "do not contact", not unsubscribed."""
        return bool(self.email) and not self.do_not_contact and self.unsubscribed_at is None

    @property
    def why_not_mailed(self) -> str:
        if not self.email:
            return "no e-mail address"
        if self.do_not_contact:
            return "do not contact"
        if self.unsubscribed_at is not None:
            return "unsubscribed"
        return ""


class TouchpointKind(enum.StrEnum):
    """An entry of the communication log: by hand (the first five) or written by the product."""

    CALL = "call"
    EMAIL = "e-mail"
    MEETING = "meeting"
    EVENT = "event"
    NOTE = "note"
    ACTIVITY = "activity"
    INTEREST = "interest"
    OFFER = "offer"
    RUNG = "rung"
    MESSAGE = "message"
    INVITATION = "invitation"
    JUDGING = "judging"
    LEAD = "lead"
    STAGE = "stage"

    @property
    def by_hand(self) -> bool:
        return self in MANUAL_KINDS


MANUAL_KINDS = (
    TouchpointKind.CALL,
    TouchpointKind.EMAIL,
    TouchpointKind.MEETING,
    TouchpointKind.EVENT,
    TouchpointKind.NOTE,
)

touchpoint_contact = sa.Table(
    "touchpoint_contact",
    Model.metadata,
    sa.Column("touchpoint_id", sa.ForeignKey("touchpoint.id"), primary_key=True),
    sa.Column("contact_id", sa.ForeignKey("partner_contact.id"), primary_key=True),
)


class Touchpoint(Model):
    """One entry of a partner's communication log."""

    __table_args__ = (sa.Index("ix_touchpoint_partner_time", "partnership_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"))
    kind: Mapped[TouchpointKind] = mapped_column(enum_column(TouchpointKind))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Written by the product, not by a person (the owner is who acted, if anyone).
    automatic: Mapped[bool] = mapped_column(default=False)
    # Where it happened in the product (a path), to open it from the log.
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    # What an automatic entry is about, so the same happening is logged once.
    source_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)

    owner: Mapped[User | None] = relationship()
    contacts: Mapped[list[PartnerContact]] = relationship(secondary=touchpoint_contact)


class FollowUpTask(Model):
    """Something to do for the partner network, due on a day of the school's calendar."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    partnership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date] = mapped_column(sa.Date)
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The reminders already sent (the day they were for), so each is sent once.
    due_reminded_on: Mapped[date | None] = mapped_column(sa.Date)
    overdue_reminded_on: Mapped[date | None] = mapped_column(sa.Date)
    # A task the product made (a lead to follow up): made once.
    source_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    # An action item of an advisory council meeting.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council_meeting.id"), index=True)

    school: Mapped[School] = relationship()
    partnership: Mapped[Partnership | None] = relationship()
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])

    @property
    def done(self) -> bool:
        return self.done_at is not None


class ActivityKind(enum.StrEnum):
    """The lighter ways a partner engages with the school's students."""

    GUEST_SPEAKER = "guest speaker"
    CAREER_DAY = "career day"
    MOCK_INTERVIEW = "mock interview"
    FIELD_TRIP = "field trip"
    SITE_VISIT = "site visit"
    RESUME_REVIEW = "resume review"
    DEMO_DAY_JUDGE = "demo-day judge"


class Activity(Model):
    """A partner's activity with the school: a date, students reached, hours given."""

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind))
    held_on: Mapped[date] = mapped_column(sa.Date)
    students_reached: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(sa.Float, default=0.0)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
