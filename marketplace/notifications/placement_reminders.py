"""The placements' scheduled jobs: each finished week's hours go to the supervisor by link; a
week the supervisor has not verified after a few days is sent again and the coordinator told; a
student who logged nothing in a finished week of an active placement is reminded; the coordinator
is told when an evaluation falls due.

Each is once per week, placement or kind: a row is claimed with a conditional UPDATE, or the
notification carries a key unique per period and person (`notify_once`), so two schedulers at
once tell nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import (
    HourEntry,
    HourWeek,
    Placement,
    PlacementStatus,
    WeekStatus,
)
from ..placements import evaluations, hours
from ..placements.records import PlacementError
from ..workflow import update_if
from .service import notify_once

REMIND_AFTER_DAYS = 3  # a week sent to the supervisor and not verified after this is sent again


def _active_placements() -> list[Placement]:
    return list(
        db.session.scalars(
            sa.select(Placement)
            .where(Placement.status == PlacementStatus.ACTIVE)
            .options(
                joinedload(Placement.school),
                joinedload(Placement.student),
                joinedload(Placement.organisation),
            )
            .order_by(Placement.id)
        ).unique()
    )


def _last_week(placement: Placement, now: datetime) -> date:
    """The Monday of the last week that has ended where the placement's school is."""
    return hours.monday_of(clock.school_today(placement.school, now)) - timedelta(days=7)


def weekly_verification(now: datetime) -> int:
    """Each finished week with hours logged and not yet sent → the supervisor's verify link
    (the student may have sent it already: then nothing)."""
    sent = 0
    for placement in _active_placements():
        if not placement.supervisor_email:
            continue
        last = _last_week(placement, now)
        weeks = db.session.scalars(
            sa.select(HourWeek).where(
                HourWeek.placement_id == placement.id,
                HourWeek.status == WeekStatus.OPEN,
                HourWeek.requested_at.is_(None),
                HourWeek.week_start <= last,
            )
        )
        for row in list(weeks):
            try:
                with db.session.begin_nested():  # a week that cannot go is left as it was
                    if not update_if(row, HourWeek.requested_at.is_(None), requested_at=now):
                        continue  # another scheduler claimed it
                    hours.ask_verification(placement, row.week_start)
            except PlacementError:
                continue  # nothing logged that week (the entries were removed)
            sent += 1
    return sent


def unverified_weeks(now: datetime) -> int:
    """A week sent to the supervisor and still open after a few days → sent again (a fresh
    link), and the coordinator told; once per week."""
    told = 0
    rows = db.session.scalars(
        sa.select(HourWeek)
        .join(Placement, Placement.id == HourWeek.placement_id)
        .where(
            Placement.status == PlacementStatus.ACTIVE,
            HourWeek.status == WeekStatus.OPEN,
            HourWeek.requested_at < now - timedelta(days=REMIND_AFTER_DAYS),
            HourWeek.reminded_at.is_(None),
        )
        .order_by(HourWeek.id)
    )
    for row in list(rows):
        placement = db.session.get_one(Placement, row.placement_id)
        try:
            with db.session.begin_nested():
                if not update_if(row, HourWeek.reminded_at.is_(None), reminded_at=now):
                    continue
                hours.ask_verification(placement, row.week_start)
        except PlacementError:
            continue
        student = placement.student
        notify_once(
            placement.coordinator,
            key=f"hours-unverified-{row.id}",
            kind="placement_hours",
            subject=f"{student.first_name}'s hours of the week of {row.week_start:%d %b} "
            "are not verified",
            body=f"The supervisor at {placement.organisation.name} was sent the week "
            f"{REMIND_AFTER_DAYS} or more days ago and has not answered; a new link was sent.",
            link=f"/placements/{placement.id}/hours?week={row.week_start.isoformat()}",
        )
        told += 1
    return told


def unlogged_weeks(now: datetime) -> int:
    """A finished week of an active placement with no hours logged → the student is reminded,
    once per week."""
    told = 0
    for placement in _active_placements():
        last = _last_week(placement, now)
        end = placement.end_date
        if last + timedelta(days=6) < placement.start_date or (end and last > end):
            continue  # the week was outside the placement
        logged = db.session.scalar(
            sa.select(sa.func.count(HourEntry.id)).where(
                HourEntry.placement_id == placement.id,
                HourEntry.day >= last,
                HourEntry.day < last + timedelta(days=7),
            )
        )
        if logged:
            continue
        note = notify_once(
            placement.student,
            key=f"hours-unlogged-{placement.id}-{last.isoformat()}",
            kind="placement_hours",
            subject=f"Log your hours at {placement.organisation.name} for the week of {last:%d %b}",
            body="No hours are logged for that week. Log what you worked so your supervisor "
            "can verify it; if you did not work that week, tell your teacher.",
            link=f"/placements/{placement.id}/hours?week={last.isoformat()}",
        )
        told += note is not None
    return told


def evaluations_due(now: datetime) -> int:
    """An evaluation's day came and it is not in → the coordinator is told, once per kind."""
    told = 0
    for placement in _active_placements():
        today = clock.school_today(placement.school, now)
        for kind in evaluations.due(placement, today):
            note = notify_once(
                placement.coordinator,
                key=f"evaluation-due-{placement.id}-{kind.value}",
                kind="placement_evaluation",
                subject=f"The {kind.value} evaluation of {placement.student.first_name}'s "
                f"{placement.rung.label} is due",
                body=f"Ask the supervisor at {placement.organisation.name} for it: the "
                "placement's page sends them a personal link.",
                link=f"/placements/{placement.id}#evaluations",
            )
            told += note is not None
    return told
