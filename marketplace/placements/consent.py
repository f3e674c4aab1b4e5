"""A guardian's consent to an offer for their child, given through a personal link: one consent
per student covers that offer. The teacher recording a paper consent stays an option
(`engagements.ladder.record_consent`)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from .. import clock
from ..engagements import rules as ladder_rules
from ..engagements.ladder.steps import teacher_of
from ..engagements.timeline import record
from ..extensions import db
from ..models import (
    Guardian,
    GuardianConsent,
    LinkPurpose,
    Offer,
    PlacementLink,
    SignerRole,
    User,
)
from . import links
from .records import AlreadyDone, PlacementError

SIGNED_BY_LINK = "signed by the guardian online"


def save_guardian(student: User, staff: User, name: str, email: str, phone: str = "") -> Guardian:
    """Keep the guardian's name and address on the student, for the next link."""
    guardian = db.session.get(Guardian, student.id)
    if guardian is None:
        guardian = Guardian(student_id=student.id, name="", email="", updated_by_id=staff.id)
        db.session.add(guardian)
    guardian.name, guardian.email = name.strip(), email.strip().lower()
    guardian.phone = phone.strip() or guardian.phone
    guardian.updated_by_id = staff.id
    db.session.flush()
    return guardian


def ask(offer: Offer, staff: User, student: User, name: str, email: str) -> PlacementLink:
    """Send the guardian a link to consent to this offer for this student."""
    engagement = offer.engagement
    if not ladder_rules.is_staff(engagement, staff):
        raise PlacementError("Only the team's teacher or the school's admins ask for consent.")
    if student.id not in {p.id for p in ladder_rules.participants(offer)}:
        raise PlacementError("That student is not one of this offer's students.")
    if not ladder_rules.awaits_consent(offer, student):
        raise PlacementError(f"This offer is {offer.status.label}: no consent is needed for it.")
    if offer.consent_for(student.id) is not None:
        raise AlreadyDone("Consent for this student is already recorded.")
    save_guardian(student, staff, name, email)
    link = links.create(
        LinkPurpose.CONSENT, SignerRole.GUARDIAN, student, name, email, offer=offer, by=staff
    )
    school = engagement.school
    links.send(
        link,
        f"Your consent for {student.first_name}: {offer.rung.a} with "
        f"{engagement.organisation.name}",
        [
            f"{engagement.organisation.name} offers {student.first_name} {offer.rung.a}, "
            f"and {school.name} asks for your consent as {student.first_name}'s guardian.",
            "The link shows the offer's terms: dates, hours, place, pay and supervisor.",
        ],
        school.name,
    )
    record(
        engagement,
        staff,
        "consent asked",
        offer=offer,
        detail="A guardian was sent a link to consent online.",
    )
    return link


def give(link: PlacementLink, typed_name: str, ip: str, agent: str) -> GuardianConsent:
    """The guardian consents through their link: typed name, a tick (the form), time, address
    and browser kept. Once."""
    problem = links.problem(link)
    if problem:
        raise PlacementError(problem)
    offer = link.offer
    assert offer is not None  # a consent link is always to an offer
    if not ladder_rules.awaits_consent(offer, link.student):
        raise PlacementError(f"This offer is {offer.status.label}; consent is no longer needed.")
    if offer.consent_for(link.student_id) is not None:
        raise AlreadyDone("Consent for this offer is already recorded. Thank you.")
    if not links.use(link):
        raise AlreadyDone("This link was used a moment ago. Thank you.")
    consent = GuardianConsent(
        offer_id=offer.id,
        student_id=link.student_id,
        given_on=clock.school_today(offer.engagement.school),
        method=SIGNED_BY_LINK,
        typed_name=typed_name.strip(),
        link_id=link.id,
        ip_address=ip[:64],
        user_agent=agent[:300],
    )
    try:
        with db.session.begin_nested():
            db.session.add(consent)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone("Consent for this offer was recorded a moment ago.") from None
    db.session.expire(offer, ["consents"])
    record(
        offer.engagement,
        None,
        "consent given",
        offer=offer,
        detail="A guardian consented online.",
        tell=[link.student, *teacher_of(offer.engagement)],
        subject=f"A guardian consented to the {offer.rung.label} offer",
    )
    return consent
