"""Moderation: the held queue (release, reject, races), reports on messages, and mutes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from marketplace.extensions import db
from marketplace.messaging import moderation, moderation_queries, mutes, service
from marketplace.models import (
    MemberMute,
    Message,
    MessageFlag,
    MessageState,
    Notification,
    ProjectStatus,
    Thread,
    User,
)

from .factories import Factory
from .helpers import field_errors, flashes, text_of

PHONE = "Call me on 07700 900123 after school"
HTMX = {"HX-Request": "true"}


@dataclass
class Scene:
    teacher: User
    school_admin: User
    other_teacher: User  # same school, another class
    outsider: User  # a teacher of another school
    student: User
    teammate: User
    other_student: User  # same class, another team
    employer: User
    stranger: User  # an employer of an organisation with nothing to do with the school
    thread: Thread


def build_scene(make: Factory) -> Scene:
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    student, teammate, other_student = (make.student(classroom) for _ in range(3))
    team = make.team(classroom, [student, teammate])
    make.team(classroom, [other_student])
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    employer = make.employer(make.organisation(verified_by=[school]))
    engagement = make.engagement(project, employer)
    other_teacher = make.teacher(school=school)
    make.classroom(other_teacher)
    return Scene(
        teacher=teacher,
        school_admin=make.school_admin(school=school),
        other_teacher=other_teacher,
        outsider=make.teacher(school=make.school()),
        student=student,
        teammate=teammate,
        other_student=other_student,
        employer=employer,
        stranger=make.employer(make.organisation()),
        thread=service.engagement_thread(engagement),
    )


@pytest.fixture
def scene(make) -> Scene:
    return build_scene(make)


def post(thread: Thread, author: User, body: str) -> Message:
    message = service.post_message(thread, author, body)
    db.session.commit()
    return message


def kinds(user: User) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def thread_page(client, login, user: User, thread: Thread) -> str:
    login(user)
    response = client.get(f"/messages/{thread.id}")
    assert response.status_code == 200
    return text_of(response)


# --- the held queue ----------------------------------------------------------------------------


def test_a_student_message_with_a_phone_number_waits_in_the_queue(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    assert held.state is MessageState.HELD
    login(scene.teacher)
    page = text_of(client.get("/messages/held"))
    assert 'Held messages (<span id="held-count">1</span>)' in page
    assert "<mark" in page and "07700 900123</mark>" in page
    assert scene.student.full_name in page  # staff see the student's full name
    assert held.hold_reason in page


def test_the_queue_is_oldest_first(scene, client, login):
    first = post(scene.thread, scene.student, "first: ring 07700 900111")
    second = post(scene.thread, scene.teammate, "second: ring 07700 900222")
    login(scene.school_admin)
    page = text_of(client.get("/messages/held"))
    assert page.index(f'id="held-{first.id}"') < page.index(f'id="held-{second.id}"')


def test_release_announces_it_and_the_employer_then_reads_it(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    assert PHONE not in thread_page(client, login, scene.employer, scene.thread)
    assert "message" not in kinds(scene.employer)

    login(scene.teacher)
    response = client.post(f"/messages/held/{held.id}/release", data={"note": "a school phone"})
    assert response.status_code == 303 and response.location.endswith("/messages/held")
    db.session.refresh(held)
    assert held.state is MessageState.VISIBLE
    assert held.reviewed_by_id == scene.teacher.id and held.reviewed_at is not None
    assert held.review_note == "a school phone"
    assert "message" in kinds(scene.employer) and "message" in kinds(scene.teammate)
    assert "message_released" in kinds(scene.student)
    assert "07700 900123" in thread_page(client, login, scene.employer, scene.thread)


def test_the_teacher_who_releases_is_not_told_of_the_message_she_just_read(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.teacher)
    client.post(f"/messages/held/{held.id}/release", data={"note": ""})
    assert "message" not in kinds(scene.teacher)
    assert "message" in kinds(scene.employer)
    (released,) = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "message_released")
    )
    assert released.link == f"/messages/{scene.thread.id}#message-{held.id}"


def test_release_under_htmx_replaces_the_row_with_the_outcome(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.teacher)
    post(scene.thread, scene.teammate, "ring 07700 900222")  # still waits after the release
    response = client.post(f"/messages/held/{held.id}/release", headers=HTMX)
    assert response.status_code == 200
    page = text_of(response)
    assert "<html" not in page
    assert f'id="held-{held.id}"' in page and "Released" in page
    # The queue's counts and the nav's badge follow, out of band, without a reload.
    assert '<span id="queue-waiting" hx-swap-oob="true">1</span>' in page
    assert '<span id="held-count" hx-swap-oob="true">1</span>' in page
    assert '<span id="reported-count" hx-swap-oob="true">0</span>' in page
    assert '<li id="nav-messages" hx-swap-oob="true">' in page and ", 1 to check" in page


def test_reject_needs_a_reason(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.teacher)
    response = client.post(f"/messages/held/{held.id}/reject", data={"reason": "  "})
    assert response.status_code == 422
    assert "Say why the message is not sent: the sender sees it." in field_errors(response)
    response = client.post(f"/messages/held/{held.id}/reject", data={"reason": ""}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in text_of(response)
    assert "Say why the message is not sent" in text_of(response)
    db.session.refresh(held)
    assert held.state is MessageState.HELD


def test_reject_keeps_it_from_the_employer_and_tells_the_sender_why(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.teacher)
    response = client.post(
        f"/messages/held/{held.id}/reject", data={"reason": "Use the school's e-mail"}
    )
    assert response.status_code == 303
    db.session.refresh(held)
    assert held.state is MessageState.REJECTED and held.review_note == "Use the school's e-mail"
    note = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == scene.student.id, Notification.kind == "message_rejected"
        )
    ).one()
    assert note.body == "Not sent: Use the school's e-mail"
    assert "not sent: Use the school&#39;s e-mail" in thread_page(
        client, login, scene.student, scene.thread
    )
    # and never later: a late release is refused, the employer still does not see it
    login(scene.school_admin)
    response = client.post(f"/messages/held/{held.id}/release", follow_redirects=True)
    assert f"This message was already rejected by {scene.teacher.full_name}." in flashes(response)
    assert "07700" not in thread_page(client, login, scene.employer, scene.thread)
    assert "message" not in kinds(scene.employer)


def test_the_second_decision_is_told_who_was_first(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.teacher)
    client.post(f"/messages/held/{held.id}/release")
    login(scene.school_admin)
    response = client.post(f"/messages/held/{held.id}/reject", data={"reason": "no"})
    assert response.status_code == 303
    assert f"This message was already released by {scene.teacher.full_name}." in flashes(
        client.get(response.location)
    )
    response = client.post(f"/messages/held/{held.id}/release", headers=HTMX)
    assert response.status_code == 200
    assert "already released by" in text_of(response)
    db.session.refresh(held)
    assert held.state is MessageState.VISIBLE and held.reviewed_by_id == scene.teacher.id
    assert kinds(scene.employer).count("message") == 1  # announced once


def test_a_teacher_of_another_class_does_not_check_the_teams_held_messages(scene, client, login):
    """By default a team's held messages are checked by its own teacher and the school's
    admins: a colleague who teaches another class neither sees nor releases them."""
    held = post(scene.thread, scene.student, PHONE)
    login(scene.other_teacher)
    assert client.post(f"/messages/held/{held.id}/release").status_code == 404
    assert "07700" not in text_of(client.get("/messages/held"))
    assert "07700" not in thread_page(client, login, scene.other_teacher, scene.thread)
    assert "to check" not in text_of(client.get("/dashboard")).split("</nav>")[0]
    db.session.refresh(held)
    assert held.state is MessageState.HELD
    for checker in (scene.teacher, scene.school_admin):
        login(checker)
        assert "07700" in text_of(client.get("/messages/held"))


def test_the_school_admin_can_let_every_teacher_check(scene, client, login):
    """A school that wants it has every member of staff check every team's held messages, and
    their nav counts them from the next page (the nav's statement is kept per reader and the
    school's setting: `nav._shape`)."""
    held = post(scene.thread, scene.student, PHONE)
    login(scene.other_teacher)
    assert "to check" not in text_of(client.get("/dashboard")).split("</nav>")[0]
    login(scene.teacher)
    assert client.post("/messages/held/checkers", data={"checkers": "all"}).status_code == 403
    login(scene.school_admin)
    response = client.post("/messages/held/checkers", data={"checkers": "all"})
    assert response.status_code == 303
    assert "Every teacher and admin now check" in flashes(client.get(response.location))[0]
    login(scene.other_teacher)
    assert "1 to check" in text_of(client.get("/dashboard")).split("</nav>")[0]
    assert "07700" in text_of(client.get("/messages/held"))
    assert client.post(f"/messages/held/{held.id}/release").status_code == 303
    db.session.refresh(held)
    assert held.state is MessageState.VISIBLE and held.reviewed_by_id == scene.other_teacher.id


def test_another_schools_teacher_cannot_release(scene, client, login):
    held = post(scene.thread, scene.student, PHONE)
    login(scene.outsider)
    assert client.post(f"/messages/held/{held.id}/release").status_code == 404
    assert client.post(f"/messages/held/{held.id}/reject", data={"reason": "x"}).status_code == 404
    assert f"held-{held.id}" not in text_of(client.get("/messages/held"))
    db.session.refresh(held)
    assert held.state is MessageState.HELD


@pytest.mark.parametrize("who", ["student", "employer"])
def test_students_and_employers_cannot_reach_the_queue(scene, client, login, who):
    held = post(scene.thread, scene.student, PHONE)
    login(getattr(scene, who))
    assert client.get("/messages/held").status_code == 403
    assert client.post(f"/messages/held/{held.id}/release").status_code == 403


def test_held_waiting_counts_held_and_reported_messages(scene, app, client, login):
    post(scene.thread, scene.student, PHONE)
    visible = post(scene.thread, scene.employer, "Welcome, team!")
    moderation.flag(visible, scene.student, "rude")
    db.session.commit()
    with app.test_request_context():
        assert moderation_queries.waiting_count(scene.teacher) == 2
        assert moderation_queries.waiting_count(scene.employer) == 0
        assert moderation_queries.waiting_count(scene.outsider) == 0
    login(scene.teacher)
    assert '<span id="queue-waiting">2</span> waiting' in text_of(client.get("/messages/held"))


# --- reports -----------------------------------------------------------------------------------


def test_a_participant_reports_a_message_once(scene, client, login):
    message = post(scene.thread, scene.employer, "Bring your own laptop, or else.")
    login(scene.student)
    response = client.post(f"/messages/{message.id}/flag", data={"reason": "Sounds threatening"})
    assert response.status_code == 303
    assert response.location.endswith(f"/messages/{scene.thread.id}")
    assert "message_flagged" in kinds(scene.teacher)
    assert "message_flagged" not in kinds(scene.other_teacher)
    response = client.post(
        f"/messages/{message.id}/flag", data={"reason": "again"}, follow_redirects=True
    )
    assert "You already reported this message." in flashes(response)
    response = client.post(f"/messages/{message.id}/flag", data={"reason": "x"}, headers=HTMX)
    assert "You already reported this message." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(MessageFlag.id))) == 1
    # a teammate may report it too
    login(scene.teammate)
    client.post(f"/messages/{message.id}/flag", data={"reason": "Agreed"})
    assert db.session.scalar(sa.select(sa.func.count(MessageFlag.id))) == 2


