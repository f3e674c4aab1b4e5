"""`flask worker` (deliver the outbox, run the scheduled jobs) and `flask run-scheduled`."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask

from ..mail.outbox import WORKER_NAME
from ..models import utcnow
from . import scheduled
from .worker import Worker, run_scheduled, stop_on_signals


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("marketplace.notifications", "marketplace.mail", "marketplace.media"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not logger.handlers:
            logger.addHandler(handler)


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, run the jobs once, and exit.")
@click.option("--batch", type=click.IntRange(min=1), help="Rows per claim (MAIL_BATCH_SIZE).")
@click.option("--no-schedule", is_flag=True, help="Only deliver mail; no scheduled jobs.")
@click.option("--no-media", is_flag=True, help="Leave the media jobs to another worker.")
@click.option("--name", default=WORKER_NAME, show_default=True, help="Recorded on claimed rows.")
def worker_command(
    once: bool, batch: int | None, no_schedule: bool, no_media: bool, name: str
) -> None:
    """Deliver pending mail with retries, prepare the media jobs and run the scheduled jobs,
    until SIGTERM/Ctrl-C."""
    _log_to_stderr()
    worker = Worker(name=name, batch=batch, schedule=not no_schedule, media=not no_media)
    with stop_on_signals(worker.stop):
        worker.run(once=once)
    click.echo(
        f"Worker {name} stopped: {worker.sent} sent, {worker.failed} failed attempt(s), "
        f"{worker.prepared} media job(s)."
    )


@click.command("run-scheduled")
def run_scheduled_command() -> None:
    """Run the scheduled jobs once (reminders, deadlines, digests); for cron."""
    _log_to_stderr()
    report = run_scheduled()
    if not report:
        click.echo("Nothing to do.")
    for job, produced in report.items():
        click.echo(f"{job}: {produced}")


@click.command("expire-offers")
def expire_offers_command() -> None:
    """Expire the offers whose deadline to answer has passed (the scheduler's own job, alone)."""
    expired = scheduled.run_all(utcnow(), only=["expired_offers"])["expired_offers"]
    click.echo(f"{expired} offer(s) expired.")


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    app.cli.add_command(worker_command)
    app.cli.add_command(run_scheduled_command)
    app.cli.add_command(expire_offers_command)
