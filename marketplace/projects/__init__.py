"""Projects: what student teams build for challenges, and the teachers' review."""

from flask import Flask

from . import file_views, views


def register(app: Flask) -> None:
    """Add the feature's pages to the app."""
    app.register_blueprint(views.bp)
    app.register_blueprint(file_views.bp)
