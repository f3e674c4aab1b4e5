"""Who may see and change the partner network: the one place to look.

A partner record, its contacts, log, tasks and activities belong to one school: its teachers
and admins work on them; nobody else (students, employers, other schools) sees them at all.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    STAFF_ROLES,
    CouncilMeeting,
    CouncilMember,
    FollowUpTask,
    PartnerContact,
    Partnership,
    ProjectLink,
    User,
)


def can_see_partner(record: Partnership, user: User) -> bool:
    """The school's teachers and admins work on its partner records."""
    return user.is_staff_of(record.school_id)


def can_see_contact(contact: PartnerContact, user: User) -> bool:
    """A contact is seen by those who see its partner record."""
    return can_see_partner(contact.partnership, user)


def can_work_on_task(task: FollowUpTask, user: User) -> bool:
    """Any member of the school's staff may do, move or reassign the school's tasks."""
    return user.is_staff_of(task.school_id)


def staff_choices(school_id: int) -> list[tuple[int, str]]:
    """The school's staff as a select's choices (an owner, an assignee)."""
    return [(person.id, person.full_name) for person in staff_of(school_id)]


def staff_of(school_id: int) -> list[User]:
    """The school's active teachers and admins: who may own a partner or be given a task."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.school_id == school_id, User.role.in_(STAFF_ROLES), User.active)
            .order_by(User.first_name, User.last_name)
        )
    )


def can_see_link(link: ProjectLink, user: User) -> bool:
    """A project link sent to a partner is managed by those who see the partner's record."""
    return user.is_staff_of(link.school_id)


def can_consent_to_listing(record: Partnership, user: User) -> bool:
    """A member of the organisation says whether a school may list it publicly."""
    return user.is_employer and user.organisation_id == record.organisation_id


def can_run_council(row: CouncilMember | CouncilMeeting, user: User) -> bool:
    """The school's staff run its advisory council: members, meetings, referrals."""
    return user.is_staff_of(row.school_id)
