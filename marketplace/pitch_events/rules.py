"""Who may do what with pitch events: the one place to look."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    EventGuest,
    EventInterest,
    EventPresenter,
    EventStatus,
    Judgement,
    PitchEvent,
    Project,
    RubricCriterion,
    TeamMembership,
    User,
)

OPEN_FOR_ENTRIES = frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED})
DECLINABLE = frozenset({EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.LIVE})


def can_create(user: User) -> bool:
    """Teachers and school admins run events for their school."""
    return user.is_staff and user.school_id is not None


def can_organise(event: PitchEvent, user: User) -> bool:
    """The organising school's staff edit the event, move it along and arrange the run of show."""
    return user.is_staff_of(event.school_id)


def takes_part(event: PitchEvent, user: User) -> bool:
    """Staff of the organising school; once published, staff of the schools taking part."""
    if can_organise(event, user):
        return True
    return (
        event.status is not EventStatus.DRAFT
        and user.is_staff
        and user.school_id in event.school_ids
    )


def presents(event: PitchEvent, user: User) -> bool:
    """A student whose team's project is entered (declined or not: they see what they said),
    once the event is published: a draft is the organisers' alone."""
    if not user.is_student or event.status is EventStatus.DRAFT:
        return False
    entry = (
        sa.select(EventPresenter.id)
        .join(Project, Project.id == EventPresenter.project_id)
        .join(TeamMembership, TeamMembership.team_id == Project.team_id)
        .where(EventPresenter.event_id == event.id, TeamMembership.student_id == user.id)
        .limit(1)
    )
    return db.session.scalar(entry) is not None  # one statement, however many entries


def can_edit(event: PitchEvent, user: User) -> bool:
    """The organisers change the event until it closes."""
    return can_organise(event, user) and event.status in (
        EventStatus.DRAFT,
        EventStatus.PUBLISHED,
        EventStatus.LIVE,
    )


def can_view(event: PitchEvent, user: User) -> bool:
    """The staff of the schools taking part, and the teams entered; the site admin."""
    return takes_part(event, user) or presents(event, user) or user.is_site_admin


def can_enter_projects(event: PitchEvent, user: User) -> bool:
    """A teacher of a school taking part enters their school's published projects, until the
    event goes live."""
    return takes_part(event, user) and event.status in OPEN_FOR_ENTRIES


def can_see_presenter(presenter: EventPresenter, user: User) -> bool:
    """An entry, for whoever sees its event."""
    return can_view(presenter.event, user)


def can_withdraw(presenter: EventPresenter, user: User) -> bool:
    """The organisers, or the staff of the project's school, take an entry back before the
    event goes live."""
    event = presenter.event
    return (
        event.status in OPEN_FOR_ENTRIES
        and not presenter.declined  # a team's no is theirs: it is not erased
        and (can_organise(event, user) or user.is_staff_of(presenter.project.school_id))
    )


def can_arrange(presenter: EventPresenter, user: User) -> bool:
    """The organisers order the run of show and set a slot's length (of the pitches entered)."""
    return (
        can_organise(presenter.event, user)
        and presenter.event.status is not EventStatus.RELEASED
        and not presenter.declined
    )


def is_presenting_team(presenter: EventPresenter, user: User) -> bool:
    """A member of the entered project's team."""
    return user.is_student and user.id in {m.student_id for m in presenter.project.team.memberships}


def can_decline(presenter: EventPresenter, user: User) -> bool:
    """A member of the team says no, for the team, until the event closes."""
    return (
        is_presenting_team(presenter, user)
        and not presenter.declined
        and presenter.event.status in DECLINABLE
    )


def can_see_guest(guest: EventGuest, user: User) -> bool:
    """A guest's row, for whoever sees the event."""
    return can_view(guest.event, user)


def can_manage_guest(guest: EventGuest, user: User) -> bool:
    """The organisers check guests in and withdraw invitations."""
    return can_organise(guest.event, user)


# --- judging and results -----------------------------------------------------------------------

RESULTS_KEPT = frozenset({EventStatus.CLOSED, EventStatus.RELEASED})


def can_see_results(event: PitchEvent, user: User) -> bool:
    """The live leaderboard, the judges set aside, the awards and the event's report: the
    organisers only (teams read their own feedback once released)."""
    return can_organise(event, user)


def can_judge_setup(event: PitchEvent, user: User) -> bool:
    """The organisers change the rubric until the event goes live (scores then mean one thing)."""
    return can_organise(event, user) and event.status in OPEN_FOR_ENTRIES


def can_see_criterion(criterion: RubricCriterion, user: User) -> bool:
    return can_view(criterion.event, user)


def can_change_criterion(criterion: RubricCriterion, user: User) -> bool:
    return can_judge_setup(criterion.event, user)


def can_assign(event: PitchEvent, user: User) -> bool:
    """The organisers give pitches their judges, before and during the event."""
    return can_organise(event, user) and event.status in (
        EventStatus.PUBLISHED,
        EventStatus.LIVE,
    )


def can_set_aside(guest: EventGuest, user: User) -> bool:
    """The organisers set a judge's scores aside (or count them again) until the release."""
    return (
        can_organise(guest.event, user)
        and guest.judge
        and guest.event.status in (EventStatus.LIVE, EventStatus.CLOSED)
    )


def can_award(event: PitchEvent, user: User) -> bool:
    """The organisers name awards and choose winners until the results are released."""
    return can_organise(event, user) and event.status not in (
        EventStatus.DRAFT,
        EventStatus.RELEASED,
    )


def can_read_feedback(presenter: EventPresenter, user: User) -> bool:
    """Once the results are released: the team, their school's staff and the organisers."""
    return presenter.event.status is EventStatus.RELEASED and (
        is_presenting_team(presenter, user)
        or user.is_staff_of(presenter.project.school_id)
        or can_organise(presenter.event, user)
    )


def can_decide_comment(judgement: Judgement, user: User) -> bool:
    """A comment held for a contact detail: the staff of the team's school let it through."""
    return user.is_staff_of(judgement.presenter.project.school_id)


def can_follow_up(interest: EventInterest, user: User) -> bool:
    """A lead: the staff of the team's school, and the organisers."""
    return user.is_staff_of(interest.presenter.project.school_id) or can_organise(
        interest.presenter.event, user
    )


def is_public(event: PitchEvent) -> bool:
    """The public page: once published (awards once released)."""
    return event.status is not EventStatus.DRAFT
