"""Making an offer: the employer drafts, changes and sends it, the teacher approves it, and the
employer may withdraw it until it is answered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ... import workflow
from ...extensions import db
from ...models import (
    Engagement,
    EngagementStatus,
    Offer,
    OfferRecipient,
    OfferStatus,
    Rung,
    User,
    utcnow,
)
from .. import rules
from ..rules import Part
from ..timeline import record
from .steps import LadderError, move_offer, require, require_active, teacher_of, update_engagement


def _check_rung(engagement: Engagement, rung: Rung) -> None:
    if rung is Rung.INTEREST:
        raise LadderError("Interest is not an offer; choose a rung above it.")
    if rung.level <= engagement.rung.level:
        raise LadderError(rules.order_problem(engagement, rung) or "Choose a higher rung.")
    if any(o.rung is rung and o.status.is_open for o in engagement.offers):
        raise LadderError(f"There is already an open {rung.label} offer; change that one.")


def _check_recipients(engagement: Engagement, student_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(student_ids))
    members = {m.id for m in engagement.team.members}
    if not set(ids) <= members:
        raise LadderError("An offer can only name students of the team.")
    return ids


def draft_offer(
    engagement: Engagement,
    employer: User,
    rung: Rung,
    terms: dict[str, Any],
    student_ids: Iterable[int] = (),
) -> Offer:
    """An employer drafts the offer for a rung above the current one (claim to mentor is the
    offer for the mentorship rung)."""
    require(engagement, employer, Part.EMPLOYER)
    require_active(engagement)
    _check_rung(engagement, rung)
    ids = _check_recipients(engagement, student_ids)  # before the offer joins engagement.offers
    # Two drafts at once for the same rung: the second finds the engagement changed.
    update_engagement(
        engagement, {"version": engagement.version, "status": EngagementStatus.ACTIVE}
    )
    offer = Offer(engagement=engagement, rung=rung, created_by=employer, **terms)
    offer.recipients = [OfferRecipient(student_id=i) for i in ids]
    db.session.add(offer)
    db.session.flush()
    record(engagement, employer, "offer drafted", offer=offer, to_state=offer.status.value)
    return offer


def update_offer(
    offer: Offer, employer: User, terms: dict[str, Any], student_ids: Iterable[int] = ()
) -> None:
    """Change a draft's terms (only drafts change: what the teacher approved stays approved)."""
    engagement = offer.engagement
    require(engagement, employer, Part.EMPLOYER)
    ids = _check_recipients(engagement, student_ids)
    rung = terms.get("rung", offer.rung)
    if rung is not offer.rung:
        _check_rung(engagement, rung)
    if not workflow.update_if(
        offer, Offer.status == OfferStatus.DRAFT, updated_at=utcnow(), **terms
    ):
        raise LadderError("Only a draft can be changed; this offer was sent already.")
    db.session.refresh(offer)
    offer.recipients = [OfferRecipient(student_id=i) for i in ids]
    db.session.flush()
    record(engagement, employer, "offer edited", offer=offer, to_state=offer.status.value)


def propose(offer: Offer, employer: User, today: date) -> None:
    """Send a draft to the teacher for approval."""
    engagement = offer.engagement
    require(engagement, employer, Part.EMPLOYER)
    if offer.status is OfferStatus.DRAFT:
        problems = rules.proposal_problems(offer, today)
        if employer.id != offer.created_by_id:
            problems += [p for p in [rules.background_problem(offer, today, employer)] if p]
        if problems:
            raise LadderError(" ".join(dict.fromkeys(problems)))
    before = move_offer(offer, OfferStatus.PROPOSED)
    record(
        engagement,
        employer,
        "offer proposed",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        tell=teacher_of(engagement),
        subject=f"{engagement.organisation.name} offers {offer.rung.a}: approval needed",
    )


def approve(offer: Offer, staff: User, today: date) -> None:
    """The teacher (or school admin) approves an offer before students can accept it."""
    engagement = offer.engagement
    require(engagement, staff, *rules.STAFF_PARTS)
    if offer.status is OfferStatus.PROPOSED:
        problems = rules.proposal_problems(offer, today)
        if problems:
            raise LadderError(" ".join(problems))
    before = move_offer(offer, OfferStatus.APPROVED, approved_by_id=staff.id, approved_at=utcnow())
    record(
        engagement,
        staff,
        "offer approved",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        tell=[*rules.participants(offer), offer.created_by],
        subject=f"{offer.rung.a.capitalize()} offer from {engagement.organisation.name} is ready",
    )


def withdraw(offer: Offer, employer: User) -> None:
    """The employer withdraws an offer not yet answered (or discards a draft)."""
    engagement = offer.engagement
    require(engagement, employer, Part.EMPLOYER)
    before = move_offer(offer, OfferStatus.WITHDRAWN)
    tell = [] if before is OfferStatus.DRAFT else rules.participants(offer) + teacher_of(engagement)
    record(
        engagement,
        employer,
        "offer withdrawn",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        tell=tell,
        subject=f"The {offer.rung.label} offer was withdrawn",
    )
