"""Placements: one named student at one organisation for one workplace rung, and what the state
counts for credit — the training agreement and its signatures, the hours and their verification,
the evaluations, the coordinator's site visits.

The rules that move these rows live in `marketplace.placements`; the models only describe what is
stored.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .engagement import Rung

if TYPE_CHECKING:
    from .engagement import Engagement, Offer
    from .organisation import Organisation
    from .school import School
    from .user import User


class Answer(enum.StrEnum):
    """One student's own answer to an offer: to an individual offer they accept or decline; from
    a team offer they may step out."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    STEPPED_OUT = "stepped_out"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class OfferAnswer(Model):
    """A student's own answer to an offer (at most one each)."""

    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    answer: Mapped[Answer] = mapped_column(enum_column(Answer))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[Offer] = relationship(back_populates="answers")
    student: Mapped[User] = relationship()


class Guardian(Model):
    """A student's guardian as the school knows them: who consent links and the agreement go to."""

    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PlacementStatus(enum.StrEnum):
    """agreement (waiting for its signatures) → active (hours are logged) → completed | ended."""

    AGREEMENT = "agreement"
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return "waiting for signatures" if self is PlacementStatus.AGREEMENT else self.value


class WorkersComp(enum.StrEnum):
    EMPLOYER = "employer"
    SCHOOL = "school"
    DISTRICT = "district"
    NOT_REQUIRED = "not_required"

    @property
    def label(self) -> str:
        return {
            "employer": "the employer",
            "school": "the school",
            "district": "the district",
            "not_required": "not required (unpaid, under the school's cover)",
        }[self.value]


