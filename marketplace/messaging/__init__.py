"""Threads between organisations, teams and teachers; the contact-detail hold."""

from flask import Flask

from . import moderation_views, mute_views, views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(mute_views.bp)
