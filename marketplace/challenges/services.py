"""Rules for challenges: curation, the status workflow, sharing and adoption by employers.

Services flush, never commit. Every status change is a conditional UPDATE on the expected
state, so two people acting at once never both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import workflow
from ..extensions import db
from ..mail import compose, enqueue
from ..models import (
    CHALLENGE_TRANSITIONS,
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    Organisation,
    OrganisationStatus,
    Partnership,
    Role,
    User,
    VerificationStatus,
    utcnow,
)
from ..tags import normalise_skills
from ..web import absolute_url
from . import rules


class ChallengeError(Exception):
    """A request that breaks a challenge rule; the message is shown to the user."""


def sponsor_choices(school_id: int) -> list[Organisation]:
    """Organisations in the school's network (prospects included): possible sponsors."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Partnership)
            .where(Partnership.school_id == school_id)
            .where(Partnership.status != VerificationStatus.DECLINED)
            .order_by(Organisation.name)
        )
    )


def add_prospect(school_id: int, name: str) -> Organisation:
    """Name a sponsor who has never been asked ("don't wait for yes"): a prospect of the school."""
    existing = db.session.scalar(
        sa.select(Organisation)
        .join(Partnership)
        .where(Partnership.school_id == school_id, sa.func.lower(Organisation.name) == name.lower())
    )
    if existing is not None:
        return existing
    prospect = Organisation(name=name, status=OrganisationStatus.PROSPECT)
    db.session.add(prospect)
    db.session.add(
        Partnership(organisation=prospect, school_id=school_id, status=VerificationStatus.NOT_ASKED)
    )
    db.session.flush()
    return prospect


def save_challenge(
    challenge: Challenge,
    author: User,
    *,
    sponsor_id: int | None = None,
    skills: Iterable[str] = (),
    **fields: object,
) -> Challenge:
    """Create or update a challenge of the author's school with the given fields."""
    school_id = author.school_id
    if school_id is None or (challenge.id is not None and not rules.can_edit(challenge, author)):
        raise PermissionError  # only a school's staff curate its challenges
    network = {o.id for o in sponsor_choices(school_id)}
    if sponsor_id is not None and sponsor_id not in network:
        raise ChallengeError("Choose a sponsor from your school's partner network.")
    challenge.sponsor_id = sponsor_id
    fields["skills"] = normalise_skills(skills)
    for name, value in fields.items():
        setattr(challenge, name, value)
    if challenge.id is None:
        challenge.school_id = school_id
        challenge.created_by = author
        db.session.add(challenge)
    db.session.flush()
    return challenge


def transition(challenge: Challenge, user: User, to: ChallengeStatus) -> None:
    """Move a challenge along the workflow; refused if someone else moved it first."""
    if not rules.can_edit(challenge, user):
        raise PermissionError
    try:
        workflow.move(
            challenge, to, CHALLENGE_TRANSITIONS, "A {current} challenge cannot become {to}."
        )
    except ValueError as error:
        raise ChallengeError(str(error)) from None
    except workflow.StaleState:
        raise ChallengeError("Someone changed this challenge a moment ago; look again.") from None


def visible_challenges(user: User, status: ChallengeStatus | None = None) -> list[Challenge]:
    """The challenges a user may see, newest first (staff may filter by status)."""
    query = (
        sa.select(Challenge)
        .options(selectinload(Challenge.school), selectinload(Challenge.sponsor))
        .order_by(Challenge.created_at.desc(), Challenge.id.desc())
    )
    if user.is_staff:
        query = query.where(Challenge.school_id == user.school_id)
        if status is not None:
            query = query.where(Challenge.status == status)
    elif user.is_student:
        query = query.where(
            Challenge.status.in_((ChallengeStatus.OPEN, ChallengeStatus.CLOSED)),
            sa.or_(Challenge.school_id == user.school_id, Challenge.shared.is_(True)),
        )
    elif user.is_employer and user.organisation_id is not None:
        verified = sa.select(Partnership.school_id).where(
            Partnership.organisation_id == user.organisation_id,
            Partnership.status == VerificationStatus.VERIFIED,
        )
        query = query.where(
            Challenge.status == ChallengeStatus.OPEN, Challenge.school_id.in_(verified)
        )
    elif not user.is_site_admin:
        return []
    return list(db.session.scalars(query))


