"""A challenge: a real problem of a local industry, curated by a teacher for student teams."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .organisation import VerificationStatus

if TYPE_CHECKING:
    from .organisation import Organisation
    from .school import School
    from .team import Team
    from .user import User


class ChallengeStatus(enum.StrEnum):
    """Where a challenge is in its life; only open challenges accept new projects."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


# The only moves a challenge can make (services.transition enforces it).
CHALLENGE_TRANSITIONS: dict[ChallengeStatus, frozenset[ChallengeStatus]] = {
    ChallengeStatus.DRAFT: frozenset({ChallengeStatus.OPEN, ChallengeStatus.ARCHIVED}),
    ChallengeStatus.OPEN: frozenset({ChallengeStatus.CLOSED}),
    ChallengeStatus.CLOSED: frozenset({ChallengeStatus.OPEN, ChallengeStatus.ARCHIVED}),
    ChallengeStatus.ARCHIVED: frozenset(),
}

DELIVERABLES: tuple[str, ...] = (
    "One-sentence pitch",
    "Slide deck",
    "Prototype demo",
    "Video",
    "Written report",
    "Poster",
    "Code repository",
)


class Challenge(Model):
    """A problem statement a school's teams build projects for, maybe with a sponsor."""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(sa.String(160))
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    career_cluster: Mapped[str] = mapped_column(sa.String(80), index=True)
    skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    deliverables: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    sponsor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    shared: Mapped[bool] = mapped_column(default=False)
    # How many questions each team may ask the sponsor (set by the teacher).
    question_quota: Mapped[int] = mapped_column(default=3, server_default="3")
    status: Mapped[ChallengeStatus] = mapped_column(
        enum_column(ChallengeStatus), default=ChallengeStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()
    created_by: Mapped[User] = relationship()
    sponsor: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<Challenge {self.id} {self.status.value}>"


class AdoptionRequest(Model):
    """An employer asking to become the sponsor of a challenge; the school's staff decide."""

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # pending, then verified (accepted) or declined
    status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    challenge: Mapped[Challenge] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class ChallengeInterest(Model):
    """A student saying "we'd like to work on this" about an open challenge: the teacher sees
    who, when forming teams; the sponsor sees only how many."""

    __table_args__ = (sa.UniqueConstraint("challenge_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id"), index=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship()
    student: Mapped[User] = relationship()


class QuestionState(enum.StrEnum):
    """A team's question to a challenge's sponsor."""

    HELD = "held"  # it carried contact details: the teacher checks it first
    OPEN = "open"  # waiting for the sponsor's answer
    ANSWERED = "answered"  # answered: every team of the challenge reads it
    REJECTED = "rejected"  # the teacher did not let it through


class SponsorQuestion(Model):
    """A question a team working on a challenge asks its sponsor. The answer is published to
    every team of the challenge, so each question helps the whole class."""

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenge.id"), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[QuestionState] = mapped_column(
        enum_column(QuestionState), default=QuestionState.OPEN, index=True
    )
    hold_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship()
    team: Mapped[Team] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
