"""Classes (with join codes and rosters) and student teams."""

from flask import Flask

from . import joining_views as joining_views  # adds its pages to views.bp
from . import views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
