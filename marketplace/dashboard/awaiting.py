"""What the dashboard of an organisation no school has verified yet reads: the schools asked
and when, who checks it at each, the school's channel with it if staff opened one, and the
titles of the open challenges it will see once verified."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Challenge,
    ChallengeStatus,
    Organisation,
    Partnership,
    Role,
    School,
    Thread,
    ThreadKind,
    User,
    VerificationStatus,
)

LIST_LIMIT = 5


@dataclass
class AwaitingDashboard:
    organisation: Organisation
    asked: list[Partnership]  # the schools asked that have not answered, oldest first
    declined: list[Partnership]
    admins: dict[int, list[User]]  # per school asked: its admins
    threads: dict[int, Thread]  # per school asked: its staff's channel with the organisation
    challenges: list[Challenge]  # open challenges of the schools asked (titles only)
    challenge_count: int

    @property
    def schools(self) -> dict[int, School]:
        return {p.school_id: p.school for p in self.organisation.partnerships}


def for_awaiting(organisation: Organisation) -> AwaitingDashboard:
    """What an organisation no school has verified yet can see and do while it waits."""
    partnerships = sorted(organisation.partnerships, key=lambda p: p.requested_at)
    asked = [p for p in partnerships if p.status is VerificationStatus.PENDING]
    school_ids = [p.school_id for p in asked]
    admins: dict[int, list[User]] = {school_id: [] for school_id in school_ids}
    threads: dict[int, Thread] = {}
    challenges: list[Challenge] = []
    count = 0
    if school_ids:
        for admin in db.session.scalars(
            sa.select(User)
            .where(
                User.school_id.in_(school_ids),
                User.role == Role.SCHOOL_ADMIN,
                User.active.is_(True),
            )
            .order_by(User.last_name, User.first_name)
        ):
            admins[admin.school_id or 0].append(admin)
        for thread in db.session.scalars(
            sa.select(Thread)
            .where(
                Thread.kind == ThreadKind.SCHOOL,
                Thread.organisation_id == organisation.id,
                Thread.school_id.in_(school_ids),
            )
            .order_by(Thread.last_message_at)
        ):
            threads[thread.school_id] = thread  # the most recently active one wins
        rows = db.session.execute(
            sa.select(Challenge, sa.func.count().over())
            .where(Challenge.status == ChallengeStatus.OPEN, Challenge.school_id.in_(school_ids))
            .order_by(Challenge.created_at.desc(), Challenge.id.desc())
            .limit(LIST_LIMIT)
        ).all()
        challenges, count = [c for c, _ in rows], (rows[0][1] if rows else 0)
    return AwaitingDashboard(
        organisation=organisation,
        asked=asked,
        declined=[p for p in partnerships if p.status is VerificationStatus.DECLINED],
        admins=admins,
        threads=threads,
        challenges=challenges,
        challenge_count=count,
    )
