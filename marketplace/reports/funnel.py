"""The funnel: how many engagements reached each stage of the ladder (interest → mentorship →
job shadowing → externship → internship → completed), the conversion between stages, the median
days spent on a rung before the next, the engagements that skipped a rung with the teacher's
permission, and those stalled on it now. Aggregate SQL: three statements at any size.

An engagement "reached" a rung when it stands on it or higher (a skip counts as reaching: the
funnel never widens); `skipped` says how many of those never had an offer of that rung accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

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
    chosen = filters.apply(scope.engagements()).subquery()
    e = aliased(Engagement, chosen)
    level = _level(e.rung)

    def accepted_at(rung: Rung) -> sa.Exists:
        return sa.exists().where(Offer.engagement_id == e.id, Offer.accepted_rung == rung)

    stalled_now = sa.and_(
        e.status == EngagementStatus.ACTIVE,
        e.last_event_at < _stall_cutoff(scope, now, e.school_id),
    )

    def how_many(condition: Any) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    columns: list[sa.ColumnElement[int]] = [sa.func.count()]
    columns += [how_many(level >= rung.level) for rung in LADDER[1:]]
    columns.append(how_many(e.status == EngagementStatus.COMPLETED))
    columns += [
        how_many(sa.and_(level >= rung.level, sa.not_(accepted_at(rung)))) for rung in LADDER[1:]
    ]
    columns += [how_many(sa.and_(e.rung == rung, stalled_now)) for rung in LADDER]
    row = list(db.session.execute(sa.select(*columns).select_from(e)).one())
    rungs = len(LADDER)
    reached = row[: rungs + 1]
    skipped = [0, *row[rungs + 1 : 2 * rungs]]
    stalled = [*row[2 * rungs :], 0]
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
    engagements that went on; window functions, on SQLite and PostgreSQL alike."""
    ids = filters.apply(scope.engagements()).with_only_columns(Engagement.id)
    starts: Any = sa.union_all(
        sa.select(
            Engagement.id.label("e"), sa.literal(0).label("lvl"), Engagement.created_at.label("at")
        ).where(Engagement.id.in_(ids)),
        sa.select(
            Offer.engagement_id.label("e"),
            _level(Offer.accepted_rung).label("lvl"),
            Offer.answered_at.label("at"),
        ).where(
            Offer.accepted_rung.is_not(None),
            Offer.answered_at.is_not(None),
            Offer.engagement_id.in_(ids),
        ),
    ).subquery("stays")
    later = starts.alias("later")
    next_at = (
        sa.select(sa.func.min(later.c.at))
        .where(later.c.e == starts.c.e, later.c.lvl > starts.c.lvl)
        .scalar_subquery()
    )
    durations = (
        sa.select(starts.c.lvl.label("lvl"), days_between(next_at, starts.c.at).label("days"))
        .where(next_at.is_not(None))
        .subquery("durations")
    )
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
