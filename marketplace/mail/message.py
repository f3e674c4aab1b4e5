"""One e-mail: what it says (`Mail`, rendered from a template by `compose`), and the MIME
message a transport sends, whose Message-ID comes from the outbox row's idempotency key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app, render_template

from ..models import OutgoingMail, utcnow


@dataclass(frozen=True)
class Mail:
    """One message with a plain-text and an HTML part (and extra headers, such as
    List-Unsubscribe, and an iCalendar entry: an event's invitation)."""

    to: str
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...] = ()
    calendar: str = ""


def compose(to: str, subject: str, template: str, **context: object) -> Mail:
    """Render `mail/<template>.txt` and `.html` into a message."""
    subject = " ".join(subject.split())  # one line: a header cannot carry a line break
    context.setdefault("subject", subject)
    return Mail(
        to=to,
        subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
    )


def mail_of(row: OutgoingMail) -> Mail:
    """The message an outbox row holds."""
    split = (line.partition(": ") for line in row.headers.splitlines())
    headers = tuple((name, value) for name, sep, value in split if sep)
    return Mail(
        row.to_address, row.subject, row.text_body, row.html_body, headers, row.calendar or ""
    )


def safe_key(key: str) -> str:
    """The idempotency key as it appears in a file name and a Message-ID."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", key)[:120]


def message_id(key: str) -> str:
    """A Message-ID made from the idempotency key: a copy of the same mail has the same one."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "marketplace"
    return f"<{safe_key(key)}@{domain}>"


def to_message(mail: Mail, key: str) -> EmailMessage:
    """The MIME message: plain text first, then HTML; its Message-ID comes from `key`."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = message_id(key)
    message["X-Idempotency-Key"] = safe_key(key)
    message["Date"] = format_datetime(utcnow())
    for name, value in mail.headers:  # a mail's own From (a school's name) replaces the default
        if name in message:
            message.replace_header(name, value)
        else:
            message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    if mail.calendar:  # a calendar reads it as an invitation, and its updates as updates
        message.add_attachment(
            mail.calendar.encode(),
            maintype="text",
            subtype="calendar",
            filename="invitation.ics",
            params={"method": "REQUEST", "charset": "utf-8"},
        )
    return message
