"""What a page costs before it does anything of its own, for bench_browse.py's floor rows.

`gunicorn 'floor:served()'` serves the app as `wsgi:app` builds it, with two pages added that
do nothing: `/bench/bare` answers "ok" (what every request of a logged-in reader does first:
the session read, the user loaded by the request hooks with the nav's counts in the same
statement, the security headers), and `/bench/layout` renders `base.html` around a heading
(the nav and its CSRF token besides). A page that uses the layout cannot serve more than the
second does, whatever it does itself.
"""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import login_required

BARE = "/bench/bare"
LAYOUT = "/bench/layout"


def add_floor(app: Flask) -> None:
    """Add the two pages to `app`."""
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


def served() -> Flask:
    """The app of `wsgi.py` with the two pages (gunicorn's factory syntax, `floor:served()`)."""
    from wsgi import app

    add_floor(app)
    return app
