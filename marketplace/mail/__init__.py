"""Outgoing e-mail through the transactional outbox.

`enqueue()` adds an `OutgoingMail` row to the current transaction: if the change commits, the
mail is committed with it; if it rolls back, so does the mail. The worker delivers the rows
(`outbox`: claim, send, mark); in the default "inline" mode the web process also delivers the
rows it just committed, right after the commit, through the same code.

Transports (`transport`): "outbox" (the default) writes each message as `<idempotency key>.eml`
under instance/outbox and a line to outbox.log, so nothing leaves the machine; the file is
created exclusively, so a message is written once even if it is delivered twice. "smtp" hands it
to an SMTP server (host, port, STARTTLS or SSL, credentials from the environment).
"""

from __future__ import annotations

import logging
import uuid

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutgoingMail
from . import outbox
from .message import Mail, compose, mail_of, message_id, safe_key, to_message

__all__ = ["Mail", "compose", "enqueue", "mail_of", "message_id", "safe_key", "to_message"]

_QUEUED = "queued_mail_ids"
log = logging.getLogger(__name__)


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
        calendar=mail.calendar,
    )
    db.session.add(row)
    return row


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
        try:  # the worker's code, on these rows only
            outbox.deliver_due(ids=ids)
        except Exception:  # the change is committed: the rows stay pending for the worker
            log.exception("inline delivery of mail %s failed; the worker will retry", ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:  # the outermost transaction
        session.info.pop(_QUEUED, None)
