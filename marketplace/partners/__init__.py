"""The school's partner network (its CRM): partner records, contacts, the communication log,
follow-up tasks and activities."""

from flask import Flask

from . import (
    automatic,
    automation_views,
    council_views,
    import_views,
    outreach_views,
    public_views,
    task_views,
    views,
)


def register(app: Flask) -> None:
    """Add the feature's pages to the app, and write the partner log from what happens."""
    for pages in (
        automation_views,
        council_views,
        import_views,
        outreach_views,
        public_views,
        task_views,
    ):
        assert pages.bp is views.bp  # the partner pages are one blueprint
    app.register_blueprint(views.bp)
    app.register_blueprint(public_views.public_bp)
    automatic.subscribe_all()
