"""The team's and the school's views of the ladder: offers awaiting, approvals, the ladder."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ladder", __name__)
