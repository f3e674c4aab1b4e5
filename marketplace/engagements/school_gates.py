"""A school admin's side of the ladder's gates: the employer members the school vouches for
with a background check, and the school's ladder settings (ages per rung, stall days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import (
    BackgroundCheck,
    Organisation,
    Partnership,
    Role,
    School,
    User,
    VerificationStatus,
)

SETTINGS = (
    "min_age_job_shadowing",
    "min_age_externship",
    "min_age_internship",
    "stall_days",
    "under_16_day_hours",
    "under_16_week_hours",
    "minor_day_hours",
    "minor_week_hours",
    "site_visit_target",
)


def _verified_members(school_id: int) -> sa.Select:
    return (
        sa.select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .join(Partnership, Partnership.organisation_id == Organisation.id)
        .where(
            Partnership.school_id == school_id,
            Partnership.status == VerificationStatus.VERIFIED,
            User.role == Role.EMPLOYER,
            User.active.is_(True),
        )
        .options(contains_eager(User.organisation))
    )


def verified_member(school_id: int, user_id: int) -> User | None:
    """An employer member of an organisation the school verified (None for anyone else)."""
    return db.session.scalars(_verified_members(school_id).where(User.id == user_id)).first()


@dataclass
class MemberCheck:
    """An employer member and where their background check with the school stands."""

    member: User
    check: BackgroundCheck | None
    today: date

    @property
    def status(self) -> str:
        """none, valid, expired, or future (a check dated after today)."""
        if self.check is None:
            return "none"
        if self.check.is_valid_on(self.today):
            return "valid"
        return "future" if self.check.checked_on > self.today else "expired"


def roster(school_id: int, today: date) -> list[MemberCheck]:
    """Every member of the organisations the school verified, by organisation, with their
    check; two statements."""
    members = list(
        db.session.scalars(
            _verified_members(school_id).order_by(
                Organisation.name, User.last_name, User.first_name, User.id
            )
        )
    )
    checks = {
        c.user_id: c
        for c in db.session.scalars(
            sa.select(BackgroundCheck).where(
                BackgroundCheck.school_id == school_id,
                BackgroundCheck.user_id.in_([m.id for m in members]),
            )
        )
    }
    return [MemberCheck(m, checks.get(m.id), today) for m in members]


def save_settings(
    school: School,
    admin: User,
    *,
    refuse_over_limit: bool,
    rubric: list[str],
    wbl_codes: dict[str, str],
    **values: int,
) -> None:
    """A school admin changes the school's ladder and placement settings: youngest ages per
    rung, stall period, hour limits for minors, site visit target, evaluation rubric, and the
    codes of the work-based-learning record."""
    if not (admin.is_school_admin and admin.school_id == school.id):
        raise PermissionError("Only the school's admins change its ladder settings.")
    for name in SETTINGS:
        setattr(school, name, int(values[name]))
    school.refuse_over_limit = refuse_over_limit
    school.rubric = list(rubric)
    school.wbl_codes = dict(wbl_codes)
    db.session.flush()
