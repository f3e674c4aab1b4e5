"""Reports for the people a school answers to: the funnel of the ladder, students, partners,
placements and events, as pages with charts and tables, and as CSV; and the annual report.

`scope` says whose engagements a reader's reports count and how they are filtered; each report
is a module of aggregate SQL (`funnel`, `students`, `partners`, `placements`, `events`,
`annual`); `views` holds the blueprint, the reader's scope and the funnel's and placements'
pages, and each other report's pages are in its own `*_views` module on the same blueprint."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    # Each report's pages are routes of views.bp, added when its module is imported.
    from . import annual_views, event_views, partner_views, student_views, views  # noqa: F401

    app.register_blueprint(views.bp)
