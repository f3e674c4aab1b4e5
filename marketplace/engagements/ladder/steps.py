"""What every transition of the ladder is made of: the refusals it raises, the check of who
acts, the conditional UPDATEs of an offer and an engagement, and who is told."""

from __future__ import annotations

from typing import Any

from ... import workflow
from ...extensions import db
from ...models import Engagement, EngagementStatus, Offer, OfferStatus, User
from .. import rules
from ..rules import Part

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


def require(engagement: Engagement, user: User, *parts: Part) -> Part:
    """The part the user plays in the engagement, refused unless it is one of `parts`."""
    if not rules.has_part(engagement, user, *parts):
        raise LadderError("You have no part in this step of the engagement.")
    part = rules.part_of(engagement, user)
    assert part is not None  # has_part said it is one of `parts`
    return part


def require_active(engagement: Engagement) -> None:
    """Refuse a step on an engagement that is closed or completed."""
    if engagement.status is not EngagementStatus.ACTIVE:
        raise LadderError(f"This engagement is {engagement.status.label}.")


def move_offer(offer: Offer, to: OfferStatus, **values: Any) -> OfferStatus:
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


def update_engagement(engagement: Engagement, expect: dict[str, Any], **values: Any) -> None:
    """Conditional UPDATE of the engagement on the columns the transition depends on."""
    still = [getattr(Engagement, name) == value for name, value in expect.items()]
    if not workflow.update_if(engagement, *still, version=Engagement.version + 1, **values):
        db.session.refresh(engagement)
        raise LadderError("Someone changed this engagement a moment ago; look again.")
    db.session.refresh(engagement)


def employers_of(engagement: Engagement) -> list[User]:
    """The organisation's active members: the employer side of every step."""
    return [m for m in engagement.organisation.members if m.active]


def team_of(engagement: Engagement) -> list[User]:
    """The team's students."""
    return engagement.team.members


def teacher_of(engagement: Engagement) -> list[User]:
    """The team's teacher, as a list to add to whoever is told."""
    return [engagement.team.advisor]
