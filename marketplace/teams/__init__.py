"""Classes (with join codes and rosters) and student teams."""

from .views import bp

__all__ = ["bp"]
