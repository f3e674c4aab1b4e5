"""Pitch events, the first part: an organiser plans a demo day in the school's time, teachers of
the schools taking part enter published projects, the teams are told and may decline, and the
run of show follows the order and each pitch's length."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    EventPresenter,
    EventStatus,
    Notification,
    PitchEvent,
    PresenterStatus,
    ProjectStatus,
    utcnow,
)
from marketplace.pitch_events import services

from .helpers import field_errors, flashes, school_today, text_of


@pytest.fixture
def scene(make):
    """A school in Los Angeles with a teacher, a team of two and two published projects."""
    school = make.school(timezone="America/Los_Angeles")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    ava, ben = make.student(classroom), make.student(classroom)
    team = make.team(classroom, [ava, ben])
    challenge = make.challenge(school, author=teacher)
    first = make.project(team, challenge, ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    second = make.project(
        make.team(classroom, [make.student(classroom)]),
        challenge,
        ProjectStatus.PUBLISHED,
        title="Dock Sentinel",
    )
    return school, teacher, (ava, ben), first, second


DAY = school_today() + timedelta(days=20)


def event_form(**changes: str) -> dict[str, str]:
    form = {
        "title": "Riverside Demo Day",
        "description": "Eight teams, five minutes each.",
        "day": DAY.isoformat(),
        "starts": "17:30",
        "ends": "19:00",
        "place": "Library, 12 Main St",
        "online_url": "",
        "pitch_minutes": "6",
        "changeover_minutes": "2",
        "min_judges": "3",
    }
    return {**form, **changes}


def test_an_organiser_plans_an_event_in_the_schools_time(client, login, scene):
    school, teacher, *_ = scene
    login(teacher)
    assert "Plan a pitch event" in text_of(client.get("/events"))
    made = client.post("/events/new", data=event_form(), follow_redirects=True)
    assert flashes(made) == ["“Riverside Demo Day” is saved."]
    event = db.session.scalars(sa.select(PitchEvent)).one()
    # 17:30 in Los Angeles is 01:30 UTC the next day (PDT/PST: 00:30 or 01:30)
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    assert (local.date(), local.hour, local.minute) == (DAY, 17, 30)
    assert event.starts_at.tzinfo is not None and event.status is EventStatus.DRAFT
    assert event.school_id == school.id
    page = text_of(made)
    assert "Only your school's staff see a draft" in page
    assert "Publish to the schools taking part" in page
    assert "Times are Los Angeles time" in page
    edit = text_of(client.get(f"/events/{event.id}/edit"))
    assert 'value="17:30"' in edit and f'value="{DAY.isoformat()}"' in edit


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "17:00"}, "ends", "The event must end after it starts."),
        ({"place": "", "online_url": ""}, "place", "Give a place, an online link, or both."),
        ({"pitch_minutes": "0"}, "pitch_minutes", "Number must be between 1 and 60."),
        ({"title": ""}, "title", "This field is required."),
    ],
    ids=["ends before it starts", "nowhere", "no time to pitch", "no title"],
)
def test_a_wrong_event_form_says_why_and_keeps_what_was_typed(
    client, login, scene, changes, field, message
):
    login(scene[1])
    refused = client.post("/events/new", data=event_form(**changes))
    assert refused.status_code == 422
    assert message in field_errors(refused)
    assert "Eight teams, five minutes each." in text_of(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PitchEvent)) == 0


def test_an_event_whose_time_has_passed_cannot_be_published(client, login, make, scene):
    _school, teacher, *_ = scene
    event = make.pitch_event(author=teacher, status=EventStatus.DRAFT)
    event.starts_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    login(teacher)
    refused = client.post(f"/events/{event.id}/status/published", follow_redirects=True)
    assert flashes(refused) == [
        "The event's time has passed; change its date before publishing it."
    ]
    db.session.expire_all()
    assert event.status is EventStatus.DRAFT


def test_the_event_moves_through_its_states_in_order(client, login, make, scene):
    _school, teacher, *_ = scene
    event = make.pitch_event(author=teacher, status=EventStatus.DRAFT)
    login(teacher)
    for to, said in (
        ("published", "published: the schools taking part see it"),
        ("live", "live"),
        ("closed", "closed"),
        ("released", "closed, and its results are released to the teams"),
    ):
        done = client.post(f"/events/{event.id}/status/{to}", follow_redirects=True)
        assert flashes(done) == [f"“{event.title}” is {said}."]
    refused = client.post(f"/events/{event.id}/status/draft", follow_redirects=True)
    assert flashes(refused) == ["A released event cannot become draft."]


def test_a_teacher_enters_a_project_and_its_team_is_told(client, login, make, scene):
    _school, teacher, (ava, ben), first, _second = scene
    event = make.pitch_event(author=teacher)
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "CheckIn Buddy — team" in page and "Dock Sentinel — team" in page
    done = client.post(
        f"/events/{event.id}/presenters", data={"project_id": first.id}, follow_redirects=True
    )
    assert flashes(done) == ["“CheckIn Buddy” is entered; its team is told and may decline."]
    told = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "event_entered")
    ).all()
    assert {n.user_id for n in told} == {ava.id, ben.id}
    assert told[0].subject == f"“CheckIn Buddy” will pitch at {event.title}"
    assert told[0].link == f"/events/{event.id}"
    again = client.post(f"/events/{event.id}/presenters", data={"project_id": first.id})
    assert again.status_code == 422  # no longer among the projects to enter
    assert field_errors(again) == ["Choose one of the projects listed."]


def test_only_published_projects_of_ones_own_school_are_entered(client, login, make, scene):
    _school, teacher, _, first, _ = scene
    event = make.pitch_event(author=teacher)
    draft = make.project(first.team, first.challenge, title="Half Done")
    elsewhere = make.project(status=ProjectStatus.PUBLISHED, title="Elsewhere")
    login(teacher)
    for project in (draft, elsewhere):
        refused = client.post(f"/events/{event.id}/presenters", data={"project_id": project.id})
        assert refused.status_code == 422
        assert field_errors(refused) == ["Choose one of the projects listed."]
    with pytest.raises(services.EventError, match="not published"):
        services.enter(event, draft, teacher)
    with pytest.raises(services.EventError, match="own school's projects"):
        services.enter(event, elsewhere, teacher)


def test_the_run_of_show_follows_the_order_and_each_slots_length(client, login, make, scene):
    _school, teacher, _, first, second = scene
    event = make.pitch_event(
        author=teacher, presenters=[first, second], pitch_minutes=5, changeover_minutes=1
    )
    third = make.project(first.team, first.challenge, ProjectStatus.PUBLISHED, title="Quiet Queue")
    services.enter(event, third, teacher)
    slots = services.run_of_show(event)
    start = event.starts_at
    assert [(s.presenter.project.title, s.starts_at - start) for s in slots] == [
        ("CheckIn Buddy", timedelta(0)),
        ("Dock Sentinel", timedelta(minutes=6)),
        ("Quiet Queue", timedelta(minutes=12)),
    ]
    login(teacher)
    client.post(f"/events/presenters/{slots[2].presenter.id}/move/up")
    client.post(f"/events/presenters/{slots[0].presenter.id}/minutes", data={"minutes": "10"})
    db.session.expire_all()
    slots = services.run_of_show(event)
    assert [(s.presenter.project.title, s.minutes, s.starts_at - start) for s in slots] == [
        ("CheckIn Buddy", 10, timedelta(0)),
        ("Quiet Queue", 5, timedelta(minutes=11)),
        ("Dock Sentinel", 5, timedelta(minutes=17)),
    ]
    page = text_of(client.get(f"/events/{event.id}"))
    assert page.index("Quiet Queue") < page.index("Dock Sentinel")
    refused = client.post(
        f"/events/presenters/{slots[0].presenter.id}/minutes",
        data={"minutes": "500"},
        follow_redirects=True,
    )
    assert flashes(refused) == ["Number must be between 1 and 60."]


def test_a_team_declines_and_its_teacher_is_told_why(client, login, make, scene):
    _school, teacher, (ava, ben), first, _ = scene
    event = make.pitch_event(author=teacher, presenters=[first])
    entry = event.presenters[0]
    login(ava)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "Your team's slot." in page and "Decline for your team" in page
    done = client.post(
        f"/events/presenters/{entry.id}/decline",
        data={"reason": "Ben is away that week."},
        follow_redirects=True,
    )
    assert flashes(done) == [f"Your team will not pitch at {event.title}; your teacher is told."]
    db.session.expire_all()
    assert entry.status is PresenterStatus.DECLINED and entry.declined_by_id == ava.id
    note = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "event_declined")
    ).one()
    assert note.user_id == teacher.id
    assert "They said: Ben is away that week." in note.body
    login(ben)
    assert client.post(f"/events/presenters/{entry.id}/decline").status_code == 403
    assert services.run_of_show(event) == []
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "“Ben is away that week.”" in page
    with pytest.raises(services.EventError, match="declined this event"):
        services.enter(event, first, teacher)


def test_a_school_taking_part_enters_its_own_teams_and_sees_the_event(client, login, make, scene):
    school, teacher, _, first, _ = scene
    partner = make.school(name="Harbor High")
    partner_teacher = make.teacher(school=partner)
    partner_project = make.project(
        make.team(make.classroom(partner_teacher), [make.student()]),
        make.challenge(partner, author=partner_teacher),
        ProjectStatus.PUBLISHED,
        title="Harbor Helper",
    )
    outsider = make.teacher(school=make.school())
    event = make.pitch_event(author=teacher, presenters=[first], partners=[partner])
    login(outsider)
    assert client.get(f"/events/{event.id}").status_code == 404
    login(partner_teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert f"Run by {school.name} with Harbor High." in page
    assert "Harbor Helper — team" in page and "CheckIn Buddy — team" not in page
    done = client.post(
        f"/events/{event.id}/presenters",
        data={"project_id": partner_project.id},
        follow_redirects=True,
    )
    assert flashes(done) == ["“Harbor Helper” is entered; its team is told and may decline."]
    assert client.post(f"/events/{event.id}/status/live").status_code == 403  # not theirs
    assert "run by " + school.name in text_of(client.get("/events"))
    # the organiser cannot drop a school whose projects are entered
    login(teacher)
    kept = client.post(f"/events/{event.id}/edit", data=event_form())
    assert kept.status_code == 422
    assert "Harbor High still has projects entered; withdraw them first." in field_errors(kept)


def test_entries_are_withdrawn_before_the_event_goes_live_not_after(client, login, make, scene):
    _school, teacher, _, first, second = scene
    event = make.pitch_event(author=teacher, presenters=[first, second])
    login(teacher)
    done = client.post(
        f"/events/presenters/{event.presenters[1].id}/withdraw", follow_redirects=True
    )
    assert flashes(done) == ["“Dock Sentinel” is no longer entered."]
    event.status = EventStatus.LIVE
    db.session.flush()
    assert client.post(f"/events/presenters/{event.presenters[0].id}/withdraw").status_code == 403


def test_a_student_sees_only_the_events_their_team_is_in(client, login, make, scene):
    _school, teacher, (ava, _), first, second = scene
    mine = make.pitch_event(author=teacher, presenters=[first], title="Mine")
    theirs = make.pitch_event(author=teacher, presenters=[second], title="Theirs")
    login(ava)
    listing = text_of(client.get("/events"))
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/events/{theirs.id}").status_code == 404
    assert client.get(f"/events/{mine.id}").status_code == 200


def test_two_teachers_entering_the_same_project_at_once_enter_it_once(make, scene):
    school, teacher, _, first, _ = scene
    colleague = make.teacher(school=school)
    event = make.pitch_event(author=teacher)
    services.enter(event, first, teacher)
    with pytest.raises(services.EventError, match="entered already"):
        services.enter(event, first, colleague)
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EventPresenter)
        .where(EventPresenter.event_id == event.id)
    )
    assert count == 1


def test_times_are_read_in_the_schools_zone_across_a_clock_change(scene):
    school = scene[0]
    winter = services.at_school(school, date(2027, 1, 15), datetime.min.time().replace(hour=9))
    summer = services.at_school(school, date(2027, 7, 15), datetime.min.time().replace(hour=9))
    assert winter == datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    assert summer == datetime(2027, 7, 15, 16, 0, tzinfo=UTC)


def test_the_project_page_tells_the_team_when_it_pitches(client, login, make, scene):
    _school, teacher, (ava, _), first, second = scene
    event = make.pitch_event(author=teacher, presenters=[second, first], title="Spring Demo Day")
    login(ava)
    page = text_of(client.get(f"/projects/{first.id}"))
    assert "Spring Demo Day" in page and "— pitch 2, at" in page and "(5 min)" in page
    employer = make.employer(make.organisation(verified_by=[first.school]))
    login(employer)
    assert "Spring Demo Day" not in text_of(client.get(f"/projects/{first.id}"))
    assert event.id


def test_a_draft_is_the_organisers_alone_and_its_teams_hear_when_it_is_published(
    client, login, make, scene
):
    _school, teacher, (ava, _), first, _ = scene
    partner = make.school()
    partner_teacher = make.teacher(school=partner)
    event = make.pitch_event(author=teacher, status=EventStatus.DRAFT, partners=[partner])
    services.enter(event, first, teacher)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.kind == "event_entered")
        )
        == 0
    )  # not yet: the team could not open it
    login(ava)
    assert client.get(f"/events/{event.id}").status_code == 404
    assert event.title not in text_of(client.get("/events"))
    login(partner_teacher)
    assert client.get(f"/events/{event.id}").status_code == 404
    login(teacher)
    client.post(f"/events/{event.id}/status/published")
    told = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "event_entered")
    ).all()
    assert set(told) == {m.student_id for m in first.team.memberships}
    login(ava)
    assert client.get(f"/events/{event.id}").status_code == 200


def test_a_teams_no_cannot_be_withdrawn_or_reordered_away(client, login, make, scene):
    _school, teacher, (ava, _), first, second = scene
    event = make.pitch_event(author=teacher, presenters=[first, second])
    declined = event.presenters[0]
    services.decline(declined, ava, "Exams.")
    login(teacher)
    assert client.post(f"/events/presenters/{declined.id}/withdraw").status_code == 403
    assert client.post(f"/events/presenters/{declined.id}/move/down").status_code == 403
    db.session.expire_all()
    assert declined.status is PresenterStatus.DECLINED and declined.decline_reason == "Exams."


def test_an_event_with_guests_is_changed_not_unpublished_and_a_long_show_is_flagged(
    client, login, make, scene
):
    _school, teacher, _, first, second = scene
    event = make.pitch_event(author=teacher, presenters=[first, second], pitch_minutes=60)
    make.event_guest(event)
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "after the event's end" in page  # two hours of pitches plus a changeover
    refused = client.post(f"/events/{event.id}/status/draft", follow_redirects=True)
    assert flashes(refused) == [
        "Guests are invited: change the event (they get the update) rather than unpublish it."
    ]
    event.status = EventStatus.CLOSED
    db.session.flush()
    assert client.get(f"/events/{event.id}/edit").status_code == 403
