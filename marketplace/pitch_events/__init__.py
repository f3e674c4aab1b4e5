"""Pitch events: demo days where teams pitch their projects to employers."""

from flask import Flask

from . import views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
