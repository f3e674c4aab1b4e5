"""Every transition of the traction ladder, one function each: the only place the rules act.

Each function checks who is acting and from which state, makes the change with a conditional
UPDATE on the state it read (two racing requests never both win), writes the timeline row and
the outbox rows for the notifications, and flushes. The view commits. Repeating a request that
already took effect raises AlreadyDone instead of acting twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import workflow
from ..extensions import db
from ..models import (
    LADDER,
    BackgroundCheck,
    Completion,
    Engagement,
    EngagementStatus,
    GuardianConsent,
    Offer,
    OfferRecipient,
    OfferStatus,
    Project,
    ProjectStatus,
    Rung,
    School,
    User,
    utcnow,
)
from . import rules
from .rules import Part
from .timeline import record

OFFER_TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.DRAFT: frozenset({OfferStatus.PROPOSED, OfferStatus.WITHDRAWN}),
    OfferStatus.PROPOSED: frozenset(
        {OfferStatus.APPROVED, OfferStatus.WITHDRAWN, OfferStatus.EXPIRED}
    ),
    OfferStatus.APPROVED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.EXPIRED}
    ),
    OfferStatus.ACCEPTED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
    OfferStatus.EXPIRED: frozenset(),
}


class LadderError(Exception):
    """A refused transition; the message says why, for the page."""


class AlreadyDone(LadderError):
    """The same request already took effect (a repeat, or someone else a moment ago): told,
    not treated as an error."""

    flash_category = "info"


class Expired(LadderError):
    """The answer came after the deadline: the offer was expired instead, and that change is
    kept (the caller commits it) although the answer was refused."""

    keeps_changes = True


def _require(engagement: Engagement, user: User, *parts: Part) -> Part:
    part = rules.part_of(engagement, user)
    if part not in parts:
        raise LadderError("You have no part in this step of the engagement.")
    return part


def _require_active(engagement: Engagement) -> None:
    if engagement.status is not EngagementStatus.ACTIVE:
        raise LadderError(f"This engagement is {engagement.status.label}.")


def _move_offer(offer: Offer, to: OfferStatus, **values: Any) -> OfferStatus:
    """Conditional UPDATE of the offer's status; returns the state it came from."""
    before = offer.status
    if before is to:
        raise AlreadyDone(f"This offer is already {to.value}.")
    try:
        workflow.move(offer, to, OFFER_TRANSITIONS, "A {current} offer cannot be {to}.", **values)
    except ValueError as error:
        raise LadderError(str(error)) from None
    except workflow.StaleState:
        db.session.refresh(offer)
        if offer.status is to:
            raise AlreadyDone(f"This offer was {to.value} a moment ago.") from None
        raise LadderError(f"This offer became {offer.status.value} a moment ago.") from None
    return before


def _update_engagement(engagement: Engagement, expect: dict[str, Any], **values: Any) -> None:
    """Conditional UPDATE of the engagement on the columns the transition depends on."""
    query = sa.update(Engagement).where(Engagement.id == engagement.id)
    for name, value in expect.items():
        query = query.where(getattr(Engagement, name) == value)
    moved = db.session.execute(
        query.values(version=Engagement.version + 1, **values).execution_options(
            synchronize_session=False
        )
    ).rowcount
    if moved != 1:
        db.session.refresh(engagement)
        raise LadderError("Someone changed this engagement a moment ago; look again.")
    db.session.refresh(engagement)


def _employers(engagement: Engagement) -> list[User]:
    return [m for m in engagement.organisation.members if m.active]


def _team(engagement: Engagement) -> list[User]:
    return engagement.team.members


def _teacher(engagement: Engagement) -> list[User]:
    return [engagement.team.advisor]


# --- interest ----------------------------------------------------------------------------------


