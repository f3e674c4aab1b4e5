"""The transports a batch of mail goes out through: the outbox folder (development) or SMTP."""

from __future__ import annotations

import os
import smtplib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from ..models import utcnow
from .message import Mail, safe_key, to_message


def _write_to_folder(folder: Path, message: EmailMessage, key: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{safe_key(key)}.eml"
    temporary = folder / f".{name}.{os.getpid()}.{uuid.uuid4().hex}"
    temporary.write_bytes(bytes(message))
    try:
        os.link(temporary, folder / name)  # atomic, and refused if this key was written before
    except FileExistsError:
        return
    finally:
        temporary.unlink()
    with (folder / "outbox.log").open("a", encoding="utf-8") as log_file:
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        log_file.write(f"{stamp}\t{message['To']}\t{message['Subject']}\t{name}\n")


@contextmanager
def connection() -> Iterator[Callable[[Mail, str], None]]:
    """Open the configured transport once for a batch; yields `send(mail, key)`."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "outbox":
        folder = Path(config["MAIL_OUTBOX_DIR"])
        yield lambda mail, key: _write_to_folder(folder, to_message(mail, key), key)
    elif backend == "smtp":
        smtp_class = smtplib.SMTP_SSL if config["SMTP_SSL"] else smtplib.SMTP
        with smtp_class(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
        ) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")

            def send(mail: Mail, key: str) -> None:
                # One recipient per mail: a refusal raises, so no refused-recipients dict is lost.
                smtp.send_message(to_message(mail, key))

            yield send
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
