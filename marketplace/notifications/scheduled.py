"""The scheduled follow-ups, run by the worker every SCHEDULE_EVERY_SECONDS or by
`flask run-scheduled` from cron: stalled engagements, offer deadlines, the weekly digests and
the daily digest, the partner network's follow-ups, and the placements' hours and evaluations
(`placement_reminders`).

Every job is idempotent per period: what it tells carries a key unique per period and person
(`notify_once`, `mail_once`), so running it twice, or in two processes at once, tells nothing
twice. The jobs add rows and flush; `run_all` commits after each one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from .. import clock
from ..engagements import ladder, rules
from ..extensions import db
from ..models import (
    Engagement,
    EngagementStatus,
    Offer,
    OfferStatus,
    Organisation,
    School,
    User,
    utcnow,
)
from ..partners import automation
from ..partners.tasks import due_for_reminder
from . import placement_reminders
from .digests import daily_digests, weekly_employer_digest
from .service import notify_once
from .summaries import teacher_weekly_summary

DEADLINE_REMINDER_DAYS = 2  # an approved offer is "expiring" this many days before its deadline


def _active(people: list[User]) -> list[User]:
    """Each active person once, by id: two schedulers at once take the keys in the same order
    (one waits for the other's instead of deadlocking)."""
    return sorted({p.id: p for p in people if p.active}.values(), key=lambda p: p.id)


def _employers(engagement: Engagement) -> list[User]:
    """The organisation's active members: whom the ladder tells on the employer side."""
    return [m for m in engagement.organisation.members if m.active]


# --- stalled engagements ----------------------------------------------------------------------


def stalled_engagements(now: datetime) -> list[Engagement]:
    """Active engagements with no event for their school's stall period (the ladder's rule)."""
    shortest = db.session.scalar(sa.select(sa.func.min(School.stall_days)))
    if shortest is None:
        return []
    candidates = db.session.scalars(
        sa.select(Engagement)
        .where(
            Engagement.status == EngagementStatus.ACTIVE,
            Engagement.last_event_at < now - timedelta(days=shortest),
        )
        .options(
            joinedload(Engagement.school),
            joinedload(Engagement.project),
            joinedload(Engagement.organisation).selectinload(Organisation.members),
            selectinload(Engagement.offers),
        )
        .order_by(Engagement.id)
    ).unique()
    return [e for e in candidates if rules.is_stalled(e, now)]


def stalled_reminders(now: datetime) -> int:
    """A stalled engagement → a reminder, with the next step, to the organisation's members
    and the team's teacher: once per stall (new activity then a new stall reminds again)."""
    told = 0
    for engagement in stalled_engagements(now):
        since = engagement.last_event_at
        days = (now - since).days
        subject = f"No news for {days} days: {engagement.project.title}"
        for person in _active([*_employers(engagement), engagement.team.advisor]):
            with_whom = (
                engagement.organisation.name
                if not person.is_employer
                else f"the team {engagement.team.name}"
            )
            note = notify_once(
                person,
                key=f"stalled-{engagement.id}-{since.date().isoformat()}-user-{person.id}",
                kind="engagement_stalled",
                subject=subject,
                body=(
                    f"Nothing has happened with {with_whom} on {engagement.project.title} since "
                    f"{since:%d %b %Y}. Next step: {rules.next_step(engagement, person)}"
                ),
                link=f"/engagements/{engagement.id}",
            )
            told += note is not None
    return told


# --- offer deadlines --------------------------------------------------------------------------


def expire_offers(now: datetime) -> int:
    """Expire the unanswered offers whose deadline ended, each at midnight where its school is
    (the ladder's own sweep)."""
    return ladder.expire_overdue(now)


def days_left(offer: Offer, now: datetime) -> int:
    """Days until the offer's deadline, counted on its school's calendar (0: it ends today)."""
    assert offer.respond_by is not None
    return (offer.respond_by - clock.school_today(offer.engagement.school, now)).days


def expiring_offers(now: datetime) -> list[Offer]:
    """Approved offers of active engagements whose deadline is today or within two days where
    their school is (a day either side of the UTC date is read, then each school decides)."""
    utc_day = now.date()
    candidates = db.session.scalars(
        sa.select(Offer)
        .join(Engagement, Offer.engagement_id == Engagement.id)
        .where(
            Offer.status == OfferStatus.APPROVED,
            Engagement.status == EngagementStatus.ACTIVE,
            Offer.respond_by >= utc_day - timedelta(days=1),
            Offer.respond_by <= utc_day + timedelta(days=DEADLINE_REMINDER_DAYS + 1),
        )
        .options(
            selectinload(Offer.recipients),
            joinedload(Offer.engagement).joinedload(Engagement.school),
        )
        .order_by(Offer.respond_by, Offer.id)
    ).unique()
    return [o for o in candidates if 0 <= days_left(o, now) <= DEADLINE_REMINDER_DAYS]


def offer_deadlines(now: datetime) -> int:
    """An approved offer two days or less before its deadline → a reminder to the students it
    is addressed to and their teacher, once per offer."""
    told = 0
    for offer in expiring_offers(now):
        engagement = offer.engagement
        deadline = offer.respond_by
        assert deadline is not None  # the query keeps only offers with a deadline
        left = days_left(offer, now)
        when = {0: "today", 1: "tomorrow"}.get(left, f"on {deadline:%A %d %b}")
        subject = f"The {offer.rung.label} offer from {engagement.organisation.name} expires {when}"
        for person in _active([*rules.participants(offer), engagement.team.advisor]):
            body = (
                f"Answer by {deadline:%d %b %Y}: after that the offer expires. "
                if person.is_student
                else f"The team {engagement.team.name} has until {deadline:%d %b %Y} to answer. "
            )
            note = notify_once(
                person,
                key=f"offer-expiring-{offer.id}-user-{person.id}",
                kind="offer_expiring",
                subject=subject,
                body=body + rules.next_step(engagement, person),
                link=f"/offers/{offer.id}",
            )
            told += note is not None
    return told


def follow_up_reminders(now: datetime) -> int:
    """A follow-up is due today, or became overdue: its assignee is told once for each."""
    told = 0
    for task, why in due_for_reminder(now):
        person = task.assignee
        if not person.active:
            continue
        about = f" ({task.partnership.organisation.name})" if task.partnership else ""
        subject = f"{'Due today' if why == 'due' else 'Overdue'}: {task.title}{about}"
        link = (
            f"/partners/{task.partnership_id}#tasks" if task.partnership_id else "/partners/tasks"
        )
        if notify_once(
            person, kind="follow-up", subject=subject, link=link, key=f"task-{task.id}-{why}"
        ):
            told += 1
    return told


# --- all of them ------------------------------------------------------------------------------

JOBS: dict[str, Callable[[datetime], int]] = {
    "expired_offers": expire_offers,  # before the reminders: a passed deadline is not "expiring"
    "offer_deadlines": offer_deadlines,
    "stalled_reminders": stalled_reminders,
    "weekly_employer_digest": weekly_employer_digest,
    "teacher_weekly_summary": teacher_weekly_summary,
    "follow_up_reminders": follow_up_reminders,
    "weekly_hours_verification": placement_reminders.weekly_verification,
    "unverified_hours": placement_reminders.unverified_weeks,
    "unlogged_hours": placement_reminders.unlogged_weeks,
    "evaluations_due": placement_reminders.evaluations_due,
    "partner_messages": automation.run,  # the school's automated messages to partners
    "daily_digests": daily_digests,
}


def run_all(now: datetime | None = None, only: Iterable[str] | None = None) -> dict[str, int]:
    """Run every job (or `only` those named), committing after each (a failing job is rolled
    back and logged; the others still run, then its error is raised). What each job wrote."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    failure: Exception | None = None
    chosen = set(JOBS) if only is None else set(only)
    for name, job in JOBS.items():
        if name not in chosen:
            continue
        try:
            counts[name] = job(now)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            current_app.logger.exception("scheduled job %s failed", name)
            counts[name] = 0
            failure = failure or error
    if failure is not None:
        raise failure
    return counts
