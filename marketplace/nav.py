"""The nav's counts on every page: unread messages, messages waiting for a member of staff
(held or reported) and unread notifications, asked together in one statement the first time a
template wants one of them, and kept for the rest of the request in `g`.

Each count is the reader's own (their threads, their school's queue, their bell), read afresh
on every request. What is kept between requests is only how to ask: the statement is built once
for each shape of reader (their role, whether they have an organisation and a school, how their
school checks held messages) with the reader's ids as bound parameters, and run with the ids of
whoever reads (see `built`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, g
from flask_login import current_user

from .built import Built
from .extensions import db
from .messaging import moderation_queries
from .messaging import queries as messaging_queries
from .models import Role, User
from .notifications import inbox

# The names under `g` (the moderation pages set `held_waiting` after an action).
COUNTS = ("unread_messages", "held_waiting", "unread_notifications")


@dataclass(frozen=True)
class _School:
    held_checked_by_all_staff: bool


@dataclass(frozen=True)
class Reader:
    """The reader as the nav's subqueries are built from it: everything they read of a user
    (`_threads_for`, `_unread`, `moderated_threads`, `waiting`, `inbox.unread`), with the ids
    as bound parameters, so that one statement serves every reader of the same shape."""

    role: Role
    has_organisation: bool
    has_school: bool
    all_staff_check: bool  # the school has every member of staff check held messages

    is_authenticated = True
    is_student = User.is_student
    is_teacher = User.is_teacher
    is_employer = User.is_employer
    is_school_admin = User.is_school_admin
    is_staff = User.is_staff

    @property
    def id(self) -> sa.BindParameter[int]:
        return sa.bindparam("nav_user", type_=sa.Integer)

    @property
    def organisation_id(self) -> sa.BindParameter[int] | None:
        return sa.bindparam("nav_organisation", type_=sa.Integer) if self.has_organisation else None

    @property
    def school_id(self) -> sa.BindParameter[int] | None:
        return sa.bindparam("nav_school", type_=sa.Integer) if self.has_school else None

    @property
    def school(self) -> _School | None:
        return _School(self.all_staff_check) if self.has_school else None


# The nav's statement for each shape of reader and the counts it asks: built once, run on every
# page with the reader's ids. A few dozen shapes at most.
_STATEMENTS: Built[tuple[tuple[str, ...], sa.Select | None]] = Built(limit=256)


def _build(missing: tuple[str, ...], reader: Reader) -> tuple[tuple[str, ...], sa.Select | None]:
    """The statement asking the `missing` counts of a reader of that shape, and the count each
    of its columns adds to (a count may be the sum of two)."""
    # The builders take a User; a Reader offers every attribute they read of one.
    user: User = reader  # type: ignore[assignment]
    subqueries: dict[str, list[sa.ScalarSelect[int]]] = {
        "unread_messages": [],
        "held_waiting": [],
        "unread_notifications": [inbox.unread(user)],
    }
    unread = messaging_queries.unread_total(user)
    if unread is not None:
        subqueries["unread_messages"].append(unread)
    waiting = moderation_queries.waiting(user)
    if waiting is not None:
        subqueries["held_waiting"].extend(waiting)
    asked = [(name, subquery) for name in missing for subquery in subqueries[name]]
    if not asked:
        return (), None
    return tuple(name for name, _ in asked), sa.select(*(subquery for _, subquery in asked))


def _ask() -> None:
    """Fill in every count not yet in `g`, in one statement (none for a visitor)."""
    missing = tuple(name for name in COUNTS if name not in g)
    if not current_user.is_authenticated:
        for name in missing:
            setattr(g, name, 0)
        return
    school = current_user.school
    reader = Reader(
        role=current_user.role,
        has_organisation=current_user.organisation_id is not None,
        has_school=current_user.school_id is not None,
        all_staff_check=school is not None and school.held_checked_by_all_staff,
    )
    names, statement = _STATEMENTS.get((missing, reader), lambda: _build(missing, reader))
    values: tuple[int | None, ...] = ()
    if statement is not None:
        ids = {  # a shape's statement names only some of them; the rest are left unused
            "nav_user": current_user.id,
            "nav_organisation": current_user.organisation_id,
            "nav_school": current_user.school_id,
        }
        values = tuple(db.session.execute(statement, ids).one())
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
