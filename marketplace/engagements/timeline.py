"""The timeline row and the outbox rows of one transition, written in its transaction."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Engagement, EngagementEvent, Offer, User, utcnow
from ..notifications.service import notify
from ..privacy import name_for


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
    """Write the event on the engagement's timeline and one notification per person told
    (never the actor), and note the time of the engagement's last event."""
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
    link = f"/engagements/{engagement.id}"
    told: set[int] = set()
    for person in tell:
        if person.id in told or (actor is not None and person.id == actor.id) or not person.active:
            continue
        told.add(person.id)
        who = name_for(person, actor) if actor is not None else "The marketplace"
        notify(
            person,
            kind=action.replace(" ", "_"),
            subject=subject or f"{action.capitalize()}: {engagement.project.title}",
            body=f"{who}: {action} — {engagement.project.title}. {detail}".strip(),
            link=link,
            event_id=event.id,
            key=f"event-{event.id}-user-{person.id}",
        )
    db.session.flush()
    return event
