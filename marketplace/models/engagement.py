"""The traction ladder's records: an engagement, its offers, its timeline, and the gates' evidence.

The rules that move these rows live in one place, `marketplace.engagements.ladder`; the models
only describe what is stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .organisation import Organisation
    from .placement import OfferAnswer
    from .project import Project
    from .school import School
    from .team import Team
    from .user import User


class Rung(enum.StrEnum):
    """interest → mentorship → job shadowing → externship → internship, climbed in order."""

    INTEREST = "interest"
    MENTORSHIP = "mentorship"
    JOB_SHADOWING = "job_shadowing"
    EXTERNSHIP = "externship"
    INTERNSHIP = "internship"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def a(self) -> str:
        """The label as a sentence says it: "a mentorship", "an internship", and "job
        shadowing" with none (nobody offers "a job shadowing")."""
        if self is Rung.JOB_SHADOWING:
            return self.label
        return ("an " if self.value[0] in "aeiou" else "a ") + self.label

    @property
    def level(self) -> int:
        return LADDER.index(self)

    @property
    def next(self) -> Rung | None:
        return LADDER[self.level + 1] if self.level + 1 < len(LADDER) else None

    @property
    def is_workplace(self) -> bool:
        """Rungs that put a student in a workplace (and need a background check)."""
        return self.level >= Rung.JOB_SHADOWING.level


LADDER: tuple[Rung, ...] = tuple(Rung)
OFFER_RUNGS: tuple[Rung, ...] = LADDER[1:]


class EngagementStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value


class Completion(enum.StrEnum):
    """Where the current rung's completion stands: marked by the employer, confirmed by staff."""

    OPEN = "open"
    MARKED = "marked"
    CONFIRMED = "confirmed"


