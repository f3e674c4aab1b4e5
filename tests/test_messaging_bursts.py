"""A sender's messages a few minutes apart are read together by the contact-detail hold: a number
sent in pieces is held at the piece that completes it (the pieces before it were delivered)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.messaging import service
from marketplace.models import Message, MessageState, Notification, utcnow

from .conftest import shared_world
from .world import build_world

w = shared_world(build_world, name="w")  # built once for the module; each test rolled back


def post(w, author, *bodies: str) -> list[Message]:
    return [service.post_message(w.thread, author, body) for body in bodies]


def test_a_number_in_three_messages_is_held_at_the_third(w):
    first, second, third = post(w, w.teammate, "555", "123", "4567")
    assert (first.state, second.state) == (MessageState.VISIBLE, MessageState.VISIBLE)
    assert third.state is MessageState.HELD
    assert third.hold_reason.startswith("Read with the messages sent just before it")
    teacher_notes = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == w.teacher.id, Notification.kind == "message_held"
        )
    )
    assert len(list(teacher_notes)) == 1


def test_an_address_split_over_lines_and_messages_is_held(w):
    *_, last = post(w, w.teammate, "add me on snapchat", "avamakes")
    assert last.state is MessageState.HELD
    (lines,) = post(w, w.employer, "text me\n555 123\n4567")
    assert lines.state is MessageState.HELD


def test_messages_to_a_student_are_read_together_too(w):
    *_, last = post(w, w.employer, "my cell", "555-123", "4567")
    assert last.state is MessageState.HELD


def test_others_messages_in_between_are_not_joined_nor_break_the_burst(w):
    (start,) = post(w, w.teammate, "555 123")
    post(w, w.employer, "ok?")
    (end,) = post(w, w.teammate, "4567")
    assert (start.state, end.state) == (MessageState.VISIBLE, MessageState.HELD)
    (other,) = post(w, w.employer, "89")  # the employer's own burst: "ok?", "89"
    assert other.state is MessageState.VISIBLE


def test_messages_older_than_the_window_are_not_read_with_a_new_one(w):
    first, second = post(w, w.teammate, "555", "123")
    first.created_at = second.created_at = utcnow() - service.BURST_WINDOW - timedelta(minutes=1)
    db.session.flush()
    (third,) = post(w, w.teammate, "4567")
    assert third.state is MessageState.VISIBLE


def test_an_ordinary_exchange_is_delivered(w):
    sent = post(
        w,
        w.teammate,
        "We measured the counter: 91 cm.",
        "The stand should be about 75 cm.",
        "Slides 4-9 show the new flow, v1.2.",
        "Can we meet at 3:30 on the 12th in Room 204?",
    )
    assert {message.state for message in sent} == {MessageState.VISIBLE}
