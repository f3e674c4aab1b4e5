"""What a teacher's and a school admin's dashboard reads besides their classes and follow-ups:
what waits for them, counted in two statements whatever the number of rows (the counts'
rules stay with their features; this module only asks them together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..challenges.questions import held_count
from ..challenges.services import first_waiting_adoption, waiting_adoptions_count
from ..engagements.queues import completions_waiting, offers_waiting
from ..extensions import db
from ..models import User, VerificationStatus
from ..organisations.services import partnerships_count


@dataclass(frozen=True)
class StaffCounts:
    """What waits for a member of staff, each figure linking to where it is dealt with."""

    pending: int  # employer organisations waiting for the school's verification
    adoptions: int  # requests to adopt a challenge of the school
    adoption_challenge_id: int | None  # the challenge of the oldest of them
    held_questions: int  # questions to a sponsor held for the staff's check
    ladder: int  # the approval queue's total (offers, consents, skips, completions)


def for_staff(staff: User, today: date) -> StaffCounts:
    """The dashboard's counts: one statement of subqueries, and one over the queue's offers."""
    school_id = staff.school_id
    assert school_id is not None, "staff belong to a school"
    pending, adoptions, adoption_challenge_id, held, completions = db.session.execute(
        sa.select(
            partnerships_count(school_id, VerificationStatus.PENDING),
            waiting_adoptions_count(school_id),
            first_waiting_adoption(school_id),
            held_count(staff),
            completions_waiting(staff),
        )
    ).one()
    return StaffCounts(
        pending=pending or 0,
        adoptions=adoptions or 0,
        adoption_challenge_id=adoption_challenge_id,
        held_questions=held or 0,
        ladder=offers_waiting(staff, today) + (completions or 0),
    )
