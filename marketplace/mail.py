"""Outgoing e-mail: queued on the database session and sent only after it commits.

Back ends: "outbox" (the default) writes each message as an .eml file under instance/outbox and
a line to outbox.log, so nothing leaves the machine; "smtp" hands it to an SMTP server.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import utcnow

log = logging.getLogger(__name__)
_PENDING = "pending_mail"


@dataclass(frozen=True)
class Mail:
    """One message with a plain-text and an HTML part."""

    to: str
    subject: str
    text: str
    html: str


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


def send_after_commit(mail: Mail) -> None:
    """Queue `mail` on the current transaction: sent if it commits, dropped if it rolls back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append(mail)


def _to_message(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="marketplace.local")
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def deliver(mail: Mail) -> None:
    """Send one message now through the configured back end."""
    message = _to_message(mail)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "outbox":
        outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        (outbox / name).write_bytes(bytes(message))
        with (outbox / "outbox.log").open("a", encoding="utf-8") as log_file:
            log_file.write(f"{stamp}\t{mail.to}\t{mail.subject}\t{name}\n")
    elif backend == "smtp":
        config = current_app.config
        smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
        with smtp_class(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for mail in pending:
        try:
            deliver(mail)
        except Exception:
            # The change is committed and one bad message must not stop the others; a lost
            # link mail is re-requested by the user. Issue #5 replaces this with the
            # transactional outbox and its retrying worker.
            log.exception("could not send mail to %s", mail.to)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:  # the outermost transaction
        session.info.pop(_PENDING, None)
