"""The landing page and each role's dashboard."""

from .views import bp

__all__ = ["bp"]