def pending_adoption(challenge: Challenge, organisation_id: int) -> AdoptionRequest | None:
    return db.session.scalar(
        sa.select(AdoptionRequest).filter_by(
            challenge_id=challenge.id,
            organisation_id=organisation_id,
            status=VerificationStatus.PENDING,
        )
    )


def adoption_requests(challenge: Challenge) -> list[AdoptionRequest]:
    """Open requests to adopt a challenge, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AdoptionRequest)
            .filter_by(challenge_id=challenge.id, status=VerificationStatus.PENDING)
            .order_by(AdoptionRequest.created_at)
        )
    )


def _waiting_adoptions(school_id: int, *columns: Any) -> sa.Select:
    return (
        sa.select(*columns)
        .select_from(AdoptionRequest)
        .join(Challenge)
        .where(
            Challenge.school_id == school_id,
            AdoptionRequest.status == VerificationStatus.PENDING,
        )
    )


def waiting_adoptions_count(school_id: int) -> sa.ScalarSelect[int]:
    """How many requests to adopt a challenge of the school nobody answered yet (a subquery)."""
    return _waiting_adoptions(school_id, sa.func.count(AdoptionRequest.id)).scalar_subquery()


def first_waiting_adoption(school_id: int) -> sa.ScalarSelect[int]:
    """The challenge of the oldest of those requests (a subquery)."""
    return (
        _waiting_adoptions(school_id, AdoptionRequest.challenge_id)
        .order_by(AdoptionRequest.created_at)
        .limit(1)
        .scalar_subquery()
    )


def request_adoption(challenge: Challenge, employer: User, message: str = "") -> AdoptionRequest:
    """An employer asks to sponsor the challenge; the school's staff are told."""
    organisation = employer.organisation
    if organisation is None or not rules.can_request_adoption(challenge, employer):
        raise ChallengeError("This challenge cannot be adopted by your organisation.")
    if pending_adoption(challenge, organisation.id) is not None:
        raise ChallengeError("Your organisation already asked to adopt this challenge.")
    request = AdoptionRequest(
        challenge=challenge,
        organisation_id=organisation.id,
        requested_by=employer,
        message=message,
    )
    db.session.add(request)
    db.session.flush()
    staff = db.session.scalars(
        sa.select(User).where(
            User.school_id == challenge.school_id,
            User.role.in_((Role.TEACHER, Role.SCHOOL_ADMIN)),
            User.active.is_(True),
            sa.or_(User.id == challenge.created_by_id, User.role == Role.SCHOOL_ADMIN),
        )
    )
    link = absolute_url("challenges.show", challenge_id=challenge.id)
    for member in staff:
        if member.email:
            enqueue(
                compose(
                    member.email,
                    f"{organisation.name} asks to adopt “{challenge.title}”",
                    "adoption_requested",
                    request=request,
                    link=link,
                )
            )
    return request


def decide_adoption(request: AdoptionRequest, staff: User, accept: bool) -> None:
    """Accept (the organisation becomes the sponsor) or decline a request to adopt."""
    if not rules.can_decide_adoption(request, staff):
        raise PermissionError
    try:
        workflow.answer(request, staff, accept)
    except workflow.AlreadyAnswered:
        raise ChallengeError("Someone already answered this request.") from None
    if accept:
        challenge = request.challenge
        unsponsored = Challenge.sponsor_id.is_(None)
        sponsor = {"sponsor_id": request.organisation_id, "updated_at": utcnow()}
        if not workflow.update_if(challenge, unsponsored, **sponsor):
            raise ChallengeError("This challenge already has a sponsor.")
    db.session.refresh(request.challenge)
    address = request.requested_by.email
    if not address:  # employers sign up with an address; an account without one gets no mail
        return
    enqueue(
        compose(
            address,
            f"“{request.challenge.title}”: {'you are the sponsor' if accept else 'not adopted'}",
            "adoption_decided",
            request=request,
            accepted=accept,
            link=absolute_url("challenges.show", challenge_id=request.challenge_id),
        )
    )
