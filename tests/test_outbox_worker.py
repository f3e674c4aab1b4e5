"""The mail worker against a real SMTP listener: delivery, SMTP down, refused messages, a worker
killed between sending and marking, and two workers side by side on PostgreSQL."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from marketplace.extensions import db
from marketplace.mail import Mail, enqueue, safe_key
from marketplace.mail.outbox import deliver_due
from marketplace.models import OutgoingMail, utcnow
from marketplace.notifications.service import notify
from marketplace.notifications.worker import Worker

from .factories import Factory
from .outbox_worker_proc import (
    MailStore,
    free_port,
    smtp_listener,
    worker_env,
    worker_processes,
)


@pytest.fixture
def listener() -> Iterator[tuple[MailStore, int]]:
    """A real SMTP server on loopback for the test."""
    with smtp_listener() as served:
        yield served


@pytest.fixture
def smtp_app(app_factory) -> Iterator[Callable[..., Flask]]:
    """`smtp_app(port, **config)`: an app mailing over SMTP to `port`, its context pushed."""
    contexts = []

    def build(port: int, **overrides: object) -> Flask:
        settings = {"MAIL_DELIVERY": "worker", "SMTP_TIMEOUT": 5, **overrides}
        app = app_factory(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, **settings)
        context = app.app_context()
        context.push()
        contexts.append(context)
        return app

    yield build
    for context in reversed(contexts):
        db.session.rollback()
        db.session.remove()
        context.pop()


def queue(count: int, *, to: Callable[[int], str] = lambda i: f"person{i}@example.org") -> None:
    """Commit `count` pending rows (keys mail-00000…) at once."""
    now = utcnow()
    db.session.execute(
        sa.insert(OutgoingMail),
        [
            {
                "idempotency_key": f"mail-{i:05d}",
                "to_address": to(i),
                "subject": f"Message {i}",
                "text_body": f"Text {i}",
                "html_body": f"<p>HTML {i}</p>",
                "headers": "",
                "next_attempt_at": now,
            }
            for i in range(count)
        ],
    )
    db.session.commit()


def rows() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))


def lease_runs_out() -> None:
    """The dead worker's claims expire (as MAIL_CLAIM_SECONDS after its claim would)."""
    claimed = sa.update(OutgoingMail).where(OutgoingMail.claimed_until.is_not(None))
    db.session.execute(claimed.values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def states() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows():
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def test_a_notification_arrives_with_headers_both_parts_and_links(smtp_app, listener):
    """A notification's mail reaches the server with its headers, text and HTML parts, the link
    back to the page and a working unsubscribe link."""
    store, port = listener
    app = smtp_app(port)
    person = Factory().teacher(email="ms.lee@school.example")
    notify(
        person,
        kind="offer_proposed",
        subject="An offer for Team Falcon",
        key="offer-7-proposed",
        body="Acme proposes a site visit.",
        link="/engagements/3",
    )
    db.session.commit()
    assert Worker(schedule=False).drain() == 1

    [message] = store.messages()
    assert message["To"] == "ms.lee@school.example"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "An offer for Team Falcon"
    assert message["Message-ID"] == "<notification-offer-7-proposed@marketplace.example>"
    assert message["X-Idempotency-Key"] == safe_key("notification-offer-7-proposed")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    base = app.config["BASE_URL"]
    for part in (text, html):
        assert "Acme proposes a site visit." in part
        assert f"{base}/engagements/3" in part
        assert f"{base}/notifications/preferences/" in part
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{base}/notifications/preferences/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    preferences = unsubscribe.strip("<>").removeprefix(base).removesuffix("/unsubscribe")
    assert app.test_client().get(preferences).status_code == 200  # no log-in needed
    [row] = rows()
    assert (row.state, row.attempts, row.sent_at is not None) == ("sent", 0, True)


def test_smtp_down_keeps_mail_pending_with_backoff_then_sends_each_once(smtp_app):
    """With SMTP refusing connections the request succeeds and its mail waits, each retry
    later than the last; once the server is back, each message goes once."""
    port = free_port()
    app = smtp_app(port, MAIL_DELIVERY="inline", MAIL_RETRY_BASE_SECONDS=30)
    Factory().teacher(email="down@school.example")
    for i in range(3):
        enqueue(Mail(f"p{i}@example.org", f"Queued {i}", "text", "<p>html</p>"), key=f"k{i}")
    db.session.commit()  # inline delivery: refused, and the commit stands
    response = app.test_client().post("/auth/forgot", data={"email": "down@school.example"})
    assert response.status_code == 302

    first = rows()
    assert len(first) == 4
    for row in first:
        assert (row.state, row.attempts) == ("pending", 1)
        assert "ConnectionRefusedError" in row.last_error
        delay = row.next_attempt_at - utcnow()
        assert timedelta(seconds=25) < delay <= timedelta(seconds=30)

    db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert deliver_due().failed == 4
    for row in rows():
        assert (row.state, row.attempts) == ("pending", 2)
        assert timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)

    with smtp_listener(port) as (store, _):
        assert Worker(schedule=False).drain() == 0  # not due yet: nothing is hurried
        db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert Worker(schedule=False).drain() == 4
    assert sorted(store.per_key().items()) == [(safe_key(r.idempotency_key), 1) for r in rows()]
    assert store.duplicates() == 0
    assert states() == {"sent": 4}


