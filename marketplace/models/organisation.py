"""Employers: an organisation, its members, and its verification by each school."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .school import School
    from .user import User


class OrganisationStatus(enum.StrEnum):
    """A prospect lives only in a school's partner network; an active one has member accounts."""

    PROSPECT = "prospect"
    ACTIVE = "active"


class VerificationStatus(enum.StrEnum):
    """Where an organisation stands with one school."""

    PENDING = "pending"
    VERIFIED = "verified"
    DECLINED = "declined"


class Organisation(Model):
    """An employer (or other partner) organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    status: Mapped[OrganisationStatus] = mapped_column(
        enum_column(OrganisationStatus), default=OrganisationStatus.PROSPECT
    )
    website: Mapped[str] = mapped_column(sa.String(255), default="")
    email_domain: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    industry: Mapped[str] = mapped_column(sa.String(120), default="")
    career_cluster: Mapped[str] = mapped_column(sa.String(80), default="")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[str] = mapped_column(sa.String(20), default="")
    # Its members read times in this IANA zone ("" until they say: the deployment's default).
    timezone: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="organisation")
    partnerships: Mapped[list[Partnership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    def partnership_with(self, school_id: int) -> Partnership | None:
        """This organisation's standing with one school, if it has any."""
        return next((p for p in self.partnerships if p.school_id == school_id), None)

    def is_verified_by(self, school_id: int) -> bool:
        """Verified by that school: its members may contact that school's students."""
        partnership = self.partnership_with(school_id)
        return partnership is not None and partnership.status is VerificationStatus.VERIFIED

    @property
    def verified_school_ids(self) -> list[int]:
        """The schools whose students this organisation's members may work with."""
        return [p.school_id for p in self.partnerships if p.status is VerificationStatus.VERIFIED]

    @property
    def is_verified_anywhere(self) -> bool:
        return bool(self.verified_school_ids)


class Partnership(Model):
    """An organisation in one school's network, with that school's verification decision."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    organisation: Mapped[Organisation] = relationship(back_populates="partnerships")
    school: Mapped[School] = relationship()
    decided_by: Mapped[User | None] = relationship()


class JoinRequest(Model):
    """An employer asking to join an organisation that already has members.

    A matching e-mail domain is not enough to inherit an organisation's verification with the
    schools: a member vouches for each newcomer.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # pending, then verified (let in) or declined — the same words as a school's check.
    status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