class OfferStatus(enum.StrEnum):
    """draft → proposed → approved → accepted | declined; → withdrawn | expired before an answer."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {"proposed": "waiting for teacher approval", "approved": "approved by teacher"}.get(
            self.value, self.value
        )

    @property
    def is_open(self) -> bool:
        return self in OPEN_OFFER_STATES


OPEN_OFFER_STATES = frozenset({OfferStatus.DRAFT, OfferStatus.PROPOSED, OfferStatus.APPROVED})


class Engagement(Model):
    """One organisation's relationship with one project's team."""

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "project_id"),
        sa.Index("ix_engagement_org_status_rung", "organisation_id", "status", "rung"),
        sa.Index("ix_engagement_school_last_event", "school_id", "last_event_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id"), index=True)
    # Copied from the project so the school's and the team's views filter without joins.
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    rung: Mapped[Rung] = mapped_column(enum_column(Rung, length=20), default=Rung.INTEREST)
    status: Mapped[EngagementStatus] = mapped_column(
        enum_column(EngagementStatus), default=EngagementStatus.ACTIVE
    )
    completion: Mapped[Completion] = mapped_column(enum_column(Completion), default=Completion.OPEN)
    # The highest rung a teacher allowed the engagement to jump to (None: no skip allowed).
    skip_allowed_to: Mapped[Rung | None] = mapped_column(enum_column(Rung, length=20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # The pitch event where the interest was shown, if it was.
    source_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pitch_event.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every transition: the conditional UPDATEs compare it.
    version: Mapped[int] = mapped_column(default=1)
    # When it reached each rung above interest: its offer of the rung accepted (the ladder's
    # history, kept here so the funnel's counts and medians read one row per engagement).
    reached_mentorship_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_job_shadowing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_externship_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_internship_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @staticmethod
    def reached_column(rung: Rung) -> str:
        """The column holding when an engagement reached `rung` (above interest)."""
        return f"reached_{rung.value}_at"

    organisation: Mapped[Organisation] = relationship()
    project: Mapped[Project] = relationship()
    team: Mapped[Team] = relationship()
    school: Mapped[School] = relationship()
    opened_by: Mapped[User] = relationship()
    offers: Mapped[list[Offer]] = relationship(
        back_populates="engagement", order_by="Offer.created_at.desc()"
    )
    events: Mapped[list[EngagementEvent]] = relationship(
        back_populates="engagement", order_by="EngagementEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Engagement {self.id} {self.rung.value} {self.status.value}>"


class Offer(Model):
    """A proposal for the next rung, with its terms; to the whole team or to named students."""

    __table_args__ = (
        # At most one accepted offer per rung per engagement: accepted_rung is set only on
        # acceptance, and NULLs never collide.
        sa.UniqueConstraint("engagement_id", "accepted_rung"),
        sa.Index("ix_offer_status_respond_by", "status", "respond_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagement.id"), index=True)
    rung: Mapped[Rung] = mapped_column(enum_column(Rung, length=20))
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus), default=OfferStatus.DRAFT)
    accepted_rung: Mapped[Rung | None] = mapped_column(enum_column(Rung, length=20))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    days_per_week: Mapped[int | None] = mapped_column()
    hours_per_week: Mapped[int | None] = mapped_column()
    remote: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    paid: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    amount_unit: Mapped[str] = mapped_column(sa.String(20), default="")
    paid_by: Mapped[str] = mapped_column(sa.String(120), default="")
    supervisor: Mapped[str] = mapped_column(sa.String(120), default="")
    student_needs: Mapped[str] = mapped_column(sa.Text, default="")
    may_continue: Mapped[bool] = mapped_column(default=False)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    respond_by: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_note: Mapped[str] = mapped_column(sa.Text, default="")

    engagement: Mapped[Engagement] = relationship(back_populates="offers")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    recipients: Mapped[list[OfferRecipient]] = relationship(
        back_populates="offer", cascade="all, delete-orphan"
    )
    consents: Mapped[list[GuardianConsent]] = relationship(
        back_populates="offer", cascade="all, delete-orphan"
    )
    answers: Mapped[list[OfferAnswer]] = relationship(
        back_populates="offer", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Offer {self.id} {self.rung.value} {self.status.value}>"

    @property
    def named_student_ids(self) -> set[int]:
        return {r.student_id for r in self.recipients}

    def consent_for(self, student_id: int) -> GuardianConsent | None:
        return next((c for c in self.consents if c.student_id == student_id), None)

    def answer_of(self, student_id: int) -> OfferAnswer | None:
        return next((a for a in self.answers if a.student_id == student_id), None)

    @property
    def is_individual(self) -> bool:
        """From job shadowing up an offer is to each student for themselves: each answers for
        their own placement. Below, it is to the team, and any member answers for it."""
        return self.rung.is_workplace


class OfferRecipient(Model):
    """A student an offer is addressed to by name (an offer with none is to the whole team)."""

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)

    offer: Mapped[Offer] = relationship(back_populates="recipients")
    student: Mapped[User] = relationship()


class GuardianConsent(Model):
    """A guardian's consent to one offer for one minor: signed by the guardian through a personal
    link, or recorded by the teacher from paper."""

    __table_args__ = (sa.UniqueConstraint("offer_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    given_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    # The teacher who recorded a paper consent; None when the guardian signed by link.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A consent signed by link: the name the guardian typed, and where it came from.
    typed_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement_link.id"))
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    offer: Mapped[Offer] = relationship(back_populates="consents")
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class BackgroundCheck(Model):
    """A school admin's attestation that an employer member passed a background check."""

    __table_args__ = (sa.UniqueConstraint("school_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    checked_on: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    attested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attested_by: Mapped[User] = relationship(foreign_keys=[attested_by_id])

    def is_valid_on(self, day: date) -> bool:
        return self.checked_on <= day and (self.valid_until is None or day <= self.valid_until)


class EngagementEvent(Model):
    """One line of an engagement's timeline: who did what, when, from which state to which."""

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagement.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offer.id"), index=True)
    # None for the marketplace itself (an offer expiring).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(40), default="")
    to_state: Mapped[str] = mapped_column(sa.String(40), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    engagement: Mapped[Engagement] = relationship(back_populates="events")
    offer: Mapped[Offer | None] = relationship()
    actor: Mapped[User | None] = relationship()
