"""Who sees a placement and who does what on it. The student is the placement's; the school's
staff coordinate it; the organisation's members host it and see the student as employers see
students (no surname, no contact details)."""

from __future__ import annotations

from ..models import Placement, SignerRole, User


def is_staff(placement: Placement, user: User) -> bool:
    """The school's teachers and admins (the coordinator first among them)."""
    return user.is_authenticated and user.is_staff_of(placement.school_id)


def is_host(placement: Placement, user: User) -> bool:
    """An active member of the organisation, while the school still works with it."""
    return (
        user.is_authenticated
        and user.is_employer
        and user.organisation_id == placement.organisation_id
        and placement.organisation.is_verified_by(placement.school_id)
    )


def is_student(placement: Placement, user: User) -> bool:
    return user.is_authenticated and user.id == placement.student_id


def can_view(placement: Placement, user: User) -> bool:
    return (
        is_student(placement, user)
        or is_staff(placement, user)
        or is_host(placement, user)
        or (user.is_authenticated and user.is_site_admin)
    )


def can_ask_verification(placement: Placement, user: User) -> bool:
    """The student sends a week to the supervisor; the school's staff may send it for them."""
    return is_student(placement, user) or is_staff(placement, user)


def can_edit_terms(placement: Placement, user: User) -> bool:
    """The coordinator's side and the host's side draw up the agreement; the student signs."""
    return is_staff(placement, user) or is_host(placement, user)


def role_in_app(placement: Placement, user: User) -> SignerRole | None:
    """The signature a signed-in user gives: the student's, the coordinator's (any of the
    school's staff), or the supervisor's (the host member whose address the agreement names)."""
    if is_student(placement, user):
        return SignerRole.STUDENT
    if is_staff(placement, user):
        return SignerRole.COORDINATOR
    if (
        is_host(placement, user)
        and user.email
        and user.email.lower() == placement.supervisor_email.strip().lower()
    ):
        return SignerRole.SUPERVISOR
    return None


def is_supervisor(placement: Placement, user: User) -> bool:
    """The host member the agreement names as supervisor: evaluates the student signed in."""
    return role_in_app(placement, user) is SignerRole.SUPERVISOR


def can_have_certificate(placement: Placement, user: User) -> bool:
    """The certificate names the student in full: theirs and the school's."""
    return is_student(placement, user) or is_staff(placement, user)
