"""The partner network in figures: partners by stage and source (and which were active in the
range, which have gone quiet), the touchpoints and activities of each month of the range, new
partners and referrals, and the partners gone quiet by name; one row per partner for the CSV.

A partner record belongs to its school: its teachers and admins see the school's whole network
(`partners.rules`), a site admin every school's. Months are the school's: a touchpoint at 23:30
on 31 August in Los Angeles counts for August. Aggregate SQL: a handful of grouped statements,
joined to a small table of the range's months (each with its first and last instant in each
school's zone), whatever the size of the network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from config import DEFAULT_TIMEZONE

from .. import clock
from ..extensions import db
from ..models import (
    Activity,
    CouncilMember,
    Organisation,
    PartnerContact,
    Partnership,
    PartnerSource,
    PartnerStage,
    School,
    Touchpoint,
    User,
    VerificationStatus,
)
from ..models.base import UTCDateTime
from ..partners.log import NOT_CONTACT
from .scope import Filters, Scope, school_year_of, school_year_range

QUIET_DAYS = 90  # a partner working with the school that nobody contacted for this long
QUIET_STAGES = (PartnerStage.ENGAGED, PartnerStage.PARTNER, PartnerStage.ADVISORY)
QUIET_LIMIT = 200  # partners gone quiet named on the page (the CSV has them all)
MAX_MONTHS = 120  # a longer range keeps its last ten years
COMPOUND_LIMIT = 400  # SELECTs in one UNION (SQLite's limit is 500)
CHUNK = 500  # rows fetched at a time while the CSV streams
ACTIVITY_SUMS = (
    sa.func.count(Activity.id).label("n"),
    sa.func.sum(Activity.students_reached).label("students"),
    sa.func.sum(Activity.hours).label("hours"),
)
CSV_COLUMNS = (
    "partner",
    "school",
    "stage",
    "source",
    "owner",
    "last_contact",
    "touchpoints_in_range",
    "activities_in_range",
    "students_reached",
    "hours",
    "referred_by",
    "quiet_days",
)


@dataclass(frozen=True)
class Window:
    """The days a report covers (in the school's calendar), month by month."""

    start: date
    end: date

    def months(self) -> list[tuple[date, date]]:
        """Each month of the window: its first day in the window and the day after its last."""
        spans, first = [], self.start
        while first <= self.end:
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            spans.append((first, min(following, self.end + timedelta(days=1))))
            first = following
        return spans


def window(filters: Filters, today: date) -> Window:
    """The filters' dates, or the school year of `today`; one end given, the other is the end
    of that school year."""
    start, end = filters.start, filters.end
    if start is None and end is None:
        start, end = school_year_range(school_year_of(today))
    elif start is None:
        assert end is not None
        start = school_year_range(school_year_of(end))[0]
    elif end is None:
        end = school_year_range(school_year_of(start))[1]
    first = end.year * 12 + end.month - MAX_MONTHS  # months since year 0, zero-based
    return Window(max(start, date(first // 12, first % 12 + 1, 1)), end)


def records_of(scope: Scope) -> sa.Select:
    """SELECT partnership.id … of the scope's partner records (declined ones left out, as in
    the school's partner list)."""
    query = sa.select(Partnership.id).where(Partnership.status != VerificationStatus.DECLINED)
    if scope.school_id is not None:
        query = query.where(Partnership.school_id == scope.school_id)
    return query


def months_table(scope: Scope, span: Window) -> Any:
    """The window's months for each time zone of the scope's schools: (zone, month, lo, hi,
    first_day, after_day), lo and hi the instants the month begins and ends there."""
    zones = sa.select(School.timezone).distinct()
    if scope.school_id is not None:
        zones = zones.where(School.id == scope.school_id)
    names = list(db.session.scalars(zones.order_by(School.timezone))) or [DEFAULT_TIMEZONE]
    rows = [
        sa.select(
            sa.literal(name, sa.String).label("zone"),
            sa.literal(index, sa.Integer).label("month"),
            sa.literal(clock.start_of(first, clock.zone(name)), UTCDateTime()).label("lo"),
            sa.literal(clock.start_of(after, clock.zone(name)), UTCDateTime()).label("hi"),
            sa.literal(first, sa.Date).label("first_day"),
            sa.literal(after, sa.Date).label("after_day"),
        )
        for name in names
        for index, (first, after) in enumerate(span.months())
    ]
    # SQLite takes at most 500 SELECTs in one UNION: many zones over many months are a union
    # of unions (each its own compound).
    chunks = [rows[i : i + COMPOUND_LIMIT] for i in range(0, len(rows), COMPOUND_LIMIT)]
    table = (
        sa.union_all(*rows)
        if len(chunks) == 1
        else sa.union_all(
            *(sa.select(sa.union_all(*c).subquery(f"months_{n}")) for n, c in enumerate(chunks))
        )
    )
    # Built once per statement, not once per row joined to it.
    return table.cte("months").prefix_with("MATERIALIZED")


def _in_month(months: Any, at: Any) -> sa.ColumnElement[bool]:
    """An instant of a partner's school (School joined) in a month of the table."""
    return sa.and_(months.c.zone == School.timezone, at >= months.c.lo, at < months.c.hi)


def _on_month(months: Any, day: Any) -> sa.ColumnElement[bool]:
    """A day of a partner's school (School joined) in a month of the table."""
    return sa.and_(
        months.c.zone == School.timezone, day >= months.c.first_day, day < months.c.after_day
    )


def logged_in(scope: Scope, months: Any, *columns: Any) -> sa.Select:
    """SELECT `columns` FROM the log entries of the scope's partners, each joined to its month."""
    return (
        sa.select(*columns)
        .select_from(Touchpoint)
        .join(Partnership, Partnership.id == Touchpoint.partnership_id)
        .join(School, School.id == Partnership.school_id)
        .join(months, _in_month(months, Touchpoint.occurred_at))
        .where(Partnership.id.in_(records_of(scope)))
    )


def held_in(scope: Scope, months: Any, *columns: Any) -> sa.Select:
    """SELECT `columns` FROM the activities of the scope's partners, each joined to its month."""
    return (
        sa.select(*columns)
        .select_from(Activity)
        .join(Partnership, Partnership.id == Activity.partnership_id)
        .join(School, School.id == Partnership.school_id)
        .join(months, _on_month(months, Activity.held_on))
        .where(Partnership.id.in_(records_of(scope)))
    )


def quiet_since(now: datetime) -> datetime:
    return now - timedelta(days=QUIET_DAYS)


def gone_quiet(now: datetime) -> sa.ColumnElement[bool]:
    """Working with the school (engaged, partner, advisory council) and not contacted for
    `QUIET_DAYS` days, or never."""
    return sa.and_(
        Partnership.stage.in_(QUIET_STAGES),
        sa.or_(
            Partnership.last_contact_at.is_(None), Partnership.last_contact_at < quiet_since(now)
        ),
    )


@dataclass(frozen=True)
class StageRow:
    stage: PartnerStage
    partners: int
    active: int  # contacted, or did an activity, in the range
    quiet: int


@dataclass(frozen=True)
class Network:
    """The scope's partners as they stand, by stage and by source."""

    stages: list[StageRow]
    sources: list[str]  # the sources present, in the order of PartnerSource ("" unknown last)
    cells: dict[tuple[str, str], int]  # (stage, source) → partners

    @property
    def total(self) -> int:
        return sum(s.partners for s in self.stages)

    def count(self, stage: str, source: str) -> int:
        return self.cells.get((stage, source), 0)

    def by_source(self, source: str) -> int:
        return sum(n for (_, src), n in self.cells.items() if src == source)

    def summary(self) -> str:
        """The network in one sentence, for screen readers and print."""
        if not self.total:
            return "No partner in the network yet."
        parts = [f"{s.partners} {s.stage.label}" for s in self.stages if s.partners]
        active = sum(s.active for s in self.stages)
        quiet = sum(s.quiet for s in self.stages)
        return (
            f"{self.total} partner{'s' if self.total != 1 else ''}: {', '.join(parts)}; "
            f"{active} active in these dates; {quiet} gone quiet."
        )


def network(scope: Scope, span: Window, now: datetime) -> Network:
    """Partners by stage and source, with those active in the window and those gone quiet: one
    grouped statement."""
    months = months_table(scope, span)
    contacted = logged_in(scope, months, Touchpoint.partnership_id).where(
        Touchpoint.kind.not_in(NOT_CONTACT)
    )
    acted = held_in(scope, months, Activity.partnership_id)
    active = sa.or_(Partnership.id.in_(contacted), Partnership.id.in_(acted))
    flagged = (
        sa.select(
            Partnership.stage,
            Partnership.source,
            sa.case((active, 1), else_=0).label("active"),
            sa.case((gone_quiet(now), 1), else_=0).label("quiet"),
        )
        .where(Partnership.id.in_(records_of(scope)))
        .subquery("flagged")
    )
    columns = (flagged.c.stage, flagged.c.source, flagged.c.active, flagged.c.quiet)
    rows = db.session.execute(sa.select(*columns, sa.func.count()).group_by(*columns)).all()
    cells: dict[tuple[str, str], int] = {}
    per_stage = {s: [0, 0, 0] for s in PartnerStage}
    for stage, source, was_active, is_quiet, n in rows:
        stage = PartnerStage(stage)
        cells[(stage.value, source)] = cells.get((stage.value, source), 0) + n
        per_stage[stage][0] += n
        per_stage[stage][1] += n if was_active else 0
        per_stage[stage][2] += n if is_quiet else 0
    known = [s.value for s in PartnerSource]
    present = {source for _, source in cells}
    sources = [s for s in known if s in present]
    sources += sorted(present - {*known, ""}) + ([""] if "" in present else [])
    return Network([StageRow(s, *per_stage[s]) for s in PartnerStage], sources, cells)


@dataclass(frozen=True)
class Month:
    first: date  # the first day of the month in the window
    by_hand: int  # log entries written by staff
    automatic: int  # written by the product (an interest, an offer, a rung …)
    activities: int
    students: int
    hours: float

    @property
    def touchpoints(self) -> int:
        return self.by_hand + self.automatic


def monthly(scope: Scope, span: Window) -> list[Month]:
    """The touchpoints (by hand and automatic) and the activities of each month: two grouped
    statements."""
    months = months_table(scope, span)
    logged: dict[tuple[int, bool], int] = {
        (int(m), bool(auto)): int(n)
        for m, auto, n in db.session.execute(
            logged_in(
                scope, months, months.c.month, Touchpoint.automatic, sa.func.count()
            ).group_by(months.c.month, Touchpoint.automatic)
        )
    }
    held = {
        int(m): (int(n), int(students or 0), float(hours or 0))
        for m, n, students, hours in db.session.execute(
            held_in(scope, months, months.c.month, *ACTIVITY_SUMS).group_by(months.c.month)
        )
    }
    months_out = []
    for index, (first, _) in enumerate(span.months()):
        activities, students, hours = held.get(index, (0, 0, 0.0))
        by_hand, automatic = logged.get((index, False), 0), logged.get((index, True), 0)
        months_out.append(Month(first, by_hand, automatic, activities, students, round(hours, 1)))
    return months_out


@dataclass(frozen=True)
class Referrer:
    """An advisory council member and the partners they referred in the range."""

    name: str
    organisation: str
    partner_id: int  # their own organisation's partner record
    referrals: int


@dataclass(frozen=True)
class Newcomers:
    total: int
    by_source: dict[str, int]
    referrals: int  # source "referral", or referred by a council member
    referrers: list[Referrer]


def newcomers(scope: Scope, span: Window) -> Newcomers:
    """The partners that came in the range (asked to be verified, or added to the network), by
    source; the referrals among them, and each council member's."""
    months = months_table(scope, span)
    referral = sa.or_(
        Partnership.source == PartnerSource.REFERRAL.value,
        Partnership.referred_by_member_id.is_not(None),
    )
    new = (
        sa.select(Partnership.id)
        .join(School, School.id == Partnership.school_id)
        .join(months, _in_month(months, Partnership.requested_at))
        .where(Partnership.id.in_(records_of(scope)))
    )
    flagged = (
        sa.select(Partnership.source, sa.case((referral, 1), else_=0).label("referral"))
        .where(Partnership.id.in_(new))
        .subquery("flagged")
    )
    rows = db.session.execute(
        sa.select(flagged.c.source, flagged.c.referral, sa.func.count()).group_by(
            flagged.c.source, flagged.c.referral
        )
    ).all()
    by_source: dict[str, int] = {}
    for source, _, n in rows:
        by_source[source] = by_source.get(source, 0) + int(n)
    theirs = aliased(Partnership, name="theirs")
    referred = db.session.execute(
        sa.select(PartnerContact.name, Organisation.name, theirs.id, sa.func.count(Partnership.id))
        .join(CouncilMember, CouncilMember.id == Partnership.referred_by_member_id)
        .join(PartnerContact, PartnerContact.id == CouncilMember.contact_id)
        .join(theirs, theirs.id == PartnerContact.partnership_id)
        .join(Organisation, Organisation.id == theirs.organisation_id)
        .where(Partnership.id.in_(new))
        .group_by(CouncilMember.id, PartnerContact.name, Organisation.name, theirs.id)
        .order_by(sa.func.count(Partnership.id).desc(), PartnerContact.name)
    ).all()
    return Newcomers(
        sum(by_source.values()),
        dict(sorted(by_source.items(), key=lambda item: (-item[1], item[0]))),
        sum(int(n) for _, is_referral, n in rows if is_referral),
        [Referrer(name, org, pid, int(n)) for name, org, pid, n in referred],
    )


@dataclass(frozen=True)
class QuietPartner:
    id: int
    name: str
    school: str
    stage: PartnerStage
    last_contact_at: datetime | None
    owner: str

    def days(self, now: datetime) -> int | None:
        return None if self.last_contact_at is None else (now - self.last_contact_at).days


def quiet_partners(scope: Scope, now: datetime) -> tuple[list[QuietPartner], int]:
    """The partners gone quiet, never contacted first then the longest silent (at most
    `QUIET_LIMIT`), and how many there are."""
    chosen = sa.and_(Partnership.id.in_(records_of(scope)), gone_quiet(now))
    rows = db.session.execute(
        sa.select(
            Partnership.id,
            Organisation.name,
            School.name,
            Partnership.stage,
            Partnership.last_contact_at,
            sa.func.coalesce(User.first_name + " " + User.last_name, ""),
        )
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .join(School, School.id == Partnership.school_id)
        .outerjoin(User, User.id == Partnership.owner_id)
        .where(chosen)
        .order_by(
            Partnership.last_contact_at.is_not(None),
            Partnership.last_contact_at,
            sa.func.lower(Organisation.name),
        )
        .limit(QUIET_LIMIT)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count()).where(chosen)) or 0
    return [QuietPartner(r[0], r[1], r[2], PartnerStage(r[3]), r[4], r[5]) for r in rows], total


def csv_rows(scope: Scope, span: Window, now: datetime) -> Iterator[tuple[Any, ...]]:
    """One row per partner (`CSV_COLUMNS`), by school and name, fetched `CHUNK` rows at a time;
    the touchpoints and activities of the range grouped over the scope's partners."""
    months = months_table(scope, span)
    logged = (
        logged_in(scope, months, Touchpoint.partnership_id, sa.func.count().label("n"))
        .group_by(Touchpoint.partnership_id)
        .subquery("logged")
    )
    held = (
        held_in(scope, months, Activity.partnership_id, *ACTIVITY_SUMS)
        .group_by(Activity.partnership_id)
        .subquery("held")
    )
    owner = aliased(User, name="owner")
    referrer = aliased(PartnerContact, name="referrer")
    query = (
        sa.select(
            Organisation.name,
            School.name,
            School.timezone,
            Partnership.stage,
            Partnership.source,
            owner.first_name + " " + owner.last_name,
            Partnership.last_contact_at,
            sa.func.coalesce(logged.c.n, 0),
            sa.func.coalesce(held.c.n, 0),
            sa.func.coalesce(held.c.students, 0),
            sa.func.coalesce(held.c.hours, 0),
            sa.func.coalesce(referrer.name, Partnership.recommended_by),
        )
        .join(Organisation, Organisation.id == Partnership.organisation_id)
        .join(School, School.id == Partnership.school_id)
        .outerjoin(owner, owner.id == Partnership.owner_id)
        .outerjoin(CouncilMember, CouncilMember.id == Partnership.referred_by_member_id)
        .outerjoin(referrer, referrer.id == CouncilMember.contact_id)
        .outerjoin(logged, logged.c.partnership_id == Partnership.id)
        .outerjoin(held, held.c.partnership_id == Partnership.id)
        .where(Partnership.id.in_(records_of(scope)))
        .order_by(School.name, sa.func.lower(Organisation.name), Partnership.id)
        .execution_options(yield_per=CHUNK)
    )
    for row in db.session.execute(query):
        name, school, zone, stage, source, owned_by, last = row[:7]
        n, acts, students, hours, by = row[7:]
        yield (
            name,
            school,
            PartnerStage(stage).label,
            source,
            owned_by or "",
            clock.local(last, clock.zone(zone)).date().isoformat() if last else "",
            int(n),
            int(acts),
            int(students),
            round(float(hours), 1),
            by or "",
            (now - last).days if last else "",
        )
