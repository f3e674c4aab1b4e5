"""Employers: an organisation, its members, and its verification by each school."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .partner import PartnerContact, PartnerLabel, PartnerStage

if TYPE_CHECKING:
    from .school import School
    from .user import User


class OrganisationStatus(enum.StrEnum):
    """A prospect lives only in a school's partner network; an active one has member accounts."""

    PROSPECT = "prospect"
    ACTIVE = "active"


class VerificationStatus(enum.StrEnum):
    """Where an organisation stands with one school."""

    # In the school's partner network, put there by its staff: never asked to be verified
    # (its members, if any, are not told the school keeps a record of it).
    NOT_ASKED = "not asked"
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
        return school_id in self.verified_school_ids

    @property
    def asked_partnerships(self) -> list[Partnership]:
        """Its standing with the schools it asked (what its members see)."""
        return [p for p in self.partnerships if p.asked]

    if TYPE_CHECKING:
        # [[id, name], …] of the schools that verified it: a deferred column_property, below
        verified_in: Mapped[list[list[Any]] | None]

    def _verified_read_with_it(self) -> bool:
        """Its verifying schools came with the row (`verified_in`: the user loader asks, on
        every page) and its partnerships are not in the session (when they are, they answer,
        so a change made in this request counts at once)."""
        unloaded = sa.inspect(self).unloaded
        return "partnerships" in unloaded and "verified_in" not in unloaded

    @property
    def verified_school_ids(self) -> list[int]:
        """The schools whose students this organisation's members may work with."""
        if self._verified_read_with_it():
            return sorted(int(school_id) for school_id, _ in self.verified_in or [])
        return [p.school_id for p in self.partnerships if p.status is VerificationStatus.VERIFIED]

    @property
    def verified_schools(self) -> list[tuple[int, str]]:
        """Those schools as (id, name), by id: what the browse page's school filter lists."""
        if self._verified_read_with_it():
            return sorted((int(school_id), str(name)) for school_id, name in self.verified_in or [])
        return sorted(
            (p.school_id, p.school.name)
            for p in self.partnerships
            if p.status is VerificationStatus.VERIFIED
        )

    @property
    def is_verified_anywhere(self) -> bool:
        return bool(self.verified_school_ids)


class Partnership(Model):
    """An organisation in one school's network: that school's verification decision, and its
    partner record (stage, source, owner, contacts, private notes: `partner.py`)."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    status: Mapped[VerificationStatus] = mapped_column(
        enum_column(VerificationStatus), default=VerificationStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def asked(self) -> bool:
        """The organisation asked this school to verify it (or the school has decided)."""
        return self.status is not VerificationStatus.NOT_ASKED

    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The partner record, private to this school.
    stage: Mapped[PartnerStage] = mapped_column(
        enum_column(PartnerStage), default=PartnerStage.PROSPECT, server_default="prospect"
    )
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    recommended_by: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    # The advisory council member who referred it (their referrals are counted).
    referred_by_member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_member.id", use_alter=True), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The newest entry of its communication log, kept here to sort and filter the list.
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # On the school's public partner page, with the consent that allows it: given by a member
    # of the organisation in the product, or recorded by staff (who, when, how).
    listed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The logo this school shows: a PNG of a standard height, in Storage (each school's own:
    # one school cannot change what another shows).
    logo_key: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    listing_blurb: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    listing_consent: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    listing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listing_consent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="partnerships")
    school: Mapped[School] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    listing_consent_by: Mapped[User | None] = relationship(foreign_keys=[listing_consent_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    contacts: Mapped[list[PartnerContact]] = relationship(
        back_populates="partnership", order_by="PartnerContact.name"
    )
    labels: Mapped[list[PartnerLabel]] = relationship(
        cascade="all, delete-orphan", order_by="PartnerLabel.value"
    )

    @property
    def clusters(self) -> list[str]:
        return [label.value for label in self.labels if label.kind == "cluster"]

    @property
    def tags(self) -> list[str]:
        return [label.value for label in self.labels if label.kind == "tag"]


class SchoolPairs(FunctionElement[Any]):
    """`[[id, name], …]` of the rows an aggregate reads, as one JSON value (each dialect has its
    own JSON functions for it)."""

    type = sa.JSON()
    inherit_cache = True
    name = "school_pairs"


@compiles(SchoolPairs)
def _school_pairs_sqlite(element: SchoolPairs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(SchoolPairs, "postgresql")
def _school_pairs_postgresql(element: SchoolPairs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


_SCHOOL = sa.table("school", sa.column("id", sa.Integer), sa.column("name", sa.String))

# The schools that verified an organisation, as [[id, name], …]: what its members' every page
# needs to know of its partnerships (which schools' projects they may browse, open and contact,
# and what the browse page's school filter calls them), read in the user's own statement
# (web.EVERY_PAGE) rather than as every partnership row with all its partner record. Deferred:
# other reads of an organisation do not pay for it.
Organisation.verified_in = deferred(
    column_property(
        sa.select(SchoolPairs(_SCHOOL.c.id, _SCHOOL.c.name))
        .select_from(Partnership)
        .join(_SCHOOL, _SCHOOL.c.id == Partnership.school_id)
        .where(
            Partnership.organisation_id == Organisation.id,
            Partnership.status == VerificationStatus.VERIFIED,
        )
        .correlate_except(Partnership, _SCHOOL)
        .scalar_subquery()
    )
)


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