def test_a_refused_message_is_retried_then_failed_without_blocking_others(smtp_app, listener):
    """A recipient the server refuses (550) is retried MAIL_MAX_ATTEMPTS times and then
    failed; the messages around it are sent at the first try."""
    store, port = listener
    store.refuse = lambda rcpt: rcpt == "person2@example.org"
    smtp_app(port, MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=0)
    queue(5)
    batch = deliver_due()
    assert (batch.claimed, batch.sent, batch.failed) == (5, 4, 1)
    assert states() == {"sent": 4, "pending": 1}
    assert deliver_due().failed == 1
    assert states() == {"sent": 4, "pending": 1}
    assert deliver_due().failed == 1
    bounced = rows()[2]
    assert (bounced.state, bounced.attempts) == ("failed", 3)
    assert "550" in bounced.last_error
    assert deliver_due().claimed == 0  # a failed row is never tried again
    assert len(store.refused) == 3
    assert sorted(store.per_key()) == [f"mail-{i:05d}" for i in (0, 1, 3, 4)]


@pytest.mark.commits  # a worker in another process
def test_a_worker_killed_between_send_and_mark_loses_nothing_and_resends_one_by_its_key(
    smtp_app, listener, database_url, tmp_path: Path
):
    """SIGKILL from inside the 57th SMTP transaction (sent, not yet marked); a new worker after
    the lease sends the rest: every row sent, every key in the mailbox once."""
    store, port = listener
    app = smtp_app(port)
    queue(200)
    env = worker_env(
        database_url,
        tmp_path / "w",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        MAIL_BATCH_SIZE=100,
    )
    with worker_processes(tmp_path / "logs") as start:
        doomed = start(env, "--no-schedule")
        store.kill_at = (57, doomed.pid)
        assert doomed.wait(timeout=30) == -9
        assert store.count() == 57
        after_kill = states()  # the 57th went out and was not marked; the rest wait
        assert after_kill["sent"] == 56 and after_kill.get("sending", 0) >= 1
        leases = [row.claimed_until - utcnow() for row in rows() if row.state == "sending"]
        lease = timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"])  # the worker's too
        assert all(lease - timedelta(seconds=60) < left <= lease for left in leases)  # held
        lease_runs_out()
        assert start(env, "--once", "--no-schedule").wait(timeout=30) == 0

    assert states() == {"sent": 200}
    per_key = store.per_key()
    assert sorted(per_key) == [f"mail-{i:05d}" for i in range(200)]  # every key received
    assert len(store.mailbox) == 200  # filed once each: no duplicate Message-ID in the mailbox
    resent = store.duplicates()
    assert store.count() == 200 + resent
    assert resent <= 1  # the honest count: the one message in flight when the worker died
    assert [key for key, n in per_key.items() if n > 1] == (["mail-00056"] if resent else [])


