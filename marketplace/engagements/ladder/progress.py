"""The engagement's own steps: interest opens it, the teacher allows a skip, the employer marks
a rung complete and the teacher confirms it, and either of them closes it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    LADDER,
    Completion,
    Engagement,
    EngagementStatus,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    Project,
    ProjectStatus,
    Rung,
    User,
)
from .. import rules
from ..rules import Part
from ..timeline import record
from .steps import (
    AlreadyDone,
    LadderError,
    employers_of,
    move_offer,
    require,
    require_active,
    teacher_of,
    team_of,
    update_engagement,
)


def show_interest(
    project: Project, employer: User, note: str = "", source_event_id: int | None = None
) -> Engagement:
    """A verified employer's "I'm interested" opens the engagement (once per organisation);
    `source_event_id` names the pitch event where they said it."""
    organisation = employer.organisation
    if not employer.is_employer or organisation is None:
        raise LadderError("Only employers show interest in projects.")
    if project.status is not ProjectStatus.PUBLISHED:
        raise LadderError("Only published projects take interest.")
    if not organisation.is_verified_by(project.school_id):
        raise LadderError(f"{organisation.name} is not yet verified by this project's school.")
    existing = _engagement_of(organisation.id, project.id)
    if existing is not None:
        raise AlreadyDone(f"{organisation.name} already showed interest in this project.")
    engagement = Engagement(
        organisation_id=organisation.id,
        project_id=project.id,
        team_id=project.team_id,
        school_id=project.school_id,
        note=note.strip(),
        opened_by_id=employer.id,
        source_event_id=source_event_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(engagement)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone(f"{organisation.name} already showed interest a moment ago.") from None
    record(
        engagement,
        employer,
        "interest",
        to_state=Rung.INTEREST.value,
        detail=engagement.note,
        tell=team_of(engagement) + teacher_of(engagement),
        subject=f"{organisation.name} is interested in {project.title}",
    )
    return engagement


def _engagement_of(organisation_id: int, project_id: int) -> Engagement | None:
    return db.session.scalar(
        sa.select(Engagement).where(
            Engagement.organisation_id == organisation_id, Engagement.project_id == project_id
        )
    )


def allow_skip(engagement: Engagement, staff: User, to: Rung) -> None:
    """The teacher lets the engagement skip rungs, up to `to`; the permission is recorded."""
    require(engagement, staff, *rules.STAFF_PARTS)
    require_active(engagement)
    if to.level <= engagement.rung.level + 1:
        raise LadderError(f"{to.label.capitalize()} needs no skip from {engagement.rung.label}.")
    current = engagement.skip_allowed_to
    if current is not None and current.level >= to.level:
        raise AlreadyDone(f"Skipping to {current.label} is already allowed.")
    update_engagement(
        engagement,
        {"skip_allowed_to": current, "status": EngagementStatus.ACTIVE},
        skip_allowed_to=to,
    )
    record(
        engagement,
        staff,
        "skip allowed",
        from_state=engagement.rung.value,
        to_state=to.value,
        detail=f"Allowed to go from {engagement.rung.label} straight to {to.label}.",
        tell=employers_of(engagement),
        subject=f"You may offer {to.a} to {engagement.team.name}",
    )


# --- completing rungs and closing ------------------------------------------------------------


def placements_at(engagement: Engagement, rung: Rung | None = None) -> list[Placement]:
    """The students' placements of the engagement (at `rung`, if given), as the database has
    them now (not as this session last loaded them)."""
    query = sa.select(Placement).where(Placement.engagement_id == engagement.id)
    if rung is not None:
        query = query.where(Placement.rung == rung)
    return list(
        db.session.scalars(query.order_by(Placement.id).execution_options(populate_existing=True))
    )


def _placements_problem(engagement: Engagement) -> str | None:
    """A workplace rung with placements completes with them: by the teacher completing each
    student's placement (its hours verified and its final evaluation given)."""
    placements = placements_at(engagement, engagement.rung)
    if any(p.status in (PlacementStatus.AGREEMENT, PlacementStatus.ACTIVE) for p in placements):
        return (
            f"The {engagement.rung.label} completes with the students' placements: the teacher "
            "completes each one once its hours are verified and its final evaluation is in."
        )
    return None


def mark_complete(engagement: Engagement, employer: User) -> None:
    """The employer marks the current rung done; the teacher confirms it."""
    require(engagement, employer, Part.EMPLOYER)
    require_active(engagement)
    if engagement.rung is Rung.INTEREST:
        raise LadderError("Interest is not a rung to complete; make an offer.")
    problem = _placements_problem(engagement)
    if problem:
        raise LadderError(problem)
    if engagement.completion is not Completion.OPEN:
        raise AlreadyDone(f"The {engagement.rung.label} is already marked complete.")
    update_engagement(
        engagement,
        {
            "completion": Completion.OPEN,
            "rung": engagement.rung,
            "status": EngagementStatus.ACTIVE,
        },
        completion=Completion.MARKED,
    )
    record(
        engagement,
        employer,
        "rung marked complete",
        offer=_accepted_at(engagement),
        from_state=Completion.OPEN.value,
        to_state=Completion.MARKED.value,
        detail=f"The {engagement.rung.label} is done.",
        tell=teacher_of(engagement),
        subject=f"Please confirm the {engagement.rung.label} with {engagement.organisation.name}",
    )


