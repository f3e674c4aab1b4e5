"""Answering an offer: a student of the offer accepts (the engagement climbs) or declines, and
an offer left unanswered past its deadline expires."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ... import clock
from ...extensions import db
from ...models import Completion, Engagement, EngagementStatus, Offer, OfferStatus, User, utcnow
from .. import rules
from ..rules import Part
from ..timeline import record
from .steps import (
    AlreadyDone,
    Expired,
    LadderError,
    employers_of,
    move_offer,
    require,
    require_active,
    teacher_of,
    team_of,
    update_engagement,
)


def accept(offer: Offer, student: User, today: date) -> None:
    """A student accepts an approved offer: the engagement climbs to the offer's rung."""
    engagement = offer.engagement
    require(engagement, student, Part.STUDENT)
    if offer.status is OfferStatus.ACCEPTED:
        raise AlreadyDone("This offer is already accepted.")
    require_active(engagement)
    if offer.status is OfferStatus.APPROVED and rules.deadline_passed(offer, today):
        _expire_late(offer, today)
    if offer.status is OfferStatus.APPROVED:
        problems = rules.acceptance_problems(offer, student, today)
        if problems:
            db.session.refresh(offer)  # read before a racing acceptance, the rest after it?
            if offer.status is OfferStatus.ACCEPTED:
                raise AlreadyDone("This offer was accepted a moment ago.")
            raise LadderError(" ".join(problems))
    from_rung = engagement.rung
    before = move_offer(
        offer,
        OfferStatus.ACCEPTED,
        accepted_rung=offer.rung,
        answered_by_id=student.id,
        answered_at=utcnow(),
    )
    update_engagement(
        engagement,
        {"rung": from_rung, "status": EngagementStatus.ACTIVE},
        rung=offer.rung,
        completion=Completion.OPEN,
        last_event_at=utcnow(),
    )
    record(
        engagement,
        student,
        "offer accepted",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        detail=f"Climbed from {from_rung.label} to {offer.rung.label}.",
        tell=employers_of(engagement) + teacher_of(engagement) + team_of(engagement),
        subject=f"The {offer.rung.label} offer was accepted",
    )


def decline(offer: Offer, student: User, note: str = "", today: date | None = None) -> None:
    """A student of the offer declines it, optionally saying why (after the deadline the
    offer expires instead, as it would for an acceptance)."""
    engagement = offer.engagement
    require(engagement, student, Part.STUDENT)
    if student.id not in {p.id for p in rules.participants(offer)}:
        raise LadderError("This offer is addressed to other students of the team.")
    today = today or clock.school_today(engagement.school)
    if offer.status is OfferStatus.APPROVED and rules.deadline_passed(offer, today):
        _expire_late(offer, today)
    before = move_offer(
        offer,
        OfferStatus.DECLINED,
        answered_by_id=student.id,
        answered_at=utcnow(),
        answer_note=note.strip(),
    )
    record(
        engagement,
        student,
        "offer declined",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        detail=note.strip(),
        tell=employers_of(engagement) + teacher_of(engagement),
        subject=f"The {offer.rung.label} offer was declined",
    )


def expire(offer: Offer, today: date) -> bool:
    """Expire an unanswered offer whose deadline passed; False when there was nothing to do."""
    if offer.status not in (OfferStatus.PROPOSED, OfferStatus.APPROVED) or not (
        rules.deadline_passed(offer, today)
    ):
        return False
    try:
        before = move_offer(offer, OfferStatus.EXPIRED)
    except LadderError:
        return False
    engagement = offer.engagement
    record(
        engagement,
        None,
        "offer expired",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        tell=[offer.created_by, *teacher_of(engagement), *rules.participants(offer)],
        subject=f"The {offer.rung.label} offer expired unanswered",
    )
    return True


def _expire_late(offer: Offer, today: date) -> None:
    """An answer came after the deadline: expire the offer (kept) and refuse the answer."""
    if expire(offer, today):
        raise Expired("The deadline to answer this offer has passed; it has expired.")
    db.session.refresh(offer)
    raise LadderError(f"This offer became {offer.status.value} a moment ago.")


def expire_overdue(now: datetime) -> int:
    """Expire every unanswered offer whose deadline has ended at midnight in its school's zone
    (run by the scheduler). A day ends, even at UTC+14, no earlier than 10:00 UTC that day, so
    only deadlines up to the UTC date are read; each school then decides on its own date."""
    candidates = db.session.scalars(
        sa.select(Offer)
        .where(
            Offer.status.in_([OfferStatus.PROPOSED, OfferStatus.APPROVED]),
            Offer.respond_by <= now.date(),
        )
        .options(joinedload(Offer.engagement).joinedload(Engagement.school))
    )
    return sum(
        expire(offer, clock.school_today(offer.engagement.school, now))
        for offer in list(candidates)
    )
