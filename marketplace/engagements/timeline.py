"""The timeline row of one transition, written in its transaction, and announced."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from .. import events
from ..extensions import db
from ..models import Engagement, EngagementEvent, Offer, User, utcnow


def record(
    engagement: Engagement,
    actor: User | None,
    action: str,
    *,
    offer: Offer | None = None,
    from_state: str = "",
    to_state: str = "",
    detail: str = "",
    tell: Iterable[User] = (),
    subject: str = "",
) -> EngagementEvent:
    """Write the event on the engagement's timeline, note the time of the engagement's last
    event, and announce it for `tell` (the bell tells each of them, never the actor)."""
    now = utcnow()
    event = EngagementEvent(
        engagement_id=engagement.id,
        offer_id=offer.id if offer is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    db.session.execute(
        sa.update(Engagement)
        .where(Engagement.id == engagement.id)
        .values(last_event_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(engagement, "last_event_at", now)  # written above; no second UPDATE
    events.announce(events.EngagementMoved(engagement, event, actor, tuple(tell), subject))
    db.session.flush()
    return event