def confirm_complete(engagement: Engagement, staff: User) -> None:
    """The teacher confirms the rung is complete; the next rung is suggested (the last one
    completes the engagement)."""
    require(engagement, staff, *rules.STAFF_PARTS)
    require_active(engagement)
    if engagement.completion is Completion.CONFIRMED:
        raise AlreadyDone(f"The {engagement.rung.label} is already confirmed.")
    if engagement.completion is not Completion.MARKED:
        raise LadderError(f"The employer has not marked the {engagement.rung.label} complete.")
    problem = _placements_problem(engagement)
    if problem:
        raise LadderError(problem)
    _confirm(engagement, staff)


def _accepted_at(engagement: Engagement) -> Offer | None:
    """The accepted offer of the engagement's rung: what a completion step is about (its
    timeline sentence names that rung, whatever the engagement climbs to later)."""
    return next(
        (
            o
            for o in engagement.offers
            if o.status is OfferStatus.ACCEPTED and o.rung is engagement.rung
        ),
        None,
    )


def _confirm(engagement: Engagement, staff: User) -> None:
    """The rung is complete (the last one completes the engagement)."""
    was = engagement.completion
    values: dict[str, Any] = {"completion": Completion.CONFIRMED}
    if engagement.rung is LADDER[-1]:
        values["status"] = EngagementStatus.COMPLETED
    expect = {"completion": was, "rung": engagement.rung, "status": EngagementStatus.ACTIVE}
    update_engagement(engagement, expect, **values)
    nxt = engagement.rung.next
    record(
        engagement,
        staff,
        "rung completed",
        offer=_accepted_at(engagement),
        from_state=was.value,
        to_state=Completion.CONFIRMED.value,
        detail=f"Next: {nxt.a}." if nxt else "The whole ladder is complete.",
        tell=employers_of(engagement) + team_of(engagement),
        subject=f"The {engagement.rung.label} is complete" + (f" — next, {nxt.a}" if nxt else ""),
    )


def follow_placements(engagement: Engagement, staff: User) -> bool:
    """A placement at the engagement's rung was completed or ended: once none is open and at
    least one was completed, the rung is complete. Whether it completed now."""
    # Two teachers completing the last two placements at once: each waits for the other's
    # lock on the engagement, then reads it and the other's placement as committed; the
    # second one completes the rung. (FOR NO KEY UPDATE: the lock the timeline's own UPDATE of
    # the row takes, which leaves the key share of a new timeline row's foreign key alone.)
    db.session.execute(
        sa.select(Engagement)
        .where(Engagement.id == engagement.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if (
        engagement.status is not EngagementStatus.ACTIVE
        or engagement.completion is Completion.CONFIRMED
        or not engagement.rung.is_workplace
    ):
        return False
    placements = placements_at(engagement, engagement.rung)
    if _placements_problem(engagement) or not any(
        p.status is PlacementStatus.COMPLETED for p in placements
    ):
        return False
    _confirm(engagement, staff)
    return True


def close(engagement: Engagement, user: User, reason: str = "") -> None:
    """The employer or the teacher ends the engagement; open offers are withdrawn."""
    require(engagement, user, Part.EMPLOYER, *rules.STAFF_PARTS)
    if engagement.status is EngagementStatus.CLOSED:
        raise AlreadyDone("This engagement is already closed.")
    require_active(engagement)
    _close(engagement, user, reason, "engagement closed")


def close_for_school(engagement: Engagement, staff: User) -> None:
    """The school stopped working with the organisation (declined or withdrew its
    verification): the engagement ends there, said to be the school's doing. The decision was
    the school's to take (its partnership rule), so no part in the engagement is asked."""
    if engagement.status is not EngagementStatus.ACTIVE:
        return
    _close(
        engagement,
        staff,
        f"{engagement.school.name} no longer works with {engagement.organisation.name}.",
        "engagement closed by the school",
    )


def _close(engagement: Engagement, user: User, reason: str, action: str) -> None:
    # The open offers first, then the engagement: the order accept() locks them in (offer, then
    # engagement), so a close racing an acceptance waits for it instead of deadlocking.
    withdrawn = [offer for offer in engagement.offers if offer.status.is_open]
    for offer in withdrawn:
        move_offer(offer, OfferStatus.WITHDRAWN)
    update_engagement(
        engagement, {"status": EngagementStatus.ACTIVE}, status=EngagementStatus.CLOSED
    )
    record(
        engagement,
        user,
        action,
        from_state=EngagementStatus.ACTIVE.value,
        to_state=EngagementStatus.CLOSED.value,
        detail="\n".join(
            [reason.strip()]
            + [f"The open {o.rung.label} offer was withdrawn with it." for o in withdrawn]
        ).strip(),
        tell=employers_of(engagement) + team_of(engagement) + teacher_of(engagement),
        subject=f"The engagement of {engagement.organisation.name} and {engagement.team.name} "
        "is closed",
    )
