"""Pitch events: created and moved along by their organisers, with projects entered by their
teachers and a run of show built from the order and each pitch's length."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import clock, events
from ..extensions import db
from ..models import (
    EVENT_TRANSITIONS,
    EventAward,
    EventPresenter,
    EventSchool,
    EventStatus,
    JudgeAssignment,
    JudgingMode,
    PitchEvent,
    PresenterStatus,
    Project,
    ProjectStatus,
    School,
    Team,
    TeamMembership,
    User,
    utcnow,
)
from ..workflow import StaleState, move, update_if
from . import guests, judging, rules


class EventError(Exception):
    """What the event cannot do now; the message is shown (beside `field`, on a form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Slot:
    """A pitch's place in the run of show."""

    presenter: EventPresenter
    number: int
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def at_school(school: School, day: date, moment: time) -> datetime:
    """A wall-clock time at the school, as UTC."""
    return datetime.combine(day, moment, tzinfo=clock.zone(school.timezone)).astimezone(UTC)


def save_event(
    event: PitchEvent,
    user: User,
    *,
    title: str,
    description: str,
    day: date,
    starts: time,
    ends: time,
    place: str,
    online_url: str,
    capacity: int | None,
    pitch_minutes: int,
    changeover_minutes: int,
    min_judges: int,
    partner_ids: Iterable[int],
    judging_mode: JudgingMode = JudgingMode.RUBRIC,
) -> PitchEvent:
    """Create (for the user's school) or change an event; times are read in the organising
    school's zone."""
    new = event.id is None
    if new:
        if not rules.can_create(user):
            raise PermissionError
        event.school_id = user.school_id  # type: ignore[assignment]  # staff have a school
        event.created_by_id = user.id
    elif not rules.can_edit(event, user):
        raise PermissionError
    school = db.session.get(School, event.school_id)
    assert school is not None
    was = (event.starts_at, event.ends_at, event.place, event.online_url, event.title)
    event.title, event.description = title, description
    event.starts_at = at_school(school, day, starts)
    event.ends_at = at_school(school, day, ends)
    event.place, event.online_url, event.capacity = place, online_url, capacity
    event.pitch_minutes, event.changeover_minutes = pitch_minutes, changeover_minutes
    event.min_judges = min_judges
    if judging_mode is not event.judging_mode:
        if not new and event.status not in rules.OPEN_FOR_ENTRIES:
            raise EventError("The way of judging is kept once the event is live.", "judging_mode")
        event.judging_mode = judging_mode
    wanted = {i for i in partner_ids if i != event.school_id}
    entered_from = {p.project.school_id for p in event.presenters if not p.declined}
    kept = {p.school_id for p in event.partners}
    dropped = (kept - wanted) & entered_from
    if dropped:
        names = ", ".join(
            sorted(
                s.name for s in db.session.scalars(sa.select(School).where(School.id.in_(dropped)))
            )
        )
        raise EventError(f"{names} still has projects entered; withdraw them first.", "partner_ids")
    event.partners = [p for p in event.partners if p.school_id in wanted] + [
        EventSchool(school_id=i) for i in sorted(wanted - kept)
    ]
    if new:
        db.session.add(event)
    db.session.flush()
    if not new and was != (
        event.starts_at,
        event.ends_at,
        event.place,
        event.online_url,
        event.title,
    ):
        guests.send_updates(event)  # their calendars move the entry
        if event.status is not EventStatus.DRAFT:  # and the teams pitching hear of it
            teams = tuple((p, _team(p.project)) for p in event.presenters if not p.declined)
            events.announce(events.EventChanged(event, teams))
    return event


STATUS_MESSAGES = {
    EventStatus.PUBLISHED: "published: the schools taking part see it",
    EventStatus.DRAFT: "back to a draft",
    EventStatus.LIVE: "live",
    EventStatus.CLOSED: "closed",
    EventStatus.RELEASED: "closed, and its results are released to the teams",
}


def move_event(event: PitchEvent, to: EventStatus, user: User) -> None:
    """Publish, unpublish, go live, close, release; of two clicks at once, one counts."""
    if not rules.can_organise(event, user):
        raise PermissionError
    if to is EventStatus.PUBLISHED and event.starts_at <= utcnow():
        raise EventError("The event's time has passed; change its date before publishing it.")
    if to is EventStatus.DRAFT and any(g.revoked_at is None for g in guests.guests_of(event)):
        raise EventError(
            "Guests are invited: change the event (they get the update) rather than unpublish it."
        )
    try:
        move(event, to, EVENT_TRANSITIONS, "A {current} event cannot become {to}.")
    except (ValueError, StaleState) as error:
        raise EventError(
            str(error) if isinstance(error, ValueError) else "Someone moved the event first."
        ) from None
    if to is EventStatus.PUBLISHED:  # teams entered while it was a draft hear of it now
        for presenter in event.presenters:
            if not presenter.declined:
                events.announce(events.PresenterEntered(presenter, _team(presenter.project)))
    if to is EventStatus.LIVE and event.judging_mode is JudgingMode.RUBRIC:
        judging.assign(event)  # every pitch its judges (the organisers may assign again)
    if to is EventStatus.RELEASED:
        teams = tuple((p, _team(p.project)) for p in event.presenters if not p.declined)
        events.announce(events.ResultsReleased(event, teams))


def enterable_projects(event: PitchEvent, user: User) -> list[Project]:
    """The published projects of the user's school not entered yet."""
    if not rules.can_enter_projects(event, user):
        return []
    entered = {p.project_id for p in event.presenters}
    return [
        p
        for p in db.session.scalars(
            sa.select(Project)
            .where(Project.school_id == user.school_id, Project.status == ProjectStatus.PUBLISHED)
            .order_by(Project.title)
        )
        if p.id not in entered
    ]


def _team(project: Project) -> tuple[User, ...]:
    return tuple(
        db.session.scalars(
            sa.select(User)
            .join(TeamMembership, TeamMembership.student_id == User.id)
            .where(TeamMembership.team_id == project.team_id)
        )
    )


def enter(event: PitchEvent, project: Project, user: User) -> EventPresenter:
    """A teacher enters one of their school's published projects; the team is told and may
    decline."""
    if not rules.can_enter_projects(event, user):
        raise PermissionError
    if not user.is_staff_of(project.school_id):
        raise EventError("Teachers enter their own school's projects.")
    if project.status is not ProjectStatus.PUBLISHED:
        raise EventError(f"“{project.title}” is not published; only published projects pitch.")
    existing = db.session.scalar(
        sa.select(EventPresenter).where(
            EventPresenter.event_id == event.id, EventPresenter.project_id == project.id
        )
    )
    if existing is not None:
        if existing.declined:
            raise EventError(f"The team of “{project.title}” declined this event.")
        raise EventError(f"“{project.title}” is entered already.")
    last = db.session.scalar(
        sa.select(sa.func.max(EventPresenter.position)).where(EventPresenter.event_id == event.id)
    )
    presenter = EventPresenter(
        event=event, project=project, position=(last or 0) + 1, entered_by_id=user.id
    )
    db.session.add(presenter)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # entered by another teacher at the same moment
        raise EventError(f"“{project.title}” is entered already.") from None
    if event.status is not EventStatus.DRAFT:  # a draft's teams hear of it when it is published
        events.announce(events.PresenterEntered(presenter, _team(project)))
    return presenter


def decline(presenter: EventPresenter, user: User, reason: str) -> None:
    """A member of the team says no for the team; the teacher who entered it is told."""
    if not rules.can_decline(presenter, user):
        raise PermissionError
    if not update_if(
        presenter,
        EventPresenter.status == PresenterStatus.ENTERED,
        status=PresenterStatus.DECLINED,
        declined_by_id=user.id,
        declined_at=utcnow(),
        decline_reason=reason[:300],
    ):
        raise EventError("Your team has declined already.")
    db.session.refresh(presenter)
    events.announce(events.PresenterDeclined(presenter))


def withdraw(presenter: EventPresenter, user: User) -> None:
    """Take an entry back (before the event goes live)."""
    if not rules.can_withdraw(presenter, user):
        raise PermissionError
    team = _team(presenter.project)
    event, title = presenter.event, presenter.project.title
    # What points at the entry before the event starts: judges assigned to it, an award given.
    db.session.execute(
        sa.delete(JudgeAssignment).where(JudgeAssignment.presenter_id == presenter.id)
    )
    db.session.execute(
        sa.update(EventAward)
        .where(EventAward.presenter_id == presenter.id)
        .values(presenter_id=None)
        .execution_options(synchronize_session=False)
    )
    if event.status is not EventStatus.DRAFT:  # a draft's teams were never told
        events.announce(events.EntryWithdrawn(event, title, presenter.id, team))
    db.session.delete(presenter)
    db.session.flush()


def shift(presenter: EventPresenter, user: User, step: int) -> None:
    """Move a pitch one place earlier (-1) or later (+1) in the run of show."""
    if not rules.can_arrange(presenter, user):
        raise PermissionError
    order = [p for p in presenter.event.presenters if not p.declined]
    index = order.index(presenter)
    other = index + step
    if not 0 <= other < len(order):
        return
    order[index], order[other] = order[other], order[index]
    for number, row in enumerate(order, start=1):
        row.position = number
    db.session.flush()


def set_minutes(presenter: EventPresenter, user: User, minutes: int | None) -> None:
    """A slot longer or shorter than the event's pitch length (None: the event's)."""
    if not rules.can_arrange(presenter, user):
        raise PermissionError
    presenter.minutes = minutes
    db.session.flush()


def load_entries(event: PitchEvent) -> PitchEvent:
    """The event with its entries, their projects, schools and teams (members included) and its
    partner schools, in a few statements: what every page of the event reads of them."""
    project = selectinload(PitchEvent.presenters).selectinload(EventPresenter.project)
    db.session.scalars(
        sa.select(PitchEvent)
        .where(PitchEvent.id == event.id)
        .options(
            project.selectinload(Project.school),
            project.selectinload(Project.challenge),
            project.selectinload(Project.team).selectinload(Team.memberships),
            selectinload(PitchEvent.partners).selectinload(EventSchool.school),
        )
    ).one()
    return event


def run_of_show(event: PitchEvent) -> list[Slot]:
    """The entered pitches in order, each with its start and end: from the event's start, each
    slot its length, a changeover between two."""
    slots: list[Slot] = []
    at = event.starts_at
    for number, presenter in enumerate((p for p in event.presenters if not p.declined), start=1):
        length = timedelta(minutes=presenter.minutes or event.pitch_minutes)
        slots.append(Slot(presenter, number, at, at + length))
        at = at + length + timedelta(minutes=event.changeover_minutes)
    return slots


def overrun(event: PitchEvent, slots: list[Slot]) -> datetime | None:
    """When the run of show ends, if that is after the event does."""
    if slots and slots[-1].ends_at > event.ends_at:
        return slots[-1].ends_at
    return None


def slot_of(event: PitchEvent, presenter: EventPresenter) -> Slot | None:
    return next((s for s in run_of_show(event) if s.presenter.id == presenter.id), None)


def events_for(user: User) -> list[PitchEvent]:
    """The events a user sees: staff, those of their school (organised or taking part);
    students, those their team's projects are entered in."""
    query = (
        sa.select(PitchEvent)
        .options(selectinload(PitchEvent.presenters), selectinload(PitchEvent.school))
        .order_by(PitchEvent.starts_at.desc())
    )  # the list shows each event's school and its number of pitches
    if user.is_site_admin:
        return list(db.session.scalars(query))
    if user.is_staff:
        partner = sa.select(EventSchool.event_id).where(EventSchool.school_id == user.school_id)
        return list(
            db.session.scalars(
                query.where(
                    sa.or_(
                        PitchEvent.school_id == user.school_id,
                        sa.and_(PitchEvent.id.in_(partner), PitchEvent.status != EventStatus.DRAFT),
                    )
                )
            )
        )
    if user.is_student:
        mine = (
            sa.select(EventPresenter.event_id)
            .join(Project, Project.id == EventPresenter.project_id)
            .join(TeamMembership, TeamMembership.team_id == Project.team_id)
            .where(TeamMembership.student_id == user.id)
        )
        return list(
            db.session.scalars(
                query.where(PitchEvent.id.in_(mine), PitchEvent.status != EventStatus.DRAFT)
            )
        )
    return []


def entries_of(project: Project) -> list[EventPresenter]:
    """The events a project is entered in (for its page), soonest first."""
    return list(
        db.session.scalars(
            sa.select(EventPresenter)
            .join(PitchEvent)
            .where(EventPresenter.project_id == project.id)
            .order_by(PitchEvent.starts_at)
        )
    )
