"""What a review found: the hold sees what readers see and the names of files; a school's
declined organisation leaves its threads; a removed message leaves no copy; a released message
reaches readers who had read past it; odd input is refused, never a 500; a failed inline
delivery never fails the request that committed."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from marketplace import events
from marketplace.extensions import db
from marketplace.messaging import moderation, queries, service
from marketplace.messaging import rules as msg_rules
from marketplace.models import (
    MailState,
    MessageState,
    Notification,
    OutgoingMail,
    Partnership,
    VerificationStatus,
)

from .conftest import shared_world
from .helpers import text_of
from .uploads import PDF
from .world import build_world

HX = {"HX-Request": "true"}


w = shared_world(build_world, name="w")  # built once for the module; each test rolled back


@pytest.mark.parametrize(
    "body",
    [
        "ava&#64;gmail&#46;com",
        "ava&commat;gmail&period;com",
        "5**5**5-1**2**3-4567",
        "call 5<b>5</b>5 123 4567",
    ],
)
def test_the_hold_reads_the_message_as_its_readers_will_see_it(w, body):
    message = service.post_message(w.thread, w.student, body)
    assert message.state is MessageState.HELD


def test_a_file_named_after_a_contact_detail_holds_the_message(w):
    upload = FileStorage(io.BytesIO(PDF), filename="ava.smith@gmail.com 555-123-4567.pdf")
    message = service.post_message(w.thread, w.student, "see attached", [upload])
    assert message.state is MessageState.HELD and "e-mail" in message.hold_reason


def test_an_organisation_the_school_declines_leaves_its_threads(client, login, w):
    partnership = (
        db.session.query(Partnership)
        .filter_by(organisation_id=w.org.id, school_id=w.school_a.id)
        .one()
    )
    partnership.status = VerificationStatus.DECLINED
    db.session.commit()
    assert w.employer.id not in {p.id for p in msg_rules.participants(w.thread)}
    login(w.employer)
    assert client.get(f"/messages/{w.thread.id}").status_code == 404
    assert client.post(f"/messages/{w.thread.id}", data={"body": "Hi"}).status_code == 404
    assert client.get(f"/messages/{w.school_thread.id}").status_code == 200  # the school's own


def test_a_removed_message_leaves_no_copy_in_the_bell_or_the_outbox(app, w):
    app.config["MAIL_DELIVERY"] = "worker"  # the mail is still pending when removed
    events.announce(events.MessageShown(w.message, tuple(msg_rules.participants(w.thread))))
    report = moderation.flag(w.message, w.student, "Not appropriate")
    moderation.resolve(report, w.teacher, hide=True, reason="Off topic")
    db.session.commit()
    notes = db.session.query(Notification).filter(
        Notification.idempotency_key.like(f"message-{w.message.id}-user-%")
    )
    assert notes.count() and all("Hello team" not in n.body for n in notes)
    mail = db.session.query(OutgoingMail).filter(
        OutgoingMail.idempotency_key.like(f"notification-message-{w.message.id}-user-%")
    )
    assert mail.count() and all(row.state == MailState.FAILED.value for row in mail)


def test_a_released_message_counts_as_unread_and_arrives_by_the_poll(client, login, w):
    later = service.post_message(w.thread, w.employer, "Thursday works for us.")
    db.session.commit()
    login(w.teammate)
    client.get(f"/messages/{w.thread.id}")  # read up to `later`, past the held message
    assert queries.unread_counts(w.teammate, [w.thread.id]) == {}
    moderation.release(w.held_message, w.teacher)
    db.session.commit()
    assert queries.unread_counts(w.teammate, [w.thread.id]) == {w.thread.id: 1}
    poll = text_of(client.get(f"/messages/{w.thread.id}?after={later.id}", headers=HX))
    assert f'id="message-{w.held_message.id}"' in poll
    again = text_of(client.get(f"/messages/{w.thread.id}?after={later.id}", headers=HX))
    assert f'id="message-{w.held_message.id}"' not in again  # once


@pytest.mark.parametrize("after", ["99999999999999999999999", "-5", "abc"])
def test_a_poll_position_out_of_range_is_not_a_500(client, login, w, after):
    login(w.teammate)
    response = client.get(f"/messages/{w.thread.id}?after={after}", headers=HX)
    assert response.status_code == 200


def test_a_nul_byte_in_a_form_is_dropped_not_a_500(client, login, w):
    login(w.employer)
    response = client.post(f"/messages/{w.thread.id}", data={"body": "hi\x00there"})
    assert response.status_code == 303
    assert service.visible_to(w.employer, w.thread)[-1].body == "hithere"


def test_a_failed_inline_delivery_never_fails_the_request(client, login, w, monkeypatch):
    import marketplace.mail.outbox as outbox

    def broken(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(outbox, "deliver_due", broken)
    login(w.employer)
    response = client.post(f"/messages/{w.thread.id}", data={"body": "Still there?"})
    assert response.status_code == 303
    assert db.session.query(OutgoingMail).filter_by(state=MailState.PENDING.value).count()
