"""Small helpers for tests: reading the mail outbox, pulling links and form values out of pages."""

from __future__ import annotations

import email
import html
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from marketplace.extensions import db


def school_today() -> date:
    """Today where the test schools are (DEFAULT_TIMEZONE, every factory school's zone): what the
    forms and rules call "today". The machine's own date, in UTC, is a day ahead of it for hours
    every evening there, when a "today" from it reads as in the future."""
    from config import DEFAULT_TIMEZONE

    return datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()


def eventually(check: Callable[[], object], timeout: float = 10, what: str = "the condition"):
    """Wait until `check()` gives something true and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)
    return result


class Outbox:
    """The messages the outbox mail back end wrote, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def messages(self) -> list[EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[misc]
            for path in sorted(
                self.folder.glob("*.eml"), key=lambda path: (path.stat().st_mtime_ns, path.name)
            )
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_link(self, address: str, path_part: str) -> str:
        """The path of the last link containing `path_part` mailed to `address`."""
        for message in reversed(self.to(address)):
            text = message.get_body(preferencelist=("plain",)).get_content()
            for url in re.findall(r"https?://\S+", text):
                if path_part in url:
                    return "/" + url.split("/", 3)[3]
        raise AssertionError(f"no link with {path_part!r} mailed to {address}")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def words(response) -> str:
    """What a reader sees of a page: the body's text, tags and scripts dropped, entities
    decoded, each run of spaces one space."""
    body = text_of(response).split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"</?(?:a|abbr|b|code|em|i|small|span|strong|time)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def flashes(response) -> list[str]:
    """The flash messages shown on a page, unescaped."""
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', text_of(response))
    ]


def field_errors(response) -> list[str]:
    """The field error messages shown on a page, unescaped."""
    return [
        html.unescape(m)
        for m in re.findall(r'<small [^>]*class="field-error">(.*?)</small>', text_of(response))
    ]


def field_value(response, name: str) -> str:
    """The value an <input name=...> of the page was rendered with ("" if none)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', text_of(response))
    assert tag, f"no input named {name!r} on the page"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def shown_day(day: date) -> str:
    """A calendar day as the pages write it: "7 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def card_of(page: str, title: str) -> str:
    """The browse card (`<article>`) showing `title`."""
    cards = re.findall(r'<article class="project-card">.*?</article>', page, re.S)
    (card,) = [c for c in cards if f"<strong>{title}</strong>" in c]
    return card


def count_rows(model, *where) -> int:
    """How many rows of `model` there are (that match `where`)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
