"""The traction ladder: engagements, offers, their gates, timeline and pages."""

from . import staff_views
from .views import bp

__all__ = ["bp", "staff_views"]