def show_interest(project: Project, employer: User, note: str = "") -> Engagement:
    """A verified employer's "I'm interested" opens the engagement (once per organisation)."""
    organisation = employer.organisation
    if not employer.is_employer or organisation is None:
        raise LadderError("Only employers show interest in projects.")
    if project.status is not ProjectStatus.PUBLISHED:
        raise LadderError("Only published projects take interest.")
    if not organisation.is_verified_by(project.school_id):
        raise LadderError(f"{organisation.name} is not yet verified by this project's school.")
    existing = _engagement_of(organisation.id, project.id)
    if existing is not None:
        raise AlreadyDone(f"{organisation.name} already showed interest in this project.")
    engagement = Engagement(
        organisation_id=organisation.id,
        project_id=project.id,
        team_id=project.team_id,
        school_id=project.school_id,
        note=note.strip(),
        opened_by_id=employer.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(engagement)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone(f"{organisation.name} already showed interest a moment ago.") from None
    record(
        engagement,
        employer,
        "interest",
        to_state=Rung.INTEREST.value,
        detail=engagement.note,
        tell=_team(engagement) + _teacher(engagement),
        subject=f"{organisation.name} is interested in {project.title}",
    )
    return engagement


def _engagement_of(organisation_id: int, project_id: int) -> Engagement | None:
    return db.session.scalar(
        sa.select(Engagement).where(
            Engagement.organisation_id == organisation_id, Engagement.project_id == project_id
        )
    )


# --- offers ------------------------------------------------------------------------------------


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
    _require(engagement, employer, Part.EMPLOYER)
    _require_active(engagement)
    _check_rung(engagement, rung)
    ids = _check_recipients(engagement, student_ids)  # before the offer joins engagement.offers
    # Two drafts at once for the same rung: the second finds the engagement changed.
    _update_engagement(
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
    _require(engagement, employer, Part.EMPLOYER)
    ids = _check_recipients(engagement, student_ids)
    rung = terms.get("rung", offer.rung)
    if rung is not offer.rung:
        _check_rung(engagement, rung)
    moved = db.session.execute(
        sa.update(Offer)
        .where(Offer.id == offer.id, Offer.status == OfferStatus.DRAFT)
        .values(updated_at=utcnow(), **terms)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise LadderError("Only a draft can be changed; this offer was sent already.")
    db.session.refresh(offer)
    offer.recipients = [OfferRecipient(student_id=i) for i in ids]
    db.session.flush()
    record(engagement, employer, "offer edited", offer=offer, to_state=offer.status.value)


def propose(offer: Offer, employer: User, today: date) -> None:
    """Send a draft to the teacher for approval."""
    engagement = offer.engagement
    _require(engagement, employer, Part.EMPLOYER)
    if offer.status is OfferStatus.DRAFT:
        problems = rules.proposal_problems(offer, today)
        if employer.id != offer.created_by_id:
            problems += [p for p in [rules.background_problem(offer, today, employer)] if p]
        if problems:
            raise LadderError(" ".join(dict.fromkeys(problems)))
    before = _move_offer(offer, OfferStatus.PROPOSED)
    record(
        engagement,
        employer,
        "offer proposed",
        offer=offer,
        from_state=before.value,
        to_state=offer.status.value,
        tell=_teacher(engagement),
        subject=f"{engagement.organisation.name} offers {offer.rung.a}: approval needed",
    )


def approve(offer: Offer, staff: User, today: date) -> None:
    """The teacher (or school admin) approves an offer before students can accept it."""
    engagement = offer.engagement
    _require(engagement, staff, *rules.STAFF_PARTS)
    if offer.status is OfferStatus.PROPOSED:
        problems = rules.proposal_problems(offer, today)
        if problems:
            raise LadderError(" ".join(problems))
    before = _move_offer(offer, OfferStatus.APPROVED, approved_by_id=staff.id, approved_at=utcnow())
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


def accept(offer: Offer, student: User, today: date) -> None:
    """A student accepts an approved offer: the engagement climbs to the offer's rung."""
    engagement = offer.engagement
    _require(engagement, student, Part.STUDENT)
    if offer.status is OfferStatus.ACCEPTED:
        raise AlreadyDone("This offer is already accepted.")
    _require_active(engagement)
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
    before = _move_offer(
        offer,
        OfferStatus.ACCEPTED,
        accepted_rung=offer.rung,
        answered_by_id=student.id,
        answered_at=utcnow(),
    )
    _update_engagement(
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
        tell=_employers(engagement) + _teacher(engagement) + _team(engagement),
        subject=f"The {offer.rung.label} offer was accepted",
    )


def decline(offer: Offer, student: User, note: str = "", today: date | None = None) -> None:
    """A student of the offer declines it, optionally saying why (after the deadline the
    offer expires instead, as it would for an acceptance)."""
    engagement = offer.engagement
    _require(engagement, student, Part.STUDENT)
    if student.id not in {p.id for p in rules.participants(offer)}:
        raise LadderError("This offer is addressed to other students of the team.")
    today = today or date.today()
    if offer.status is OfferStatus.APPROVED and rules.deadline_passed(offer, today):
        _expire_late(offer, today)
    before = _move_offer(
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
        tell=_employers(engagement) + _teacher(engagement),
        subject=f"The {offer.rung.label} offer was declined",
    )


def withdraw(offer: Offer, employer: User) -> None:
    """The employer withdraws an offer not yet answered (or discards a draft)."""
    engagement = offer.engagement
    _require(engagement, employer, Part.EMPLOYER)
    before = _move_offer(offer, OfferStatus.WITHDRAWN)
    tell = [] if before is OfferStatus.DRAFT else rules.participants(offer) + _teacher(engagement)
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


def expire(offer: Offer, today: date) -> bool:
    """Expire an unanswered offer whose deadline passed; False when there was nothing to do."""
    if offer.status not in (OfferStatus.PROPOSED, OfferStatus.APPROVED) or not (
        rules.deadline_passed(offer, today)
    ):
        return False
    try:
        before = _move_offer(offer, OfferStatus.EXPIRED)
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
        tell=[offer.created_by, *_teacher(engagement), *rules.participants(offer)],
        subject=f"The {offer.rung.label} offer expired unanswered",
    )
    return True


def _expire_late(offer: Offer, today: date) -> None:
    """An answer came after the deadline: expire the offer (kept) and refuse the answer."""
    if expire(offer, today):
        raise Expired("The deadline to answer this offer has passed; it has expired.")
    db.session.refresh(offer)
    raise LadderError(f"This offer became {offer.status.value} a moment ago.")


def expire_overdue(today: date) -> int:
    """Expire every unanswered offer past its deadline (run by the scheduler)."""
    overdue = db.session.scalars(
        sa.select(Offer).where(
            Offer.status.in_([OfferStatus.PROPOSED, OfferStatus.APPROVED]), Offer.respond_by < today
        )
    )
    return sum(expire(offer, today) for offer in list(overdue))


# --- the teacher's gates -----------------------------------------------------------------------


def record_consent(
    offer: Offer, staff: User, student: User, given_on: date, method: str, note: str = ""
) -> GuardianConsent:
    """The teacher records a guardian's consent to one offer for one minor."""
    engagement = offer.engagement
    _require(engagement, staff, *rules.STAFF_PARTS)
    if offer.status not in (OfferStatus.PROPOSED, OfferStatus.APPROVED):
        raise LadderError(
            f"Consent is recorded for an offer awaiting an answer, not a {offer.status.value} one."
        )
    if student.id not in {p.id for p in rules.participants(offer)}:
        raise LadderError("That student is not one of this offer's students.")
    if offer.consent_for(student.id) is not None:
        raise AlreadyDone("Consent for this student is already recorded.")
    if given_on > date.today():
        raise LadderError("The consent date cannot be in the future.")
    consent = GuardianConsent(
        offer_id=offer.id,
        student_id=student.id,
        given_on=given_on,
        method=method,
        note=note.strip(),
        recorded_by_id=staff.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(consent)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone("Consent for this student was recorded a moment ago.") from None
    db.session.expire(offer, ["consents"])
    record(
        engagement,
        staff,
        "consent recorded",
        offer=offer,
        # No name here: employers read the timeline too (the offer page names the student
        # for the staff).
        detail=f"A guardian's consent, given {given_on:%d %b %Y} by {method}.",
        tell=[student],
        subject=f"Your guardian's consent to the {offer.rung.label} offer is recorded",
    )
    return consent


def allow_skip(engagement: Engagement, staff: User, to: Rung) -> None:
    """The teacher lets the engagement skip rungs, up to `to`; the permission is recorded."""
    _require(engagement, staff, *rules.STAFF_PARTS)
    _require_active(engagement)
    if to.level <= engagement.rung.level + 1:
        raise LadderError(f"{to.label.capitalize()} needs no skip from {engagement.rung.label}.")
    current = engagement.skip_allowed_to
    if current is not None and current.level >= to.level:
        raise AlreadyDone(f"Skipping to {current.label} is already allowed.")
    _update_engagement(
        engagement,
        {"skip_allowed_to": current, "status": EngagementStatus.ACTIVE},
        skip_allowed_to=to,
    )
    record(
        engagement,
        staff,
        "skip allowed",
        from_state=engagement.rung.value,
        to_state=to.value,
        detail=f"Allowed to go from {engagement.rung.label} straight to {to.label}.",
        tell=_employers(engagement),
        subject=f"You may offer {to.a} to {engagement.team.name}",
    )


# --- completing rungs and closing ------------------------------------------------------------


def mark_complete(engagement: Engagement, employer: User) -> None:
    """The employer marks the current rung done; the teacher confirms it."""
    _require(engagement, employer, Part.EMPLOYER)
    _require_active(engagement)
    if engagement.rung is Rung.INTEREST:
        raise LadderError("Interest is not a rung to complete; make an offer.")
    if engagement.completion is not Completion.OPEN:
        raise AlreadyDone(f"The {engagement.rung.label} is already marked complete.")
    _update_engagement(
        engagement,
        {
            "completion": Completion.OPEN,
            "rung": engagement.rung,
            "status": EngagementStatus.ACTIVE,
        },
        completion=Completion.MARKED,
    )
    record(
        engagement,
        employer,
        "rung marked complete",
        from_state=Completion.OPEN.value,
        to_state=Completion.MARKED.value,
        detail=f"The {engagement.rung.label} is done.",
        tell=_teacher(engagement),
        subject=f"Please confirm the {engagement.rung.label} with {engagement.organisation.name}",
    )


def confirm_complete(engagement: Engagement, staff: User) -> None:
    """The teacher confirms the rung is complete; the next rung is suggested (the last one
    completes the engagement)."""
    _require(engagement, staff, *rules.STAFF_PARTS)
    _require_active(engagement)
    if engagement.completion is Completion.CONFIRMED:
        raise AlreadyDone(f"The {engagement.rung.label} is already confirmed.")
    if engagement.completion is not Completion.MARKED:
        raise LadderError(f"The employer has not marked the {engagement.rung.label} complete.")
    last = engagement.rung is LADDER[-1]
    values: dict[str, Any] = {"completion": Completion.CONFIRMED}
    if last:
        values["status"] = EngagementStatus.COMPLETED
    expect = {
        "completion": Completion.MARKED,
        "rung": engagement.rung,
        "status": EngagementStatus.ACTIVE,
    }
    _update_engagement(engagement, expect, **values)
    nxt = engagement.rung.next
    record(
        engagement,
        staff,
        "rung completed",
        from_state=Completion.MARKED.value,
        to_state=Completion.CONFIRMED.value,
        detail=f"Next: {nxt.a}." if nxt else "The whole ladder is complete.",
        tell=_employers(engagement) + _team(engagement),
        subject=f"The {engagement.rung.label} is complete" + (f" — next, {nxt.a}" if nxt else ""),
    )


def close(engagement: Engagement, user: User, reason: str = "") -> None:
    """The employer or the teacher ends the engagement; open offers are withdrawn."""
    _require(engagement, user, Part.EMPLOYER, *rules.STAFF_PARTS)
    if engagement.status is EngagementStatus.CLOSED:
        raise AlreadyDone("This engagement is already closed.")
    _require_active(engagement)
    # The open offers first, then the engagement: the order accept() locks them in (offer, then
    # engagement), so a close racing an acceptance waits for it instead of deadlocking.
    withdrawn = [offer for offer in engagement.offers if offer.status.is_open]
    for offer in withdrawn:
        _move_offer(offer, OfferStatus.WITHDRAWN)
    _update_engagement(
        engagement, {"status": EngagementStatus.ACTIVE}, status=EngagementStatus.CLOSED
    )
    record(
        engagement,
        user,
        "engagement closed",
        from_state=EngagementStatus.ACTIVE.value,
        to_state=EngagementStatus.CLOSED.value,
        detail="\n".join(
            [reason.strip()]
            + [f"The open {o.rung.label} offer was withdrawn with it." for o in withdrawn]
        ).strip(),
        tell=_employers(engagement) + _team(engagement) + _teacher(engagement),
        subject=f"The engagement of {engagement.organisation.name} and {engagement.team.name} "
        "is closed",
    )


def attest_background_check(
    school: School,
    admin: User,
    member: User,
    checked_on: date,
    valid_until: date | None,
    reference: str = "",
) -> BackgroundCheck:
    """A school admin records that an employer member passed a background check."""
    if not (admin.is_school_admin and admin.school_id == school.id):
        raise LadderError("Only the school's admins record background checks.")
    if not member.is_employer:
        raise LadderError("Background checks are recorded for employer members.")
    if valid_until is not None and valid_until < checked_on:
        raise LadderError("The check cannot expire before it was done.")
    check = rules.background_check_for(member, school.id)
    values = {
        "checked_on": checked_on,
        "valid_until": valid_until,
        "reference": reference.strip(),
        "attested_by_id": admin.id,
        "attested_at": utcnow(),
    }
    if check is None:
        check = BackgroundCheck(school_id=school.id, user_id=member.id, **values)
        try:
            with db.session.begin_nested():
                db.session.add(check)
                db.session.flush()
        except IntegrityError:
            raise LadderError(
                "Another admin recorded this check a moment ago; look again."
            ) from None
    else:
        for name, value in values.items():
            setattr(check, name, value)
        db.session.flush()
    db.session.expire(member, ["background_checks"])
    return check
