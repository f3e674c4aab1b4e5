"""The nav's counts on every page: unread messages, messages waiting for a member of staff
(held or reported) and unread notifications, asked together in one statement the first time a
template wants one of them, and kept for the rest of the request in `g`.

Each count is the reader's own (their threads, their school's queue, their bell), read afresh
on every request: nothing is kept between requests or shared between people."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g
from flask_login import current_user

from .extensions import db
from .messaging import moderation_queries
from .messaging import queries as messaging_queries
from .notifications import inbox

# The names under `g` (the moderation pages set `held_waiting` after an action).
COUNTS = ("unread_messages", "held_waiting", "unread_notifications")


def _ask() -> None:
    """Fill in every count not yet in `g`, in one statement (none for a visitor)."""
    missing = [name for name in COUNTS if name not in g]
    if not current_user.is_authenticated:
        for name in missing:
            setattr(g, name, 0)
        return
    subqueries: dict[str, list[sa.ScalarSelect[int]]] = {
        "unread_messages": [],
        "held_waiting": [],
        "unread_notifications": [inbox.unread(current_user)],
    }
    unread = messaging_queries.unread_total(current_user)
    if unread is not None:
        subqueries["unread_messages"].append(unread)
    waiting = moderation_queries.waiting(current_user)
    if waiting is not None:
        subqueries["held_waiting"].extend(waiting)
    asked = [(name, subquery) for name in missing for subquery in subqueries[name]]
    values = db.session.execute(sa.select(*(s for _, s in asked))).one() if asked else ()
    for name in missing:
        setattr(g, name, 0)
    for (name, _), value in zip(asked, values, strict=True):
        setattr(g, name, getattr(g, name) + (value or 0))


def _count(name: str) -> int:
    if name not in g:
        _ask()
    return int(getattr(g, name))


def unread_messages() -> int:
    """Unread messages of the signed-in user's threads (0 for a visitor)."""
    return _count("unread_messages")


def held_waiting() -> int:
    """Held and reported messages waiting for the signed-in member of staff (0 for others)."""
    return _count("held_waiting")


def unread_notifications() -> int:
    """The bell's count: the signed-in user's unread notifications (0 for a visitor)."""
    return _count("unread_notifications")


def register(app: Flask) -> None:
    """Offer the counts to every template."""
    app.jinja_env.globals.update(
        unread_messages=unread_messages,
        held_waiting=held_waiting,
        unread_notifications=unread_notifications,
    )
