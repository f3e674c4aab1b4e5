"""Who may do what with challenges and their adoption: the one place to look."""

from __future__ import annotations

from ..models import (
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    OrganisationStatus,
    SponsorQuestion,
    User,
)


def can_edit(challenge: Challenge, user: User) -> bool:
    """The school's teachers and admins curate its challenges."""
    return user.is_staff_of(challenge.school_id)


def can_view(challenge: Challenge, user: User) -> bool:
    """Staff always; students of the school (and of others, if shared) once it is out;
    employers see open challenges of the schools that verified them."""
    if can_edit(challenge, user) or user.is_site_admin:
        return True
    if challenge.status in (ChallengeStatus.DRAFT, ChallengeStatus.ARCHIVED):
        return False
    if user.is_student:
        return user.school_id == challenge.school_id or challenge.shared
    if user.is_employer and user.organisation is not None:
        return challenge.status is ChallengeStatus.OPEN and user.organisation.is_verified_by(
            challenge.school_id
        )
    return False


def can_request_adoption(challenge: Challenge, user: User) -> bool:
    """An active employer verified by the school may ask to sponsor an unsponsored challenge."""
    return (
        challenge.sponsor_id is None
        and challenge.status is ChallengeStatus.OPEN
        and user.is_employer
        and user.organisation is not None
        and user.organisation.status is OrganisationStatus.ACTIVE
        and user.organisation.is_verified_by(challenge.school_id)
    )


def can_decide_adoption(request: AdoptionRequest, user: User) -> bool:
    """Whoever curates the challenge accepts or declines who adopts it."""
    return can_edit(request.challenge, user)


def may_see_sponsor_name(challenge: Challenge, user: User) -> bool:
    """A sponsor named by the school but never asked (a prospect) is not named to employers
    or students: only to the school's staff and to the organisation itself. Once it is a
    partner that agreed or adopted the challenge, everyone who sees the challenge sees it."""
    sponsor = challenge.sponsor
    if sponsor is None or sponsor.status is not OrganisationStatus.PROSPECT:
        return True
    return can_edit(challenge, user) or user.is_site_admin or user.organisation_id == sponsor.id


def sponsor_label(challenge: Challenge, user: User) -> str:
    """The sponsor as `user` may read it: its name, or "a local construction business"."""
    sponsor = challenge.sponsor
    if sponsor is None:
        return ""
    if may_see_sponsor_name(challenge, user):
        return sponsor.name
    trade = sponsor.industry.strip().lower()
    return f"a local {trade} business" if trade else "a local business"


def can_mark_interest(challenge: Challenge, user: User) -> bool:
    """A student may say "we'd like to work on this" about an open challenge they see."""
    return (
        user.is_student and challenge.status is ChallengeStatus.OPEN and can_view(challenge, user)
    )


def sees_interest_count(challenge: Challenge, user: User) -> bool:
    """How many students want it: the school's staff, and the sponsor's members (a count,
    never names: the first signal that draws a prospect in)."""
    return (
        can_edit(challenge, user)
        or user.is_site_admin
        or (
            user.is_employer
            and challenge.sponsor_id is not None
            and user.organisation_id == challenge.sponsor_id
        )
    )


def can_check_question(question: SponsorQuestion, user: User) -> bool:
    """A held question is checked by the asking team's school's staff (on a shared challenge,
    not the challenge's school: the students are theirs)."""
    return user.is_staff_of(question.team.school_id)
