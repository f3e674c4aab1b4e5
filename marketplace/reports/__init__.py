"""Reports for the people a school answers to: the funnel of the ladder (and, next, students,
partners, placements and events), as pages with charts and tables, and as CSV.

`scope` says whose engagements a reader's reports count and how they are filtered; each report
is a module of aggregate SQL (`funnel`); `views` are the pages."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import views

    app.register_blueprint(views.bp)
