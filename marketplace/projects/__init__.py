"""Projects: what student teams build for challenges, and the teachers' review."""

from .views import bp

__all__ = ["bp"]
