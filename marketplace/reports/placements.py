"""Placements for the state: the work-based-learning record (one row per placement, the fields
state manuals ask for), streamed from one query; the Perkins V roll-up (students who completed a
placement, per career cluster); the placement figures of the reports page and what the school
still has to do (signatures, evaluations due, site visits). SQL does the counting: the record's
hours, evaluations and visits are looked up per placement by index in the one statement, and the
follow-ups are counted in one statement with only the rows shown loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from .. import clock
from ..extensions import db
from ..models import (
    Challenge,
    Engagement,
    EntryStatus,
    Evaluation,
    EvaluationKind,
    HourEntry,
    Organisation,
    Placement,
    PlacementStatus,
    Project,
    School,
    SiteVisit,
    User,
)
from ..models.school import DEFAULT_WBL_CODES
from ..placements import records
from ..placements.evaluations import due_between
from .scope import Filters, Scope

# The export's columns, in order; documented in the README.
WBL_COLUMNS: tuple[str, ...] = (
    "student_id",
    "school_student_number",
    "student_name",
    "grade",
    "age_band",
    "wbl_type_code",
    "wbl_type",
    "career_cluster",
    "employer",
    "worksite",
    "supervisor",
    "supervisor_title",
    "coordinator",
    "start_date",
    "end_date",
    "status",
    "expected_hours",
    "hours_verified",
    "paid",
    "wage",
    "wage_unit",
    "agreement_signed",
    "safety_training_done",
    "midpoint_evaluation",
    "final_evaluation",
    "site_visits",
)
CHUNK = 500  # rows fetched at a time while the export streams


def age_band(born: date | None, on: date) -> str:
    """The band the state counts a student in, on the placement's first day."""
    if born is None:
        return "unknown"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return "under 16" if age < 16 else ("16-17" if age < 18 else "18 and over")


def _kept(scope: Scope, filters: Filters) -> sa.Select:
    """SELECT placement.id … of the scope, of the engagements the filters other than the dates
    keep (class, cluster, organisation, source event)."""
    query = scope.placements()
    if filters.narrows_engagements:
        kept = filters.apply(sa.select(Engagement.id), dates=False)
        query = query.where(Placement.engagement_id.in_(kept))
    return query


def placements_of(scope: Scope, filters: Filters) -> sa.Select:
    """SELECT placement.id … the filters keep: placements under way at some time in the range
    (begun by its last day, not finished before its first), by their own dates."""
    query = _kept(scope, filters)
    if filters.end is not None:
        query = query.where(Placement.start_date <= filters.end)
    if filters.start is not None:
        since = filters.since()
        query = query.where(
            sa.or_(
                Placement.end_date >= filters.start,
                sa.and_(
                    Placement.end_date.is_(None),
                    sa.or_(Placement.completed_at.is_(None), Placement.completed_at >= since),
                ),
            )
        )
    return query


def completed_in(scope: Scope, filters: Filters) -> sa.Select:
    """SELECT placement.id … completed in the range (days in the school's zone)."""
    return _kept(scope, filters).where(
        Placement.status == PlacementStatus.COMPLETED, *filters.in_range(Placement.completed_at)
    )