class Placement(Model):
    """One student, one organisation, one workplace rung, its dates: what an accepted individual
    offer becomes, and what the agreement, hours, evaluations and visits hang on."""

    __table_args__ = (
        sa.UniqueConstraint("offer_id", "student_id"),
        sa.Index("ix_placement_school_status", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offer.id"))
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagement.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    # The team's teacher when the offer was accepted: the coordinator who signs and visits.
    coordinator_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    rung: Mapped[Rung] = mapped_column(enum_column(Rung, length=20))
    status: Mapped[PlacementStatus] = mapped_column(
        enum_column(PlacementStatus), default=PlacementStatus.AGREEMENT
    )
    # --- the training agreement's terms (what the signatures are of) ---
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    expected_hours: Mapped[int] = mapped_column(default=0)
    schedule: Mapped[str] = mapped_column(sa.String(300), default="")
    worksite_address: Mapped[str] = mapped_column(sa.String(300), default="")
    supervisor_name: Mapped[str] = mapped_column(sa.String(120), default="")
    supervisor_title: Mapped[str] = mapped_column(sa.String(120), default="")
    supervisor_email: Mapped[str] = mapped_column(sa.String(254), default="")
    supervisor_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    paid: Mapped[bool] = mapped_column(default=False)
    wage: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    wage_unit: Mapped[str] = mapped_column(sa.String(20), default="")
    workers_comp: Mapped[WorkersComp] = mapped_column(
        enum_column(WorkersComp), default=WorkersComp.SCHOOL
    )
    transport: Mapped[str] = mapped_column(sa.String(300), default="")
    emergency_name: Mapped[str] = mapped_column(sa.String(120), default="")
    emergency_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    training_plan: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    safety_items: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # When the safety training of the checklist was done, and who recorded it (not a term).
    safety_done_on: Mapped[date | None] = mapped_column(sa.Date)
    safety_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # A hash of the terms above: a signature is of one hash; a change reopens the signatures.
    terms_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # --- the student's side at the end ---
    reflection: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[int | None] = mapped_column()
    rating_comment: Mapped[str] = mapped_column(sa.Text, default="")
    show_endorsement: Mapped[bool] = mapped_column(default=False)
    # --- completion ---
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    certificate_key: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    offer: Mapped[Offer] = relationship()
    engagement: Mapped[Engagement] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    coordinator: Mapped[User] = relationship(foreign_keys=[coordinator_id])
    organisation: Mapped[Organisation] = relationship()
    school: Mapped[School] = relationship()
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="placement", order_by="Signature.signed_at"
    )

    def __repr__(self) -> str:
        return f"<Placement {self.id} {self.rung.value} {self.status.value}>"

    @classmethod
    def endorsement_shown(cls) -> sa.ColumnElement[bool]:
        """Its endorsement may show on its student's projects and portfolio: it is completed
        and the student agreed (the skills are its final evaluation's)."""
        return sa.and_(cls.status == PlacementStatus.COMPLETED, cls.show_endorsement.is_(True))


class SignerRole(enum.StrEnum):
    """Who signs an agreement, in the order the PDF lists them."""

    STUDENT = "student"
    GUARDIAN = "guardian"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"

    @property
    def label(self) -> str:
        return {"supervisor": "workplace supervisor", "coordinator": "school coordinator"}.get(
            self.value, self.value
        )


class Signature(Model):
    """One signer's signature of one version of the terms (a change of terms leaves it in the
    audit trail and asks again)."""

    __table_args__ = (sa.UniqueConstraint("placement_id", "role", "terms_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    role: Mapped[SignerRole] = mapped_column(enum_column(SignerRole))
    terms_hash: Mapped[str] = mapped_column(sa.String(64))
    typed_name: Mapped[str] = mapped_column(sa.String(120))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement_link.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")

    placement: Mapped[Placement] = relationship(back_populates="signatures")
    user: Mapped[User | None] = relationship()


class LinkPurpose(enum.StrEnum):
    """What a personal link lets its holder do, once."""

    CONSENT = "consent"  # a guardian consents to an offer for their child
    SIGN = "sign"  # a guardian or supervisor signs the agreement
    VERIFY = "verify"  # the supervisor verifies a week of hours
    EVALUATE = "evaluate"  # the supervisor evaluates the student

    @property
    def label(self) -> str:
        return {
            "consent": "consent to the offer",
            "sign": "sign the agreement",
            "verify": "verify the hours",
            "evaluate": "evaluate the student",
        }[self.value]


class PlacementLink(Model):
    """A personal signed link to someone without an account, for one purpose about one student:
    it expires, works once, and can be revoked (see `marketplace.signed_links`)."""

    __table_args__ = (sa.Index("ix_placement_link_placement_purpose", "placement_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose))
    role: Mapped[SignerRole] = mapped_column(enum_column(SignerRole))
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    offer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offer.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement.id"))
    # What the link is about within the placement: a week's Monday, an evaluation's kind.
    week_start: Mapped[date | None] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(20), default="")
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    nonce: Mapped[str] = mapped_column(sa.String(32))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    offer: Mapped[Offer | None] = relationship()
    placement: Mapped[Placement | None] = relationship()


class EntryStatus(enum.StrEnum):
    LOGGED = "logged"
    APPROVED = "approved"
    CORRECTED = "corrected"
    REFUSED = "refused"

    @property
    def counts(self) -> bool:
        """Verified hours: approved as logged, or as the supervisor corrected them."""
        return self in (EntryStatus.APPROVED, EntryStatus.CORRECTED)


class HourEntry(Model):
    """A stretch of work on one day, logged by the student."""

    __table_args__ = (sa.Index("ix_hour_entry_placement_day", "placement_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"))
    # Copied from the placement: the overlap check spans the student's placements.
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    starts: Mapped[time] = mapped_column(sa.Time)
    ends: Mapped[time] = mapped_column(sa.Time)
    minutes: Mapped[int] = mapped_column()
    activity: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[EntryStatus] = mapped_column(
        enum_column(EntryStatus), default=EntryStatus.LOGGED
    )
    # What the student logged, when the supervisor corrected it.
    logged_minutes: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WeekStatus(enum.StrEnum):
    """open (being logged) → verified | refused (by the supervisor) → locked (by the
    coordinator)."""

    OPEN = "open"
    VERIFIED = "verified"
    REFUSED = "refused"
    LOCKED = "locked"


class HourWeek(Model):
    """One week (Monday to Sunday) of one placement's hours, as the supervisor verifies it."""

    __table_args__ = (sa.UniqueConstraint("placement_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"))
    week_start: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[WeekStatus] = mapped_column(enum_column(WeekStatus), default=WeekStatus.OPEN)
    verified_by: Mapped[str] = mapped_column(sa.String(120), default="")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)


class EvaluationKind(enum.StrEnum):
    MIDPOINT = "midpoint"
    FINAL = "final"


class Evaluation(Model):
    """The supervisor's evaluation of the student on the school's employability-skills rubric."""

    __table_args__ = (sa.UniqueConstraint("placement_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind))
    # skill → 1 (beginning) … 4 (exceeds), as the rubric was when the evaluation was made.
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    to_improve: Mapped[str] = mapped_column(sa.Text, default="")
    evaluator_name: Mapped[str] = mapped_column(sa.String(120))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placement_link.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SiteVisit(Model):
    """A coordinator's visit to the student's workplace."""

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    visited_on: Mapped[date] = mapped_column(sa.Date)
    mode: Mapped[str] = mapped_column(sa.String(20), default="in person")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    visitor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visitor: Mapped[User] = relationship()
