"""The annual report of one school's program, for a principal, a district or a board: the funnel
of the ladder, placements and the hours verified, the partner network by stage, and the top
partners of the year who agreed to be named. It is the school's report: a teacher who prints
it gets the whole school's program, not only their classes (`SchoolScope`).

The figures come from the other reports (`funnel`, `placements`, `partners`), each over the
school year (1 August to 31 July); only the ranking of named partners is written here, in one
statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import (
    Activity,
    Engagement,
    Organisation,
    Partnership,
    Placement,
    School,
    User,
    VerificationStatus,
    utcnow,
)
from . import funnel as funnels
from . import partners as partner_reports
from . import placements as placement_reports
from .scope import Filters, Scope, school_year_range

TOP = 10  # named partners


@dataclass(frozen=True)
class SchoolScope(Scope):
    """Every engagement and placement of one school, whoever reads the report (a teacher's
    `Scope` keeps their classes only)."""

    def engagements(self) -> sa.Select:
        return sa.select(Engagement).where(Engagement.school_id == self.school_id)

    def placements(self) -> sa.Select:
        return sa.select(Placement.id).where(Placement.school_id == self.school_id)


@dataclass(frozen=True)
class TopPartner:
    name: str
    blurb: str
    engagements: int  # opened with the school's teams in the year
    placements: int  # students' placements that began in the year
    activities: int  # held in the year (a talk, a mock interview, a visit …)
    students: int  # reached by those activities
    hours: float

    @property
    def score(self) -> int:
        return self.engagements + self.placements + self.activities


@dataclass(frozen=True)
class AnnualReport:
    school: School
    year: int  # the calendar year the school year starts in
    start: date
    end: date
    made_on: date
    funnel: funnels.Funnel
    placements: placement_reports.PlacementFigures
    perkins: list[placement_reports.PerkinsRow]
    network: partner_reports.Network
    newcomers: partner_reports.Newcomers
    months: list[partner_reports.Month]
    top: list[TopPartner]

    @property
    def label(self) -> str:
        return f"{self.year}–{(self.year + 1) % 100:02d}"


def report(school: School, year: int, reader: User, now: datetime | None = None) -> AnnualReport:
    """The school's program in the school year starting in `year`."""
    now = now or utcnow()
    start, end = school_year_range(year)
    scope = SchoolScope(reader, school.id)
    filters = Filters(start=start, end=end, zone=clock.zone(school.timezone))
    span = partner_reports.Window(start, end)
    return AnnualReport(
        school=school,
        year=year,
        start=start,
        end=end,
        made_on=clock.school_today(school, now),
        funnel=funnels.funnel(scope, filters, now),
        placements=placement_reports.figures(scope, filters),
        perkins=placement_reports.perkins(scope, filters),
        network=partner_reports.network(scope, span, now),
        newcomers=partner_reports.newcomers(scope, span),
        months=partner_reports.monthly(scope, span),
        top=top_partners(school, start, end),
    )


def top_partners(school: School, start: date, end: date, limit: int = TOP) -> list[TopPartner]:
    """The partners who agreed to be named (listed on the school's public page, their consent
    recorded) that did most with the school in the year: engagements opened, placements begun
    and activities held, added up. A partner that did not agree is never named here."""
    first = clock.start_of(start, clock.zone(school.timezone))
    last = clock.end_of(end, clock.zone(school.timezone))
    engaged = (
        sa.select(Engagement.organisation_id, sa.func.count().label("n"))
        .where(
            Engagement.school_id == school.id,
            Engagement.created_at >= first,
            Engagement.created_at < last,
        )
        .group_by(Engagement.organisation_id)
        .subquery("engaged")
    )
    placed = (
        sa.select(Placement.organisation_id, sa.func.count().label("n"))
        .where(Placement.school_id == school.id, Placement.start_date.between(start, end))
        .group_by(Placement.organisation_id)
        .subquery("placed")
    )
    held = (
        sa.select(
            Activity.partnership_id,
            sa.func.count().label("n"),
            sa.func.sum(Activity.students_reached).label("students"),
            sa.func.sum(Activity.hours).label("hours"),
        )
        .where(Activity.held_on.between(start, end))
        .group_by(Activity.partnership_id)
        .subquery("held")
    )
    engagements = sa.func.coalesce(engaged.c.n, 0)
    placements = sa.func.coalesce(placed.c.n, 0)
    activities = sa.func.coalesce(held.c.n, 0)
    score = engagements + placements + activities
    rows = db.session.execute(
        sa.select(
            Organisation.name,
            Partnership.listing_blurb,
            engagements,
            placements,
            activities,
            sa.func.coalesce(held.c.students, 0),
            sa.func.coalesce(held.c.hours, 0),
        )
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .outerjoin(engaged, engaged.c.organisation_id == Partnership.organisation_id)
        .outerjoin(placed, placed.c.organisation_id == Partnership.organisation_id)
        .outerjoin(held, held.c.partnership_id == Partnership.id)
        .where(
            Partnership.school_id == school.id,
            Partnership.status != VerificationStatus.DECLINED,
            Partnership.listed.is_(True),
            Partnership.listing_consent != "",
            score > 0,
        )
        .order_by(score.desc(), sa.func.lower(Organisation.name))
        .limit(limit)
    ).all()
    return [
        TopPartner(name, blurb or "", int(e), int(p), int(a), int(s), round(float(h), 1))
        for name, blurb, e, p, a, s, h in rows
    ]
