"""The demo's demo day: Riverside's spring pitch event, published, two weeks ahead, with the
school's first published projects entered by their teacher (one team has declined, with its
reason), partners' members invited as judges and a chamber of commerce contact as a guest, so
the run of show, a team's slot, the guest list and an invitation all have something to show."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    EventStatus,
    GuestRole,
    PitchEvent,
    Project,
    ProjectStatus,
    School,
    Team,
    utcnow,
)
from ..pitch_events import guests, services

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
