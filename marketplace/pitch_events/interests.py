"""What an event produces: a guest's or judge's "I'd like to work with this team".

For a member of an organisation the project's school has verified, it is an engagement at
interest with the event named as its source (or, if the organisation is already engaged with
the project, that engagement). For anyone else (a prospect's contact, a typed address, an
organisation not yet verified) it is a lead: the team's teachers are asked to follow up, and
the lead waits on the event's report until they do.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import events
from ..challenges.questions import teachers_of
from ..engagements import ladder
from ..extensions import db
from ..models import (
    Comparison,
    Engagement,
    EngagementStatus,
    EventGuest,
    EventInterest,
    EventPresenter,
    EventStatus,
    Judgement,
    PitchEvent,
    Project,
    ProjectStatus,
    Rsvp,
    Rung,
    User,
    utcnow,
)

AFTER_THE_START = frozenset({EventStatus.LIVE, EventStatus.CLOSED, EventStatus.RELEASED})


class InterestError(Exception):
    """The interest cannot be taken; the message is shown."""


def _employer(guest: EventGuest) -> User | None:
    """The guest's own account, when it is an active employer's of a verified organisation."""
    if guest.user_id is None:
        return None
    user = db.session.get(User, guest.user_id)
    if user is None or not user.active or not user.is_employer or user.organisation is None:
        return None
    return user


def interest_of(guest: EventGuest, presenter: EventPresenter) -> EventInterest | None:
    return db.session.scalar(
        sa.select(EventInterest).where(
            EventInterest.guest_id == guest.id, EventInterest.presenter_id == presenter.id
        )
    )


def express(guest: EventGuest, presenter: EventPresenter, note: str = "") -> EventInterest:
    """Record the guest's interest in the team (once; a second click returns the first)."""
    event = guest.event
    if guest.revoked_at is not None or presenter.event_id != guest.event_id or presenter.declined:
        raise PermissionError
    if event.status not in AFTER_THE_START:
        raise InterestError("You can say this once the event has started.")
    project = presenter.project
    if project.status is not ProjectStatus.PUBLISHED:
        raise InterestError("This project is no longer published.")
    existing = interest_of(guest, presenter)
    if existing is not None:
        return existing
    interest = EventInterest(
        event_id=event.id, guest_id=guest.id, presenter_id=presenter.id, note=note.strip()[:500]
    )
    employer = _employer(guest)
    organisation = employer.organisation if employer is not None else None
    why = "Their organisation is not a verified partner of your school yet."
    if employer is not None and organisation and organisation.is_verified_by(project.school_id):
        engagement: Engagement | None
        try:
            engagement = ladder.show_interest(project, employer, note, source_event_id=event.id)
        except ladder.AlreadyDone:  # the organisation is engaged with the team already
            engagement = db.session.scalar(
                sa.select(Engagement).where(
                    Engagement.organisation_id == employer.organisation_id,
                    Engagement.project_id == project.id,
                )
            )
            if engagement is not None and engagement.status is EngagementStatus.CLOSED:
                engagement = None  # it ended: a lead, so the teacher decides whether to reopen
                why = f"{organisation.name}'s engagement with this team was closed."
        interest.engagement_id = engagement.id if engagement else None
    try:
        with db.session.begin_nested():
            db.session.add(interest)
            db.session.flush()
    except IntegrityError:  # the same click, twice at once
        found = interest_of(guest, presenter)
        assert found is not None
        return found
    if interest.engagement_id is None:
        events.announce(events.EventLead(interest, tuple(teachers_of(project.team)), why))
    return interest


def interests_of(guest: EventGuest) -> set[int]:
    """The pitches a guest said they would like to work with."""
    return set(
        db.session.scalars(
            sa.select(EventInterest.presenter_id).where(EventInterest.guest_id == guest.id)
        )
    )


def leads_for(event: PitchEvent, staff: User) -> list[EventInterest]:
    """The leads of an event a member of staff follows up: those for their school's teams (the
    organisers see every one on the report)."""
    if not staff.is_staff:
        return []
    rows = db.session.scalars(
        sa.select(EventInterest)
        .join(EventPresenter, EventPresenter.id == EventInterest.presenter_id)
        .join(Project, Project.id == EventPresenter.project_id)
        .where(
            EventInterest.event_id == event.id,
            EventInterest.engagement_id.is_(None),
            Project.school_id == staff.school_id,
        )
        .options(selectinload(EventInterest.guest).selectinload(EventGuest.organisation))
        .order_by(EventInterest.id)
    )
    return list(rows)


def follow_up(interest: EventInterest, staff: User) -> None:
    """A teacher has followed a lead up (written, called): it leaves the to-do list."""
    if interest.followed_up_at is None:
        interest.followed_up_at, interest.followed_up_by_id = utcnow(), staff.id


@dataclass(frozen=True)
class Report:
    """What an event produced."""

    invited: int
    coming: int
    came: int
    judges: int
    judged: int
    interests: list[EventInterest]
    engagements: list[Engagement]
    leads: list[EventInterest]

    def reached(self, rung: Rung) -> int:
        """How many of the engagements from the event reached `rung` (or beyond) since."""
        return sum(1 for e in self.engagements if e.rung.level >= rung.level)

    @property
    def active(self) -> int:
        return sum(1 for e in self.engagements if e.status is EngagementStatus.ACTIVE)


def report(event: PitchEvent) -> Report:
    """Guests invited, coming, came and judged; the interests the event produced, the
    engagements they opened and how far those climbed since; the leads still to follow up."""
    from . import guests as guest_list

    everyone = [g for g in guest_list.guests_of(event) if g.revoked_at is None]
    judged = set(
        db.session.scalars(sa.select(Judgement.guest_id).where(Judgement.event_id == event.id))
    ) | set(
        db.session.scalars(sa.select(Comparison.guest_id).where(Comparison.event_id == event.id))
    )
    interests = list(
        db.session.scalars(
            sa.select(EventInterest)
            .where(EventInterest.event_id == event.id)
            .options(
                selectinload(EventInterest.guest).selectinload(EventGuest.organisation),
                selectinload(EventInterest.presenter)
                .selectinload(EventPresenter.project)
                .selectinload(Project.team),
            )
            .order_by(EventInterest.id)
        )
    )
    engagements = list(
        db.session.scalars(
            sa.select(Engagement)
            .where(Engagement.source_event_id == event.id)
            .options(selectinload(Engagement.organisation), selectinload(Engagement.project))
            .order_by(Engagement.id)
        )
    )
    return Report(
        invited=len(everyone),
        coming=sum(1 for g in everyone if g.rsvp is Rsvp.YES),
        came=sum(1 for g in everyone if g.checked_in_at is not None),
        judges=sum(1 for g in everyone if g.judge),
        judged=len(judged & {g.id for g in everyone}),
        interests=interests,
        engagements=engagements,
        leads=[i for i in interests if i.engagement_id is None],
    )
