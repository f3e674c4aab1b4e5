"""Answering an offer: a student of the offer accepts (the engagement climbs) or declines, and
an offer left unanswered past its deadline expires."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ... import clock, events
from ...extensions import db
from ...models import (
    Answer,
    Completion,
    Engagement,
    EngagementStatus,
    Offer,
    OfferAnswer,
    OfferStatus,
    User,
    utcnow,
)
from ...privacy import public_name
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
    """A student accepts an approved offer: the engagement climbs to the offer's rung. An
    individual offer (job shadowing and up) is accepted by each named student for themselves,
    and each acceptance opens that student's placement."""
    engagement = offer.engagement
    require(engagement, student, Part.STUDENT)
    if offer.is_individual:
        _accept_own(offer, student, today)
        return
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
    _climb(offer, student)


def _climb(offer: Offer, student: User, more: str = "") -> None:
    """The offer is accepted and the engagement climbs to its rung."""
    engagement = offer.engagement
    from_rung = engagement.rung
    now = utcnow()
    before = move_offer(
        offer,
        OfferStatus.ACCEPTED,
        accepted_rung=offer.rung,
        answered_by_id=student.id,
        answered_at=now,
    )
    update_engagement(
        engagement,
        {"rung": from_rung, "status": EngagementStatus.ACTIVE},
        rung=offer.rung,
        completion=Completion.OPEN,
        last_event_at=now,
        **{Engagement.reached_column(offer.rung): now},
    )
    record(
        engagement,
        student,
        "offer accepted",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        detail=f"Climbed from {from_rung.label} to {offer.rung.label}. {more}".strip(),
        tell=employers_of(engagement) + teacher_of(engagement) + team_of(engagement),
        subject=f"The {offer.rung.label} offer was accepted",
    )


def _answer(offer: Offer, student: User, answer: Answer, note: str = "") -> None:
    """Write the student's own answer once (a double tap, or a second tab, is told so)."""
    try:
        with db.session.begin_nested():
            db.session.add(
                OfferAnswer(offer_id=offer.id, student_id=student.id, answer=answer, note=note)
            )
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone("Your answer to this offer is already recorded.") from None
    db.session.expire(offer, ["answers"])


def _require_unanswered(offer: Offer, student: User) -> None:
    own = offer.answer_of(student.id)
    if own is not None:
        raise AlreadyDone(f"You already {own.answer.label} this offer.")


def _accept_own(offer: Offer, student: User, today: date) -> None:
    """One named student's yes: their answer, their placement, and — for the first of them —
    the offer accepted and the engagement at its rung."""
    engagement = offer.engagement
    require_active(engagement)
    if offer.status is OfferStatus.APPROVED and rules.deadline_passed(offer, today):
        _expire_late(offer, today)
    _require_unanswered(offer, student)
    if offer.status not in (OfferStatus.APPROVED, OfferStatus.ACCEPTED):
        raise LadderError(f"This offer is {offer.status.label}; it cannot be accepted.")
    problems = rules.acceptance_problems(offer, student, today)
    if problems:
        raise LadderError(" ".join(problems))
    _answer(offer, student, Answer.ACCEPTED)
    events.announce(events.OfferAcceptedBy(offer, student))  # their placement opens
    opened = f"{public_name(student)}'s training agreement waits for signatures."
    if offer.status is OfferStatus.APPROVED:
        # A teammate's acceptance may have moved it a moment ago: theirs climbed.
        with contextlib.suppress(AlreadyDone):
            _climb(offer, student, opened)
            return
    record(
        engagement,
        student,
        "placement opened",
        offer=offer,
        detail=f"{public_name(student)} accepted too. {opened}",
        tell=employers_of(engagement) + teacher_of(engagement),
        subject=f"{public_name(student)} accepted {offer.rung.a}: the agreement is ready to sign",
    )


def decline(offer: Offer, student: User, note: str = "", today: date | None = None) -> None:
    """A student of the offer declines it, optionally saying why (after the deadline the
    offer expires instead, as it would for an acceptance). An individual offer is declined by
    each student for themselves; it ends declined when every one of them has."""
    engagement = offer.engagement
    require(engagement, student, Part.STUDENT)
    if student.id not in {p.id for p in rules.participants(offer)}:
        raise LadderError("This offer is addressed to other students of the team.")
    today = today or clock.school_today(engagement.school)
    if offer.status is OfferStatus.APPROVED and rules.deadline_passed(offer, today):
        _expire_late(offer, today)
    if offer.is_individual:
        _require_unanswered(offer, student)
        if offer.status not in (OfferStatus.APPROVED, OfferStatus.ACCEPTED):
            raise LadderError(f"This offer is {offer.status.label}; it cannot be declined.")
        _answer(offer, student, Answer.DECLINED, note.strip())
        everyone = {p.id for p in rules.participants(offer)}
        declined = {a.student_id for a in offer.answers if a.answer is Answer.DECLINED}
        if offer.status is OfferStatus.ACCEPTED or declined < everyone:
            record(
                engagement,
                student,
                "offer declined by a student",
                offer=offer,
                detail=f"{public_name(student)} declined." + (f" {note.strip()}" if note else ""),
                tell=employers_of(engagement) + teacher_of(engagement),
                subject=f"{public_name(student)} declined the {offer.rung.label} offer",
            )
            return
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


def step_out(offer: Offer, student: User, note: str = "") -> None:
    """A member of the team steps out of a team offer before it is answered: it no longer
    commits them, and their gates (age, consent) no longer hold it up."""
    engagement = offer.engagement
    require(engagement, student, Part.STUDENT)
    if offer.is_individual or offer.recipients:
        raise LadderError("Only an offer to the whole team can be stepped out of.")
    if offer.status not in (OfferStatus.PROPOSED, OfferStatus.APPROVED):
        raise LadderError(f"This offer is {offer.status.label}; it is too late to step out.")
    if len(rules.participants(offer)) <= 1 and offer.answer_of(student.id) is None:
        raise LadderError("You are the last member of the team in this offer: decline it instead.")
    _answer(offer, student, Answer.STEPPED_OUT, note.strip())
    record(
        engagement,
        student,
        "stepped out of the offer",
        offer=offer,
        detail=f"{public_name(student)} will not take part." + (f" {note.strip()}" if note else ""),
        tell=employers_of(engagement) + teacher_of(engagement),
        subject=f"{public_name(student)} stepped out of the {offer.rung.label} offer",
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
