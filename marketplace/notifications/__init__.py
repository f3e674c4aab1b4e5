"""Notifications: the bell, the e-mail outbox and its worker, and the scheduled follow-ups."""

from flask import Flask

from .subscribers import subscribe_all


def register(app: Flask) -> None:
    """Connect the bell to the events the features announce."""
    subscribe_all()
