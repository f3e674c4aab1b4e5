"""Who belongs to an organisation: claiming a prospect, and asking colleagues to let one in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import workflow
from ..extensions import db
from ..mail import compose, enqueue
from ..models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    User,
    VerificationStatus,
)
from ..web import absolute_url
from . import rules
from .services import OrganisationError, joinable_organisations, require_can_set_up


def pending_request_of(user: User) -> JoinRequest | None:
    """The employer's open request to join an organisation, if any."""
    return db.session.scalar(
        sa.select(JoinRequest).filter_by(user_id=user.id, status=VerificationStatus.PENDING)
    )


def pending_requests_for(organisation: Organisation) -> list[JoinRequest]:
    """Requests to join waiting for a member of the organisation, oldest first, each with who
    asks (one statement, however many ask)."""
    return list(
        db.session.scalars(
            sa.select(JoinRequest)
            .filter_by(organisation_id=organisation.id, status=VerificationStatus.PENDING)
            .options(joinedload(JoinRequest.user))
            .order_by(JoinRequest.created_at)
        )
    )


def join_or_ask(user: User, organisation: Organisation) -> JoinRequest | None:
    """Claim a prospect of one's e-mail domain, or ask the members of an organisation to join.

    Claiming a prospect makes it active; any school that had verified it checks it again, now
    that it has real people. Returns the request when the members must decide.
    """
    require_can_set_up(user)
    if organisation not in joinable_organisations(user):
        raise OrganisationError("You can only join an organisation that uses your e-mail domain.")
    if pending_request_of(user) is not None:
        raise OrganisationError("You already asked to join an organisation.")
    if not organisation.members:
        user.organisation = organisation
        organisation.status = OrganisationStatus.ACTIVE
        for partnership in organisation.partnerships:
            if partnership.status is VerificationStatus.VERIFIED:
                partnership.status = VerificationStatus.PENDING
                partnership.decided_at = None
        db.session.flush()
        return None
    request = JoinRequest(organisation=organisation, user=user)
    db.session.add(request)
    db.session.flush()
    link = absolute_url("organisations.profile")
    for member in organisation.members:
        if member.email:
            enqueue(
                compose(
                    member.email,
                    f"{user.full_name} asks to join {organisation.name}",
                    "join_requested",
                    request=request,
                    member=member,
                    link=link,
                )
            )
    return request


def decide_request(request: JoinRequest, member: User, accept: bool) -> None:
    """A member lets a colleague in (or not); the colleague is told either way."""
    if not rules.can_decide_join(request, member):
        raise PermissionError
    try:
        workflow.answer(request, member, accept)
    except workflow.AlreadyAnswered:
        raise OrganisationError("Someone already answered this request.") from None
    if accept:
        request.user.organisation = request.organisation
    if request.user.email:  # employers sign up with one; an account without one is not mailed
        enqueue(
            compose(
                request.user.email,
                f"{request.organisation.name} {'accepted' if accept else 'declined'} your request",
                "join_decided",
                request=request,
                accepted=accept,
                link=absolute_url("dashboard.home"),
            )
        )
    db.session.flush()
