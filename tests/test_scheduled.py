"""The scheduled follow-ups: each job tells the right people, once per period, and nobody else."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Engagement,
    MailFrequency,
    Message,
    MessageFlag,
    MessageState,
    Notification,
    NotificationMail,
    Offer,
    OfferRecipient,
    OfferStatus,
    OutgoingMail,
    Project,
    ProjectStatus,
    Rung,
    Team,
    Thread,
    ThreadKind,
    User,
    utcnow,
)
from marketplace.notifications import digests, scheduled, summaries
from marketplace.notifications.service import notify

from .factories import Factory
from .helpers import Outbox, school_today

NOW = utcnow()
CLUSTER = "Digital Technology"  # the factories' organisations' cluster


@dataclass
class World:
    """Two schools. School A: teacher (team with two students), another teacher, an admin;
    an organisation verified by A with two members. School B: a teacher and her team, an
    organisation verified by B only."""

    teacher: User
    other_teacher: User
    admin: User
    student: User
    teammate: User
    team: Team
    employer: User
    colleague: User
    teacher_b: User
    student_b: User
    team_b: Team
    employer_b: User
    project: Project
    project_b: Project


@pytest.fixture
def world(make: Factory) -> World:
    school, school_b = make.school(), make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    student, teammate = make.student(classroom), make.student(classroom)
    team = make.team(classroom, members=[student, teammate], name="Falcons")
    organisation = make.organisation(verified_by=[school], name="Acme Tools")
    teacher_b = make.teacher(school=school_b)
    student_b = make.student(make.classroom(teacher=teacher_b))
    team_b = make.team(members=[student_b], name="Otters")
    challenge = make.challenge(school, career_cluster=CLUSTER, author=teacher)
    challenge_b = make.challenge(school_b, career_cluster=CLUSTER, author=teacher_b)
    return World(
        teacher=teacher,
        other_teacher=make.teacher(school=school),
        admin=make.school_admin(school=school),
        student=student,
        teammate=teammate,
        team=team,
        employer=make.employer(organisation),
        colleague=make.employer(organisation),
        teacher_b=teacher_b,
        student_b=student_b,
        team_b=team_b,
        employer_b=make.employer(make.organisation(verified_by=[school_b], name="Beta Labs")),
        project=make.project(
            team, challenge, ProjectStatus.PUBLISHED, published_at=NOW - timedelta(days=30)
        ),
        project_b=make.project(
            team_b, challenge_b, ProjectStatus.PUBLISHED, published_at=NOW - timedelta(days=30)
        ),
    )


def notified(kind: str) -> dict[int, list[Notification]]:
    """user id → their notifications of `kind`."""
    found: dict[int, list[Notification]] = {}
    for note in db.session.scalars(sa.select(Notification).filter_by(kind=kind)):
        found.setdefault(note.user_id, []).append(note)
    return found


def mails(kind: str) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).filter_by(kind=kind)))


def run(job, now: datetime = NOW) -> int:
    count = job(now)
    db.session.commit()  # delivered inline to the outbox folder
    return count


# --- stalled engagements ----------------------------------------------------------------------


def stalled_engagement(make: Factory, world: World, days: int = 20) -> Engagement:
    return make.engagement(
        world.project, world.employer, checked=False, last_event_at=NOW - timedelta(days=days)
    )


def test_stalled_engagement_reminds_the_organisation_and_the_teacher(make, world):
    engagement = stalled_engagement(make, world)
    make.engagement(world.project_b, world.employer_b, checked=False)  # active, not stalled

    assert run(scheduled.stalled_reminders) == 3

    told = notified("engagement_stalled")
    assert set(told) == {world.employer.id, world.colleague.id, world.teacher.id}
    note = told[world.employer.id][0]
    assert note.link == f"/engagements/{engagement.id}"
    assert "The employer can claim to mentor the team." in note.body
    assert "Falcons" in note.body
    assert "Acme Tools" in told[world.teacher.id][0].body


def test_stalled_reminder_is_sent_once_per_stall(make, world):
    engagement = stalled_engagement(make, world)
    assert run(scheduled.stalled_reminders) == 3
    assert run(scheduled.stalled_reminders) == 0
    assert run(scheduled.stalled_reminders, NOW + timedelta(days=1)) == 0

    engagement.last_event_at = NOW - timedelta(days=1)  # new activity: no longer stalled
    db.session.flush()
    assert run(scheduled.stalled_reminders) == 0
    # …and after another silent stretch, a new stall reminds again.
    assert run(scheduled.stalled_reminders, NOW + timedelta(days=20)) == 3
    assert len(notified("engagement_stalled")[world.teacher.id]) == 2


def test_stall_follows_the_schools_stall_days(make, world):
    stalled_engagement(make, world, days=10)
    assert run(scheduled.stalled_reminders) == 0  # the default is 14 days
    world.project.team.classroom.school.stall_days = 7
    db.session.flush()
    assert run(scheduled.stalled_reminders) == 3


def test_closed_engagement_is_not_stalled(make, world):
    from marketplace.models import EngagementStatus

    engagement = stalled_engagement(make, world)
    engagement.status = EngagementStatus.CLOSED
    db.session.flush()
    assert run(scheduled.stalled_reminders) == 0


def test_stalled_reminder_mails_who_wants_mail(make, world, outbox: Outbox):
    stalled_engagement(make, world)
    world.colleague.mail_frequency = MailFrequency.OFF
    db.session.flush()
    run(scheduled.stalled_reminders)
    assert len(outbox.to(world.employer.email)) == 1
    assert outbox.to(world.colleague.email) == []
    message = outbox.to(world.teacher.email)[0]
    assert "No news for 20 days" in message["Subject"]
    assert message["List-Unsubscribe"]


# --- offer deadlines --------------------------------------------------------------------------


def approved_offer(make: Factory, world: World, days_left: int, **kw) -> Offer:
    engagement = make.engagement(
        world.project,
        make.employer(make.organisation(verified_by=[world.project.team.classroom.school])),
        checked=False,
    )
    return make.offer(
        engagement,
        Rung.MENTORSHIP,
        OfferStatus.APPROVED,
        respond_by=school_today() + timedelta(days=days_left),
        **kw,
    )


def test_expiring_offer_reminds_its_students_and_the_teacher(make, world, outbox):
    offer = approved_offer(make, world, days_left=2)
    offer.recipients = [OfferRecipient(student_id=world.student.id)]  # named: not the teammate
    approved_offer(make, world, days_left=3)  # not yet
    db.session.flush()

    assert run(scheduled.offer_deadlines) == 2

    told = notified("offer_expiring")
    assert set(told) == {world.student.id, world.teacher.id}
    assert told[world.student.id][0].link == f"/offers/{offer.id}"
    assert "expires on" in told[world.student.id][0].subject
    assert "Falcons" in told[world.teacher.id][0].body
    assert outbox.to(world.teacher.email)


def test_whole_team_offer_reminds_every_student_once(make, world):
    approved_offer(make, world, days_left=0)
    assert run(scheduled.offer_deadlines) == 3
    assert "expires today" in notified("offer_expiring")[world.teammate.id][0].subject
    assert run(scheduled.offer_deadlines) == 0
    assert run(scheduled.offer_deadlines, NOW + timedelta(hours=12)) == 0


def test_past_deadline_expires_with_the_ladders_sweep_and_is_not_reminded(make, world):
    offer = approved_offer(make, world, days_left=-1)
    proposed = approved_offer(make, world, days_left=1)
    proposed.status = OfferStatus.PROPOSED  # not approved yet: no reminder to answer
    db.session.flush()

    assert run(scheduled.expire_offers) == 1
    assert run(scheduled.offer_deadlines) == 0
    db.session.refresh(offer)
    assert offer.status is OfferStatus.EXPIRED
    assert notified("offer_expired")  # the ladder's own event notifications
    assert run(scheduled.expire_offers) == 0


# --- the employers' weekly digest -------------------------------------------------------------


def publish(make: Factory, team: Team, days_ago: int, cluster: str = CLUSTER, **kw) -> Project:
    challenge = make.challenge(career_cluster=cluster, author=team.classroom.teacher)
    kw.setdefault("published_at", NOW - timedelta(days=days_ago))
    return make.project(team, challenge, kw.pop("status", ProjectStatus.PUBLISHED), **kw)


def test_weekly_digest_lists_visible_new_projects_in_the_cluster(make, world, outbox):
    new = publish(make, world.team, 2, title="Robot Arm")
    publish(make, world.team, 3, cluster="Healthcare & Human Services", title="Clinic App")
    publish(make, world.team, 10, title="Old Drone")
    publish(make, world.team, 0, status=ProjectStatus.SUBMITTED, title="Secret Draft")
    other = publish(make, world.team_b, 1, title="River Sensor")  # school B only
    world.colleague.mail_frequency = MailFrequency.OFF
    make.employer(make.organisation(name="Unverified Co"))
    db.session.flush()

    assert run(digests.weekly_employer_digest) == 2  # employer and employer_b

    [message] = outbox.to(world.employer.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Robot Arm" in text and "Robot Arm" in html
    assert f"/projects/{new.id}" in text and 'href="http://' in html
    for absent in ("Clinic App", "Old Drone", "Secret Draft", "River Sensor"):
        assert absent not in text
    assert "team Falcons" in text
    assert "/projects?" in text and "cluster=Digital+Technology" in text
    assert "/notifications/preferences/" in text
    assert message["List-Unsubscribe"].startswith("<http")
    for student in (world.student, world.teammate):
        assert student.last_name not in text and student.last_name not in html
    assert "1 new project for Acme Tools" in message["Subject"]

    [message_b] = outbox.to(world.employer_b.email)
    text_b = message_b.get_body(preferencelist=("plain",)).get_content()
    assert "River Sensor" in text_b and f"/projects/{other.id}" in text_b
    assert "Robot Arm" not in text_b
    assert outbox.to(world.colleague.email) == []
    assert len(outbox.messages) == 2


def test_weekly_digest_once_per_week_and_only_when_there_is_news(make, world, outbox):
    publish(make, world.team, 1)
    assert run(digests.weekly_employer_digest) == 2
    assert run(digests.weekly_employer_digest) == 0
    next_week = NOW + timedelta(days=7)
    assert run(digests.weekly_employer_digest, next_week) == 0  # nothing new since
    publish(make, world.team, -6, title="Next Week Bot")  # published during the next week
    assert run(digests.weekly_employer_digest, next_week) == 2
    assert run(digests.weekly_employer_digest, next_week) == 0
    assert len(outbox.to(world.employer.email)) == 2
    key = f"weekly-projects-{digests.iso_week(next_week)}-user-{world.employer.id}"
    assert db.session.scalar(sa.select(OutgoingMail.id).filter_by(idempotency_key=key))


# --- the teachers' weekly summary -------------------------------------------------------------


def held_message(world: World, school_id: int, flagged: bool = False) -> Message:
    thread = Thread(
        channel=f"engagement-test-{school_id}-{world.student.id}",
        kind=ThreadKind.SCHOOL,
        school_id=school_id,
        organisation_id=world.employer.organisation_id,
        subject="Hello",
    )
    db.session.add(thread)
    db.session.flush()
    message = Message(
        thread_id=thread.id,
        author_id=world.student.id,
        body="call me on 555 0100",
        state=MessageState.HELD,
    )
    db.session.add(message)
    db.session.flush()
    if flagged:
        db.session.add(MessageFlag(message_id=message.id, user_id=world.employer.id))
        db.session.flush()
    return message


def test_teacher_summary_lists_what_waits_for_them(make, world, outbox):
    engagement = stalled_engagement(make, world)
    proposed = make.offer(engagement, Rung.MENTORSHIP, OfferStatus.PROPOSED)
    engagement.last_event_at = NOW - timedelta(days=20)
    held_message(world, world.team.classroom.school_id, flagged=True)
    make.engagement(world.project_b, world.employer_b, checked=False)  # school B: nothing waits
    db.session.flush()

    assert run(summaries.teacher_weekly_summary) == 3  # teacher, other teacher (held), admin

    [message] = outbox.to(world.teacher.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Acme Tools offers a mentorship to Falcons" in text
    assert f"/offers/{proposed.id}" in text and "/approvals" in text
    assert f"/engagements/{engagement.id}" in text and "STALLED ENGAGEMENTS (1)" in text
    assert "WAITING FOR YOU: 1 offer to approve, 1 guardian consent to record" in text
    assert "1 held for your review, 1 reported" in text
    assert "Stalled engagements (1)" in html
    assert "/notifications/preferences/" in text and message["List-Unsubscribe"]

    other = outbox.to(world.other_teacher.email)[0].get_body(preferencelist=("plain",))
    assert "Falcons" not in other.get_content()  # not their class: only the school's messages
    assert outbox.to(world.admin.email)
    assert outbox.to(world.teacher_b.email) == []


def test_teacher_summary_only_when_something_needs_them(make, world):
    assert run(summaries.teacher_weekly_summary) == 0
    make.engagement(world.project, world.employer, checked=False)  # fresh: not stalled
    assert run(summaries.teacher_weekly_summary) == 0


def test_teacher_summary_weekly_and_respects_off(make, world):
    stalled_engagement(make, world)
    world.admin.mail_frequency = MailFrequency.OFF
    db.session.flush()
    assert run(summaries.teacher_weekly_summary) == 1  # the teacher; the admin is off
    assert run(summaries.teacher_weekly_summary) == 0
    assert run(summaries.teacher_weekly_summary, NOW + timedelta(days=7)) == 1
    assert {m.user_id for m in mails("weekly")} == {world.teacher.id}


# --- the daily digest -------------------------------------------------------------------------


def tell(person: User, n: int) -> Notification:
    return notify(
        person,
        kind="test",
        subject=f"Thing {n} happened",
        body=f"Details of thing {n}.",
        key=f"t-{person.id}-{n}",
        link=f"/engagements/{n}",
    )


def test_daily_digest_mails_waiting_notifications_once_and_marks_them(make, world, outbox):
    daily = make.teacher(mail_frequency=MailFrequency.DAILY)
    right_away = make.teacher()
    first, second = tell(daily, 1), tell(daily, 2)
    tell(right_away, 3)
    db.session.commit()
    assert first.mail_state == NotificationMail.DIGEST.value
    assert len(outbox.to(right_away.email)) == 1  # mailed right away, not in a digest
    now = utcnow()

    assert run(digests.daily_digests, now) == 1

    [message] = outbox.to(daily.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Thing 1 happened" in text and "Thing 2 happened" in text
    assert "Thing 3" not in text
    assert "Details of thing 2." in text
    assert "http://127.0.0.1:5000/engagements/1" in text or "/engagements/1" in text
    assert "/notifications/preferences/" in text and message["List-Unsubscribe"]
    assert "/engagements/2" in message.get_body(preferencelist=("html",)).get_content()
    db.session.refresh(first), db.session.refresh(second)
    assert {first.mail_state, second.mail_state} == {NotificationMail.DIGESTED.value}

    later = tell(daily, 4)
    db.session.commit()
    assert run(digests.daily_digests, utcnow()) == 0  # one digest a day
    assert len(outbox.to(daily.email)) == 1
    db.session.refresh(later)
    assert later.mail_state == NotificationMail.DIGEST.value
    assert run(digests.daily_digests, now + timedelta(days=1)) == 1  # tomorrow's digest
    text = outbox.to(daily.email)[-1].get_body(preferencelist=("plain",)).get_content()
    assert "Thing 4 happened" in text and "Thing 1" not in text


def test_daily_digest_for_someone_who_turned_mail_off_sends_nothing(make):
    person = make.teacher(mail_frequency=MailFrequency.DAILY)
    note = tell(person, 1)
    person.mail_frequency = MailFrequency.OFF
    db.session.commit()
    assert run(digests.daily_digests, utcnow()) == 0
    db.session.refresh(note)
    assert note.mail_state == NotificationMail.NONE.value
    assert mails("digest") == []


def test_off_users_get_no_scheduled_mail(make, world):
    for person in (world.employer, world.colleague, world.employer_b, world.teacher, world.admin):
        person.mail_frequency = MailFrequency.OFF
    world.other_teacher.mail_frequency = MailFrequency.OFF
    world.teacher_b.mail_frequency = MailFrequency.OFF
    stalled_engagement(make, world)
    publish(make, world.team, 1)
    publish(make, world.team_b, 1)
    db.session.flush()
    counts = scheduled.run_all(NOW)
    assert counts["weekly_employer_digest"] == counts["teacher_weekly_summary"] == 0
    assert counts["stalled_reminders"] == 3  # the bell still rings
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0


# --- run_all ----------------------------------------------------------------------------------


def test_run_all_returns_counts_and_a_second_run_writes_nothing(make, world, outbox):
    stalled_engagement(make, world)
    approved_offer(make, world, days_left=1)
    approved_offer(make, world, days_left=-2)
    publish(make, world.team, 1)
    daily = make.teacher(mail_frequency=MailFrequency.DAILY)
    tell(daily, 1)
    db.session.commit()

    counts = scheduled.run_all(utcnow())

    assert counts == {
        "expired_offers": 1,
        "offer_deadlines": 3,  # the team's two students and their teacher
        "stalled_reminders": 3,
        "weekly_employer_digest": 4,  # Acme's two members, the two offering organisations'
        "teacher_weekly_summary": 2,  # the teacher and the school admin
        "follow_up_reminders": 0,
        # No placements in this world: their jobs are tests/test_placement_reminders.py's.
        "weekly_hours_verification": 0,
        "unverified_hours": 0,
        "unlogged_hours": 0,
        "evaluations_due": 0,
        "partner_messages": 0,
        "daily_digests": 1,
    }
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    sent = len(outbox.messages)
    assert scheduled.run_all(utcnow()) == dict.fromkeys(counts, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == rows
    assert len(outbox.messages) == sent


def test_run_all_rolls_back_a_failing_job_and_runs_the_others(make, world, monkeypatch):
    stalled_engagement(make, world)
    db.session.commit()

    def broken(now: datetime) -> int:
        db.session.add(
            Notification(user_id=world.student.id, kind="x", subject="x", idempotency_key="broken")
        )
        raise RuntimeError("boom")

    monkeypatch.setitem(scheduled.JOBS, "offer_deadlines", broken)
    with pytest.raises(RuntimeError):
        scheduled.run_all(NOW)
    assert db.session.scalar(sa.select(Notification.id).filter_by(idempotency_key="broken")) is None
    assert notified("engagement_stalled")  # the next job still ran and committed


# --- two schedulers at once -------------------------------------------------------------------


@pytest.mark.commits
def test_schedulers_racing_on_postgresql_tell_everyone_once(app, make, world, outbox):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a race needs PostgreSQL (SQLite serialises writers on the whole file)")
    stalled_engagement(make, world)
    approved_offer(make, world, days_left=1)
    approved_offer(make, world, days_left=-2)
    publish(make, world.team, 1)
    daily = make.teacher(mail_frequency=MailFrequency.DAILY)
    tell(daily, 1)
    db.session.commit()
    now = utcnow()
    runners = 4
    barrier = threading.Barrier(runners)
    results: list[dict[str, int] | str] = [""] * runners

    def schedule(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = scheduled.run_all(now)
            except Exception as error:  # reported below
                results[i] = f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=schedule, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(r, dict) for r in results), results
    totals = {name: sum(r[name] for r in results) for name in scheduled.JOBS}  # type: ignore[index]
    assert totals == {
        "expired_offers": 1,
        "offer_deadlines": 3,
        "stalled_reminders": 3,
        "weekly_employer_digest": 4,
        "teacher_weekly_summary": 2,
        "follow_up_reminders": 0,
        # No placements in this world: their jobs are tests/test_placement_reminders.py's.
        "weekly_hours_verification": 0,
        "unverified_hours": 0,
        "unlogged_hours": 0,
        "evaluations_due": 0,
        "partner_messages": 0,
        "daily_digests": 1,
    }
    db.session.expire_all()
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail))
    assert len(outbox.messages) == rows  # every mail written once, none twice


def test_digest_lists_a_limited_number_and_counts_the_rest(make, monkeypatch, outbox):
    monkeypatch.setattr(digests, "DIGEST_LIST_LIMIT", 2)
    person = make.teacher(mail_frequency=MailFrequency.DAILY)
    notes = [tell(person, n) for n in range(5)]
    db.session.commit()
    assert run(digests.daily_digests, utcnow()) == 1
    text = outbox.to(person.email)[0].get_body(preferencelist=("plain",)).get_content()
    assert "… and 3 more: http://" in text and "/notifications" in text
    for note in notes:
        db.session.refresh(note)
    assert {n.mail_state for n in notes} == {NotificationMail.DIGESTED.value}


def test_weekly_digest_escapes_titles_in_html(make, world, outbox):
    publish(make, world.team, 1, title="<b>Bots</b> & co")
    world.colleague.mail_frequency = MailFrequency.OFF
    db.session.flush()
    run(digests.weekly_employer_digest)
    html = outbox.to(world.employer.email)[0].get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;Bots&lt;/b&gt; &amp; co" in html and "<b>Bots" not in html