@pytest.mark.commits  # a worker in another process
def test_sigterm_finishes_the_message_in_hand_and_hands_back_the_rest(
    smtp_app, listener, database_url, tmp_path: Path
):
    """SIGTERM arriving during the 20th SMTP transaction: that message is still marked sent,
    the rest of the batch is handed back untried, and the worker exits cleanly."""
    store, port = listener
    smtp_app(port)
    queue(100)
    env = worker_env(
        database_url, tmp_path / "w", MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port
    )
    with worker_processes(tmp_path / "logs") as start:
        worker = start(env, "--no-schedule")
        store.kill_signal = signal.SIGTERM
        store.kill_at = (20, worker.pid)
        assert worker.wait(timeout=30) == 0
    assert store.count() == 20
    assert states() == {"sent": 20, "pending": 80}
    assert all(row.attempts == 0 and row.claimed_by is None for row in rows()[20:])
    assert "stopped: 20 sent" in (tmp_path / "logs" / "worker-0.log").read_text()


@pytest.mark.commits  # a worker in another process
def test_outbox_folder_keeps_one_file_per_key_when_killed_between_write_and_mark(
    smtp_app, database_url, tmp_path: Path
):
    """With the outbox back end, a worker that dies after writing its 57th file and before
    marking it leaves, after a restart, exactly one .eml per key."""
    smtp_app(free_port())
    queue(200)
    instance = tmp_path / "w"
    env = worker_env(database_url, instance, MAIL_BACKEND="outbox")
    with worker_processes(tmp_path / "logs") as start:
        doomed = start(env, "--die-after-sends", "57", "--no-schedule")
        assert doomed.wait(timeout=30) == -9
        after_kill = states()
        assert after_kill["sent"] == 56 and after_kill.get("sending", 0) >= 1
        lease_runs_out()
        assert start(env, "--once", "--no-schedule").wait(timeout=30) == 0

    assert states() == {"sent": 200}
    files = sorted(path.name for path in (instance / "outbox").glob("*.eml"))
    assert files == [f"mail-{i:05d}.eml" for i in range(200)]
    assert not list((instance / "outbox").glob(".*"))  # no temporary file left behind
    log_lines = (instance / "outbox" / "outbox.log").read_text().splitlines()
    assert len(log_lines) == 200  # the re-sent 57th was refused by its existing file


@pytest.mark.commits  # a worker in another process
def test_two_workers_on_postgresql_deliver_each_message_exactly_once(
    smtp_app, listener, database_url, tmp_path: Path
):
    """Two worker processes drain 1,000 rows together: each row is claimed by one of them,
    sent once and marked once."""
    store, port = listener
    app = smtp_app(port)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent claims need PostgreSQL: set TEST_DATABASE_URL")
    assert app.config["MAIL_CLAIM_SECONDS"] >= 60  # no lease runs out during the test
    queue(1000)
    env = worker_env(
        database_url, tmp_path / "w", MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port
    )
    with worker_processes(tmp_path / "logs") as start:
        workers = [
            start(env, "--once", "--no-schedule", "--batch", "25", "--name", f"w{n}")
            for n in (1, 2)
        ]
        assert [worker.wait(timeout=60) for worker in workers] == [0, 0]

    assert states() == {"sent": 1000}
    per_key = store.per_key()
    assert len(per_key) == 1000 and set(per_key.values()) == {1}
    assert store.count() == 1000 and store.duplicates() == 0
    by_worker = {
        name: n
        for name, n in db.session.execute(
            sa.select(OutgoingMail.claimed_by, sa.func.count()).group_by(OutgoingMail.claimed_by)
        )
    }
    reported = {}
    for n in (1, 2):
        last = (tmp_path / "logs" / f"worker-{n - 1}.log").read_text().splitlines()[-1]
        assert last.startswith(f"Worker w{n} stopped: ")
        reported[f"w{n}"] = int(last.split(": ")[1].split()[0])
    assert by_worker == reported  # each row marked by the worker that claimed it, once
    assert sum(reported.values()) == 1000
    assert set(by_worker) == {"w1", "w2"}  # both took part