def wbl_query(scope: Scope, filters: Filters) -> sa.Select:
    """The record's statement: each chosen placement with its student, coordinator,
    organisation, cluster, school codes and zone, and its verified hours, evaluation days and
    visits, each an indexed lookup of that placement's rows (linear at any size, whatever the
    planner guesses of the chosen placements)."""
    chosen = placements_of(scope, filters)
    verified = (
        sa.select(sa.func.coalesce(sa.func.sum(HourEntry.minutes), 0))
        .where(
            HourEntry.placement_id == Placement.id,
            HourEntry.status.in_([s for s in EntryStatus if s.counts]),
        )
        .scalar_subquery()
    )

    def evaluated(kind: EvaluationKind) -> sa.ScalarSelect:
        return (
            sa.select(Evaluation.submitted_at)
            .where(Evaluation.placement_id == Placement.id, Evaluation.kind == kind)
            .scalar_subquery()
        )

    visits = (
        sa.select(sa.func.count()).where(SiteVisit.placement_id == Placement.id).scalar_subquery()
    )
    student = aliased(User, name="student")
    coordinator = aliased(User, name="coordinator")
    return (
        sa.select(
            Placement,
            student.first_name,
            student.last_name,
            student.date_of_birth,
            student.student_number,
            student.grade,
            coordinator.first_name,
            coordinator.last_name,
            Organisation.name,
            Challenge.career_cluster,
            School.wbl_codes,
            School.timezone,
            verified,
            evaluated(EvaluationKind.MIDPOINT),
            evaluated(EvaluationKind.FINAL),
            visits,
        )
        .join(student, student.id == Placement.student_id)
        .join(coordinator, coordinator.id == Placement.coordinator_id)
        .join(Organisation, Organisation.id == Placement.organisation_id)
        .join(School, School.id == Placement.school_id)
        .join(Engagement, Engagement.id == Placement.engagement_id)
        .join(Project, Project.id == Engagement.project_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(Placement.id.in_(chosen))
        .order_by(Placement.start_date, Placement.id)
    )


def wbl_rows(scope: Scope, filters: Filters) -> Iterator[tuple[Any, ...]]:
    """The work-based-learning record, one row per placement, oldest first; fetched `CHUNK`
    rows at a time (constant memory however many placements)."""
    query = wbl_query(scope, filters).execution_options(yield_per=CHUNK)
    for row in db.session.execute(query):
        (p, first, last, born, number, grade, c_first, c_last, employer, cluster) = row[:10]
        codes, zone_name, minutes, midpoint, final, visit_count = row[10:]
        zone = clock.zone(zone_name)
        yield (
            p.student_id,
            number,
            f"{first} {last}",
            grade or "",
            age_band(born, p.start_date),
            (codes or {}).get(p.rung.value) or DEFAULT_WBL_CODES.get(p.rung.value, ""),
            p.rung.label,
            cluster,
            employer,
            p.worksite_address,
            p.supervisor_name,
            p.supervisor_title,
            f"{c_first} {c_last}",
            p.start_date.isoformat(),
            p.end_date.isoformat() if p.end_date else "",
            p.status.value,
            p.expected_hours,
            round(int(minutes) / 60, 2),
            "paid" if p.paid else "unpaid",
            "" if p.wage is None else p.wage,
            p.wage_unit,
            _day(p.signed_at, zone),
            p.safety_done_on.isoformat() if p.safety_done_on else "",
            _day(midpoint, zone),
            _day(final, zone),
            int(visit_count),
        )
        db.session.expunge(p)  # the session keeps nothing of the rows already sent


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    """The day an instant fell on at the school ("" for none)."""
    return "" if moment is None else clock.local(moment, zone).date().isoformat()


@dataclass(frozen=True)
class PerkinsRow:
    cluster: str
    students: int  # distinct students who completed a placement
    placements: int


def perkins(scope: Scope, filters: Filters) -> list[PerkinsRow]:
    """Students who completed a placement in the range, per career cluster (the Perkins V
    roll-up)."""
    rows = db.session.execute(
        sa.select(
            Challenge.career_cluster,
            sa.func.count(sa.distinct(Placement.student_id)),
            sa.func.count(Placement.id),
        )
        .join(Engagement, Engagement.id == Placement.engagement_id)
        .join(Project, Project.id == Engagement.project_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(Placement.id.in_(completed_in(scope, filters)))
        .group_by(Challenge.career_cluster)
        .order_by(Challenge.career_cluster)
    ).all()
    return [PerkinsRow(cluster, int(students), int(n)) for cluster, students, n in rows]


@dataclass(frozen=True)
class PlacementFigures:
    by_status: dict[str, int]
    hours_verified: float
    hours_pending: float
    students_completed: int


def figures(scope: Scope, filters: Filters) -> PlacementFigures:
    """Placements by status, hours verified and waiting, students who completed one."""
    chosen = placements_of(scope, filters)
    by_status = dict(
        db.session.execute(
            sa.select(Placement.status, sa.func.count())
            .where(Placement.id.in_(chosen))
            .group_by(Placement.status)
        ).all()
    )
    kind = sa.case(
        (HourEntry.status.in_([s for s in EntryStatus if s.counts]), "verified"),
        else_="pending",
    )
    minutes: dict[str, Any] = dict(
        db.session.execute(
            sa.select(kind, sa.func.sum(HourEntry.minutes))
            .where(
                HourEntry.placement_id.in_(chosen),
                HourEntry.status != EntryStatus.REFUSED,
            )
            .group_by(kind)
        ).all()
    )
    completed = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Placement.student_id))).where(
            Placement.id.in_(completed_in(scope, filters))
        )
    )
    return PlacementFigures(
        {s.value: int(by_status.get(s, 0)) for s in PlacementStatus},
        round(int(minutes.get("verified") or 0) / 60, 1),
        round(int(minutes.get("pending") or 0) / 60, 1),
        int(completed or 0),
    )


