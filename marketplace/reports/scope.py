"""Whose engagements a report counts, and the filters a reader applies to them: a teacher sees
their classes, a school admin their school, a site admin every school (or one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort
from werkzeug.datastructures import MultiDict

from .. import clock
from ..clusters import CAREER_CLUSTERS
from ..engagements.queues import LadderFilters
from ..extensions import db
from ..forms_common import bounded_int
from ..models import (
    Classroom,
    Engagement,
    EventSchool,
    EventStatus,
    Organisation,
    PitchEvent,
    Placement,
    School,
    Team,
    User,
)

UTC_ZONE = ZoneInfo("UTC")
SCHOOL_YEAR_STARTS = (8, 1)  # 1 August: a school year is "2026–27"


def school_year_of(day: date) -> int:
    """The calendar year a school year starts in."""
    return day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1


def school_year_range(start_year: int) -> tuple[date, date]:
    first = date(start_year, *SCHOOL_YEAR_STARTS)
    return first, date(start_year + 1, *SCHOOL_YEAR_STARTS) - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """The engagements a reader's reports count."""

    user: User
    school_id: int | None  # None: every school (a site admin who chose none)

    @classmethod
    def of(cls, user: User, school_id: int | None = None) -> Scope:
        if user.is_site_admin:
            return cls(user, school_id)
        if user.school_id is None:  # staff of no school count nothing (never every school)
            abort(403)
        return cls(user, user.school_id)

    def engagements(self) -> sa.Select:
        """SELECT engagement … of the scope (filters are added by `Filters.apply`)."""
        query = sa.select(Engagement)
        if self.school_id is not None:
            query = query.where(Engagement.school_id == self.school_id)
        if self.user.is_teacher:
            query = query.where(Engagement.team_id.in_(self.own_teams()))
        return query

    def own_teams(self) -> sa.Select:
        """SELECT team.id … of a teacher's classes."""
        return (
            sa.select(Team.id)
            .join(Classroom, Team.classroom_id == Classroom.id)
            .where(Classroom.teacher_id == self.user.id)
        )

    def placements(self) -> sa.Select:
        """SELECT placement.id … of the scope: a teacher's are their classes' and those they
        coordinate (as their list of placements shows)."""
        query = sa.select(Placement.id)
        if self.school_id is not None:
            query = query.where(Placement.school_id == self.school_id)
        if self.user.is_teacher:
            own = self.engagements().with_only_columns(Engagement.id)
            query = query.where(
                sa.or_(Placement.engagement_id.in_(own), Placement.coordinator_id == self.user.id)
            )
        return query

    def zone(self) -> ZoneInfo:
        """Where the report's days begin and end: the school's zone (the reader's, for a site
        admin looking at every school)."""
        school = db.session.get(School, self.school_id) if self.school_id else None
        return clock.zone(school.timezone) if school else clock.zone_of(self.user)

    def classroom_ids(self) -> sa.Select:
        """SELECT classroom.id … of the scope: a teacher's own classes, a school's."""
        query = sa.select(Classroom.id).correlate(None)  # never the class of an outer query
        if self.school_id is not None:
            query = query.where(Classroom.school_id == self.school_id)
        if self.user.is_teacher:
            query = query.where(Classroom.teacher_id == self.user.id)
        return query

    def classrooms(self) -> list[Classroom]:
        return list(
            db.session.scalars(
                sa.select(Classroom)
                .where(Classroom.id.in_(self.classroom_ids()))
                .order_by(Classroom.name, Classroom.id)
            )
        )

    def organisations(self) -> list[Organisation]:
        engaged = self.engagements().with_only_columns(Engagement.organisation_id)
        return list(
            db.session.scalars(
                sa.select(Organisation)
                .where(Organisation.id.in_(engaged))
                .order_by(Organisation.name)
            )
        )

    def event_ids(self) -> sa.Select:
        """SELECT pitch_event.id of the events the scope sees: organised by its school or taken
        part in (any school's for a site admin who chose none); drafts are left out."""
        query = sa.select(PitchEvent.id).where(PitchEvent.status != EventStatus.DRAFT)
        if self.school_id is not None:
            joined = sa.select(EventSchool.event_id).where(EventSchool.school_id == self.school_id)
            query = query.where(
                sa.or_(PitchEvent.school_id == self.school_id, PitchEvent.id.in_(joined))
            )
        return query

    def events(self) -> list[PitchEvent]:
        """The scope's events, latest first (the source-event filter's choices)."""
        return list(
            db.session.scalars(
                sa.select(PitchEvent)
                .where(PitchEvent.id.in_(self.event_ids()))
                .order_by(PitchEvent.starts_at.desc())
                .limit(200)
            )
        )

    def schools(self) -> list[School]:
        if not self.user.is_site_admin:
            return []
        return list(db.session.scalars(sa.select(School).order_by(School.name)))


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to; a value the page does not offer is dropped."""

    start: date | None = None
    end: date | None = None
    classroom_id: int | None = None
    cluster: str = ""
    organisation_id: int | None = None
    event_id: int | None = None
    zone: ZoneInfo = UTC_ZONE  # where a day of the range begins and ends (the school's)

    @classmethod
    def from_args(cls, args: MultiDict[str, str], scope: Scope) -> Filters:
        start, end = _day(args.get("from")), _day(args.get("to"))
        year = args.get("year", type=bounded_int)
        if year and 2000 <= year <= 2100 and not (start or end):
            start, end = school_year_range(year)
        if start and end and end < start:
            start, end = end, start

        def offered(raw: str | None, choices: Callable[[], list[Any]]) -> int | None:
            """The id if the page offers it (the choices are looked up only for an id)."""
            try:
                value = bounded_int(raw) if raw else None
            except ValueError:
                return None
            return value if value is not None and value in {c.id for c in choices()} else None

        return cls(
            start=start,
            end=end,
            classroom_id=offered(args.get("class"), scope.classrooms),
            cluster=args.get("cluster", "") if args.get("cluster") in CAREER_CLUSTERS else "",
            organisation_id=offered(args.get("organisation"), scope.organisations),
            event_id=offered(args.get("event"), scope.events),
            zone=scope.zone(),
        )

    def since(self) -> datetime | None:
        """The first instant of the range (midnight of its first day, in the school's zone)."""
        return None if self.start is None else clock.start_of(self.start, self.zone)

    def until(self) -> datetime | None:
        """The instant the range ends (midnight after its last day, in the school's zone)."""
        return None if self.end is None else clock.end_of(self.end, self.zone)

    def in_range(self, column: Any) -> list[sa.ColumnElement[bool]]:
        """Conditions keeping the instants of `column` that fall in the range."""
        since, until = self.since(), self.until()
        return [
            *([column >= since] if since else []),
            *([column < until] if until else []),
        ]

    @property
    def narrows_engagements(self) -> bool:
        """Whether a filter other than the dates is set."""
        return bool(self.classroom_id or self.cluster or self.organisation_id or self.event_id)

    def apply(self, query: sa.Select, *, dates: bool = True) -> sa.Select:
        """Narrow a SELECT over engagement to the engagements the filters keep (opened in the
        date range unless `dates` is false, of the class, cluster, organisation, source
        event)."""
        if dates:
            query = query.where(*self.in_range(Engagement.created_at))
        # Class, cluster and organisation narrow as the school ladder's filters do.
        query = LadderFilters(self.classroom_id, self.cluster, self.organisation_id).apply(query)
        if self.event_id is not None:
            query = query.where(Engagement.source_event_id == self.event_id)
        return query

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for the CSV link and the rows behind a figure)."""
        out = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "class": str(self.classroom_id or ""),
            "cluster": self.cluster,
            "organisation": str(self.organisation_id or ""),
            "event": str(self.event_id or ""),
        }
        return {k: v for k, v in out.items() if v}


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return day if date(2000, 1, 1) <= day <= date(2100, 12, 31) else None
