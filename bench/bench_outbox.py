"""Outbox throughput: pending mail delivered to a local SMTP listener by one, then two, workers.

    .venv/bin/python bench/bench_outbox.py                  # 10,000 messages, 1 then 2 workers
    .venv/bin/python bench/bench_outbox.py --messages 2000 --workers 1 2 4

For each worker count: the outbox is emptied and refilled with `--messages` pending rows, an
aiosmtpd listener is started on loopback, and that many `flask worker --once --no-schedule`
subprocesses drain it. Prints wall time (from starting the workers to the last row sent),
mails/s, and the exactly-once check: distinct keys received == messages, total SMTP
transactions, duplicates, rows sent. Exits non-zero if any check fails.

The database is BENCH_OUTBOX_DATABASE_URL (default the `bench_outbox` database on 127.0.0.1,
created if missing); its public schema is dropped and migrated afresh.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_ladder import ensure_database  # noqa: E402  (bench/ is on sys.path when run)

from config import TestConfig  # noqa: E402
from marketplace import create_app  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.models import MailState, OutgoingMail, utcnow  # noqa: E402
from tests.outbox_worker_proc import smtp_listener, worker_env, worker_processes  # noqa: E402

URL = os.environ.get(
    "BENCH_OUTBOX_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_outbox"
)


def build_app(workdir: Path):
    """An app on a freshly migrated bench database."""
    config = TestConfig()
    config.TESTING = False
    config.SQLALCHEMY_DATABASE_URI = URL
    config.INSTANCE_PATH = workdir
    config.MAIL_OUTBOX_DIR = str(workdir / "outbox")
    config.MAIL_DELIVERY = "worker"
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def refill(messages: int) -> None:
    """Empty the outbox and queue `messages` pending rows like a notification's mail."""
    db.session.execute(sa.delete(OutgoingMail))
    now = utcnow()
    text = "Acme proposed an offer to your team.\n\nOpen it: http://127.0.0.1:5000/engagements/3\n"
    html = f"<p>{text}</p>" * 3
    for start in range(0, messages, 2000):
        db.session.execute(
            sa.insert(OutgoingMail),
            [
                {
                    "idempotency_key": f"notification-bench-{i:06d}",
                    "to_address": f"person{i % 500}@school.example",
                    "kind": "offer_proposed",
                    "subject": f"An offer for team {i}",
                    "text_body": text,
                    "html_body": html,
                    "headers": "List-Unsubscribe: <http://127.0.0.1:5000/notifications/x>\n",
                    "next_attempt_at": now,
                }
                for i in range(start, min(start + 2000, messages))
            ],
        )
    db.session.commit()


def run(workers: int, messages: int, workdir: Path) -> bool:
    """Drain the outbox with `workers` processes; print the figures; True if exactly once."""
    refill(messages)
    with smtp_listener() as (store, port):
        env = worker_env(
            URL,
            workdir / f"w{workers}",
            MAIL_BACKEND="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=port,
            MAIL_BATCH_SIZE=100,
        )
        with worker_processes(workdir / f"logs{workers}") as start:
            began = time.perf_counter()
            processes = [start(env, "--once", "--no-schedule") for _ in range(workers)]
            codes = [process.wait(timeout=3600) for process in processes]
            wall = time.perf_counter() - began
        received = store.per_key()
    sent = db.session.scalar(
        sa.select(sa.func.count()).where(OutgoingMail.state == MailState.SENT.value)
    )
    duplicates = store.duplicates()
    ok = codes == [0] * workers and len(received) == messages == sent and duplicates == 0
    print(
        f"{workers} worker(s): {messages} mails in {wall:.1f} s = {messages / wall:,.0f} mails/s "
        f"(incl. ~1-2 s start-up) | distinct keys {len(received)}, received {store.count()}, "
        f"duplicates {duplicates}, rows sent {sent} -> {'exactly once' if ok else 'FAILED'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    ensure_database(URL)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        app = build_app(workdir)
        with app.app_context():
            results = [run(n, args.messages, workdir) for n in args.workers]
            db.engine.dispose()
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
