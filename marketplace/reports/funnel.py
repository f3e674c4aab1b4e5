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
    Engagement,
    EngagementStatus,
    Offer,
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


def _level(column: Any) -> sa.ColumnElement[int]:
    """A rung's place on the ladder (0 interest … 4 internship)."""
    return sa.case({r.value: r.level for r in Rung}, value=column, else_=-1)


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
    # How many had an offer of each rung accepted (at most one per rung per engagement).
    accepted = dict(
        db.session.execute(
            sa.select(Offer.accepted_rung, sa.func.count())
            .join(chosen, chosen.c.id == Offer.engagement_id)
            .where(Offer.accepted_rung.is_not(None))
            .group_by(Offer.accepted_rung)
        ).all()
    )
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
    skipped = [0] + [reached[rung.level] - int(accepted.get(rung, 0)) for rung in LADDER[1:]]
    stalled = [stalled_on[r] for r in LADDER] + [0]
    rungs = len(LADDER)
    medians = _medians(scope, filters)
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


def _medians(scope: Scope, filters: Filters) -> dict[int, float]:
    """The median days from reaching each rung (level) to reaching the next one, over the
    engagements that went on: PostgreSQL's percentile_cont, or the middle rows by window
    functions on SQLite."""
    ids = filters.apply(scope.engagements()).with_only_columns(Engagement.id)
    went_on = (
        Offer.accepted_rung.is_not(None),
        Offer.answered_at.is_not(None),
        Offer.engagement_id.in_(ids),
    )
    # Only an engagement that went on from interest has a stay to measure: the others are
    # left out before the sort (most of a district's engagements never leave interest).
    starts: Any = sa.union_all(
        filters.apply(scope.engagements())
        .with_only_columns(
            Engagement.id.label("e"), sa.literal(0).label("lvl"), Engagement.created_at.label("at")
        )
        .where(Engagement.id.in_(sa.select(Offer.engagement_id).where(*went_on))),
        sa.select(
            Offer.engagement_id.label("e"),
            _level(Offer.accepted_rung).label("lvl"),
            Offer.answered_at.label("at"),
        ).where(*went_on),
    ).subquery("stays")
    # The next rung an engagement reached, in the order of the ladder (a skip included).
    next_at = sa.func.lead(starts.c.at).over(partition_by=starts.c.e, order_by=starts.c.lvl)
    stays = sa.select(starts.c.lvl, starts.c.at, next_at.label("next_at")).subquery("next")
    durations = (
        sa.select(stays.c.lvl.label("lvl"), days_between(stays.c.next_at, stays.c.at).label("days"))
        .where(stays.c.next_at.is_not(None))
        .subquery("durations")
    )
    if db.engine.dialect.name == "postgresql":  # one ordered aggregate per rung
        median = sa.func.percentile_cont(0.5).within_group(durations.c.days)
        rows = db.session.execute(
            sa.select(durations.c.lvl, median).group_by(durations.c.lvl)
        ).all()
        return {int(lvl): round(float(days), 1) for lvl, days in rows if days is not None}
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
    return {int(lvl): round(float(days), 1) for lvl, days in rows if days is not None}
