"""Placements for the state: the work-based-learning record (one row per placement, the fields
state manuals ask for), streamed from one query; the Perkins V roll-up (students who completed a
placement, per career cluster); and the placement figures of the reports page. Aggregate SQL:
the hours, evaluations and visits of every placement come from grouped subqueries, not from a
loop over rows."""

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


ROWS_SHOWN = 200  # of each list on the page; the CSV of the record has every placement


def follow_ups(scope: Scope, filters: Filters, today: date) -> FollowUps:
    """Agreements waiting for signatures (and whose), evaluations due and not in, and site
    visits per placement against the school's target. One statement of a few columns per
    placement (its visits and evaluations looked up by index), then one loading the
    placements listed, their signatures alongside."""
    given = {
        kind: sa.exists().where(Evaluation.placement_id == Placement.id, Evaluation.kind == kind)
        for kind in EvaluationKind
    }
    visits = (
        sa.select(sa.func.count()).where(SiteVisit.placement_id == Placement.id).scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Placement.id,
            Placement.status,
            Placement.start_date,
            Placement.end_date,
            School.site_visit_target,
            visits,
            *given.values(),
        )
        .join(School, School.id == Placement.school_id)
        .where(
            Placement.id.in_(placements_of(scope, filters)),
            Placement.status != PlacementStatus.ENDED,
        )
        .order_by(Placement.start_date, Placement.id)
    ).all()
    signing: list[tuple[int, list[str], date | None]] = []
    evaluating: list[tuple[int, list[str], date | None]] = []
    short: list[tuple[int, list[str], date | None]] = []
    enough = 0
    for pid, status, start, end, target, visit_count, *done in rows:
        if status is PlacementStatus.AGREEMENT:
            signing.append((pid, [], None))
            continue
        if status is PlacementStatus.ACTIVE:
            kinds = [
                k
                for k, d in zip(EvaluationKind, done, strict=True)
                if not d and due_between(start, end, k) <= today
            ]
            if kinds:
                evaluating.append(
                    (pid, [k.value for k in kinds], due_between(start, end, kinds[0]))
                )
        if visit_count >= target:
            enough += 1
        else:
            short.append((pid, [f"{visit_count} of {target}"], None))
    shown = {pid for rows_ in (signing, evaluating, short) for pid, _, _ in rows_[:ROWS_SHOWN]}
    placements = (
        {
            p.id: p
            for p in db.session.scalars(
                sa.select(Placement)
                .where(Placement.id.in_(shown))
                .options(
                    selectinload(Placement.signatures),
                    joinedload(Placement.student),
                    joinedload(Placement.organisation),
                )
            ).unique()
        }
        if shown
        else {}
    )

    def listed(rows_: list[tuple[int, list[str], date | None]]) -> list[Waiting]:
        return [Waiting(placements[pid], what, due) for pid, what, due in rows_[:ROWS_SHOWN]]

    waiting_signatures = [
        Waiting(w.placement, [r.label for r in records.unsigned(w.placement)])
        for w in listed(signing)
    ]
    return FollowUps(
        waiting_signatures,
        listed(evaluating),
        listed(short),
        {"signatures": len(signing), "evaluations": len(evaluating), "visits": len(short)},
        enough,
    )
