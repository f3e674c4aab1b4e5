"""Schools (tenants) and their staff."""

from .views import bp

__all__ = ["bp"]
