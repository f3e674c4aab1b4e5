"""Completing a placement, or ending it early, and the certificate that completion puts in the
student's portfolio.

A placement completes when its hours are verified and the supervisor's final evaluation is in; a
teacher may complete it without them, giving a reason that stays on the record. The engagement's
rung follows its placements: when the last open one at that rung is done, the rung is complete.
"""

from __future__ import annotations

from typing import Any

from .. import clock, storage
from ..engagements import ladder
from ..engagements.ladder.steps import employers_of
from ..engagements.timeline import record
from ..extensions import db
from ..models import Evaluation, EvaluationKind, Placement, PlacementStatus, User, utcnow
from ..privacy import public_name
from ..workflow import update_if
from . import documents, evaluations, hours, links, rules
from .records import AlreadyDone, PlacementError

CERTIFICATE_MAX = 5 * 1024 * 1024


def problems(
    placement: Placement,
    totals: hours.Totals | None = None,
    given: dict[EvaluationKind, Evaluation] | None = None,
) -> list[str]:
    """What keeps the placement from completing on its record (empty: it can); the page
    passes the totals and evaluations it already has."""
    if placement.status is not PlacementStatus.ACTIVE:
        return [f"The placement is {placement.status.label}."]
    out = []
    totals = totals or hours.totals(placement)
    if totals.pending:
        out.append(
            f"{hours.hours_text(totals.pending)} logged hours are not verified by the supervisor."
        )
    if not totals.verified:
        out.append("No hours are verified yet.")
    elif totals.verified < placement.expected_hours * 60:
        out.append(
            f"The verified hours ({hours.hours_text(totals.verified)}) are short of the "
            f"{placement.expected_hours} expected."
        )
    if given is None:
        given = evaluations.evaluations_of(placement)
    if EvaluationKind.FINAL not in given:
        out.append("The supervisor's final evaluation is not in.")
    return out


def complete(placement: Placement, staff: User, override_reason: str = "") -> None:
    """The teacher completes the placement: on its record, or with a reason when the record
    falls short. The certificate is made and kept; the engagement's rung may complete."""
    if not rules.is_staff(placement, staff):
        raise PlacementError("The school's staff complete a placement.")
    if placement.status is PlacementStatus.COMPLETED:
        raise AlreadyDone("This placement is already complete.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise PlacementError("Only a placement under way (its agreement signed) can complete.")
    short = problems(placement)
    reason = " ".join(override_reason.split())
    if short and len(reason) < 10:
        raise PlacementError(
            " ".join(short) + " To complete it anyway, give the reason (it stays on the record)."
        )
    if not update_if(
        placement,
        Placement.status == PlacementStatus.ACTIVE,
        status=PlacementStatus.COMPLETED,
        completed_at=utcnow(),
        completed_by_id=staff.id,
        override_reason=reason if short else "",
        version=Placement.version + 1,
    ):
        raise AlreadyDone("This placement was completed or ended a moment ago.")
    db.session.refresh(placement)
    links.revoke_open(placement)
    placement.certificate_key = _store_certificate(placement)
    db.session.flush()
    student = placement.student
    record(
        placement.engagement,
        staff,
        "placement completed",
        offer=placement.offer,
        to_state=PlacementStatus.COMPLETED.value,
        # The reason stays on the placement's record (the student and the school read it); the
        # timeline and its notifications reach the host organisation too.
        detail=f"{public_name(student)}'s {placement.rung.label} is complete"
        + (" (by the teacher's decision, recorded with the placement)." if short else "."),
        tell=[student, *employers_of(placement.engagement)],
        subject=f"{student.first_name}'s {placement.rung.label} is complete",
    )
    ladder.follow_placements(placement.engagement, staff)


def end(placement: Placement, staff: User, reason: str) -> None:
    """The placement stops before completing (the student left, the site closed): kept on the
    record as ended, with why."""
    if not rules.is_staff(placement, staff):
        raise PlacementError("The school's staff end a placement.")
    if placement.status in (PlacementStatus.COMPLETED, PlacementStatus.ENDED):
        raise AlreadyDone(f"This placement is already {placement.status.value}.")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise PlacementError("Say why the placement ends.")
    if not update_if(
        placement,
        Placement.status == placement.status,
        Placement.version == placement.version,
        status=PlacementStatus.ENDED,
        completed_at=utcnow(),
        completed_by_id=staff.id,
        override_reason=reason,
        version=Placement.version + 1,
    ):
        raise AlreadyDone("This placement changed a moment ago; look again.")
    db.session.refresh(placement)
    links.revoke_open(placement)
    record(
        placement.engagement,
        staff,
        "placement ended",
        offer=placement.offer,
        to_state=PlacementStatus.ENDED.value,
        # Why stays on the placement's record, not on the timeline the host reads.
        detail=f"{public_name(placement.student)}'s {placement.rung.label} ended early.",
        tell=[placement.student, *employers_of(placement.engagement)],
        subject=f"{placement.student.first_name}'s {placement.rung.label} ended",
    )
    ladder.follow_placements(placement.engagement, staff)


# --- the certificate ----------------------------------------------------------------------------


def certificate_context(placement: Placement) -> dict[str, Any]:
    final = evaluations.evaluations_of(placement).get(EvaluationKind.FINAL)
    # The day it completed where the school is (today, for a preview before completion).
    completed = clock.school_today(placement.school, placement.completed_at)
    return {
        "placement": placement,
        "student_name": placement.student.full_name,
        "verified": hours.hours_text(hours.totals(placement).verified),
        "skills": evaluations.strong_skills(final) if final else [],
        "evaluator": final.evaluator_name if final else "",
        "completed_on": completed,
        "number": f"{placement.school_id}-{placement.id:06d}",
    }


def certificate_pdf(placement: Placement) -> bytes:
    return documents.pdf_of("placements/certificate_pdf.html", **certificate_context(placement))


def certificate_key(placement: Placement) -> str:
    return f"certificates/placement-{placement.id}.pdf"


def _store_certificate(placement: Placement) -> str:
    """Keep the certificate as it was made on completion (the same key each time: a retry
    after a failed commit replaces it, nothing is left over)."""
    key = certificate_key(placement)
    storage.storage().write(key, iter([certificate_pdf(placement)]), CERTIFICATE_MAX)
    return key


def certificate_name(placement: Placement) -> str:
    return f"certificate-{placement.rung.value}-{placement.student.first_name.lower()}.pdf"
