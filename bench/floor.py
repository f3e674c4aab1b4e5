"""What a page costs before it does anything of its own, for bench_browse.py's floor rows.

`gunicorn 'floor:served()'` serves the app as `wsgi:app` builds it, with pages added that do
nothing: `/bench/bare` answers "ok" (what every request of a logged-in reader does first: the
session read, the user loaded by the request hooks with the nav's counts in the same statement,
the security headers), and `/bench/layout` renders `base.html` around a heading (the nav and its
CSRF token besides). A page that uses the layout cannot serve more than the second does,
whatever it does itself.

`/bench/kept/bare` and `/bench/kept/layout` are the same two pages with the reader *kept*: the
user, their school and organisation and the nav's counts are read once per worker, on the first
such request, and every later one takes them from memory (merged into the request's session
without a statement). No page of the app does this: the user is read afresh on every request,
so that a school's decision shows on the next page. The two rows bound what any cache of the
reader could give, one that never had to check whether it was still right.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_login import login_required

from marketplace.extensions import db
from marketplace.models import User
from marketplace.web import WITH_COUNTS, WithCounts

BARE = "/bench/bare"
LAYOUT = "/bench/layout"
KEPT = "/bench/kept"  # the prefix of the two pages with the reader kept in memory
KEPT_BARE = f"{KEPT}/bare"
KEPT_LAYOUT = f"{KEPT}/layout"


def add_floor(app: Flask) -> None:
    """Add the four pages to `app`."""
    layout = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<h1>Nothing else</h1>{% endblock %}'
    )

    def bare() -> str:
        return "ok"

    @login_required
    def layout_only() -> str:
        return render_template(layout)

    app.add_url_rule(BARE, "bench_bare", bare)
    app.add_url_rule(LAYOUT, "bench_layout", layout_only)
    app.add_url_rule(KEPT_BARE, "bench_kept_bare", bare)
    app.add_url_rule(KEPT_LAYOUT, "bench_kept_layout", layout_only)
    _keep_readers(app)


def _keep_readers(app: Flask) -> None:
    """On the KEPT pages, load the user (with the nav's counts) from this worker's memory."""
    loader: WithCounts = app.extensions[WITH_COUNTS]
    kept: dict[int, tuple[User, Any]] = {}

    def load(user_id: int, options: tuple[Any, ...]) -> tuple[User | None, Any]:
        if not request.path.startswith(KEPT + "/"):
            return loader.load(user_id, options)
        if user_id not in kept:
            user, counts = loader.load(user_id, options)
            if user is None or counts is None:  # the session's first page: counts asked apart
                return user, counts
            db.session.expunge(user)
            kept[user_id] = (user, counts)
        user, counts = kept[user_id]
        return db.session.merge(user, load=False), counts

    app.extensions[WITH_COUNTS] = WithCounts(load, loader.keep)


def served() -> Flask:
    """The app of `wsgi.py` with the floor's pages (gunicorn's factory syntax, `floor:served()`)."""
    from wsgi import app

    add_floor(app)
    return app
