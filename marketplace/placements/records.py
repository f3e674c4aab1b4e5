"""Opening a placement from an accepted offer, and changing its training agreement: a change of
the signed terms reopens every signature."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..events import OfferAcceptedBy
from ..extensions import db
from ..models import (
    Offer,
    Placement,
    PlacementStatus,
    Signature,
    SignerRole,
    User,
    WorkersComp,
    utcnow,
)
from ..workflow import update_if
from .plans import SAFETY_ITEMS, training_plan_for

ADULT_AGE = 18

# The agreement's terms: what every signature is of.
TERM_FIELDS: tuple[str, ...] = (
    "start_date",
    "end_date",
    "expected_hours",
    "schedule",
    "worksite_address",
    "supervisor_name",
    "supervisor_title",
    "supervisor_email",
    "supervisor_phone",
    "paid",
    "wage",
    "wage_unit",
    "workers_comp",
    "transport",
    "emergency_name",
    "emergency_phone",
    "training_plan",
    "safety_items",
)


class PlacementError(Exception):
    """A refused step of a placement; the message says why, for the page."""


class AlreadyDone(PlacementError):
    """The same step already took effect (a repeat, or someone else a moment ago)."""

    flash_category = "info"


def expected_hours(offer: Offer) -> int:
    """Hours a week times the weeks from start to end (one week when no end is given)."""
    if not offer.hours_per_week or offer.start_date is None:
        return 0
    days = (offer.end_date - offer.start_date).days + 1 if offer.end_date else 7
    return offer.hours_per_week * max(1, math.ceil(days / 7))


def open_placement(offer: Offer, student: User) -> Placement:
    """The placement an individual offer's accepted answer becomes, its agreement drafted from
    the offer's terms, the project's cluster and the default checklist."""
    engagement = offer.engagement
    assert offer.start_date is not None  # an approved offer always has one (terms_problems)
    schedule = ", ".join(
        part
        for part in (
            f"{offer.days_per_week} days a week" if offer.days_per_week else "",
            f"{offer.hours_per_week} hours a week" if offer.hours_per_week else "",
        )
        if part
    )
    placement = Placement(
        offer_id=offer.id,
        engagement_id=engagement.id,
        student_id=student.id,
        organisation_id=engagement.organisation_id,
        school_id=engagement.school_id,
        coordinator_id=engagement.team.advisor.id,
        rung=offer.rung,
        start_date=offer.start_date,
        end_date=offer.end_date,
        expected_hours=expected_hours(offer),
        schedule=schedule,
        worksite_address="Remote" if offer.remote else offer.address,
        supervisor_name=offer.supervisor,
        paid=offer.paid,
        wage=offer.amount if offer.paid else None,
        wage_unit=offer.amount_unit if offer.paid else "",
        workers_comp=WorkersComp.EMPLOYER if offer.paid else WorkersComp.SCHOOL,
        training_plan=training_plan_for(engagement.project.challenge.career_cluster),
        safety_items=list(SAFETY_ITEMS),
    )
    placement.terms_hash = terms_hash(placement)
    db.session.add(placement)
    db.session.flush()
    return placement


def on_accepted(event: OfferAcceptedBy) -> None:
    """A student accepted an individual offer (announced by the ladder): open their placement."""
    open_placement(event.offer, event.student)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, WorkersComp):
        return value.value
    return value


def terms_of(placement: Placement) -> dict[str, Any]:
    return {name: getattr(placement, name) for name in TERM_FIELDS}


def hash_of(terms: dict[str, Any]) -> str:
    """SHA-256 of the terms in a canonical form: what a signature says it signed."""
    plain = {name: _plain(terms[name]) for name in TERM_FIELDS}
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def terms_hash(placement: Placement) -> str:
    return hash_of(terms_of(placement))


def needs_guardian(placement: Placement) -> bool:
    """A student under 18 (or of unknown age) on the day the placement opened."""
    age = placement.student.age_on(placement.created_at.date())
    return age is None or age < ADULT_AGE


def signer_roles(placement: Placement) -> list[SignerRole]:
    """Who must sign: the student, a minor's guardian, the supervisor and the coordinator."""
    return [r for r in SignerRole if r is not SignerRole.GUARDIAN or needs_guardian(placement)]


def current_signatures(placement: Placement) -> dict[SignerRole, Signature]:
    """The signatures of the terms as they stand (older ones stay in the audit trail)."""
    return {s.role: s for s in placement.signatures if s.terms_hash == placement.terms_hash}


def unsigned(placement: Placement) -> list[SignerRole]:
    have = current_signatures(placement)
    return [r for r in signer_roles(placement) if r not in have]


def is_signed(placement: Placement) -> bool:
    return not unsigned(placement)


def change_terms(placement: Placement, user: User, values: dict[str, Any]) -> bool:
    """Change the agreement's terms; when they differ from what was signed, every signature is
    reopened and the placement waits for them again. Whether anything changed."""
    if placement.status in (PlacementStatus.COMPLETED, PlacementStatus.ENDED):
        raise PlacementError(f"This placement is {placement.status.value}: its terms are kept.")
    unknown = set(values) - set(TERM_FIELDS)
    assert not unknown, unknown
    seen = placement.terms_hash
    terms = {**terms_of(placement), **values}
    new_hash = hash_of(terms)
    if new_hash == seen:
        return False
    if not update_if(
        placement,
        Placement.terms_hash == seen,
        terms_hash=new_hash,
        status=PlacementStatus.AGREEMENT,
        signed_at=None,
        version=Placement.version + 1,
        **terms,
    ):
        raise PlacementError("Someone changed this agreement a moment ago; look again.")
    db.session.refresh(placement)
    return True


def settle(placement: Placement) -> bool:
    """Once every signer has signed the terms as they stand, the placement starts: hours can be
    logged. Whether it started now."""
    if placement.status is not PlacementStatus.AGREEMENT or not is_signed(placement):
        return False
    started = update_if(
        placement,
        Placement.status == PlacementStatus.AGREEMENT,
        Placement.terms_hash == placement.terms_hash,
        status=PlacementStatus.ACTIVE,
        signed_at=utcnow(),
        version=Placement.version + 1,
    )
    db.session.refresh(placement)
    return started


def placements_of(offer: Offer) -> list[Placement]:
    return list(db.session.scalars(sa.select(Placement).where(Placement.offer_id == offer.id)))