# --- what the school still has to do ---------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A placement and what it still waits for (signers, evaluations, site visits)."""

    placement: Placement
    what: list[str]
    due: date | None = None


@dataclass(frozen=True)
class FollowUps:
    """What the school still has to do; each list holds its first `ROWS_SHOWN`."""

    signatures: list[Waiting]  # agreements waiting for signatures, oldest first
    evaluations: list[Waiting]  # evaluations whose day has come and that are not in
    visits: list[Waiting]  # placements under way or done with fewer visits than the target
    counts: dict[str, int]  # of each list, whole
    visited_enough: int  # placements (under way or completed) that reached the target


ROWS_SHOWN = 50  # of each list on the page; the CSV of the record has every placement


def _plus_days(day: Any, days: Any) -> sa.ColumnElement[date]:
    """A date column plus a whole number of days, on PostgreSQL and SQLite (ISO text)."""
    if db.engine.dialect.name == "postgresql":
        return day + days
    return sa.func.date(day, sa.func.printf("%+d days", days))


def _days_from(earlier: Any, later: Any) -> sa.ColumnElement[int]:
    """Whole days from one date column to another."""
    if db.engine.dialect.name == "postgresql":
        return later - earlier
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)


def _due(kind: EvaluationKind) -> sa.ColumnElement[date]:
    """The day an evaluation is due, as `evaluations.due_between` says (in SQL)."""
    last = sa.func.coalesce(Placement.end_date, _plus_days(Placement.start_date, 56))
    if kind is EvaluationKind.FINAL:
        return last
    half = _days_from(Placement.start_date, last).self_group().op("/")(2)  # whole days, down
    return _plus_days(Placement.start_date, half)


def follow_ups(scope: Scope, filters: Filters, today: date) -> FollowUps:
    """Agreements waiting for signatures (and whose), evaluations due and not in, and site
    visits per placement against the school's target: one statement counting each (a
    placement's visits and evaluations looked up by index), and one per list loading its first
    `ROWS_SHOWN` placements."""
    missing = {
        kind: sa.and_(
            ~sa.exists().where(Evaluation.placement_id == Placement.id, Evaluation.kind == kind),
            _due(kind) <= today,
        )
        for kind in EvaluationKind
    }
    visits = (
        sa.select(sa.func.count()).where(SiteVisit.placement_id == Placement.id).scalar_subquery()
    )
    target = (
        sa.select(School.site_visit_target)
        .where(School.id == Placement.school_id)
        .scalar_subquery()
    )
    kinds = {
        "signatures": Placement.status == PlacementStatus.AGREEMENT,
        "evaluations": sa.and_(
            Placement.status == PlacementStatus.ACTIVE, sa.or_(*missing.values())
        ),
        "visits": sa.and_(
            Placement.status.in_([PlacementStatus.ACTIVE, PlacementStatus.COMPLETED]),
            visits < target,
        ),
        "enough": sa.and_(
            Placement.status.in_([PlacementStatus.ACTIVE, PlacementStatus.COMPLETED]),
            visits >= target,
        ),
    }
    chosen = Placement.id.in_(placements_of(scope, filters))
    counts = (
        db.session.execute(
            sa.select(
                *(sa.func.count(sa.case((test, 1))).label(name) for name, test in kinds.items())
            ).where(chosen)
        )
        .one()
        ._mapping
    )

    def first(test: sa.ColumnElement[bool], *columns: Any) -> list[tuple[Placement, Any]]:
        query = (
            sa.select(Placement, *columns)
            .where(chosen, test)
            .options(
                joinedload(Placement.student),
                joinedload(Placement.organisation),
                selectinload(Placement.signatures),  # whose are missing, for the agreements
            )
            .order_by(Placement.start_date, Placement.id)
            .limit(ROWS_SHOWN)
        )
        return [(row[0], row[1:]) for row in db.session.execute(query)]

    signing = [
        Waiting(p, [r.label for r in records.unsigned(p)]) for p, _ in first(kinds["signatures"])
    ]
    evaluating = []
    for p, flags in first(kinds["evaluations"], *missing.values()):
        due = [k for k, late in zip(EvaluationKind, flags, strict=True) if late]
        evaluating.append(
            Waiting(p, [k.value for k in due], due_between(p.start_date, p.end_date, due[0]))
        )
    short = [
        Waiting(p, [f"{made} of {wanted}"])
        for p, (made, wanted) in first(kinds["visits"], visits, target)
    ]
    return FollowUps(
        signing,
        evaluating,
        short,
        {name: int(counts[name]) for name in ("signatures", "evaluations", "visits")},
        int(counts["enough"]),
    )
