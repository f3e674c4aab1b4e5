"""Outgoing e-mail through the transactional outbox.

`enqueue()` adds an `OutgoingMail` row to the current transaction: if the change commits, the
mail is committed with it; if it rolls back, so does the mail. The worker
(`marketplace.notifications.outbox`) delivers the rows; in the default "inline" mode the web
process also delivers the rows it just committed, right after the commit.

Transports: "outbox" (the default) writes each message as `<idempotency key>.eml` under
instance/outbox and a line to outbox.log, so nothing leaves the machine; the file is created
exclusively, so a message is written once even if it is delivered twice. "smtp" hands it to an
SMTP server (host, port, STARTTLS or SSL, credentials from the environment).
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from flask import current_app, has_app_context, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import OutgoingMail, utcnow

_QUEUED = "queued_mail_ids"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One message with a plain-text and an HTML part (and extra headers, such as
    List-Unsubscribe)."""

    to: str
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...] = ()


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


def enqueue(
    mail: Mail, *, key: str | None = None, user_id: int | None = None, kind: str = "account"
) -> OutgoingMail:
    """Add `mail` to the outbox in the current transaction (sent once it commits).

    `key` is the message's idempotency key; give one derived from what the mail is about
    (a notification, a digest's period) so that queuing it twice is refused by the unique index.
    """
    row = OutgoingMail(
        idempotency_key=key or f"mail-{uuid.uuid4().hex}",
        to_address=mail.to,
        user_id=user_id,
        kind=kind,
        subject=mail.subject[:200],
        text_body=mail.text,
        html_body=mail.html,
        headers="".join(f"{name}: {value}\n" for name, value in mail.headers),
    )
    db.session.add(row)
    return row


def mail_of(row: OutgoingMail) -> Mail:
    """The message an outbox row holds."""
    split = (line.partition(": ") for line in row.headers.splitlines())
    headers = tuple((name, value) for name, sep, value in split if sep)
    return Mail(row.to_address, row.subject, row.text_body, row.html_body, headers)


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
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _write_to_outbox(folder: Path, message: EmailMessage, key: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{safe_key(key)}.eml"
    temporary = folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex}"
    temporary.write_bytes(bytes(message))
    try:
        os.link(temporary, folder / name)  # atomic, and refused if this key was written before
    except FileExistsError:
        return
    finally:
        temporary.unlink()
    with (folder / "outbox.log").open("a", encoding="utf-8") as log_file:
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        log_file.write(f"{stamp}\t{message['To']}\t{message['Subject']}\t{name}\n")


@contextmanager
def connection() -> Iterator[Callable[[Mail, str], None]]:
    """Open the configured transport once for a batch; yields `send(mail, key)`."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "outbox":
        folder = Path(config["MAIL_OUTBOX_DIR"])
        yield lambda mail, key: _write_to_outbox(folder, to_message(mail, key), key)
    elif backend == "smtp":
        smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
        with smtp_class(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")

            def send(mail: Mail, key: str) -> None:
                # One recipient per mail: a refusal raises, so no refused-recipients dict is lost.
                smtp.send_message(to_message(mail, key))

            yield send
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, flush_context: object) -> None:
    for row in session.new:
        if isinstance(row, OutgoingMail):
            session.info.setdefault(_QUEUED, []).append(row.id)


@event.listens_for(Session, "after_commit")
def _deliver_inline(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the mail is not committed
        return
    ids = session.info.pop(_QUEUED, [])
    if ids and has_app_context() and current_app.config["MAIL_DELIVERY"] == "inline":
        from .notifications.outbox import deliver_due  # the worker's code, on these rows only

        try:
            deliver_due(ids=ids)
        except Exception:  # the change is committed: the rows stay pending for the worker
            log.exception("inline delivery of mail %s failed; the worker will retry", ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:  # the outermost transaction
        session.info.pop(_QUEUED, None)
