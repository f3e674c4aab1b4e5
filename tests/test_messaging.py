"""Threads' rules: who takes part and reads, the contact-detail hold, announcing, posting refusals,
unread counts and the engagement thread created once (tests/test_messaging_race.py races it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.messaging import queries, service
from marketplace.messaging import rules as msg_rules
from marketplace.messaging.service import MessagingError
from marketplace.models import (
    EngagementStatus,
    MemberMute,
    Message,
    MessageState,
    Notification,
    Thread,
    ThreadKind,
)

from .conftest import shared_world
from .world import build_world

w = shared_world(build_world, name="w")  # built once for the module; each test rolled back


def ids(people) -> set[int]:
    return {p.id for p in people}


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


# --- who takes part ----------------------------------------------------------------------------


def test_engagement_thread_participants_are_org_team_and_teacher(w, make):
    colleague = make.employer(w.org)
    gone = make.employer(w.org, active=False)
    people = ids(msg_rules.participants(w.thread))
    assert {w.employer.id, colleague.id, w.student.id, w.teammate.id, w.teacher.id} <= people
    assert gone.id not in people
    outsiders = (w.school_admin, w.other_teacher, w.other_team_student, w.student_b, w.site_admin)
    assert not people & ids(outsiders)


def test_school_thread_participants_are_staff_and_org_never_students(w):
    people = ids(msg_rules.participants(w.school_thread))
    assert {w.teacher.id, w.other_teacher.id, w.school_admin.id, w.employer.id} <= people
    assert not people & ids([w.student, w.teammate, w.student_b, w.site_admin])


def test_who_reads_and_who_writes(w):
    for person in (w.student, w.teammate, w.teacher, w.employer):
        assert msg_rules.can_read(w.thread, person) and msg_rules.is_participant(w.thread, person)
    for staff in (w.school_admin, w.other_teacher):  # the school's staff read, but don't write
        assert msg_rules.can_read(w.thread, staff)
        assert not msg_rules.is_participant(w.thread, staff)
    for outsider in (w.other_team_student, w.student_b, w.site_admin):
        assert not msg_rules.can_read(w.thread, outsider)
    assert not msg_rules.can_read(w.thread_b, w.student)
    assert not msg_rules.can_read(w.thread_b, w.teacher)
    assert not msg_rules.can_read(w.school_thread, w.student)


# --- posting and the hold ---------------------------------------------------------------------


def test_an_ordinary_message_is_visible_and_announced(w):
    message = service.post_message(w.thread, w.employer, "Can we meet on **Tuesday**?")
    assert message.state is MessageState.VISIBLE
    told = {n.user_id for n in db.session.scalars(sa.select(Notification))}
    assert told == ids(msg_rules.participants(w.thread)) - {w.employer.id}
    assert w.thread.last_message_at == message.created_at


def test_the_announcement_quotes_the_message_as_readers_see_it_not_its_markdown(w):
    service.post_message(
        w.thread,
        w.employer,
        "Hi team!\n\nWe'd love to see **how you test parts** &amp; [the rig](/projects).",
    )
    (to_student,) = notes_for(w.student)
    assert to_student.body.endswith("Hi team! We'd love to see how you test parts & the rig.")
    assert "**" not in to_student.body and "](" not in to_student.body


def test_announce_names_the_sender_as_each_reader_may_see_them(w):
    message = service.post_message(w.thread, w.student, "We finished the prototype.")
    (to_employer,) = notes_for(w.employer)
    (to_teacher,) = notes_for(w.teacher)
    assert w.student.last_name not in to_employer.subject
    assert w.student.first_name in to_employer.subject
    assert w.student.full_name in to_teacher.subject
    assert to_employer.link == f"/messages/{w.thread.id}#message-{message.id}"
    assert to_employer.idempotency_key == f"message-{message.id}-user-{w.employer.id}"
    assert notes_for(w.student) == []


@pytest.mark.parametrize(
    "body",
    ["Call me on 555-123-4567", "write to sam at gmail dot com", "see https://evil.example.com"],
)
def test_contact_details_from_a_student_are_held_and_the_teacher_told(w, body):
    message = service.post_message(w.thread, w.student, body)
    assert message.state is MessageState.HELD
    assert message.hold_reason.startswith("It looks like it contains")
    (note,) = notes_for(w.teacher)
    assert note.subject == "A message is waiting for you"
    assert notes_for(w.employer) == []  # the employer hears nothing of it


def test_contact_details_to_a_student_are_held_too(w):
    message = service.post_message(w.thread, w.employer, "Text me: +1 (555) 123-4567")
    assert message.state is MessageState.HELD
    assert notes_for(w.student) == []


def test_links_to_this_site_and_staff_messages_are_not_held(w, app):
    base = app.config["BASE_URL"].rstrip("/")
    own = service.post_message(w.thread, w.student, f"Our page: {base}/projects/1")
    assert own.state is MessageState.VISIBLE
    staff = service.post_message(w.thread, w.teacher, "Call the office on 555-123-4567.")
    assert staff.state is MessageState.VISIBLE


def test_the_school_channel_has_no_hold(w):
    message = service.post_message(w.school_thread, w.employer, "Reach me on 555-123-4567")
    assert message.state is MessageState.VISIBLE


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "Write a message first."), ("   \n ", "Write a message first."), ("x" * 5001, "5,000")],
)
def test_empty_or_oversized_messages_are_refused(w, body, error):
    with pytest.raises(MessagingError, match=error):
        service.post_message(w.thread, w.employer, body)


def test_non_participants_closed_engagements_and_muted_members_are_refused(w, make):
    with pytest.raises(MessagingError):
        service.post_message(w.thread, w.other_teacher, "hello")  # reads, does not write
    with pytest.raises(MessagingError):
        service.post_message(w.thread, w.student_b, "hello")
    mute = MemberMute(school_id=w.school_a.id, user_id=w.employer.id, muted_by_id=w.teacher.id)
    db.session.add(mute)
    db.session.flush()
    with pytest.raises(MessagingError, match="paused"):
        service.post_message(w.thread, w.employer, "hello")
    w.engagement.status = EngagementStatus.CLOSED
    db.session.flush()
    with pytest.raises(MessagingError, match="This engagement is closed"):
        service.post_message(w.thread, w.student, "hello")


# --- what each reader sees ---------------------------------------------------------------------


def test_employers_never_see_held_messages_the_author_and_staff_do(w):
    assert w.held_message not in service.visible_to(w.employer, w.thread)
    assert w.held_message not in service.visible_to(w.teammate, w.thread)
    assert w.held_message in service.visible_to(w.student, w.thread)  # the author
    assert w.held_message in service.visible_to(w.teacher, w.thread)
    assert w.held_message in service.visible_to(w.school_admin, w.thread)


def test_visible_to_after_returns_only_newer(w):
    newer = service.post_message(w.thread, w.employer, "newer")
    assert service.visible_to(w.employer, w.thread, after=w.message.id) == [newer]
    assert service.visible_to(w.employer, w.thread, after=newer.id) == []


# --- unread counts -----------------------------------------------------------------------------


def test_unread_counts_per_thread_skip_held_and_own_messages(w):
    counts = queries.unread_counts(w.employer, [w.thread.id, w.school_thread.id])
    assert counts == {}  # their own message; the held one is not theirs to see
    assert queries.unread_counts(w.teammate, [w.thread.id]) == {w.thread.id: 1}
    assert queries.unread_counts(w.teacher, [w.thread.id]) == {w.thread.id: 2}  # held too
    service.post_message(w.school_thread, w.employer, "Hello school")
    service.post_message(w.thread, w.student, "Hello employer")
    counts = queries.unread_counts(w.teacher, [w.thread.id, w.school_thread.id])
    assert counts == {w.thread.id: 3, w.school_thread.id: 1}
    assert queries.unread_counts(w.employer, [w.thread.id]) == {w.thread.id: 1}


def test_mark_read_only_moves_forward(w):
    last = service.post_message(w.thread, w.employer, "one more")
    queries.mark_read(w.thread, w.teammate, last.id)
    queries.mark_read(w.thread, w.teammate, w.message.id)  # an older poll arriving late
    assert queries.unread_counts(w.teammate, [w.thread.id]) == {}


def test_inbox_lists_each_persons_threads_newest_first(w):
    service.post_message(w.school_thread, w.teacher, "Newest")
    assert [r.thread for r in queries.inbox(w.employer)][:2] == [w.school_thread, w.thread]
    assert [r.thread for r in queries.inbox(w.student)] == [w.thread]
    assert {r.thread.id for r in queries.inbox(w.teacher)} == {w.thread.id, w.school_thread.id}
    assert [r.thread for r in queries.inbox(w.school_admin)] == [w.school_thread]
    assert queries.inbox(w.other_team_student) == []
    assert queries.inbox(w.site_admin) == []


def test_inbox_counts_in_one_grouped_statement(w, make):
    extra = service.engagement_thread(make.engagement(w.published_project, w.employer))
    for thread in (w.thread, extra, w.school_thread):
        db.session.add(Message(thread_id=thread.id, author_id=w.teacher.id, body="hi"))
    db.session.flush()
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        rows = queries.inbox(w.employer)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2  # the threads, then every count at once
    assert {r.thread.id: r.unread for r in rows} == {
        w.thread.id: 1,
        extra.id: 1,
        w.school_thread.id: 1,
    }


# --- the engagement thread is made once --------------------------------------------------------


def test_engagement_thread_is_created_once(w, make):
    engagement = make.engagement(w.published_project, w.employer)
    first = service.engagement_thread(engagement, w.employer)
    assert first.kind is ThreadKind.ENGAGEMENT and first.channel == f"engagement-{engagement.id}"
    assert service.engagement_thread(engagement, w.teacher) is first


def test_a_racing_creator_reads_the_winners_thread(w, make, monkeypatch):
    """The other request inserted the row after this one looked: the unique channel refuses the
    second insert and the winner's thread is returned."""
    engagement = make.engagement(w.published_project, w.employer)
    winner = service.engagement_thread(engagement, w.employer)
    db.session.commit()
    monkeypatch.setattr(service, "find_thread", lambda channel: None)
    assert service.engagement_thread(engagement, w.teacher).id == winner.id
    count = db.session.scalar(sa.select(sa.func.count()).where(Thread.channel == winner.channel))
    assert count == 1
