"""Who may decide about organisations: the one place to look."""

from __future__ import annotations

from ..models import JoinRequest, Partnership, User


def can_decide_partnership(partnership: Partnership, user: User) -> bool:
    """Teachers and admins of the school verify or decline organisations for it."""
    return user.is_staff_of(partnership.school_id)


def can_decide_join(request: JoinRequest, user: User) -> bool:
    """Members of the organisation accept or decline newcomers."""
    return user.is_employer and user.organisation_id == request.organisation_id