def test_a_report_needs_a_reason(scene, client, login):
    message = post(scene.thread, scene.employer, "Hello")
    login(scene.student)
    response = client.post(f"/messages/{message.id}/flag", data={"reason": ""})
    assert response.status_code == 422
    assert "Say what is wrong with the message." in field_errors(response)
    response = client.post(f"/messages/{message.id}/flag", data={"reason": ""}, headers=HTMX)
    assert response.status_code == 200 and "Say what is wrong" in text_of(response)


def test_the_thread_page_offers_the_report_button(scene, client, login):
    message = post(scene.thread, scene.employer, "Hello")
    page = thread_page(client, login, scene.student, scene.thread)
    assert f"/messages/{message.id}/flag" in page
    page = thread_page(client, login, scene.employer, scene.thread)
    assert f"/messages/{message.id}/flag" not in page  # not one's own


def test_a_message_you_cannot_read_cannot_be_reported(scene, client, login):
    message = post(scene.thread, scene.employer, "Hello")
    held = post(scene.thread, scene.student, PHONE)
    login(scene.other_student)  # another team of the same class
    assert client.post(f"/messages/{message.id}/flag", data={"reason": "x"}).status_code == 404
    login(scene.stranger)
    assert client.post(f"/messages/{message.id}/flag", data={"reason": "x"}).status_code == 404
    login(scene.employer)  # a held message is not theirs to read
    assert client.post(f"/messages/{held.id}/flag", data={"reason": "x"}).status_code == 404
    assert client.post("/messages/999999/flag", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(MessageFlag.id))) == 0


