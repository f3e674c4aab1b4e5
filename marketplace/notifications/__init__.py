"""Notifications: the bell, e-mail preferences, digests and the scheduled follow-ups; the worker
that delivers the outbox and runs them."""

from flask import Flask

from . import cli, views
from .subscribers import subscribe_all


def register(app: Flask) -> None:
    """Add the bell's pages and the worker's commands, and connect the bell to the events the
    features announce."""
    app.register_blueprint(views.bp)
    cli.register(app)
    subscribe_all()
