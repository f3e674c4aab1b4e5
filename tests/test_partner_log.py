"""The partner log written by the product, and follow-ups on the dashboard and in reminders."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from marketplace import clock
from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.messaging import service as messaging
from marketplace.models import (
    FollowUpTask,
    Notification,
    Partnership,
    PartnerStage,
    ProjectStatus,
    Touchpoint,
    TouchpointKind,
    utcnow,
)
from marketplace.notifications.scheduled import follow_up_reminders
from marketplace.organisations import services as organisations
from marketplace.pitch_events import guests, interests

from .helpers import words


def _entries(record: Partnership) -> list[Touchpoint]:
    return list(
        db.session.scalars(
            sa.select(Touchpoint)
            .where(Touchpoint.partnership_id == record.id)
            .order_by(Touchpoint.id)
        )
    )


def _record(school, organisation) -> Partnership:
    return db.session.scalar(
        sa.select(Partnership).filter_by(school_id=school.id, organisation_id=organisation.id)
    )


def test_interest_offers_and_verification_are_logged_on_the_schools_record(make):
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    project = make.project(
        make.team(classroom, [make.student(classroom)]),
        make.challenge(school, author=teacher),
        ProjectStatus.PUBLISHED,
        title="Clinic queue app",
    )
    organisation = make.organisation(pending_with=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Jordan", last_name="Lee")
    record = _record(school, organisation)
    organisations.decide(record, teacher, True, "Met them at the fair.")
    assert record.stage is PartnerStage.CONTACTED
    ladder.show_interest(project, employer, "We love it")
    assert record.stage is PartnerStage.ENGAGED
    entries = _entries(record)
    assert [e.kind for e in entries] == [TouchpointKind.NOTE, TouchpointKind.INTEREST]
    assert entries[0].summary == "The school verified the organisation. Met them at the fair."
    assert entries[0].owner_id == teacher.id and entries[0].automatic
    assert "showed interest in the project (Clinic queue app)." in entries[1].summary
    assert entries[1].link.startswith("/engagements/")
    assert record.last_contact_at == entries[1].occurred_at


def test_messages_in_the_schools_channel_are_logged_but_not_the_teams_threads(make):
    school = make.school()
    teacher = make.teacher(school=school)
    organisation = make.organisation(verified_by=[school], name="Bayview Credit Union")
    employer = make.employer(organisation, first_name="Sam", last_name="Ortiz")
    record = _record(school, organisation)
    thread = messaging.school_thread(school.id, organisation, teacher, "Career day")
    messaging.post_message(thread, teacher, "Could you speak at our career day on 12 March?")
    messaging.post_message(thread, employer, "Yes, happily.")
    classroom = make.classroom(teacher)
    team = make.team(classroom, [make.student(classroom)])
    engagement = make.engagement(
        make.project(team, make.challenge(school), ProjectStatus.PUBLISHED), employer
    )
    team_thread = messaging.engagement_thread(engagement, employer)
    messaging.post_message(team_thread, employer, "Hello team!")
    kinds = [(e.kind, e.summary) for e in _entries(record) if e.kind is not TouchpointKind.INTEREST]
    assert kinds == [
        (TouchpointKind.EMAIL, f"{teacher.full_name} wrote in “Career day”: Could you speak at "
         "our career day on 12 March?"),
        (TouchpointKind.MESSAGE, "Sam Ortiz wrote in “Career day”: Yes, happily."),
    ]  # fmt: skip
    assert record.stage is PartnerStage.ENGAGED


def test_an_event_lead_lands_on_the_record_with_a_follow_up_for_the_teacher(make):
    from marketplace.models import EventStatus

    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    project = make.project(
        make.team(classroom, [make.student(classroom)], name="Night Owls"),
        make.challenge(school, author=teacher),
        ProjectStatus.PUBLISHED,
        title="Route planner",
    )
    event = make.pitch_event(author=teacher, status=EventStatus.CLOSED, presenters=[project])
    record = make.prospect(school, "Kauri Builders")
    guest = make.event_guest(
        event, name="Ana Kahu", email="ana@kauri.example", organisation_id=record.organisation_id
    )
    interests.express(guest, event.presenters[0], "Interns in June")
    [entry] = [e for e in _entries(record) if e.kind is TouchpointKind.LEAD]
    assert [c.name for c in record.contacts] == ["Ana Kahu"]  # the guest is now a contact
    assert "Ana Kahu (ana@kauri.example) would like to work with Night Owls" in entry.summary
    assert "Interns in June" in entry.summary
    [task] = db.session.scalars(sa.select(FollowUpTask)).all()
    assert task.assignee_id == teacher.id and task.partnership_id == record.id
    assert task.due_on == clock.school_today(school) + timedelta(days=2)
    assert record.stage is PartnerStage.ENGAGED


def test_a_lead_from_a_guest_of_no_known_organisation_becomes_a_prospect_with_its_contact(make):
    from marketplace.models import EventStatus

    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    project = make.project(
        make.team(classroom, [make.student(classroom)]),
        make.challenge(school, author=teacher),
        ProjectStatus.PUBLISHED,
    )
    event = make.pitch_event(author=teacher, status=EventStatus.CLOSED, presenters=[project])
    for name in ("Sam Ortiz", "Ana Ortiz"):
        guest = make.event_guest(
            event, name=name, email=f"{name[:3].lower()}@ortizlogistics.example"
        )
        interests.express(guest, event.presenters[0])
    [record] = db.session.scalars(
        sa.select(Partnership).where(Partnership.school_id == school.id)
    ).all()
    assert record.organisation.name == "ortizlogistics.example"
    assert record.source == "pitch event" and record.recommended_by == event.title
    assert sorted(c.email for c in record.contacts) == [
        "ana@ortizlogistics.example",
        "sam@ortizlogistics.example",
    ]
    assert [e.kind for e in _entries(record)] == [TouchpointKind.LEAD, TouchpointKind.LEAD]
    tasks = db.session.scalars(sa.select(FollowUpTask)).all()
    assert len(tasks) == 2 and all(t.partnership_id == record.id for t in tasks)


def test_inviting_a_partners_people_to_an_event_is_logged(make):
    from marketplace.models import EventStatus, GuestRole

    school = make.school()
    teacher = make.teacher(school=school)
    event = make.pitch_event(author=teacher, status=EventStatus.PUBLISHED)
    record = make.prospect(school, "Kauri Builders")
    guests.invite(
        event,
        teacher,
        [guests.Invitee("ana@kauri.example", "Ana Kahu", record.organisation_id)],
        GuestRole.JUDGE,
    )
    [entry] = _entries(record)
    assert entry.kind is TouchpointKind.INVITATION
    assert entry.summary == f"Ana Kahu was invited to judge {event.title}."
    assert record.stage is PartnerStage.CONTACTED


def test_follow_ups_are_reminded_when_due_and_once_when_overdue(make):
    school = make.school(timezone="America/Los_Angeles")
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Harbor Bakery")
    today = clock.school_today(school)
    task = make.follow_up(record, teacher, title="Call Dana", due_on=today + timedelta(days=1))
    where = clock.zone(school.timezone)

    def at(day, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=where)

    def subjects() -> list[str]:
        return [
            n.subject
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.user_id == teacher.id)
            )
        ]

    assert follow_up_reminders(at(today, 23)) == 0  # tomorrow in the school's zone
    assert follow_up_reminders(at(today + timedelta(days=1), 7)) == 1
    assert follow_up_reminders(at(today + timedelta(days=1), 15)) == 0
    assert subjects() == ["Due today: Call Dana (Harbor Bakery)"]
    assert follow_up_reminders(at(today + timedelta(days=2), 7)) == 1
    assert follow_up_reminders(at(today + timedelta(days=5), 7)) == 0
    assert subjects()[-1] == "Overdue: Call Dana (Harbor Bakery)"
    task.done_at = utcnow()
    other = make.follow_up(record, teacher, title="Done already", due_on=today)
    other.done_at = utcnow()
    assert follow_up_reminders(at(today + timedelta(days=9), 7)) == 0


def test_the_dashboard_shows_the_overdue_follow_up_and_ticks_it(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Harbor Bakery")
    today = clock.school_today(school)
    task = make.follow_up(record, teacher, title="Send the brochure", due_on=today - timedelta(3))
    make.follow_up(record, make.teacher(school=school), title="Not mine", due_on=today)
    db.session.commit()
    login(teacher)
    page = words(client.get("/dashboard"))
    assert "Harbor Bakery: Send the brochure overdue since" in page
    assert "Not mine" not in page
    response = client.post(f"/partners/tasks/{task.id}/done", data={"back": "dashboard"})
    assert response.headers["Location"].endswith("/dashboard#follow-ups")
    assert "Nothing to follow up." in words(client.get("/dashboard"))
