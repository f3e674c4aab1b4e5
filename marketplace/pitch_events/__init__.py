"""Pitch events: demo days where teams pitch their projects to employers."""

from flask import Flask

from . import judging_views as judging_views  # adds its pages to views.bp
from . import results_views as results_views  # adds its pages to views.bp
from . import views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
