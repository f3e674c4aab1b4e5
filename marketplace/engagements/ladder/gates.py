"""What the school records for the gates: a guardian's consent to an offer for a minor, and an
employer member's background check."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from ... import clock
from ...extensions import db
from ...models import BackgroundCheck, GuardianConsent, Offer, School, User, utcnow
from .. import rules
from ..timeline import record
from .steps import AlreadyDone, LadderError, require


def record_consent(
    offer: Offer, staff: User, student: User, given_on: date, method: str, note: str = ""
) -> GuardianConsent:
    """The teacher records a guardian's consent to one offer for one minor."""
    engagement = offer.engagement
    require(engagement, staff, *rules.STAFF_PARTS)
    if not rules.awaits_consent(offer, student):
        raise LadderError(
            f"Consent is recorded for an offer awaiting an answer, not a {offer.status.value} one."
        )
    if student.id not in {p.id for p in rules.participants(offer)}:
        raise LadderError("That student is not one of this offer's students.")
    if offer.consent_for(student.id) is not None:
        raise AlreadyDone("Consent for this student is already recorded.")
    if given_on > clock.school_today(offer.engagement.school):
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
