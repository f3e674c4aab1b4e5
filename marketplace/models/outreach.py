"""Outreach to a school's partners: its saved e-mail templates, projects offered by a signed
link to a partner's contact, and the automated messages it switches on."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .organisation import Partnership
    from .partner import PartnerContact
    from .project import Project
    from .user import User


class OutreachTemplate(Model):
    """A school's saved e-mail to partners, with merge fields ({{ first_name }} …)."""

    __table_args__ = (sa.UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectLink(Model):
    """One published project offered to a partner's contact who has no account: a signed link
    to that project alone, expiring, revocable; what they did with it is kept here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnership.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_contact.id"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    sent_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    nonce: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opens: Mapped[int] = mapped_column(default=0)
    interested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interest_note: Mapped[str] = mapped_column(sa.String(1000), default="")
    # The engagement the interest became, once the organisation had an account and was verified.
    engagement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("engagement.id"))

    partnership: Mapped[Partnership] = relationship()
    contact: Mapped[PartnerContact] = relationship()
    project: Mapped[Project] = relationship()
    sent_by: Mapped[User] = relationship()

    def state(self, now: datetime) -> str:
        """Where the link stands, as the record page says it."""
        if self.engagement_id is not None:
            return "became an engagement"
        if self.interested_at is not None:
            return "interested"
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "opened" if self.first_opened_at else "sent"


class AutomationKind(enum.StrEnum):
    """The automated messages a school can switch on."""

    THANKS = "thanks"  # thank a partner after an activity
    EVENT = "event"  # invite partners of a cluster to the next pitch event
    CHECK_IN = "check-in"  # ask a partner silent for N days how things are


class AutomationRule(Model):
    """One automated message of a school: on or off, a daily cap, and its settings."""

    __table_args__ = (sa.UniqueConstraint("school_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    kind: Mapped[AutomationKind] = mapped_column(enum_column(AutomationKind))
    enabled: Mapped[bool] = mapped_column(default=False)
    daily_cap: Mapped[int] = mapped_column(default=20)
    quiet_days: Mapped[int] = mapped_column(default=90)  # CHECK_IN: silent for this long
    cluster: Mapped[str] = mapped_column(sa.String(80), default="")  # EVENT: "" for all
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
