"""The events report: for each pitch event of the reader's scope, the projects that pitched, the
guests and judges (invited, said yes, checked in, scored), the "I'd like to work with this team"
interests, and the engagements the event opened and how far they climbed since.

Which events: those the reader's school organised or took part in (drafts left out); every
event for a site admin, or one school's. Guests and judges are counted for the whole event (they
are the event's, not a class's). What is about students' work (presenters, interests, the
engagements) counts only the teams of the scope, as `Scope.engagements()` does: a teacher's
classes, a school's teams, every school's.

Aggregate SQL: one statement, each event's figures from grouped subqueries joined to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    LADDER,
    Challenge,
    Comparison,
    Engagement,
    EngagementStatus,
    EventGuest,
    EventInterest,
    EventPresenter,
    GuestRole,
    Judgement,
    PitchEvent,
    PresenterStatus,
    Project,
    Rsvp,
    Rung,
    School,
    Team,
)
from .scope import Filters, Scope

# Each figure of a row, in the order of the table and the CSV: (attribute, CSV column).
FIGURES: tuple[tuple[str, str], ...] = (
    ("presenters", "presenters"),
    ("guests_invited", "guests_invited"),
    ("guests_yes", "guests_said_yes"),
    ("guests_came", "guests_checked_in"),
    ("judges_invited", "judges_invited"),
    ("judges_came", "judges_checked_in"),
    ("judges_scored", "judges_who_scored"),
    ("interests", "interests"),
    ("interests_engaged", "interests_became_engagements"),
    ("leads_waiting", "leads_waiting_for_follow_up"),
    ("engagements", "engagements_opened"),
    ("mentorship", "engagements_reached_mentorship"),
    ("workplace", "engagements_reached_workplace_rung"),
    ("completed", "engagements_completed"),
)
CSV_COLUMNS: tuple[str, ...] = (
    "event_id",
    "title",
    "date",
    "organiser",
    *(column for _, column in FIGURES),
)


@dataclass(frozen=True)
class EventRow:
    """One event and its figures (see FIGURES); `school_id` is the organiser's."""

    id: int
    title: str
    starts_at: datetime
    school_id: int
    organiser: str
    presenters: int = 0
    guests_invited: int = 0
    guests_yes: int = 0
    guests_came: int = 0
    judges_invited: int = 0
    judges_came: int = 0
    judges_scored: int = 0
    interests: int = 0
    interests_engaged: int = 0
    leads_waiting: int = 0
    engagements: int = 0
    mentorship: int = 0
    workplace: int = 0
    completed: int = 0


@dataclass(frozen=True)
class EventsReport:
    rows: list[EventRow]

    @property
    def totals(self) -> dict[str, int]:
        """Each figure summed over the events (a judge at two events counts at each)."""
        return {name: sum(getattr(r, name) for r in self.rows) for name, _ in FIGURES}

    def summary(self) -> str:
        """The report in one sentence, for screen readers and print."""
        if not self.rows:
            return "No pitch event matches these filters."
        t, n = self.totals, len(self.rows)
        came = t["guests_came"] + t["judges_came"]
        return (
            f"At {_counted(n, 'event')}, {_counted(t['presenters'], 'pitch', 'pitches')} "
            f"{'was' if t['presenters'] == 1 else 'were'} given and "
            f"{_counted(came, 'guest or judge', 'guests and judges')} checked in; they "
            f"expressed {_counted(t['interests'], 'interest')}, of which "
            f"{_counted(t['interests_engaged'], 'became an engagement', 'became engagements')}"
            f" and {_counted(t['leads_waiting'], 'is a lead', 'are leads')} waiting for "
            f"follow-up. Of the {_counted(t['engagements'], 'engagement')} the "
            f"event{'s' if n != 1 else ''} opened, {t['mentorship']} reached mentorship or "
            f"higher, {t['workplace']} a workplace rung and {t['completed']} completed."
        )


def _counted(n: int, one: str, many: str = "") -> str:
    """A count with its noun: "1 event", "2 events" (or the plural given)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _projects_of(scope: Scope, filters: Filters) -> sa.Select | None:
    """SELECT project.id of the teams whose work the scope counts (None: every project), as
    `Scope.engagements()` chooses engagements, narrowed by class and career cluster."""
    query = sa.select(Project.id)
    narrowed = False
    if scope.school_id is not None:
        query, narrowed = query.where(Project.school_id == scope.school_id), True
    if scope.user.is_teacher:
        query, narrowed = query.where(Project.team_id.in_(scope.own_teams())), True
    if filters.classroom_id is not None:
        teams = sa.select(Team.id).where(Team.classroom_id == filters.classroom_id)
        query, narrowed = query.where(Project.team_id.in_(teams)), True
    if filters.cluster:
        challenges = sa.select(Challenge.id).where(Challenge.career_cluster == filters.cluster)
        query, narrowed = query.where(Project.challenge_id.in_(challenges)), True
    return query if narrowed else None


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """How many rows of the group meet `condition` (portable: no FILTER clause)."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _chosen(scope: Scope, filters: Filters) -> sa.Select:
    """The scope's events that began in the filters' date range (days in the school's zone)."""
    query = scope.event_ids().where(*filters.in_range(PitchEvent.starts_at))
    if filters.event_id is not None:
        query = query.where(PitchEvent.id == filters.event_id)
    return query


