"""The traction ladder: engagements, offers, their gates, timeline and pages."""

from . import offer_views, staff_views
from .views import bp

__all__ = ["bp", "offer_views", "staff_views"]
