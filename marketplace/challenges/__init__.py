"""Challenges: real problems of local industries, curated by teachers."""

from .views import bp

__all__ = ["bp"]
