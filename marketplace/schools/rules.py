"""Who may run schools and invite their staff: the one place to look."""

from __future__ import annotations

from ..models import Invitation, Role, School, User

INVITABLE_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN)


def can_invite(school: School, user: User, role: Role) -> bool:
    """Site admins invite school admins; school admins invite their own school's staff."""
    if role not in INVITABLE_ROLES:
        return False
    if user.is_site_admin:
        return True
    return user.is_school_admin and user.school_id == school.id


def can_revoke(invitation: Invitation, user: User) -> bool:
    """A school's admins withdraw its pending invitations."""
    return user.is_school_admin and user.school_id == invitation.school_id