def _query(scope: Scope, filters: Filters) -> sa.Select:
    """One row per chosen event: its figures from four grouped subqueries, joined to it."""
    chosen = _chosen(scope, filters)
    projects = _projects_of(scope, filters)
    presenters = sa.select(
        EventPresenter.event_id.label("event_id"), sa.func.count().label("presenters")
    ).where(EventPresenter.event_id.in_(chosen), EventPresenter.status != PresenterStatus.DECLINED)
    if projects is not None:
        presenters = presenters.where(EventPresenter.project_id.in_(projects))
    presenters_q = presenters.group_by(EventPresenter.event_id).subquery("presenters")

    scored = sa.union(
        sa.select(Judgement.guest_id).where(Judgement.event_id.in_(chosen)),
        sa.select(Comparison.guest_id).where(Comparison.event_id.in_(chosen)),
    )
    guest, judge = EventGuest.role == GuestRole.GUEST, EventGuest.role == GuestRole.JUDGE
    came = EventGuest.checked_in_at.is_not(None)
    guests = sa.select(
        EventGuest.event_id.label("event_id"),
        _count(guest).label("guests_invited"),
        _count(sa.and_(guest, EventGuest.rsvp == Rsvp.YES)).label("guests_yes"),
        _count(sa.and_(guest, came)).label("guests_came"),
        _count(judge).label("judges_invited"),
        _count(sa.and_(judge, came)).label("judges_came"),
        _count(sa.and_(judge, EventGuest.id.in_(scored))).label("judges_scored"),
    ).where(EventGuest.event_id.in_(chosen), EventGuest.revoked_at.is_(None))
    if filters.organisation_id is not None:
        guests = guests.where(EventGuest.organisation_id == filters.organisation_id)
    guests_q = guests.group_by(EventGuest.event_id).subquery("guests")

    engaged = EventInterest.engagement_id.is_not(None)
    interests = (
        sa.select(
            EventInterest.event_id.label("event_id"),
            sa.func.count().label("interests"),
            _count(engaged).label("interests_engaged"),
            _count(
                sa.and_(
                    EventInterest.engagement_id.is_(None), EventInterest.followed_up_at.is_(None)
                )
            ).label("leads_waiting"),
        )
        .join(EventPresenter, EventPresenter.id == EventInterest.presenter_id)
        .where(EventInterest.event_id.in_(chosen))
    )
    if projects is not None:
        interests = interests.where(EventPresenter.project_id.in_(projects))
    if filters.organisation_id is not None:
        theirs = sa.select(EventGuest.id).where(
            EventGuest.organisation_id == filters.organisation_id
        )
        interests = interests.where(EventInterest.guest_id.in_(theirs))
    interests_q = interests.group_by(EventInterest.event_id).subquery("interests")

    # The engagements the event opened: the funnel's, by source event (the dates here are the
    # event's, not the engagement's opening).
    at_least = {
        level: Engagement.rung.in_([r for r in LADDER if r.level >= level])
        for level in (Rung.MENTORSHIP.level, Rung.JOB_SHADOWING.level)
    }
    opened = (
        filters.apply(scope.engagements(), dates=False)
        .with_only_columns(
            Engagement.source_event_id.label("event_id"),
            sa.func.count().label("engagements"),
            _count(at_least[Rung.MENTORSHIP.level]).label("mentorship"),
            _count(at_least[Rung.JOB_SHADOWING.level]).label("workplace"),
            _count(Engagement.status == EngagementStatus.COMPLETED).label("completed"),
        )
        .where(Engagement.source_event_id.in_(chosen))
        .group_by(Engagement.source_event_id)
        .subquery("opened")
    )

    grouped: list[Any] = [presenters_q, guests_q, interests_q, opened]
    figures = [
        sa.func.coalesce(getattr(q.c, name), 0)
        for name, _ in FIGURES
        for q in grouped
        if name in q.c
    ]
    query = (
        sa.select(
            PitchEvent.id,
            PitchEvent.title,
            PitchEvent.starts_at,
            PitchEvent.school_id,
            School.name,
            *figures,
        )
        .join(School, School.id == PitchEvent.school_id)
        .where(PitchEvent.id.in_(chosen))
    )
    for q in grouped:
        query = query.outerjoin(q, q.c.event_id == PitchEvent.id)
    return query.order_by(PitchEvent.starts_at.desc(), PitchEvent.id.desc())


def rows(scope: Scope, filters: Filters) -> Iterator[EventRow]:
    """Each event of the scope in the date range, latest first, with its figures."""
    for found in db.session.execute(_query(scope, filters).execution_options(yield_per=200)):
        event_id, title, starts_at, school_id, organiser, *counts = found
        yield EventRow(
            event_id,
            title,
            starts_at,
            school_id,
            organiser,
            **{name: int(n) for (name, _), n in zip(FIGURES, counts, strict=True)},
        )


def report(scope: Scope, filters: Filters) -> EventsReport:
    """The rows of the page (with their totals and the sentence saying what they show)."""
    return EventsReport(list(rows(scope, filters)))


def csv_rows(scope: Scope, filters: Filters) -> Iterator[tuple[Any, ...]]:
    """The CSV's rows (CSV_COLUMNS), the day each event began in the school's zone."""
    for r in rows(scope, filters):
        day: date = r.starts_at.astimezone(filters.zone).date()
        yield (
            r.id,
            r.title,
            day.isoformat(),
            r.organiser,
            *(getattr(r, name) for name, _ in FIGURES),
        )
