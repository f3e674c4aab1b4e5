"""The nav's counts on every page: unread messages, messages waiting for a member of staff
(held or reported) and unread notifications, asked together in one statement the first time a
template wants one of them, and kept for the rest of the request in `g`.

Each count is the reader's own (their threads, their school's queue, their bell), read afresh
on every request. What is kept between requests is only how to ask: the statement is built once
for each shape of reader (their role, whether they have an organisation and a school, how their
school checks held messages) with the reader's ids as bound parameters, and run with the ids of
whoever reads (see `built`).

On a page (a GET that is not htmx's) the counts come with the user, in the user loader's own
statement: the session keeps the reader's shape and ids from the page before (`HINT`), and the
counts asked with them are kept only if the user loaded has that shape and those ids still.
Otherwise, and on the first page of a session, they are asked on their own as before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_login import current_user, user_logged_in, user_logged_out

from . import read_only
from .built import Built
from .extensions import db
from .messaging import moderation_queries
from .messaging import queries as messaging_queries
from .models import Role, User
from .notifications import inbox
from .web import WITH_COUNTS, WithCounts

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


def _asked(missing: tuple[str, ...], reader: Reader) -> list[tuple[str, sa.ScalarSelect[int]]]:
    """The subqueries asking the `missing` counts of a reader of that shape, each with the
    count it adds to (a count may be the sum of two)."""
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
    return [(name, subquery) for name in missing for subquery in subqueries[name]]


def _build(missing: tuple[str, ...], reader: Reader) -> tuple[tuple[str, ...], sa.Select | None]:
    """The statement asking the `missing` counts of a reader of that shape, and the count each
    of its columns adds to."""
    asked = _asked(missing, reader)
    if not asked:
        return (), None
    return tuple(name for name, _ in asked), sa.select(*(subquery for _, subquery in asked))


def _reader_of(user: User) -> Reader:
    school = user.school
    return Reader(
        role=user.role,
        has_organisation=user.organisation_id is not None,
        has_school=user.school_id is not None,
        all_staff_check=school is not None and school.held_checked_by_all_staff,
    )


def _ids(user_id: int, organisation_id: int | None, school_id: int | None) -> dict[str, Any]:
    """A shape's statement names only some of them; the rest are left unused."""
    return {"nav_user": user_id, "nav_organisation": organisation_id, "nav_school": school_id}


def _keep(missing: Sequence[str], names: Sequence[str], values: Sequence[int | None]) -> None:
    """Put the `missing` counts in `g`, each the sum of its columns among `values`."""
    for name in missing:
        setattr(g, name, 0)
    for name, value in zip(names, values, strict=True):
        if name in missing:
            setattr(g, name, getattr(g, name) + (value or 0))


def _ask() -> None:
    """Fill in every count not yet in `g`, in one statement (none for a visitor)."""
    missing = tuple(name for name in COUNTS if name not in g)
    if not current_user.is_authenticated:
        _keep(missing, (), ())
        return
    reader = _reader_of(current_user)
    names, statement = _STATEMENTS.get((missing, reader), lambda: _build(missing, reader))
    values: tuple[int | None, ...] = ()
    if statement is not None:
        ids = _ids(current_user.id, current_user.organisation_id, current_user.school_id)
        values = tuple(db.session.execute(statement, ids).one())
    _keep(missing, names, values)
    if missing == COUNTS:
        hint = _hint_of(current_user)
        if session.get(HINT) != hint:
            session[HINT] = hint  # the next page asks them with the user


# In the session: the reader's shape and ids as the nav last asked its counts.
HINT = "nav"


def _hint_of(user: User) -> list[Any]:
    reader = _reader_of(user)
    return [
        user.id,
        reader.role.value,
        user.organisation_id,
        user.school_id,
        reader.all_staff_check,
    ]


def _is_page() -> bool:
    """Whether this request draws a whole page, with the nav: a GET the browser navigates to
    (not htmx's, not an image's or a download's fetch, not a health check). A guess: counts
    asked for nothing cost a few index reads, never a wrong number."""
    return (
        has_request_context()
        and request.method == "GET"
        and "HX-Request" not in request.headers
        and request.headers.get("Sec-Fetch-Dest", "document") == "document"
        and request.endpoint not in (None, "static", "health.alive", "health.ready")
    )


class Asked(NamedTuple):
    """The nav's counts read with the user, and the hint they were asked for."""

    hint: list[Any]
    names: tuple[str, ...]
    values: tuple[int | None, ...]


# The user loader's statement with the nav's counts, per shape of reader and loader options.
_WITH_USER: Built[tuple[tuple[str, ...], sa.Select]] = Built(limit=256)
PREFETCHED = "nav_prefetched"  # under `g`: the counts read with the user, until one is asked