def test_staff_resolve_a_report(scene, client, login):
    message = post(scene.thread, scene.employer, "Rude words")
    login(scene.student)
    client.post(f"/messages/{message.id}/flag", data={"reason": "Rude"})
    report = db.session.scalars(sa.select(MessageFlag)).one()
    login(scene.teacher)
    page = text_of(client.get("/messages/held"))
    assert (
        'Reported (<span id="reported-count">1</span>)' in page
        and "Rude words" in page
        and scene.student.full_name in page
    )
    response = client.post(f"/messages/flags/{report.id}/resolve", data={})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.resolved_by_id == scene.teacher.id and report.resolved_at is not None
    db.session.refresh(message)
    assert message.state is MessageState.VISIBLE
    assert 'Reported (<span id="reported-count">0</span>)' in text_of(client.get("/messages/held"))
    response = client.post(f"/messages/flags/{report.id}/resolve", follow_redirects=True)
    assert f"This report was already resolved by {scene.teacher.full_name}." in flashes(response)


def test_resolving_may_remove_the_message_with_a_reason(scene, client, login):
    message = post(scene.thread, scene.employer, "Rude words")
    login(scene.student)
    client.post(f"/messages/{message.id}/flag", data={"reason": "Rude"})
    report = db.session.scalars(sa.select(MessageFlag)).one()
    login(scene.teacher)
    response = client.post(f"/messages/flags/{report.id}/resolve", data={"hide": "y"})
    assert response.status_code == 422
    assert "Say why the message is removed: the sender sees it." in field_errors(response)
    response = client.post(
        f"/messages/flags/{report.id}/resolve",
        data={"hide": "y", "reason": "Not how we talk to students"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "removed" in text_of(response)
    db.session.refresh(message)
    assert message.state is MessageState.REJECTED
    assert message.review_note == "Not how we talk to students"
    assert "message_removed" in kinds(scene.employer)
    assert "Rude words" not in thread_page(client, login, scene.student, scene.thread)


def test_another_schools_teacher_cannot_resolve(scene, client, login):
    message = post(scene.thread, scene.employer, "Hi")
    report = moderation.flag(message, scene.student, "odd")
    db.session.commit()
    login(scene.outsider)
    assert client.post(f"/messages/flags/{report.id}/resolve").status_code == 404
    db.session.refresh(report)
    assert report.resolved_at is None


# --- mutes -------------------------------------------------------------------------------------


def test_a_muted_employer_reads_but_cannot_post_until_unmuted(scene, client, login):
    post(scene.thread, scene.employer, "Hello team")
    login(scene.teacher)
    page = text_of(client.get("/school/mutes"))
    assert f'value="{scene.employer.id}"' in page
    response = client.post(
        "/school/mutes", data={"user_id": scene.employer.id, "reason": "Asked for numbers"}
    )
    assert response.status_code == 303
    assert mutes.is_muted(scene.employer, scene.thread.school_id)
    row = db.session.scalars(sa.select(MemberMute)).one()
    assert (row.muted_by_id, row.reason) == (scene.teacher.id, "Asked for numbers")
    assert "Asked for numbers" in text_of(client.get("/school/mutes"))
    with pytest.raises(service.MessagingError):
        service.post_message(scene.thread, scene.employer, "Still here?")
    db.session.rollback()
    assert "Hello team" in thread_page(client, login, scene.employer, scene.thread)

    login(scene.outsider)
    assert client.post(f"/school/mutes/{row.id}/unmute").status_code == 404
    login(scene.school_admin)
    response = client.post(f"/school/mutes/{row.id}/unmute")
    assert response.status_code == 303
    assert not mutes.is_muted(scene.employer, scene.thread.school_id)
    assert post(scene.thread, scene.employer, "Back again").state is MessageState.VISIBLE


def test_muting_twice_says_so(scene, client, login):
    login(scene.teacher)
    client.post("/school/mutes", data={"user_id": scene.employer.id, "reason": "a"})
    response = client.post("/school/mutes", data={"user_id": scene.employer.id, "reason": "b"})
    assert response.status_code == 422
    assert f"{scene.employer.full_name} is already muted." in field_errors(response)


@pytest.mark.parametrize("who", ["student", "teammate", "stranger", "other_teacher", "outsider"])
def test_only_employers_working_with_the_school_can_be_muted(scene, client, login, who):
    login(scene.teacher)
    target = getattr(scene, who)
    response = client.post("/school/mutes", data={"user_id": target.id, "reason": "x"})
    assert response.status_code == 422
    assert (
        "Only a member of an organisation working with your school can be muted."
        in field_errors(response)
    )
    assert db.session.scalar(sa.select(sa.func.count(MemberMute.id))) == 0


def test_a_mute_needs_a_member_and_a_reason(scene, client, login):
    login(scene.teacher)
    response = client.post("/school/mutes", data={"user_id": "", "reason": ""})
    assert response.status_code == 422
    assert {"Choose whom to mute.", "Say why: it is kept with the mute."} <= set(
        field_errors(response)
    )


def test_an_employer_is_muted_from_the_held_queue(scene, client, login):
    held = post(scene.thread, scene.employer, "Text me on 07700 900123")
    assert held.state is MessageState.HELD
    login(scene.teacher)
    page = text_of(client.get("/messages/held"))
    assert f"Mute {scene.employer.full_name} for your school" in page
    response = client.post(
        "/school/mutes",
        data={"user_id": scene.employer.id, "reason": "numbers", "next": "/messages/held"},
    )
    assert response.status_code == 303 and response.location.endswith("/messages/held")
    assert mutes.is_muted(scene.employer, scene.thread.school_id)


# --- two teachers at once (PostgreSQL) ---------------------------------------------------------


@pytest.fixture
def pg_app(app_factory) -> Iterator[Flask]:
    """An app on the test database with a pool for the threads."""
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
        yield app
        db.session.remove()


@pytest.mark.commits
def test_two_staff_releasing_at_once_one_wins(pg_app):
    scene = build_scene(Factory())
    scene.teacher.school.held_checked_by_all_staff = True  # so the other teacher may check it too
    held = post(scene.thread, scene.student, PHONE)
    staff = [scene.teacher.id, scene.school_admin.id, scene.other_teacher.id] * 2
    message_id = held.id
    db.session.remove()
    barrier = threading.Barrier(len(staff))
    results: list[str] = [""] * len(staff)

    def attempt(i: int, user_id: int) -> None:
        with pg_app.app_context():
            try:
                message, user = db.session.get(Message, message_id), db.session.get(User, user_id)
                barrier.wait(timeout=30)
                if i % 2:
                    moderation.release(message, user, "")
                else:
                    moderation.reject(message, user, "no")
                db.session.commit()
                results[i] = "ok"
            except moderation.AlreadyReviewed:
                results[i] = "already"
            except Exception as error:  # reported by the assertion
                results[i] = f"{type(error).__name__}: {error}"
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i, u)) for i, u in enumerate(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["already"] * (len(staff) - 1) + ["ok"], results
    message = db.session.get(Message, message_id)
    announced = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.kind.in_(["message_released", "message_rejected"])
        )
    )
    assert message.state in (MessageState.VISIBLE, MessageState.REJECTED)
    assert announced == 1


def test_deciding_on_a_held_message_settles_the_teachers_waiting_notification(app, make):
    """Once released or rejected, "a message is waiting for you" is no longer unread."""
    from marketplace.models import Notification

    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    student = make.student(classroom, age=16)
    team = make.team(classroom, [student])
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    engagement = make.engagement(project)
    thread = service.engagement_thread(engagement)
    held = service.post_message(thread, student, "text me on 555-201-7788")
    waiting = db.session.query(Notification).filter_by(user_id=teacher.id, kind="message_held")
    assert waiting.one().read_at is None
    moderation.reject(held, teacher, "No phone numbers, please.")
    assert waiting.one().read_at is not None
