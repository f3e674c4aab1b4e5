"""The demo's demo day: Riverside's spring pitch event, published, two weeks ahead, with the
school's first published projects entered by their teacher (one team has declined, with its
reason), partners' members invited as judges and a chamber of commerce contact as a guest, so
the run of show, a team's slot, the guest list and an invitation all have something to show.
And a past one, judged and released, so the results, a team's feedback, the public page with its
award and the event's report have something to show too."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import (
    EventGuest,
    EventInterest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    PitchEvent,
    Project,
    ProjectStatus,
    School,
    Team,
    User,
    utcnow,
)
from ..pitch_events import guests, interests, judging, results, services
from .engagements import _stamp

SCHOOL = "Riverside High School"
TITLE = "Riverside Spring Demo Day"


def seed_events() -> None:
    school = db.session.scalar(sa.select(School).filter_by(name=SCHOOL))
    if school is None:
        return
    projects = list(
        db.session.scalars(
            sa.select(Project)
            .where(Project.school_id == school.id, Project.status == ProjectStatus.PUBLISHED)
            .order_by(Project.id)
            .limit(5)
        )
    )
    if not projects:
        return
    teacher = projects[0].team.classroom.teacher
    others = [s.id for s in db.session.scalars(sa.select(School).where(School.id != school.id))]
    event = services.save_event(
        PitchEvent(),
        teacher,
        title=TITLE,
        description=(
            "Teams from Riverside and its partner schools pitch what they built for local "
            "employers' challenges: five minutes each, then questions. Guests from local "
            "businesses are welcome; judges score each pitch."
        ),
        day=(utcnow() + timedelta(days=14)).date(),
        starts=time(17, 30),
        ends=time(19, 30),
        place="Riverside High School library, 400 River Road",
        online_url="",
        capacity=60,
        pitch_minutes=5,
        changeover_minutes=2,
        min_judges=3,
        partner_ids=others[:1],
    )
    services.move_event(event, EventStatus.PUBLISHED, teacher)
    entries = []
    for project in projects:
        if teacher.is_staff_of(project.school_id):
            entries.append(services.enter(event, project, teacher))
    # Guests: the partners' members as judges, a prospect's contact as a guest; two answered.
    judges = guests.members_as_invitees(event, [m.id for m in guests.invitable_members(event)][:3])
    invited = guests.invite(event, teacher, judges, GuestRole.JUDGE)
    invited += guests.invite(
        event,
        teacher,
        [guests.Invitee("dana.cole@rivervalleychamber.example", "Dana Cole")],
        GuestRole.GUEST,
    )
    for guest in invited[:2]:
        guests.answer(guest, True)
    if len(entries) > 2:  # one team cannot make it, and said why
        declined = entries[-1]
        team: Team = declined.project.team
        if team.memberships:
            services.decline(
                declined, team.memberships[0].student, "Two of us have a robotics meet that day."
            )
    seed_past_event(school, teacher, projects[:4], others[:1])


PAST_TITLE = "Riverside Winter Demo Day"
COMMENTS = (
    "The interviews with front-desk staff made the problem real. Show the numbers next time.",
    "A clear, well-timed pitch. I'd love to see it tried for a week in one clinic.",
    "Strong idea; the cost of running it is the open question.",
    "Great answers to our questions. Tell us who would own it after you.",
)


def seed_past_event(
    school: School, teacher: User, projects: list[Project], partner_ids: list[int]
) -> None:
    """Last week, judged and released: scores and comments for each team, an award, a
    judge's interest that became an engagement and a prospect's that waits as a lead. Made now,
    then everything it wrote is dated to the evening it happened."""
    started = utcnow()
    event = services.save_event(
        PitchEvent(),
        teacher,
        title=PAST_TITLE,
        description="Our first demo day: four teams, three judges from partner organisations.",
        day=(utcnow() + timedelta(days=1)).date(),
        starts=time(17, 0),
        ends=time(18, 30),
        place="Riverside High School library, 400 River Road",
        online_url="",
        capacity=40,
        pitch_minutes=6,
        changeover_minutes=2,
        min_judges=2,
        partner_ids=partner_ids,
    )
    services.move_event(event, EventStatus.PUBLISHED, teacher)
    entries = [
        services.enter(event, p, teacher) for p in projects if teacher.is_staff_of(p.school_id)
    ]
    members = [m.id for m in guests.invitable_members(event)][:3]
    judges = guests.invite(
        event, teacher, guests.members_as_invitees(event, members), GuestRole.JUDGE
    )
    [prospect] = guests.invite(
        event,
        teacher,
        [guests.Invitee("sam.ortiz@ortizlogistics.example", "Sam Ortiz")],
        GuestRole.GUEST,
    )
    for guest in [*judges, prospect]:
        guests.answer(guest, True)
        guests.check_in(guest, teacher)
    services.move_event(event, EventStatus.LIVE, teacher)
    criteria = judging.rubric(event)
    for j, judge in enumerate(judges):
        for n, entry in enumerate(entries):
            if entry.id not in judging.assigned_to(judge):
                continue
            base = 5 - n + (1 if j == 1 else 0) - (1 if j == 2 else 0)  # a generous, a strict
            scores = {c.id: max(1, min(5, base + (c.position % 2))) for c in criteria}
            judging.judge(judge, entry, scores, COMMENTS[(n + j) % len(COMMENTS)])
    if judges and entries:
        interests.express(judges[0], entries[0], "We could mentor this team this spring.")
    if entries:
        interests.express(prospect, entries[-1], "We hire summer interns; can we talk?")
    services.move_event(event, EventStatus.CLOSED, teacher)
    board = results.results(event)
    best = results.add_award(event, "Best pitch", "")
    if board.standings and board.standings[0].rank:
        results.give_award(best, board.standings[0].presenter)
    services.move_event(event, EventStatus.RELEASED, teacher)
    # It happened last week: the same wall-clock times at the school, nine days back.
    zone = clock.zone(school.timezone)
    starts, ends = clock.local(event.starts_at, zone), clock.local(event.ends_at, zone)
    event.starts_at = services.at_school(school, starts.date() - timedelta(days=9), starts.time())
    event.ends_at = services.at_school(school, ends.date() - timedelta(days=9), ends.time())
    db.session.flush()
    start, end = event.starts_at, event.ends_at
    _stamp(end, started)  # the engagement, its timeline, notifications and mail
    for key, values in (
        (PitchEvent.id, {"created_at": start - timedelta(days=21), "updated_at": end}),
        (EventPresenter.event_id, {"entered_at": start - timedelta(days=20)}),
        (
            EventGuest.event_id,
            {
                "invited_at": start - timedelta(days=14),
                "rsvp_at": start - timedelta(days=10),
                "checked_in_at": start - timedelta(minutes=10),
            },
        ),
        (
            Judgement.event_id,
            {
                "created_at": start + timedelta(minutes=40),
                "updated_at": start + timedelta(minutes=40),
            },
        ),
        (EventInterest.event_id, {"created_at": end}),
    ):
        db.session.execute(
            sa.update(key.class_)
            .where(key == event.id)
            .values(values)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    db.session.expire_all()
