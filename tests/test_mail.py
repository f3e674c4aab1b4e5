"""Outgoing mail: sent after commit only, to the outbox by default and to a real SMTP listener."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from marketplace.extensions import db
from marketplace.mail import Mail, enqueue


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP listener on loopback, started for the test."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_mail_is_delivered_over_smtp_with_both_parts(app_factory, make, smtp_server):
    """A reset request reaches the SMTP server with a text part, an HTML part and the link."""
    controller, handler = smtp_server
    smtp_app = app_factory(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    with smtp_app.app_context():
        first_name = make.teacher(email="ms.lee@school.example").first_name
        db.session.commit()
    response = smtp_app.test_client().post("/auth/forgot", data={"email": "ms.lee@school.example"})
    assert response.status_code == 302
    assert len(handler.messages) == 1
    recipients, message = handler.messages[0]
    assert recipients == ["ms.lee@school.example"]
    assert message["Subject"] == "Reset your password"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/auth/reset/" in text and "/auth/reset/" in html
    assert first_name in text


def test_smtp_down_does_not_break_the_request(app_factory, make):
    """With the SMTP server unreachable the user's action still succeeds."""
    smtp_app = app_factory(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_TIMEOUT=2
    )
    with smtp_app.app_context():
        make.teacher(email="down@school.example")
        db.session.commit()
    response = smtp_app.test_client().post("/auth/forgot", data={"email": "down@school.example"})
    assert response.status_code == 302


def test_mail_waits_for_commit_and_is_dropped_on_rollback(app, outbox):
    """Queued mail is written only when the transaction commits."""
    enqueue(Mail("a@example.org", "Kept", "text", "<p>html</p>"))
    assert outbox.messages == []
    db.session.commit()
    assert [m["Subject"] for m in outbox.messages] == ["Kept"]
    enqueue(Mail("b@example.org", "Dropped", "text", "<p>html</p>"))
    db.session.rollback()
    db.session.commit()
    assert [m["Subject"] for m in outbox.messages] == ["Kept"]


def test_outbox_keeps_a_log_line_per_message(app, outbox):
    """The default back end writes an .eml file and a line in outbox.log."""
    enqueue(Mail("c@example.org", "Logged", "text", "<p>html</p>"))
    db.session.commit()
    log = (outbox.folder / "outbox.log").read_text()
    assert "c@example.org\tLogged\t" in log


def test_line_breaks_never_reach_a_mail_header(client, make, login, outbox):
    """An organisation name typed with a line break is saved as one line; its mail is sent."""
    school = make.school()
    admin = make.school_admin(school=school)
    login(make.employer(with_organisation=False))
    response = client.post(
        "/organisation/setup",
        data={
            "name": "Acme\r\nBcc: victim@example.org",
            "career_cluster": "Construction",
            "school_ids": [school.id],
        },
    )
    assert response.status_code == 302
    [message] = outbox.to(admin.email)
    assert message["Subject"] == "Acme Bcc: victim@example.org asks to work with your students"
    assert message["Bcc"] is None
