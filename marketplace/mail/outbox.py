"""Delivering the outbox: claim due rows, send each under its idempotency key, mark it sent.

Several workers can run side by side: the outbox is a `leases.Queue`, so each row goes to one
worker under a lease, and the rows of a worker that died are claimed again once
`MAIL_CLAIM_SECONDS` have passed. A live worker renews its lease while a batch lasts, and
never sends a row it no longer holds. Each row is marked sent in its own commit right after
it is sent. A worker killed between the two sends the row again after the lease, with the same
Message-ID (its key), which the outbox folder refuses and a receiving mail store recognises as
the same message.

Failures: a message the server refuses (5xx, 4xx) goes back to pending with an exponential
back-off and is `failed` after `MAIL_MAX_ATTEMPTS`; the batch goes on. A lost or refused
connection is no message's fault: the rows in hand wait with the same back-off (capped at
`MAIL_RETRY_MAX_SECONDS`) and are never given up for it.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..extensions import db
from ..leases import Queue, backoff
from ..models import MailState, OutgoingMail, utcnow
from .message import mail_of
from .transport import connection

log = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
# The server answered about this one message; the connection is still good for the next.
MESSAGE_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass
class Batch:
    """What one `deliver_due()` call did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0  # attempts that failed (the row waits for a retry, or is given up)
    released: int = 0  # claimed but not tried (stopping, or the lease ran out)


MAIL = Queue(OutgoingMail, pending=MailState.PENDING.value, working=MailState.SENDING.value)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])


def claim(
    session: Session, *, worker: str, limit: int, ids: Iterable[int] | None = None
) -> list[int]:
    """Lease up to `limit` due rows to `worker` (committed); returns their ids, oldest first."""
    return MAIL.claim(session, worker=worker, limit=limit, lease=_lease(), ids=ids)


def _backoff(attempts: int) -> timedelta:
    config = current_app.config
    return backoff(attempts, config["MAIL_RETRY_BASE_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"])


def _failed(
    session: Session, row: OutgoingMail, worker: str, error: Exception, *, may_give_up: bool
) -> None:
    attempts = row.attempts + 1
    last = may_give_up and attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    log.warning("mail %s to %s failed (attempt %d): %s", row.id, row.to_address, attempts, error)
    MAIL.finish(
        session,
        row.id,
        worker,
        attempts=attempts,
        state=(MailState.FAILED if last else MailState.PENDING).value,
        next_attempt_at=utcnow() + _backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


def _renew(session: Session, rows: list[OutgoingMail], worker: str) -> list[OutgoingMail]:
    """Extend the lease on the rows this worker still holds; returns those (a row whose lease
    ran out may have been claimed by another worker meanwhile: it is that worker's now)."""
    held, until = MAIL.renew(session, [row.id for row in rows], worker, _lease())
    kept = [row for row in rows if row.id in held]
    for row in kept:
        row.claimed_until = until
    return kept


def send_claimed(
    session: Session, ids: list[int], worker: str, stop: Callable[[], bool] = lambda: False
) -> Batch:
    """Send the claimed rows over one connection, marking each as it goes; the lease is renewed
    while the batch lasts. `stop()` hands the rows not yet tried back."""
    rows = session.scalars(
        sa.select(OutgoingMail).where(OutgoingMail.id.in_(ids)).order_by(OutgoingMail.id)
    ).all()
    session.commit()
    session.expunge_all()
    lease = _lease()
    batch = Batch(claimed=len(rows))
    in_hand = list(rows)  # claimed and not yet marked
    try:
        with connection() as send:
            while in_hand and not stop():
                row = in_hand[0]
                if row.claimed_until is None or utcnow() >= row.claimed_until - lease / 2:
                    in_hand = _renew(session, in_hand, worker)
                    continue
                try:
                    send(mail_of(row), row.idempotency_key)
                except MESSAGE_REFUSED as error:  # this message only; the others go on
                    in_hand.pop(0)
                    _failed(session, row, worker, error, may_give_up=True)
                    batch.failed += 1
                    continue
                except OSError:  # the connection is gone: the rows in hand wait with it
                    raise
                except Exception as error:  # a message that cannot be built
                    in_hand.pop(0)
                    _failed(session, row, worker, error, may_give_up=True)
                    batch.failed += 1
                    continue
                in_hand.pop(0)
                if MAIL.finish(
                    session, row.id, worker, state=MailState.SENT.value, sent_at=utcnow()
                ):
                    batch.sent += 1
    except OSError as error:  # could not connect, or the connection broke
        for row in in_hand:
            _failed(session, row, worker, error, may_give_up=False)
        batch.failed += len(in_hand)
        return batch
    if in_hand:
        batch.released = MAIL.release(session, [row.id for row in in_hand], worker)
    return batch


def deliver_due(
    *,
    ids: Iterable[int] | None = None,
    worker: str | None = None,
    batch: int | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Batch:
    """Claim and send one batch of due mail (only `ids`, when given); says what it did. The
    default name carries this process's id, read now: web processes forked from one parent
    (gunicorn --preload) must not share a name, or one could finish another's claim."""
    worker = worker or f"{socket.gethostname()}:{os.getpid()}:inline"
    limit = batch or current_app.config["MAIL_BATCH_SIZE"]
    # a session of its own, made as db.session's are (same binds): each mark commits alone
    with db.session.session_factory(expire_on_commit=False) as session:
        claimed = claim(session, worker=worker, limit=limit, ids=ids)
        if not claimed:
            return Batch()
        return send_claimed(session, claimed, worker, stop)
