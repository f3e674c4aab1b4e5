"""Mail workers as subprocesses for the fault tests and the benchmark, and a real SMTP listener.

    python -m tests.outbox_worker_proc [--die-after-sends N] [flask worker options]

runs the worker like `flask worker` does, on the app that APP_ENV / DATABASE_URL / MAIL_* in the
environment describe; with `--die-after-sends N` it SIGKILLs itself right after its N-th message
left (written or handed to SMTP) and before that row is marked sent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailStore:
    """An aiosmtpd handler that files messages by Message-ID, like a mail store: a copy of a
    message it holds is counted as a re-send and not filed twice.

    `refuse(rcpt)` answers True for a recipient whose messages get "550"; `kill_at = (n, pid)`
    sends `kill_signal` (SIGKILL) to process `pid` from inside the n-th transaction, after the
    message was received and before the sender hears "250"."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mailbox: dict[str, bytes] = {}  # Message-ID -> the message as received
        self.keys: dict[str, str] = {}  # Message-ID -> X-Idempotency-Key
        self.transactions: list[str] = []  # the Message-ID of every DATA accepted, in order
        self.refused: list[str] = []
        self.refuse: Callable[[str], bool] = lambda rcpt: False
        self.kill_at: tuple[int, int] | None = None
        self.kill_signal = signal.SIGKILL

    async def handle_DATA(self, server, session, envelope) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.content)  # only what is filed by
        message_id = str(headers["Message-ID"])
        if any(self.refuse(rcpt) for rcpt in envelope.rcpt_tos):
            with self.lock:
                self.refused.append(message_id)
            return "550 5.1.1 Mailbox unavailable"
        with self.lock:
            self.transactions.append(message_id)
            self.mailbox.setdefault(message_id, envelope.content)
            self.keys.setdefault(message_id, str(headers["X-Idempotency-Key"]))
            count = len(self.transactions)
        if self.kill_at and count == self.kill_at[0]:
            os.kill(self.kill_at[1], self.kill_signal)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        """The messages in the mailbox, parsed, in the order they first arrived."""
        with self.lock:
            raw = list(self.mailbox.values())
        return [message_from_bytes(content, policy=default) for content in raw]  # type: ignore[misc]

    def count(self) -> int:
        with self.lock:
            return len(self.transactions)

    def duplicates(self) -> int:
        """SMTP transactions that carried a message the store already held."""
        with self.lock:
            return sum(n - 1 for n in Counter(self.transactions).values())

    def per_key(self) -> Counter[str]:
        """How many times each idempotency key arrived."""
        with self.lock:
            counts = Counter(self.transactions)
            return Counter({key: counts[mid] for mid, key in self.keys.items()})


@contextmanager
def smtp_listener(port: int | None = None) -> Iterator[tuple[MailStore, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, stopped on exit."""
    from aiosmtpd.controller import Controller

    store = MailStore()
    controller = Controller(store, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield store, controller.port
    finally:
        controller.stop()


def worker_env(database_url: str, instance: Path, **settings: object) -> dict[str, str]:
    """The environment of a worker subprocess on `database_url` (APP_ENV=test)."""
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        APP_ENV="test",
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(instance),
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        MAIL_DELIVERY="worker",
        WORKER_POLL_SECONDS="0.2",
        PYTHONUNBUFFERED="1",
    )
    env.update({name: str(value) for name, value in settings.items()})
    return env


@contextmanager
def worker_processes(logs: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """`start(env, *args)` runs a worker subprocess (its output in `logs`); every one still
    running on exit is killed, whatever happened."""
    started: list[subprocess.Popen] = []
    logs.mkdir(parents=True, exist_ok=True)

    def start(env: dict[str, str], *args: str) -> subprocess.Popen:
        log = (logs / f"worker-{len(started)}.log").open("w")
        command = [sys.executable, "-m", "tests.outbox_worker_proc", *args]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        log.close()
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def _die_after(sends: int) -> None:
    """Make the worker SIGKILL itself after `sends` messages left, before marking the last."""
    from marketplace.mail import outbox

    real_connection = outbox.connection
    count = 0

    @contextmanager
    def connection():
        with real_connection() as send:

            def send_then_maybe_die(mail, key):
                nonlocal count
                send(mail, key)
                count += 1
                if count == sends:
                    os.kill(os.getpid(), signal.SIGKILL)

            yield send_then_maybe_die

    outbox.connection = connection


def main(argv: list[str]) -> None:
    """Run `flask worker` with `argv` (after `--die-after-sends N`, if given)."""
    if argv[:1] == ["--die-after-sends"]:
        _die_after(int(argv[1]))
        argv = argv[2:]
    from marketplace import create_app
    from marketplace.notifications.cli import worker_command

    with create_app().app_context():
        worker_command.main(args=argv, prog_name="flask worker")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
