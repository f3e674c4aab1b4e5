"""Work queues in a table: rows claimed under a lease, retried with back-off, never done twice.

The outbox (`mail.outbox`) and the media jobs (`media.jobs`) are both tables of rows to work
through, with several workers side by side. A `Queue` holds the one design they share:

- **claim**: one UPDATE over the due rows; PostgreSQL locks them first `FOR UPDATE SKIP
  LOCKED` (SQLite serialises writers instead), so each row goes to one worker.
- **lease**: a claim lasts `lease` seconds. A worker that dies leaves its rows to be claimed
  again once the lease has passed; a live one renews it while it works.
- **finish / release**: a worker only ever updates the rows it still holds, so a row whose
  lease ran out and was claimed by another is that worker's now.
- **back-off**: a failed attempt waits `base · 2^(attempts-1)` seconds, capped.

A queue's table has the columns `id`, `state`, `attempts`, `next_attempt_at`, `claimed_by` and
`claimed_until`; `state` is `pending` when due and `working` while claimed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .extensions import rows_matched
from .models import utcnow


@dataclass(frozen=True)
class Queue:
    """The rows of `model` as a queue; `pending` and `working` are its two states in hand."""

    model: Any  # a mapped class with the columns above
    pending: str
    working: str

    def _due(self, now: datetime) -> sa.ColumnElement[bool]:
        m = self.model
        waiting = sa.and_(m.state == self.pending, m.next_attempt_at <= now)
        abandoned = sa.and_(m.state == self.working, m.claimed_until < now)
        return sa.or_(waiting, abandoned)

    def claim(
        self,
        session: Session,
        *,
        worker: str,
        limit: int,
        lease: timedelta,
        ids: Iterable[int] | None = None,
    ) -> list[int]:
        """Lease up to `limit` due rows to `worker` (committed); their ids, oldest first."""
        m = self.model
        now = utcnow()
        due = sa.select(m.id).where(self._due(now)).order_by(m.id).limit(limit)
        if ids is not None:
            due = due.where(m.id.in_(list(ids)))
        if session.scalar(due.limit(1)) is None:  # a read, so an idle worker takes no write lock
            session.commit()
            return []
        if session.get_bind().dialect.name == "postgresql":
            # Lock the rows first, in their own statement: as a sub-select of the UPDATE,
            # PostgreSQL may run it again per row, and each run skips the rows it just updated.
            locked = session.scalars(due.with_for_update(skip_locked=True)).all()
            where = m.id.in_(locked)
        else:  # SQLite: one statement under the database's single write lock
            where = m.id.in_(due.scalar_subquery())
        claimed = session.scalars(
            sa.update(m)
            .where(where, self._due(now))
            .values(state=self.working, claimed_by=worker, claimed_until=now + lease)
            .returning(m.id)
            .execution_options(synchronize_session=False)
        ).all()
        session.commit()
        return sorted(claimed)

    def _held(self, ids: Iterable[int], worker: str) -> sa.ColumnElement[bool]:
        m = self.model
        return sa.and_(m.id.in_(list(ids)), m.state == self.working, m.claimed_by == worker)

    def finish(self, session: Session, row_id: int, worker: str, **values: object) -> bool:
        """Update a row this worker still holds (committed); False if it is no longer its."""
        done = rows_matched(
            sa.update(self.model)
            .where(self._held([row_id], worker))
            .values(claimed_until=None, **values)
            .execution_options(synchronize_session=False),
            session,
        )
        session.commit()
        return done == 1

    def release(self, session: Session, ids: Iterable[int], worker: str) -> int:
        """Hand back claimed rows that were not tried: due again at once, no attempt counted."""
        released = rows_matched(
            sa.update(self.model)
            .where(self._held(ids, worker))
            .values(state=self.pending, claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False),
            session,
        )
        session.commit()
        return released

    def renew(
        self, session: Session, ids: Iterable[int], worker: str, lease: timedelta
    ) -> tuple[set[int], datetime]:
        """Extend the lease on the rows this worker still holds: those ids, and the new end."""
        until = utcnow() + lease
        held = set(
            session.scalars(
                sa.update(self.model)
                .where(self._held(ids, worker))
                .values(claimed_until=until)
                .returning(self.model.id)
                .execution_options(synchronize_session=False)
            )
        )
        session.commit()
        return held, until


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """How long the `attempts`-th failure waits: base · 2^(attempts-1), at most `cap` seconds."""
    seconds = base * 2 ** min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(seconds, cap))
