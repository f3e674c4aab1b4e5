"""Delivering the outbox: claim due rows, send each under its idempotency key, mark it sent.

Several workers can run side by side: a claim is one UPDATE over a sub-select that PostgreSQL
runs `FOR UPDATE SKIP LOCKED`, so each row goes to one worker; the claim is a lease, so the rows
of a worker that died are claimed again once `MAIL_CLAIM_SECONDS` have passed. Each row is
marked sent in its own commit right after it is sent. A worker killed between the two sends the
row again after the lease, with the same Message-ID (its key), which the outbox folder refuses
and a receiving mail store recognises as the same message.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..extensions import db
from ..mail import connection, mail_of
from ..models import MailState, OutgoingMail, utcnow

log = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due(now: datetime) -> sa.ColumnElement[bool]:
    pending = sa.and_(
        OutgoingMail.state == MailState.PENDING.value, OutgoingMail.next_attempt_at <= now
    )
    abandoned = sa.and_(
        OutgoingMail.state == MailState.SENDING.value, OutgoingMail.claimed_until < now
    )
    return sa.or_(pending, abandoned)


def claim(
    session: Session, *, worker: str, limit: int, ids: Iterable[int] | None = None
) -> list[int]:
    """Lease up to `limit` due rows to `worker` (committed); returns their ids, oldest first."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])
    due = sa.select(OutgoingMail.id).where(_due(now)).order_by(OutgoingMail.id).limit(limit)
    if ids is not None:
        due = due.where(OutgoingMail.id.in_(list(ids)))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = session.scalars(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id.in_(due.scalar_subquery()), _due(now))
        .values(state=MailState.SENDING.value, claimed_by=worker, claimed_until=now + lease)
        .returning(OutgoingMail.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return sorted(claimed)


def _backoff(attempts: int) -> timedelta:
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _finish(session: Session, row_id: int, worker: str, **values: object) -> bool:
    done = session.execute(
        sa.update(OutgoingMail)
        .where(
            OutgoingMail.id == row_id,
            OutgoingMail.state == MailState.SENDING.value,
            OutgoingMail.claimed_by == worker,
        )
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return done == 1


def _failed(session: Session, row: OutgoingMail, worker: str, error: Exception) -> None:
    attempts = row.attempts + 1
    last = attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    log.warning("mail %s to %s failed (attempt %d): %s", row.id, row.to_address, attempts, error)
    _finish(
        session,
        row.id,
        worker,
        attempts=attempts,
        state=(MailState.FAILED if last else MailState.PENDING).value,
        next_attempt_at=utcnow() + _backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


def send_claimed(session: Session, ids: list[int], worker: str) -> int:
    """Send the claimed rows over one connection; returns how many were marked sent."""
    rows = session.scalars(
        sa.select(OutgoingMail).where(OutgoingMail.id.in_(ids)).order_by(OutgoingMail.id)
    ).all()
    session.expunge_all()
    sent = 0
    try:
        with connection() as send:
            for index, row in enumerate(rows):
                try:
                    send(mail_of(row), row.idempotency_key)
                except OSError as error:  # the connection is gone: the rest wait with it
                    for waiting in rows[index:]:
                        _failed(session, waiting, worker, error)
                    return sent
                except Exception as error:  # this message was refused; the others go on
                    _failed(session, row, worker, error)
                    continue
                if _finish(session, row.id, worker, state=MailState.SENT.value, sent_at=utcnow()):
                    sent += 1
    except OSError as error:  # could not connect at all
        for row in rows:
            _failed(session, row, worker, error)
    return sent


def deliver_due(
    *, ids: Iterable[int] | None = None, worker: str = WORKER_NAME, batch: int | None = None
) -> int:
    """Claim and send one batch of due mail (only `ids`, when given); returns how many went."""
    limit = batch or current_app.config["MAIL_BATCH_SIZE"]
    with Session(db.engine, expire_on_commit=False) as session:
        claimed = claim(session, worker=worker, limit=limit, ids=ids)
        if not claimed:
            return 0
        return send_claimed(session, claimed, worker)
