"""The traction ladder: engagements, offers, their gates, timeline and pages."""

from flask import Flask

from . import offer_views as offer_views  # adds its pages to views.bp
from . import staff_views, views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
