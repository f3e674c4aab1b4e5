"""The nav's counts on every page: unread messages, messages waiting for a member of staff
(held or reported) and unread notifications, asked together in one statement the first time a
template wants one of them, and kept for the rest of the request in `g`.

Each count is the reader's own (their threads, their school's queue, their bell), read afresh
on every request: nothing is kept between requests or shared between people."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, g
from flask_login import current_user

from .built import Built
from .extensions import db
from .messaging import moderation_queries
from .messaging import queries as messaging_queries
from .notifications import inbox

# The names under `g` (the moderation pages set `held_waiting` after an action).
COUNTS = ("unread_messages", "held_waiting", "unread_notifications")


# The nav's statement for each reader and the counts it asks: built once, run on every page.
_STATEMENTS: Built[tuple[tuple[str, ...], sa.Select | None]] = Built()


def _build(missing: tuple[str, ...]) -> tuple[tuple[str, ...], sa.Select | None]:
    """The statement asking the `missing` counts of the current user, and the count each of its
    columns adds to (a count may be the sum of two)."""
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
    if not asked:
        return (), None
    return tuple(name for name, _ in asked), sa.select(*(subquery for _, subquery in asked))


def _shape() -> tuple[object, ...]:
    """Everything the nav's subqueries are built from: the user, their role, organisation and
    school, and whether all the school's staff check held messages (`moderated_threads`)."""
    school = current_user.school
    return (
        current_user.id,
        current_user.role,
        current_user.organisation_id,
        current_user.school_id,
        school is not None and school.held_checked_by_all_staff,
    )


def _ask() -> None:
    """Fill in every count not yet in `g`, in one statement (none for a visitor)."""
    missing = tuple(name for name in COUNTS if name not in g)
    if not current_user.is_authenticated:
        for name in missing:
            setattr(g, name, 0)
        return
    names, statement = _STATEMENTS.get((missing, *_shape()), lambda: _build(missing))
    values = db.session.execute(statement).one() if statement is not None else ()
    for name in missing:
        setattr(g, name, 0)
    for name, value in zip(names, values, strict=True):
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
