"""Accounts: log-in, sign-up, confirmation, invitations and passwords."""

from .views import bp

__all__ = ["bp"]
