"""What a verified organisation's member's dashboard reads: its pipeline in numbers, the offers
waiting on someone, colleagues asking to join and new projects in its cluster, in a fixed
number of statements whatever the number of rows (an organisation awaiting verification:
awaiting.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..models import (
    LADDER,
    Challenge,
    Engagement,
    EngagementStatus,
    JoinRequest,
    Offer,
    OfferStatus,
    Organisation,
    Project,
    ProjectStatus,
    School,
    User,
    utcnow,
)
from ..models.base import UTCDateTime
from ..organisations.membership import pending_requests_for
from ..organisations.services import partnerships_of

LIST_LIMIT = 5
NEW_PROJECTS_DAYS = 7  # the weekly digest's period: "new" is at least this week's
OPEN_OFFERS = (OfferStatus.DRAFT, OfferStatus.PROPOSED, OfferStatus.APPROVED)


def organisation_of(user: User) -> Organisation | None:
    """The employer's organisation (loaded with the user) with its partnerships and their
    schools (one statement)."""
    if user.organisation is not None:
        partnerships_of(user.organisation)
    return user.organisation


@dataclass
class RungCount:
    key: str  # the pipeline's column: a rung, "completed" or "closed"
    label: str
    count: int = 0
    stalled: int = 0


@dataclass
class OfferGroup:
    """Open offers in one state: how many, and the first few (nearest deadline first)."""

    total: int = 0
    offers: list[Offer] = field(default_factory=list)


@dataclass
class EmployerDashboard:
    organisation: Organisation
    rungs: list[RungCount]
    offers: dict[OfferStatus, OfferGroup]
    join_requests: list[JoinRequest]
    new_projects: list[Project]
    new_project_count: int
    since: datetime  # new projects are those published since then

    @property
    def engaged(self) -> int:
        return sum(r.count for r in self.rungs)

    @property
    def stalled(self) -> int:
        return sum(r.stalled for r in self.rungs)

    @property
    def open_offer_count(self) -> int:
        return sum(group.total for group in self.offers.values())

    @property
    def schools(self) -> dict[int, School]:
        return {p.school_id: p.school for p in self.organisation.partnerships}


def _is_stalled(organisation: Organisation, now: datetime) -> sa.ColumnElement[bool]:
    """Active, with no event for the stall period of its school (each school sets its own):
    engagements.rules.is_stalled as SQL. Every engagement's school has a partnership with the
    organisation (it verified it before the engagement could open), so the partnerships'
    schools give every period needed."""
    cutoffs = {
        p.school_id: sa.literal(now - timedelta(days=p.school.stall_days), UTCDateTime())
        for p in organisation.partnerships
    }
    if not cutoffs:
        return sa.false()
    return sa.and_(
        Engagement.status == EngagementStatus.ACTIVE,
        Engagement.last_event_at < sa.case(cutoffs, value=Engagement.school_id, else_=sa.null()),
    )


def rung_counts(organisation: Organisation, now: datetime) -> list[RungCount]:
    """The pipeline board's columns in numbers, each with how many of its engagements are
    stalled (one grouped statement)."""
    counts = {r.value: RungCount(r.value, r.label) for r in LADDER}
    for ended in (EngagementStatus.COMPLETED, EngagementStatus.CLOSED):
        counts[ended.value] = RungCount(ended.value, ended.label)
    stalled = _is_stalled(organisation, now)
    rows = db.session.execute(
        sa.select(
            Engagement.status,
            Engagement.rung,
            sa.func.count(),
            sa.func.sum(sa.case((stalled, 1), else_=0)),
        )
        .where(Engagement.organisation_id == organisation.id)
        .group_by(Engagement.status, Engagement.rung)
    )
    for status, rung, count, stalled_count in rows:
        row = counts[rung.value if status is EngagementStatus.ACTIVE else status.value]
        row.count += count
        row.stalled += stalled_count or 0
    return list(counts.values())


def open_offers(organisation: Organisation) -> dict[OfferStatus, OfferGroup]:
    """Drafts, offers waiting for the teacher and offers waiting for the students: how many of
    each, and the first few of each (one statement: ranked within each state)."""
    ranked = (
        sa.select(
            Offer.id.label("id"),
            sa.func.row_number()
            .over(
                partition_by=Offer.status,
                order_by=(Offer.respond_by.is_(None), Offer.respond_by, Offer.created_at, Offer.id),
            )
            .label("place"),
            sa.func.count().over(partition_by=Offer.status).label("total"),
        )
        .join(Engagement, Offer.engagement_id == Engagement.id)
        .where(
            Engagement.organisation_id == organisation.id,
            Engagement.status == EngagementStatus.ACTIVE,
            Offer.status.in_(OPEN_OFFERS),
        )
        .subquery()
    )
    groups = {status: OfferGroup() for status in OPEN_OFFERS}
    rows = db.session.execute(
        sa.select(Offer, ranked.c.total)
        .join(ranked, ranked.c.id == Offer.id)
        .where(ranked.c.place <= LIST_LIMIT)
        .options(
            joinedload(Offer.engagement).options(
                joinedload(Engagement.project), joinedload(Engagement.school)
            )
        )
        .order_by(ranked.c.place)
    )
    for offer, total in rows:
        group = groups[offer.status]
        group.total = total
        group.offers.append(offer)
    return groups


def join_requests(organisation: Organisation) -> list[JoinRequest]:
    """Colleagues waiting to be let in, with their names (one statement)."""
    return pending_requests_for(organisation)


def new_projects_since(user: User, now: datetime) -> datetime:
    """When "new" starts: the member's previous visit (the log-in before this one), or a week
    ago for a first visit."""
    if user.previous_login_at is not None:
        return user.previous_login_at
    return now - timedelta(days=NEW_PROJECTS_DAYS)


def new_projects(organisation: Organisation, since: datetime) -> tuple[list[Project], int]:
    """Projects published since `since` that the organisation's members may browse (schools
    that verified it) in its career cluster: the newest few, and how many (one statement)."""
    verified = organisation.verified_school_ids
    if not verified:
        return [], 0
    query = (
        sa.select(Project, sa.func.count().over())
        .join(Challenge, Project.challenge_id == Challenge.id)
        .where(
            Project.status == ProjectStatus.PUBLISHED,
            Project.school_id.in_(verified),
            Project.published_at >= since,
        )
        .options(contains_eager(Project.challenge), joinedload(Project.team))
        .order_by(Project.published_at.desc(), Project.id.desc())
        .limit(LIST_LIMIT)
    )
    if organisation.career_cluster:
        query = query.where(Challenge.career_cluster == organisation.career_cluster)
    rows = db.session.execute(query).all()
    return [project for project, _ in rows], (rows[0][1] if rows else 0)


def for_employer(user: User, organisation: Organisation) -> EmployerDashboard:
    """Everything a verified organisation's member's dashboard shows."""
    now = utcnow()
    since = new_projects_since(user, now)
    projects, project_count = new_projects(organisation, since)
    return EmployerDashboard(
        organisation=organisation,
        rungs=rung_counts(organisation, now),
        offers=open_offers(organisation),
        join_requests=join_requests(organisation),
        new_projects=projects,
        new_project_count=project_count,
        since=since,
    )
