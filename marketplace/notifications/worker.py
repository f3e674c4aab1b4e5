"""The worker behind `flask worker`: delivers due mail in batches, prepares the media jobs
(covers' thumbnails, decks' slides, videos' posters: `marketplace.media`), sleeps, and now and
then runs the scheduled jobs (`marketplace.notifications.scheduled.run_all`).

SIGTERM or SIGINT stops it gently: the message being sent is finished and marked, the rest of
the batch is handed back (due again at once for another worker), and the loop exits.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from .. import media
from ..extensions import db
from ..mail.outbox import WORKER_NAME, deliver_due
from ..models import utcnow
from . import scheduled

log = logging.getLogger(__name__)


@dataclass
class Worker:
    """One worker process: its name, batch size, and whether it runs the scheduled jobs."""

    name: str = WORKER_NAME
    batch: int | None = None
    schedule: bool = True
    media: bool = True
    stopping: threading.Event = field(default_factory=threading.Event)
    sent: int = 0
    failed: int = 0
    prepared: int = 0

    def stop(self, *_: object) -> None:
        """Ask the loop to finish the message in hand and exit."""
        self.stopping.set()

    def drain(self) -> int:
        """Deliver due mail batch after batch until none is due (or asked to stop)."""
        sent = 0
        while not self.stopping.is_set():
            batch = deliver_due(worker=self.name, batch=self.batch, stop=self.stopping.is_set)
            if not batch.claimed:
                break
            log.info(
                "worker %s: batch of %d, %d sent, %d failed, %d handed back",
                self.name,
                batch.claimed,
                batch.sent,
                batch.failed,
                batch.released,
            )
            sent += batch.sent
            self.sent += batch.sent
            self.failed += batch.failed
            if not batch.sent and not batch.released:  # all failed: they wait for their retry
                break
        return sent

    def prepare_media(self) -> int:
        """Prepare the due media jobs one at a time, delivering due mail after each: a long
        video never holds up a password reset (a refused file counts as prepared)."""
        prepared = 0
        while not self.stopping.is_set():
            batch = media.prepare_due(worker=self.name, batch=1, stop=self.stopping.is_set)
            if not batch.claimed:
                break
            log.info(
                "worker %s: media job %s",
                self.name,
                "prepared" if batch.done else "refused" if batch.failed else "to retry",
            )
            prepared += batch.done + batch.failed
            self.drain()
            if not (batch.done or batch.failed):  # storage trouble: it waits for its retry
                break
        self.prepared += prepared
        return prepared

    def run_scheduled(self) -> None:
        """Run the scheduled jobs once; a failure is logged and they run again next time."""
        try:
            run_scheduled()
        except Exception:
            log.exception("the scheduled jobs failed; they run again next time")

    def run(self, *, once: bool = False) -> None:
        """The loop: drain, run the scheduled jobs when their time comes, sleep, repeat."""
        poll = current_app.config["WORKER_POLL_SECONDS"]
        every = current_app.config["SCHEDULE_EVERY_SECONDS"]
        next_schedule = time.monotonic()
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                self.drain()
                if self.media:
                    self.prepare_media()
            except Exception:  # the database went away, say: log it and try again after a nap
                log.exception("worker %s: delivering failed; trying again", self.name)
                db.session.remove()
            if self.schedule and time.monotonic() >= next_schedule and not self.stopping.is_set():
                self.run_scheduled()
                next_schedule = time.monotonic() + every
                self.drain()  # what the jobs queued goes out now, not after a sleep
            if once:
                break
            self.stopping.wait(poll)
        log.info(
            "worker %s stopped: %d sent, %d failed, %d media job(s)",
            self.name,
            self.sent,
            self.failed,
            self.prepared,
        )


def run_scheduled(now: datetime | None = None, only: Iterable[str] | None = None) -> dict[str, int]:
    """`scheduled.run_all`, committed (rolled back if it raises); what each job produced. The
    worker's schedule and `flask run-scheduled` come through here (`flask expire-offers` runs
    the same job table, one job)."""
    try:
        report = scheduled.run_all(now or utcnow(), only)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()
    report = dict(report)
    log.info("scheduled jobs: %s", ", ".join(f"{k}={v}" for k, v in report.items()) or "-")
    return report


@contextmanager
def stop_on_signals(stop: Callable[..., None]) -> Iterator[None]:
    """Call `stop` on SIGTERM and SIGINT (instead of dying mid-message); restore after."""
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