def load_user(user_id: int, options: tuple[Any, ...]) -> tuple[User | None, Asked | None]:
    """The user with `options`; on a page, with the nav's counts in the same statement when
    the session knows the reader's shape. Returns the user and the counts, for `keep` once
    the caller has accepted the user."""
    hint: list[Any] = session.get(HINT, []) if _is_page() else []
    try:
        hinted_id, role, organisation_id, school_id, all_staff_check = hint
        reader = Reader(Role(role), organisation_id is not None, school_id is not None,
                        all_staff_check is True)  # fmt: skip
    except (TypeError, ValueError):  # none, or one from an older release
        hinted_id = None
    if hinted_id != user_id:
        return db.session.get(User, user_id, options=options), None

    def build() -> tuple[tuple[str, ...], sa.Select]:
        asked = _asked(COUNTS, reader)
        # Each subquery stands alone: one that reads "user" itself is not tied to the row
        # loaded beside it.
        counts = [subquery.correlate(None) for _, subquery in asked]
        statement = sa.select(User, *counts).where(
            User.id == sa.bindparam("nav_user", type_=sa.Integer)
        )
        return tuple(name for name, _ in asked), statement.options(*options)

    names, statement = _WITH_USER.get((reader, options), build)
    row = db.session.execute(statement, _ids(user_id, organisation_id, school_id)).one_or_none()
    if row is None:
        return None, None
    return row[0], Asked(hint, names, tuple(row[1:]))


def keep(user: User, asked: Asked | None) -> None:
    """Keep the counts `load_user` read with `user`, now accepted, if the user is still of the
    shape they were asked for (a new organisation or school, a role, a changed setting: the
    nav asks again, on its own)."""
    if asked is not None and _hint_of(user) == asked.hint:
        setattr(g, PREFETCHED, asked)


def _count(name: str) -> int:
    if name not in g:
        asked = g.pop(PREFETCHED, None)
        if asked is not None and not read_only.wrote_in_request():
            missing = tuple(count for count in COUNTS if count not in g)
            _keep(missing, asked.names, asked.values)
        else:  # none read with the user, or the view changed something since (a thread read)
            _ask()
    return int(getattr(g, name))


def _forget_hint(_app: Flask, **_: Any) -> None:
    """Whoever logs in or out next in this browser starts without the last reader's hint."""
    session.pop(HINT, None)


def unread_messages() -> int:
    """Unread messages of the signed-in user's threads (0 for a visitor)."""
    return _count("unread_messages")


def held_waiting() -> int:
    """Held and reported messages waiting for the signed-in member of staff (0 for others)."""
    return _count("held_waiting")


def unread_notifications() -> int:
    """The bell's count: the signed-in user's unread notifications (0 for a visitor)."""
    return _count("unread_notifications")


# The sections of the nav of each role, in order: (endpoint, label).
_CHALLENGES = ("challenges.index", "Challenges")
_STAFF = (
    _CHALLENGES,
    ("teams.classes", "Classes"),
    ("projects.queue", "Reviews"),
    ("ladder.approvals", "Approvals"),
    ("ladder.school_ladder", "Ladder"),
    ("pitch_events.index", "Events"),
    ("partners.index", "Partners"),
)
SECTIONS: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.STUDENT: (
        _CHALLENGES,
        ("projects.index", "Projects"),
        ("ladder.team", "Offers"),
        ("projects.portfolio", "Portfolio"),
        ("teams.join_class", "Join a class"),
    ),
    Role.TEACHER: _STAFF,
    Role.SCHOOL_ADMIN: _STAFF,
    Role.EMPLOYER: (
        _CHALLENGES,
        ("projects.index", "Projects"),
        ("engagements.pipeline", "Pipeline"),  # with an organisation only
        ("organisations.profile", "Organisation"),
    ),
    Role.SITE_ADMIN: (("schools.admin_schools", "Schools"),),
}
SECTION_LINKS = "marketplace.section_links"  # in app.extensions: each app its own


def section_links() -> tuple[tuple[str, str], ...]:
    """The signed-in user's sections as (address, label): built once for each role, whether an
    employer has an organisation, and the root the app is served under (every page shows them
    twice, wide and folded into the Menu: 20 addresses built on every page before). The app
    builds no external address and has no subdomains: an address depends on nothing else."""
    role = current_user.role
    with_pipeline = current_user.organisation_id is not None
    built: Built[tuple[tuple[str, str], ...]] = current_app.extensions[SECTION_LINKS]

    def build() -> tuple[tuple[str, str], ...]:
        return tuple(
            (url_for(endpoint), label)
            for endpoint, label in SECTIONS.get(role, ())
            if endpoint != "engagements.pipeline" or with_pipeline
        )

    return built.get((role, with_pipeline, request.script_root), build)


def register(app: Flask) -> None:
    """Offer the counts and the section links to every template, give the user loader the
    counts to read with the user, and forget the hint at every log-in and log-out."""
    user_logged_in.connect(_forget_hint, app)
    user_logged_out.connect(_forget_hint, app)
    app.extensions[WITH_COUNTS] = WithCounts(load_user, keep)
    app.extensions[SECTION_LINKS] = Built(limit=64)
    app.jinja_env.globals.update(
        nav_section_links=section_links,
        unread_messages=unread_messages,
        held_waiting=held_waiting,
        unread_notifications=unread_notifications,
    )
