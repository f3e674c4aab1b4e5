"""Rules for employer organisations: creating, joining and verification by schools."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload

from .. import events
from ..extensions import db
from ..mail import compose, enqueue
from ..models import (
    Organisation,
    OrganisationStatus,
    Partnership,
    Role,
    School,
    User,
    VerificationStatus,
    utcnow,
)
from ..web import absolute_url
from . import rules

# Anyone can have an address at these, so they prove nothing about an employer.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com",
        "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "mail.com",
        "yandex.com", "zoho.com", "msn.com",
    }
)  # fmt: skip


class OrganisationError(Exception):
    """A request that breaks an organisation rule; the message is shown to the user."""


def partnerships_of(organisation: Organisation) -> list[Partnership]:
    """The organisation's partnerships with their schools, in one statement the first time a
    request asks (the user loader reads only which schools verified it: web.EVERY_PAGE), for
    the pages that list them."""
    if "partnerships" in sa.inspect(organisation).unloaded:
        db.session.execute(
            sa.select(Organisation)
            .where(Organisation.id == organisation.id)
            .options(
                joinedload(Organisation.partnerships)
                .joinedload(Partnership.school)
                .options(defer(School.rubric), defer(School.wbl_codes))
            )
        ).unique().all()
    return organisation.partnerships


def email_domain(email: str | None) -> str | None:
    """The organisation-identifying domain of an address (None for free-mail providers)."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].lower()
    return None if domain in FREE_MAIL_DOMAINS else domain


def joinable_organisations(user: User) -> list[Organisation]:
    """Organisations the employer may join because their confirmed address is on its domain."""
    domain = email_domain(user.email)
    if domain is None or user.email_confirmed_at is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.email_domain == domain)
            .order_by(Organisation.name)
        )
    )


def require_can_set_up(user: User) -> None:
    """Only a confirmed employer without an organisation creates or joins one."""
    if user.email_confirmed_at is None:
        raise OrganisationError("Confirm your e-mail address first.")
    if user.organisation_id is not None:
        raise OrganisationError("You already belong to an organisation.")


def create_organisation(user: User, schools: Iterable[School], **fields: str) -> Organisation:
    """A new active organisation with `user` as its first member, awaiting the schools' checks."""
    require_can_set_up(user)
    organisation = Organisation(
        status=OrganisationStatus.ACTIVE,
        email_domain=email_domain(user.email),
        **fields,
    )
    db.session.add(organisation)
    user.organisation = organisation
    request_verification(organisation, schools)
    return organisation


def request_verification(
    organisation: Organisation, schools: Iterable[School]
) -> list[Partnership]:
    """Ask each school to verify the organisation, and tell the school's admins."""
    created = []
    for school in schools:
        known = organisation.partnership_with(school.id)
        if known is not None and known.status is VerificationStatus.NOT_ASKED:
            # In the school's network already, never asked: now it is.
            known.status, known.requested_at = VerificationStatus.PENDING, utcnow()
            created.append(known)
            continue
        if known is not None:
            continue
        partnership = Partnership(organisation=organisation, school=school)
        db.session.add(partnership)
        created.append(partnership)
    db.session.flush()
    for partnership in created:
        _tell_school_staff(partnership)
    return created


def _school_staff(school_id: int, role: Role) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).filter_by(school_id=school_id, role=role, active=True))
    )


def _tell_school_staff(partnership: Partnership) -> None:
    """Tell the school's admins (or, while it has none, its teachers) who is waiting."""
    staff = _school_staff(partnership.school_id, Role.SCHOOL_ADMIN) or _school_staff(
        partnership.school_id, Role.TEACHER
    )
    link = absolute_url("organisations.verification")
    for member in staff:
        if member.email:
            enqueue(
                compose(
                    member.email,
                    f"{partnership.organisation.name} asks to work with your students",
                    "verification_requested",
                    partnership=partnership,
                    link=link,
                )
            )


def decide(partnership: Partnership, staff: User, verified: bool, note: str = "") -> None:
    """Verify or decline an organisation for the staff member's school, and tell its members."""
    if not rules.can_decide_partnership(partnership, staff):
        raise PermissionError
    new_status = VerificationStatus.VERIFIED if verified else VerificationStatus.DECLINED
    if partnership.status is new_status:
        return
    partnership.status = new_status
    partnership.decided_at = utcnow()
    partnership.decided_by = staff
    partnership.note = note
    db.session.flush()
    events.announce(events.PartnershipDecided(partnership, verified, note))
    db.session.flush()


def _partnerships_in(school_id: int, status: VerificationStatus, *columns: Any) -> sa.Select:
    return (
        sa.select(*columns)
        .select_from(Partnership)
        .join(Organisation)
        .where(
            Partnership.school_id == school_id,
            Partnership.status == status,
            Organisation.status == OrganisationStatus.ACTIVE,
        )
    )


def partnerships_for_school(school_id: int, status: VerificationStatus) -> list[Partnership]:
    """The school's partnerships of active organisations in one status, oldest first."""
    return list(
        db.session.scalars(
            _partnerships_in(school_id, status, Partnership).order_by(Partnership.requested_at)
        )
    )


def partnerships_count(school_id: int, status: VerificationStatus) -> sa.ScalarSelect[int]:
    """How many partnerships `partnerships_for_school` lists, as a subquery."""
    return _partnerships_in(school_id, status, sa.func.count(Partnership.id)).scalar_subquery()
