"""Projects: what student teams build for challenges, and the teachers' review."""

from . import file_views
from .views import bp

__all__ = ["bp", "file_views"]
