"""The funnel: how many engagements reached each stage of the ladder (interest → mentorship →
job shadowing → externship → internship → completed), the conversion between stages, the median
days spent on a rung before the next, the engagements that skipped a rung with the teacher's
permission, and those stalled on it now. Aggregate SQL: four statements at any size, each
answering with a handful of grouped rows.

An engagement "reached" a rung when it stands on it or higher (a skip counts as reaching: the
funnel never widens); `skipped` says how many of those never had an offer of that rung accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    LADDER,
    OFFER_RUNGS,
    Engagement,
    EngagementStatus,
    Rung,
    School,
    utcnow,
)
from .scope import Filters, Scope

COMPLETED = "completed"
STAGES: tuple[str, ...] = (*(r.value for r in LADDER), COMPLETED)


def stage_label(stage: str) -> str:
    return "completed the ladder" if stage == COMPLETED else Rung(stage).label


@dataclass(frozen=True)
class Stage:
    key: str
    reached: int
    conversion: float | None  # share of the stage before that reached this one (0–100)
    median_days: float | None  # of the engagements that went on from this rung
    skipped: int  # reached past this rung without an accepted offer of it
    stalled: int  # standing on this rung now, active, with no news for the stall period

    @property
    def label(self) -> str:
        return stage_label(self.key)


@dataclass(frozen=True)
class Funnel:
    stages: list[Stage]

    @property
    def total(self) -> int:
        return self.stages[0].reached

    def summary(self) -> str:
        """The funnel in one sentence, for screen readers and print."""
        if not self.total:
            return "No engagement matches these filters."
        parts = [
            f"{s.reached} completed the ladder"
            if s.key == COMPLETED
            else f"{s.reached} reached {s.label}"
            for s in self.stages[1:]
        ]
        return (
            f"Of {self.total} engagement{'s' if self.total != 1 else ''} that began with "
            f"interest, {', '.join(parts)}."
        )


def days_between(later: sa.ColumnElement, earlier: sa.ColumnElement) -> sa.ColumnElement:
    """Days from `earlier` to `later`, as a number, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def _stall_cutoff(scope: Scope, now: datetime, school: Any) -> sa.ColumnElement:
    """Before when an engagement's last event makes it stalled, by its school's setting (one
    school: a constant; every school: a CASE over them)."""
    query = sa.select(School.id, School.stall_days)
    if scope.school_id is not None:
        query = query.where(School.id == scope.school_id)
    cutoffs = {
        school_id: sa.literal(now - timedelta(days=days), Engagement.last_event_at.type)
        for school_id, days in db.session.execute(query)
    }
    if scope.school_id is not None:
        return cutoffs.get(scope.school_id, sa.null())
    return sa.case(cutoffs, value=school, else_=sa.null()) if cutoffs else sa.null()


def funnel(scope: Scope, filters: Filters, now: datetime | None = None) -> Funnel:
    now = now or utcnow()
    chosen = (
        filters.apply(scope.engagements())
        .with_only_columns(
            Engagement.id,
            Engagement.rung,
            Engagement.status,
            Engagement.school_id,
            Engagement.last_event_at,
        )
        .subquery("chosen")
    )
    stalled_now = sa.and_(
        chosen.c.status == EngagementStatus.ACTIVE,
        chosen.c.last_event_at < _stall_cutoff(scope, now, chosen.c.school_id),
    )
    stalled_flag = sa.case((stalled_now, 1), else_=0)
    # How many stand on each rung, in each status, stalled or not: a handful of grouped rows.
    groups = db.session.execute(
        sa.select(chosen.c.rung, chosen.c.status, stalled_flag, sa.func.count()).group_by(
            chosen.c.rung, chosen.c.status, stalled_flag
        )
    ).all()
    on_rung = {r: 0 for r in LADDER}
    stalled_on = {r: 0 for r in LADDER}
    completed = 0
    for rung, status, stalled, count in groups:
        rung = Rung(rung)
        on_rung[rung] += count
        stalled_on[rung] += count if stalled else 0
        completed += count if EngagementStatus(status) is EngagementStatus.COMPLETED else 0
    reached = [sum(n for r, n in on_rung.items() if r.level >= rung.level) for rung in LADDER]
    reached.append(completed)
    accepted, medians = _climbs(scope, filters)
    skipped = [0] + [reached[rung.level] - int(accepted.get(rung, 0)) for rung in LADDER[1:]]
    stalled = [stalled_on[r] for r in LADDER] + [0]
    rungs = len(LADDER)
    stages = []
    for index, key in enumerate(STAGES):
        before = reached[index - 1] if index else None
        stages.append(
            Stage(
                key=key,
                reached=int(reached[index]),
                conversion=(round(100 * reached[index] / before, 1) if before else None),
                median_days=medians.get(index) if key != COMPLETED else None,
                skipped=int(skipped[index]) if index < rungs else 0,
                stalled=int(stalled[index]),
            )
        )
    return Funnel(stages)


def _climbs(scope: Scope, filters: Filters) -> tuple[dict[Rung, int], dict[int, float]]:
    """How many engagements reached each rung by an accepted offer, and the median days from
    reaching each rung (level) to reaching the next, over the engagements that went on.

    An engagement keeps when it reached each rung (its start for interest); the next rung it
    reached is the first later one it has a day for (a skip included). PostgreSQL takes every
    count and median in one statement over the engagements (`percentile_cont`); SQLite a
    second, ranking the stays."""
    chosen = filters.apply(scope.engagements()).subquery("chosen")
    day = [chosen.c.created_at] + [chosen.c[Engagement.reached_column(r)] for r in OFFER_RUNGS]
    top = len(LADDER) - 1
    stays = {
        level: days_between(
            sa.func.coalesce(*day[level + 1 :]) if level + 1 < top else day[top], day[level]
        )
        for level in range(top)
    }
    counts = [sa.func.count(day[r.level]) for r in OFFER_RUNGS]
    if db.engine.dialect.name == "postgresql":  # one ordered aggregate per rung, one statement
        row = db.session.execute(
            sa.select(
                *counts,
                *(sa.func.percentile_cont(0.5).within_group(d) for d in stays.values()),
            )
        ).one()
        accepted = {r: int(n or 0) for r, n in zip(OFFER_RUNGS, row[: len(counts)], strict=True)}
        medians = {
            level: round(float(days), 1)
            for level, days in zip(stays, row[len(counts) :], strict=True)
            if days is not None
        }
        return accepted, medians
    row = db.session.execute(sa.select(*counts)).one()
    accepted = {r: int(n or 0) for r, n in zip(OFFER_RUNGS, row, strict=True)}
    durations = sa.union_all(
        *(
            sa.select(sa.literal(level).label("lvl"), days.label("days")).where(days.is_not(None))
            for level, days in stays.items()
        )
    ).subquery("durations")
    ranked = sa.select(
        durations.c.lvl,
        durations.c.days,
        sa.func.row_number()
        .over(partition_by=durations.c.lvl, order_by=durations.c.days)
        .label("rn"),
        sa.func.count().over(partition_by=durations.c.lvl).label("n"),
    ).subquery("ranked")
    middle = sa.or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    rows = db.session.execute(
        sa.select(ranked.c.lvl, sa.func.avg(ranked.c.days)).where(middle).group_by(ranked.c.lvl)
    ).all()
    return accepted, {int(lvl): round(float(days), 1) for lvl, days in rows if days is not None}
