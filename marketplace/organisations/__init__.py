"""Employer organisations and their verification by schools."""

from .views import bp

__all__ = ["bp"]
