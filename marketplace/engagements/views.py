"""Pages of one engagement: interest, offers and their answers, the timeline, the pipeline."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("engagements", __name__)
